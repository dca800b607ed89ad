//! The OSC server's logic, without a socket: datagrams in, model changes and
//! datagrams to send out. The daemon owns the socket and the clock; this
//! owns the address space, the clients and what each is owed.
//!
//! Reserved addresses (everything else is the address space):
//!
//! | address | arguments | effect |
//! |---|---|---|
//! | `/subscribe` | `[reply_port] [fader\|db] [echo]` | feedback for the subscription timeout; renew by sending it again. A new subscriber gets `/subscribed TIMEOUT_S` and a full dump |
//! | `/unsubscribe` | | end it now |
//! | `/dump` | | send the whole state again (clients only) |
//! | `/meters` | `RATE_HZ` | meters at 1..30 Hz, 0 stops (clients only) |
//! | `ADDRESS/z`, `ADDRESS/touch` | `1\|0` | touch and release the control(s) at ADDRESS |
//! | `/status` | | answers `/status/NAME VALUE` for each health counter (audio xruns, OSC counters) |
//! | `/error` | `ADDRESS REASON` | sent to a client whose message was refused |
//! | `/transport/...`, `/scene/...`, `/automation/undo`, `PATH/automation` | | see [`super::requests`] |
//!
//! A source that is neither subscribed nor a fixed client gets at most
//! [`STRANGER_ANSWERS`] answers per datagram.

use super::args::{self, Value};
use super::clients::{Clients, Full, Options};
use super::feedback;
use super::packer::Packer;
use super::requests::{self, Parsed};
use super::space::{AddressSpace, Target};
use super::OscStats;
use crate::config::{OscConfig, OscForm};
use crate::control::model::{Change, Key, Mix, Origin};
use crate::control::request::{Answer, Arg, Request};
use crate::control::MeterSnapshot;
use crate::params::Registry;
use rosc::{OscMessage, OscPacket, OscType};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Feedback to one client is sent at most this often: about 60 times a
/// second, each time with the latest value of everything that changed.
pub const MIN_INTERVAL: Duration = Duration::from_micros(16_667);
/// OSC sources that may hold touches at once; more are refused and counted.
pub const MAX_TOUCHERS: usize = 64;
/// Bundles nested deeper than this are refused as malformed.
const MAX_DEPTH: usize = 8;
/// Answers per datagram to a source that is not a client: a query or a
/// pattern query from a forged address cannot be turned into a flood aimed
/// at someone else. Clients (subscribed or fixed) get every answer.
pub const STRANGER_ANSWERS: usize = 16;
/// `/error` replies per datagram at most, so a bundle of bad messages cannot
/// be amplified into a flood.
const ERRORS_PER_DATAGRAM: usize = 4;

#[derive(Clone)]
pub struct Server {
    space: AddressSpace,
    clients: Clients,
    stats: Arc<OscStats>,
    outbox: Vec<Outgoing>,
    loudness: [f32; 5],
    /// OSC sources holding touches, and when each was last heard from.
    touchers: BTreeMap<SocketAddr, Instant>,
    /// Health counters from the daemon, for `/status`.
    status: Vec<(&'static str, f64)>,
    /// Transport, automation and scene requests for the daemon, with who made them.
    requests: Vec<(SocketAddr, Request)>,
}

/// A datagram to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub to: SocketAddr,
    pub bytes: Vec<u8>,
}

/// The work of one datagram.
struct Datagram<'a> {
    from: SocketAddr,
    now: Instant,
    changes: Vec<Change>,
    replies: Packer,
    /// Answers this datagram may still get.
    budget: usize,
    errors: Vec<OscMessage>,
    mix: &'a mut Mix,
}

impl Server {
    pub fn new(registry: &Registry, config: &OscConfig, stats: Arc<OscStats>) -> Server {
        let mut server = Server {
            space: AddressSpace::new(registry),
            clients: Clients::new(&config.clients, config.subscription_timeout),
            stats,
            outbox: Vec::new(),
            loudness: [crate::units::SILENCE_DB; 5],
            touchers: BTreeMap::new(),
            status: Vec::new(),
            requests: Vec::new(),
        };
        for i in 0..server.clients.list.len() {
            server.queue_dump_for(i, registry);
        }
        server
    }

    pub fn stats(&self) -> &Arc<OscStats> {
        &self.stats
    }

    /// The session's layout changed: new addresses, and everyone is sent
    /// the whole state again.
    pub fn set_layout(&mut self, registry: &Registry) {
        self.space = AddressSpace::new(registry);
        for i in 0..self.clients.list.len() {
            self.clients.list[i].pending.clear();
            self.queue_dump_for(i, registry);
        }
    }

    fn queue_dump_for(&mut self, i: usize, registry: &Registry) {
        let layout = registry.layout();
        let c = &mut self.clients.list[i];
        c.pending.extend(registry.all().into_iter().map(Key::Param));
        let strips = (0..layout.tracks as u16)
            .map(crate::params::Owner::Track)
            .chain((0..layout.buses.len() as u16).map(crate::params::Owner::Bus));
        c.pending
            .extend(strips.flat_map(|o| [Key::Name(o), Key::Colour(o)]));
    }

    /// Apply one datagram from `from`. Returns the changes made to the mix,
    /// in order; replies are queued in the outbox.
    pub fn receive(
        &mut self,
        mix: &mut Mix,
        from: SocketAddr,
        bytes: &[u8],
        now: Instant,
    ) -> Vec<Change> {
        let packet = match rosc::decoder::decode_udp(bytes) {
            Ok((_, p)) => p,
            Err(_) => {
                self.stats.malformed.fetch_add(1, Relaxed);
                return Vec::new();
            }
        };
        if let Some(t) = self.touchers.get_mut(&from) {
            *t = now;
        }
        let mut d = Datagram {
            from,
            now,
            changes: Vec::new(),
            replies: Packer::new(),
            budget: if self.clients.by_source(from).is_some() {
                usize::MAX
            } else {
                STRANGER_ANSWERS
            },
            errors: Vec::new(),
            mix,
        };
        for m in messages(packet, &self.stats) {
            self.message(&mut d, m);
        }
        let reply_to = self.reply_address(from);
        let Datagram {
            changes,
            replies,
            errors,
            ..
        } = d;
        for datagram in replies.finish() {
            self.answer(reply_to, vec![datagram]);
        }
        if let Some(i) = self.clients.by_source(from) {
            let to = self.clients.list[i].reply_to;
            let mut p = Packer::new();
            for e in errors.into_iter().take(ERRORS_PER_DATAGRAM) {
                p.push(e);
            }
            self.answer(to, p.finish());
        }
        changes
    }

    /// Where answers to `from` go: the reply port it subscribed with, else
    /// back to where it sent from.
    fn reply_address(&self, from: SocketAddr) -> SocketAddr {
        self.clients.subscriber(from).map_or(from, |c| c.reply_to)
    }

    fn reply(&self, d: &mut Datagram, m: OscMessage) {
        if d.budget == 0 {
            self.stats.withheld_answers.fetch_add(1, Relaxed);
            return;
        }
        d.budget -= 1;
        d.replies.push(m);
    }

    fn refuse(&self, d: &mut Datagram, addr: &str, reason: String) {
        d.errors.push(OscMessage {
            addr: "/error".into(),
            args: vec![OscType::String(addr.into()), OscType::String(reason)],
        });
    }

    fn message(&mut self, d: &mut Datagram, m: OscMessage) {
        match m.addr.as_str() {
            "/subscribe" => return self.subscribe(d, &m.args),
            "/unsubscribe" => {
                if let Some(c) = self.clients.unsubscribe(d.from) {
                    if let Some(o) = c.origin() {
                        d.mix.release_all(o);
                    }
                }
                return;
            }
            "/dump" | "/meters" => return self.client_request(d, &m),
            "/status" => {
                for (name, v) in self.status.iter().copied().chain(self.counters()) {
                    self.reply(
                        d,
                        OscMessage {
                            addr: format!("/status/{name}"),
                            args: vec![OscType::Double(v)],
                        },
                    );
                }
                return;
            }
            _ => {}
        }
        match requests::parse(&m.addr, &m.args, d.mix) {
            Parsed::NotOurs => {}
            Parsed::Released => return,
            Parsed::Request(r) => return self.requests.push((d.from, r)),
            Parsed::Refused(why) => {
                self.stats.rejected_values.fetch_add(1, Relaxed);
                return self.refuse(d, &m.addr, why);
            }
        }
        if let Some(base) = m
            .addr
            .strip_suffix("/z")
            .or_else(|| m.addr.strip_suffix("/touch"))
        {
            return self.touch(d, base, &m);
        }
        let targets = match self.space.resolve(&m.addr) {
            Ok(t) if !t.is_empty() => t,
            Ok(_) => {
                self.stats.unknown_addresses.fetch_add(1, Relaxed);
                return self.refuse(d, &m.addr, "no such address".into());
            }
            Err(e) => {
                self.stats.unknown_addresses.fetch_add(1, Relaxed);
                return self.refuse(d, &m.addr, format!("bad pattern: {e}"));
            }
        };
        match m.args.first() {
            None => {
                for t in targets {
                    if let Some(arg) = self.query(d.mix, t) {
                        self.reply(
                            d,
                            OscMessage {
                                addr: address(t),
                                args: vec![arg],
                            },
                        );
                    }
                }
            }
            Some(arg) => {
                for t in targets {
                    self.set(d, t, arg, &m.addr);
                }
            }
        }
    }

    fn query(&self, mix: &Mix, t: Target) -> Option<OscType> {
        Some(match t {
            Target::Param(r) => args::reply(r.form, mix.get(r.id)?),
            Target::Name(owner) => OscType::String(mix.name(owner)?.to_string()),
            Target::Colour(owner) => {
                mix.name(owner)?;
                OscType::String(mix.colour(owner).name().to_string())
            }
            Target::Loudness(i) => OscType::Float(self.loudness[i]),
        })
    }

    fn set(&mut self, d: &mut Datagram, t: Target, arg: &OscType, addr: &str) {
        let origin = Origin::Osc(d.from);
        match args::value_for(t, arg) {
            Ok(Value::Plain(v)) => {
                if let Target::Param(r) = t {
                    if d.mix.set(r.id, v).is_some() {
                        d.changes.push(Change {
                            key: Key::Param(r.id),
                            origin,
                        });
                    }
                }
            }
            Ok(Value::Name(name)) => {
                if let Target::Name(owner) = t {
                    if d.mix.set_name(owner, &name) {
                        d.changes.push(Change {
                            key: Key::Name(owner),
                            origin,
                        });
                    }
                }
            }
            Ok(Value::Colour(colour)) => {
                if let Target::Colour(owner) = t {
                    if d.mix.set_colour(owner, colour) {
                        d.changes.push(Change {
                            key: Key::Colour(owner),
                            origin,
                        });
                    }
                }
            }
            Err(why) => {
                self.stats.rejected_values.fetch_add(1, Relaxed);
                self.refuse(d, addr, why);
            }
        }
    }

    fn touch(&mut self, d: &mut Datagram, base: &str, m: &OscMessage) {
        let Some(on) = m
            .args
            .first()
            .and_then(args::number)
            .filter(|v| !v.is_nan())
        else {
            self.stats.rejected_values.fetch_add(1, Relaxed);
            return self.refuse(d, &m.addr, "expected 1 (touched) or 0 (released)".into());
        };
        let on = on >= 0.5;
        if on && !self.touchers.contains_key(&d.from) && self.touchers.len() >= MAX_TOUCHERS {
            self.stats.rejected_values.fetch_add(1, Relaxed);
            return self.refuse(
                d,
                &m.addr,
                format!("more than {MAX_TOUCHERS} sources touching"),
            );
        }
        let targets = self.space.resolve(base).unwrap_or_default();
        let params: Vec<_> = targets
            .into_iter()
            .filter_map(|t| match t {
                Target::Param(r) => Some(r.id),
                _ => None,
            })
            .collect();
        if params.is_empty() {
            self.stats.unknown_addresses.fetch_add(1, Relaxed);
            return self.refuse(d, &m.addr, "no such control to touch".into());
        }
        let origin = Origin::Osc(d.from);
        let client = self.clients.by_source(d.from);
        for id in params {
            if d.mix.touch(id, origin, on) && !on {
                // What others did meanwhile was held back; send it now.
                if let Some(i) = client {
                    self.clients.list[i].pending.insert(Key::Param(id));
                }
            }
        }
        if on {
            self.touchers.insert(d.from, d.now);
        }
    }

    fn subscribe(&mut self, d: &mut Datagram, a: &[OscType]) {
        let mut port = d.from.port();
        let mut options = Options {
            form: OscForm::Fader,
            echo: false,
        };
        for arg in a {
            match arg {
                OscType::String(s) => match s.to_ascii_lowercase().as_str() {
                    "fader" => options.form = OscForm::Fader,
                    "db" | "gain" => options.form = OscForm::Db,
                    "echo" => options.echo = true,
                    other => {
                        return self.refuse(
                            d,
                            "/subscribe",
                            format!("unknown option `{other}`; allowed: fader, db, echo"),
                        )
                    }
                },
                other => match args::number(other) {
                    Some(p) if (1.0..=65535.0).contains(&p) && p.fract() == 0.0 => port = p as u16,
                    _ => return self.refuse(d, "/subscribe", "the reply port is 1..65535".into()),
                },
            }
        }
        let reply_to = SocketAddr::new(d.from.ip(), port);
        match self.clients.subscribe(d.from, reply_to, options, d.now) {
            Ok((i, new)) => {
                let mut p = Packer::new();
                p.push(OscMessage {
                    addr: "/subscribed".into(),
                    args: vec![OscType::Int(self.clients.timeout.as_secs() as i32)],
                });
                self.answer(reply_to, p.finish());
                if new {
                    self.stats.subscriptions.fetch_add(1, Relaxed);
                    let registry = d.mix.registry().clone();
                    self.queue_dump_for(i, &registry);
                }
            }
            Err(Full) => {
                self.stats.refused_subscriptions.fetch_add(1, Relaxed);
                let mut p = Packer::new();
                p.push(OscMessage {
                    addr: "/error".into(),
                    args: vec![
                        OscType::String("/subscribe".into()),
                        OscType::String(format!(
                            "too many subscribers ({})",
                            super::clients::MAX_SUBSCRIBERS
                        )),
                    ],
                });
                self.answer(reply_to, p.finish());
            }
        }
    }

    /// Queue datagrams for `to`.
    fn answer(&mut self, to: SocketAddr, datagrams: Vec<Vec<u8>>) {
        let out = datagrams.into_iter().map(|bytes| Outgoing { to, bytes });
        self.outbox.extend(out);
    }

    /// `/dump` and `/meters`: only for clients, so that a forged source
    /// cannot aim a large answer at someone else.
    fn client_request(&mut self, d: &mut Datagram, m: &OscMessage) {
        let Some(i) = self.clients.by_source(d.from) else {
            self.stats.rejected_values.fetch_add(1, Relaxed);
            return;
        };
        if m.addr == "/dump" {
            let registry = d.mix.registry().clone();
            return self.queue_dump_for(i, &registry);
        }
        match m.args.first().and_then(args::number) {
            Some(rate) => self.clients.list[i].set_meter_rate(rate as f32, d.now),
            None => {
                self.stats.rejected_values.fetch_add(1, Relaxed);
                self.refuse(
                    d,
                    "/meters",
                    "expected a rate in Hz (1..30; 0 stops)".into(),
                );
            }
        }
    }

    /// Changes from any source: queue them for every client except the one
    /// that made each (unless it asked for its echo).
    pub fn changed(&mut self, changes: &[Change]) {
        for i in 0..self.clients.list.len() {
            for ch in changes {
                if !self.clients.list[i].options.echo && self.clients.made(i, ch.origin) {
                    continue;
                }
                self.clients.list[i].pending.insert(ch.key);
            }
        }
    }

    /// Set the daemon's health counters that `/status` reports.
    pub fn set_status(&mut self, status: Vec<(&'static str, f64)>) {
        self.status = status;
    }

    fn counters(&self) -> Vec<(&'static str, f64)> {
        let mut c = self.stats.counters(false);
        c.push(("osc/clients", self.clients.list.len() as f64));
        c
    }

    /// Whether any client wants meters.
    pub fn wants_meters(&self) -> bool {
        self.clients.list.iter().any(|c| c.meters.is_some())
    }

    /// A new meter reading from the audio side.
    pub fn meters(&mut self, s: &MeterSnapshot) {
        self.loudness = feedback::loudness_values(s);
        for c in &mut self.clients.list {
            if let Some(m) = &mut c.meters {
                match &mut m.acc {
                    Some(acc) => feedback::merge(acc, s),
                    None => m.acc = Some(s.clone()),
                }
            }
        }
    }

    /// Expire what lapsed and send what is due.
    pub fn poll(&mut self, mix: &mut Mix, now: Instant) {
        for c in self.clients.expire(now) {
            if let Some(o) = c.origin() {
                mix.release_all(o);
            }
        }
        let timeout = self.clients.timeout;
        let idle: Vec<SocketAddr> = self
            .touchers
            .iter()
            .filter(|(_, t)| now >= **t + timeout)
            .map(|(s, _)| *s)
            .collect();
        for s in idle {
            self.touchers.remove(&s);
            mix.release_all(Origin::Osc(s));
        }
        for c in &mut self.clients.list {
            let due = c.last_flush.is_none_or(|t| now >= t + MIN_INTERVAL);
            if due && !c.pending.is_empty() {
                let to = c.reply_to;
                self.outbox.extend(
                    feedback::flush(c, mix)
                        .into_iter()
                        .map(|bytes| Outgoing { to, bytes }),
                );
                c.last_flush = Some(now);
            }
            if let Some(m) = &mut c.meters {
                if now >= m.next {
                    if let Some(acc) = m.acc.take() {
                        let mut p = Packer::new();
                        feedback::meter_messages(&acc, c.options.form, &mut p);
                        let to = c.reply_to;
                        self.outbox
                            .extend(p.finish().into_iter().map(|bytes| Outgoing { to, bytes }));
                    }
                    m.next += m.every;
                    if m.next < now {
                        m.next = now + m.every;
                    }
                }
            }
        }
    }

    /// When [`Server::poll`] next has something to send.
    pub fn next_due(&self) -> Option<Instant> {
        self.clients
            .list
            .iter()
            .flat_map(|c| {
                let flush = (!c.pending.is_empty())
                    .then(|| c.last_flush.map_or(Instant::now(), |t| t + MIN_INTERVAL));
                flush.into_iter().chain(c.meters.as_ref().map(|m| m.next))
            })
            .min()
    }

    /// Requests received since the last call, with who sent each.
    pub fn take_requests(&mut self) -> Vec<(SocketAddr, Request)> {
        std::mem::take(&mut self.requests)
    }

    /// Answer a request from `from` (at its reply port if it subscribed);
    /// an error goes as `/error ADDRESS REASON`.
    pub fn answer_request(
        &mut self,
        from: SocketAddr,
        answers: &[Answer],
        error: Option<(&str, String)>,
    ) {
        let mut p = Packer::new();
        let budget = if self.clients.by_source(from).is_some() {
            usize::MAX
        } else {
            STRANGER_ANSWERS
        };
        if answers.len() > budget {
            self.stats
                .withheld_answers
                .fetch_add((answers.len() - budget) as u64, Relaxed);
        }
        for a in answers.iter().take(budget) {
            p.push(message_of(a));
        }
        if let Some((addr, why)) = error {
            p.push(OscMessage {
                addr: "/error".into(),
                args: vec![OscType::String(addr.into()), OscType::String(why)],
            });
        }
        let to = self.reply_address(from);
        self.answer(to, p.finish());
    }

    /// Send `answers` to every client now (transport state and position).
    pub fn broadcast(&mut self, answers: &[Answer]) {
        if self.clients.list.is_empty() {
            return;
        }
        let mut p = Packer::new();
        for a in answers {
            p.push(message_of(a));
        }
        let datagrams = p.finish();
        for c in &self.clients.list {
            let to = c.reply_to;
            self.outbox.extend(datagrams.iter().map(|bytes| Outgoing {
                to,
                bytes: bytes.clone(),
            }));
        }
    }

    /// Datagrams to send.
    pub fn take_outbox(&mut self) -> Vec<Outgoing> {
        std::mem::take(&mut self.outbox)
    }
}

/// The messages of a packet in order, bundles opened; a bundle nested
/// deeper than [`MAX_DEPTH`] is dropped and counted as malformed.
pub(super) fn messages(packet: OscPacket, stats: &OscStats) -> Vec<OscMessage> {
    fn open(p: OscPacket, depth: usize, stats: &OscStats, out: &mut Vec<OscMessage>) {
        match p {
            OscPacket::Message(m) => out.push(m),
            OscPacket::Bundle(b) if depth < MAX_DEPTH => {
                for p in b.content {
                    open(p, depth + 1, stats, out);
                }
            }
            OscPacket::Bundle(_) => {
                stats.malformed.fetch_add(1, Relaxed);
            }
        }
    }
    let mut out = Vec::new();
    open(packet, 0, stats, &mut out);
    out
}

fn message_of(a: &Answer) -> OscMessage {
    OscMessage {
        addr: a.address.clone(),
        args: a
            .args
            .iter()
            .map(|x| match x {
                Arg::Text(s) => OscType::String(s.clone()),
                Arg::Number(v) => OscType::Float(*v as f32),
            })
            .collect(),
    }
}

/// The address a target is reported on.
fn address(t: Target) -> String {
    match t {
        Target::Param(r) => format!("/{r}"),
        Target::Name(owner) => format!("/{owner}/name"),
        Target::Colour(owner) => format!("/{owner}/colour"),
        Target::Loudness(i) => format!("/master/loudness/{}", super::space::LOUDNESS[i]),
    }
}
