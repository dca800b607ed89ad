//! The X32 server's logic, without a socket: datagrams in, model changes
//! and datagrams to send out, as [`crate::osc::Server`] does for the
//! native protocol (and sharing its receive thread, allow-list, sender and
//! feedback rules).
//!
//! | address | arguments | answer |
//! |---|---|---|
//! | `/info` | | `/info ,ssss V2.07 osc-server MODEL FIRMWARE` |
//! | `/xinfo` | | `/xinfo ,ssss IP NAME MODEL FIRMWARE` |
//! | `/status` | | `/status ,sss active IP NAME` |
//! | `/xremote`, `/xremotenfb` | | none; every change made elsewhere is pushed for [`TIMEOUT`] |
//! | `/renew` | `[meters/N]` | renews that meter set, or the `/xremote` |
//! | `/unsubscribe` | | ends the `/xremote` and its meters now |
//! | `/meters` | `/meters/N [channel] [_] [time factor]` | `/meters/N ,b` every 50 ms × factor for [`TIMEOUT`] (clients only) |
//! | `/node` | `PATH` | `node ,s "/PATH VALUES...\n"` |
//! | `/` | `"PATH VALUE..."` | sets from text; the values set are echoed |
//! | any leaf | | its value, in its type |
//! | any leaf | value | sets it (not echoed to the sender) |
//!
//! Bounded: at most [`max_clients`] `/xremote` clients (a newcomer past
//! that is refused and counted, never evicting a live one), at most
//! [`MAX_METER_SETS`] meter sets each; what a client is owed is a set of
//! keys of the mix, flushed at most every [`MIN_INTERVAL`], at most
//! [`MAX_MESSAGES_PER_FLUSH`] messages at a time. A source that is not a
//! client gets at most [`STRANGER_ANSWERS`] answers per datagram.

use super::laws::Wire;
use super::meters;
use super::node;
use super::table::{Addr, Found, Table};
use crate::config::{X32Config, X32Flavour};
use crate::control::model::{Change, Key, Mix, Origin};
use crate::control::MeterSnapshot;
use crate::osc::feedback::merge;
use crate::osc::server::{messages, Outgoing, MIN_INTERVAL, STRANGER_ANSWERS};
use crate::osc::OscStats;
use rosc::{OscMessage, OscPacket, OscType};
use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long an `/xremote` or a meter request lasts without renewal.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Meter sets one client may receive at once; a further one is refused.
pub const MAX_METER_SETS: usize = 4;
/// Messages (each its own datagram, as the console sends them) one client
/// is sent per flush at most; the rest waits for the next flush.
pub const MAX_MESSAGES_PER_FLUSH: usize = 64;
/// The base meter interval; a request's time factor multiplies it.
const METER_BASE: Duration = Duration::from_millis(50);
/// The name the console answers to.
pub const CONSOLE_NAME: &str = "mixbridge";

/// `/xremote` clients at once: 4 on an X32, as on the console; 8 on an X-Air.
pub fn max_clients(flavour: X32Flavour) -> usize {
    match flavour {
        X32Flavour::X32 => 4,
        X32Flavour::XAir => 8,
    }
}

/// Model and firmware reported by `/info` and `/xinfo`.
fn model(flavour: X32Flavour) -> (&'static str, &'static str) {
    match flavour {
        X32Flavour::X32 => ("X32", "4.06"),
        X32Flavour::XAir => ("XR18", "1.22"),
    }
}

#[derive(Debug, Clone)]
struct Client {
    source: SocketAddr,
    expires: Instant,
    pending: BTreeSet<Key>,
    last_flush: Option<Instant>,
    meters: Vec<MeterSet>,
}

#[derive(Debug, Clone)]
struct MeterSet {
    id: usize,
    channel: usize,
    every: Duration,
    next: Instant,
    expires: Instant,
    acc: Option<MeterSnapshot>,
}

#[derive(Debug, Clone)]
pub struct Server {
    table: Table,
    /// The address configured to listen on (its IP is reported, unless it
    /// is every interface).
    listen: SocketAddr,
    clients: Vec<Client>,
    stats: Arc<OscStats>,
    outbox: Vec<Outgoing>,
    /// The local address each peer reaches, as found (bounded).
    local_ips: BTreeMap<IpAddr, IpAddr>,
}

/// The work of one datagram.
struct Datagram<'a> {
    from: SocketAddr,
    now: Instant,
    changes: Vec<Change>,
    /// Answers this datagram may still get.
    budget: usize,
    mix: &'a mut Mix,
}

impl Server {
    pub fn new(config: &X32Config, stats: Arc<OscStats>) -> Server {
        Server {
            table: Table::new(config.flavour),
            listen: config.listen,
            clients: Vec::new(),
            stats,
            outbox: Vec::new(),
            local_ips: BTreeMap::new(),
        }
    }

    pub fn stats(&self) -> &Arc<OscStats> {
        &self.stats
    }

    /// Apply one datagram from `from`; returns the changes made to the mix.
    pub fn receive(
        &mut self,
        mix: &mut Mix,
        from: SocketAddr,
        bytes: &[u8],
        now: Instant,
    ) -> Vec<Change> {
        let Some(packet) = decode(bytes) else {
            self.stats.malformed.fetch_add(1, Relaxed);
            return Vec::new();
        };
        let mut d = Datagram {
            from,
            now,
            changes: Vec::new(),
            budget: if self.client(from).is_some() {
                usize::MAX
            } else {
                STRANGER_ANSWERS
            },
            mix,
        };
        for m in messages(packet, &self.stats) {
            self.message(&mut d, m);
        }
        d.changes
    }

    fn client(&self, source: SocketAddr) -> Option<usize> {
        self.clients.iter().position(|c| c.source == source)
    }

    /// Answer the sender of `d`, within its budget.
    fn reply(&mut self, d: &mut Datagram, addr: &str, args: Vec<OscType>) {
        if d.budget == 0 {
            self.stats.withheld_answers.fetch_add(1, Relaxed);
            return;
        }
        d.budget -= 1;
        self.send(d.from, addr.to_string(), args);
    }

    fn send(&mut self, to: SocketAddr, addr: String, args: Vec<OscType>) {
        if let Ok(bytes) = rosc::encoder::encode(&OscPacket::Message(OscMessage { addr, args })) {
            self.outbox.push(Outgoing { to, bytes });
        }
    }

    fn refuse(&self) {
        self.stats.rejected_values.fetch_add(1, Relaxed);
    }

    fn message(&mut self, d: &mut Datagram, m: OscMessage) {
        let text = |i: usize| match m.args.get(i) {
            Some(OscType::String(s)) => Some(s.as_str()),
            _ => None,
        };
        match m.addr.as_str() {
            "/info" => {
                let (model, firmware) = model(self.table.flavour);
                let args = ["V2.07", "osc-server", model, firmware].map(string);
                return self.reply(d, "/info", args.to_vec());
            }
            "/xinfo" => {
                let (model, firmware) = model(self.table.flavour);
                let ip = self.local_ip(d.from.ip()).to_string();
                let args = vec![
                    string(&ip),
                    string(CONSOLE_NAME),
                    string(model),
                    string(firmware),
                ];
                return self.reply(d, "/xinfo", args);
            }
            "/status" => {
                let ip = self.local_ip(d.from.ip()).to_string();
                let args = vec![string("active"), string(&ip), string(CONSOLE_NAME)];
                return self.reply(d, "/status", args);
            }
            "/xremote" | "/xremotenfb" => return self.subscribe(d),
            "/renew" => {
                return match text(0) {
                    Some(set) => self.renew_meters(d, set),
                    None => self.subscribe(d),
                }
            }
            "/unsubscribe" => {
                if let Some(i) = self.client(d.from) {
                    self.clients.remove(i);
                }
                return;
            }
            "/meters" => return self.meters_request(d, &m.args),
            "/node" => {
                let Some(path) = text(0) else {
                    return self.refuse();
                };
                return match self.table.find(path) {
                    Some(Found::Node(n)) => {
                        let line = node::render(&self.table, d.mix, &n);
                        self.reply(d, "node", vec![OscType::String(line)]);
                    }
                    Some(Found::Leaf(a)) => {
                        let line = node::render(&self.table, d.mix, &[a]);
                        let line = line.replacen(
                            &format!("/{}", self.table.node_path(a)),
                            &format!("/{}", self.table.path(a)),
                            1,
                        );
                        self.reply(d, "node", vec![OscType::String(line)]);
                    }
                    None => {
                        self.stats.unknown_addresses.fetch_add(1, Relaxed);
                    }
                };
            }
            "/" => {
                let Some(t) = text(0) else {
                    return self.refuse();
                };
                return match node::apply(&self.table, d.mix, t, Origin::X32(d.from)) {
                    Ok((changes, set)) => {
                        d.changes.extend(changes);
                        for a in set {
                            let (addr, arg) = self.message_of(d.mix, a);
                            self.reply(d, &addr, vec![arg]);
                        }
                    }
                    Err(_) => self.refuse(),
                };
            }
            _ => {}
        }
        let Some(Found::Leaf(a)) = self.table.find(&m.addr) else {
            self.stats.unknown_addresses.fetch_add(1, Relaxed);
            return;
        };
        match m.args.first() {
            None => {
                let (addr, arg) = self.message_of(d.mix, a);
                self.reply(d, &addr, vec![arg]);
            }
            Some(arg) => match self.table.leaf(a).law.from_arg(arg) {
                Ok(v) => {
                    let changes = self.table.set(d.mix, a, &v, Origin::X32(d.from));
                    d.changes.extend(changes);
                }
                Err(_) => self.refuse(),
            },
        }
    }

    /// The message reporting an address's value, in its type.
    fn message_of(&self, mix: &Mix, a: Addr) -> (String, OscType) {
        let v = self.table.get(mix, a);
        let wire = self.table.leaf(a).law.wire(&v);
        (format!("/{}", self.table.path(a)), wire.osc())
    }

    fn subscribe(&mut self, d: &mut Datagram) {
        let expires = d.now + TIMEOUT;
        if let Some(i) = self.client(d.from) {
            self.clients[i].expires = expires;
            return;
        }
        self.expire(d.now);
        if self.clients.len() >= max_clients(self.table.flavour) {
            self.stats.refused_subscriptions.fetch_add(1, Relaxed);
            return;
        }
        self.stats.subscriptions.fetch_add(1, Relaxed);
        self.clients.push(Client {
            source: d.from,
            expires,
            pending: BTreeSet::new(),
            last_flush: None,
            meters: Vec::new(),
        });
        // A client that was refused before now gets answers freely.
        d.budget = usize::MAX;
    }

    /// `/meters ,s[iii] /meters/N [channel] [_] [time factor]`: clients only,
    /// so a forged source cannot aim a stream at someone else.
    fn meters_request(&mut self, d: &mut Datagram, args: &[OscType]) {
        let Some(i) = self.client(d.from) else {
            return self.refuse();
        };
        let Some(OscType::String(set)) = args.first() else {
            return self.refuse();
        };
        let Some(id) = meter_id(set).filter(|id| meters::exists(self.table.flavour, *id)) else {
            self.stats.unknown_addresses.fetch_add(1, Relaxed);
            return;
        };
        let ints: Vec<i64> = args[1..]
            .iter()
            .filter_map(crate::osc::args::number)
            .filter(|v| v.is_finite())
            .map(|v| v as i64)
            .collect();
        let channel = ints.first().copied().unwrap_or(0).clamp(0, 255) as usize;
        let factor = ints.get(2).copied().unwrap_or(1).clamp(1, 99) as u32;
        let c = &mut self.clients[i];
        let set = MeterSet {
            id,
            channel,
            every: METER_BASE * factor,
            next: d.now,
            expires: d.now + TIMEOUT,
            acc: None,
        };
        match c.meters.iter().position(|m| m.id == id) {
            Some(k) => c.meters[k] = set,
            None if c.meters.len() < MAX_METER_SETS => c.meters.push(set),
            None => {
                self.stats.refused_subscriptions.fetch_add(1, Relaxed);
            }
        }
    }

    fn renew_meters(&mut self, d: &mut Datagram, set: &str) {
        let Some(i) = self.client(d.from) else {
            return self.refuse();
        };
        let Some(id) = meter_id(set) else {
            return self.refuse();
        };
        if let Some(m) = self.clients[i].meters.iter_mut().find(|m| m.id == id) {
            m.expires = d.now + TIMEOUT;
        }
    }

    /// The local address `peer` reaches this machine at: the one listened
    /// on, or the one the kernel routes to the peer from.
    fn local_ip(&mut self, peer: IpAddr) -> IpAddr {
        if !self.listen.ip().is_unspecified() {
            return self.listen.ip();
        }
        if let Some(ip) = self.local_ips.get(&peer) {
            return *ip;
        }
        let unspecified = SocketAddr::new(self.listen.ip(), 0);
        // Connecting a UDP socket sends nothing; it only picks a route.
        let ip = UdpSocket::bind(unspecified)
            .and_then(|s| s.connect(SocketAddr::new(peer, 9)).map(|_| s))
            .and_then(|s| s.local_addr())
            .map_or(self.listen.ip(), |a| a.ip());
        if self.local_ips.len() >= 64 {
            self.local_ips.clear();
        }
        self.local_ips.insert(peer, ip);
        ip
    }

    fn expire(&mut self, now: Instant) {
        self.clients.retain(|c| c.expires > now);
        for c in &mut self.clients {
            c.meters.retain(|m| m.expires > now);
        }
    }

    /// Changes from any source: owed to every client but the one that made
    /// each.
    pub fn changed(&mut self, changes: &[Change]) {
        for c in &mut self.clients {
            let own = Origin::X32(c.source);
            c.pending.extend(
                changes
                    .iter()
                    .filter(|ch| ch.origin != own)
                    .map(|ch| ch.key),
            );
        }
    }

    /// Whether any client wants meters.
    pub fn wants_meters(&self) -> bool {
        self.clients.iter().any(|c| !c.meters.is_empty())
    }

    /// A new meter reading from the audio side.
    pub fn meters(&mut self, s: &MeterSnapshot) {
        for m in self.clients.iter_mut().flat_map(|c| &mut c.meters) {
            match &mut m.acc {
                Some(acc) => merge(acc, s),
                None => m.acc = Some(s.clone()),
            }
        }
    }

    /// Expire what lapsed and send what is due.
    pub fn poll(&mut self, mix: &Mix, now: Instant) {
        self.expire(now);
        let table = self.table;
        let mut out = Vec::new();
        for c in &mut self.clients {
            let due = c.last_flush.is_none_or(|t| now >= t + MIN_INTERVAL);
            if due && !c.pending.is_empty() {
                let mut sent = 0;
                while sent < MAX_MESSAGES_PER_FLUSH {
                    let Some(key) = c.pending.pop_first() else {
                        break;
                    };
                    for a in table.addresses_of(key) {
                        let v = table.get(mix, a);
                        let wire: Wire = table.leaf(a).law.wire(&v);
                        out.push((c.source, format!("/{}", table.path(a)), vec![wire.osc()]));
                        sent += 1;
                    }
                }
                c.last_flush = Some(now);
            }
            for m in &mut c.meters {
                if now < m.next {
                    continue;
                }
                if let Some(acc) = m.acc.take() {
                    if let Some(blob) = meters::blob(&table, m.id, m.channel, &acc, mix) {
                        out.push((
                            c.source,
                            format!("/meters/{}", m.id),
                            vec![OscType::Blob(blob)],
                        ));
                    }
                }
                m.next += m.every;
                if m.next < now {
                    m.next = now + m.every;
                }
            }
        }
        for (to, addr, args) in out {
            self.send(to, addr, args);
        }
    }

    /// When [`Server::poll`] next has something to do.
    pub fn next_due(&self) -> Option<Instant> {
        self.clients
            .iter()
            .flat_map(|c| {
                let flush = (!c.pending.is_empty())
                    .then(|| c.last_flush.map_or(Instant::now(), |t| t + MIN_INTERVAL));
                let meters = c.meters.iter().map(|m| m.next.min(m.expires));
                flush.into_iter().chain(meters).chain([c.expires])
            })
            .min()
    }

    /// Datagrams to send.
    pub fn take_outbox(&mut self) -> Vec<Outgoing> {
        std::mem::take(&mut self.outbox)
    }

    /// Health counters for the native server's `/status`.
    pub fn counters(&self) -> Vec<(&'static str, f64)> {
        let mut c = self.stats.counters(true);
        c.push(("x32/clients", self.clients.len() as f64));
        c
    }
}

fn string(s: &str) -> OscType {
    OscType::String(s.to_string())
}

/// `N` of `/meters/N` (or `meters/N`).
fn meter_id(set: &str) -> Option<usize> {
    let n = set
        .strip_prefix('/')
        .unwrap_or(set)
        .strip_prefix("meters/")?;
    (n.len() <= 2 && n.bytes().all(|b| b.is_ascii_digit()))
        .then(|| n.parse().ok())
        .flatten()
}

/// A datagram as OSC; a bare address with no type tags (`/info` and its
/// padding, which the console accepts) is a message without arguments.
fn decode(bytes: &[u8]) -> Option<OscPacket> {
    if let Ok((_, p)) = rosc::decoder::decode_udp(bytes) {
        return Some(p);
    }
    let end = bytes.iter().position(|b| *b == 0)?;
    let bare = bytes.first() == Some(&b'/')
        && bytes.len().is_multiple_of(4)
        && bytes.len() - end <= 4
        && bytes[end..].iter().all(|b| *b == 0);
    let addr = std::str::from_utf8(&bytes[..end]).ok()?;
    bare.then(|| {
        OscPacket::Message(OscMessage {
            addr: addr.to_string(),
            args: Vec::new(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{Param, ParamId};

    use super::super::testing::mix;

    fn server() -> Server {
        let config = X32Config {
            listen: "127.0.0.1:10023".parse().unwrap(),
            flavour: X32Flavour::X32,
        };
        Server::new(&config, Arc::new(OscStats::default()))
    }

    fn msg(addr: &str, args: Vec<OscType>) -> Vec<u8> {
        rosc::encoder::encode(&OscPacket::Message(OscMessage {
            addr: addr.into(),
            args,
        }))
        .unwrap()
    }

    fn sent(s: &mut Server) -> Vec<(SocketAddr, OscMessage)> {
        s.take_outbox()
            .into_iter()
            .map(|mut o| {
                // The console answers `/node` on `node`, no slash, which
                // rosc refuses: `/node` pads to the same length.
                if o.bytes.starts_with(b"node\0") {
                    o.bytes[..5].copy_from_slice(b"/node");
                }
                o
            })
            .map(|o| match rosc::decoder::decode_udp(&o.bytes).unwrap().1 {
                OscPacket::Message(m) => (o.to, m),
                b => panic!("the console sends plain messages, not {b:?}"),
            })
            .collect()
    }

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    #[test]
    fn discovery_answers_in_the_formats_apps_read() {
        let (mut s, mut m, now) = (server(), mix(), Instant::now());
        let a = addr(5000);
        s.receive(&mut m, a, &msg("/xinfo", vec![]), now);
        // Without type tags, as some apps send it.
        s.receive(&mut m, a, b"/info\0\0\0", now);
        s.receive(&mut m, a, &msg("/status", vec![]), now);
        let out = sent(&mut s);
        let strings = |m: &OscMessage| -> Vec<String> {
            m.args.iter().map(|a| a.clone().string().unwrap()).collect()
        };
        assert_eq!(out[0].1.addr, "/xinfo");
        assert_eq!(
            strings(&out[0].1),
            ["127.0.0.1", "mixbridge", "X32", "4.06"]
        );
        assert_eq!(strings(&out[1].1), ["V2.07", "osc-server", "X32", "4.06"]);
        assert_eq!(strings(&out[2].1), ["active", "127.0.0.1", "mixbridge"]);
        assert!(out.iter().all(|(to, _)| *to == a));
    }

    #[test]
    fn xremote_clients_see_others_changes_and_expire() {
        let (mut s, mut m, t0) = (server(), mix(), Instant::now());
        let (a, b) = (addr(5001), addr(5002));
        for c in [a, b] {
            s.receive(&mut m, c, &msg("/xremote", vec![]), t0);
        }
        let ch = s.receive(
            &mut m,
            a,
            &msg("/ch/01/mix/fader", vec![OscType::Float(0.5)]),
            t0,
        );
        assert_eq!(ch.len(), 1);
        assert_eq!(ch[0].origin, Origin::X32(a));
        assert_eq!(m.get(ParamId::track(0, Param::Gain)), Some(-10.0));
        s.changed(&ch);
        s.poll(&m, t0);
        let out = sent(&mut s);
        assert_eq!(out.len(), 1, "the sender is not echoed: {out:?}");
        assert_eq!(out[0].0, b);
        assert_eq!(out[0].1.addr, "/ch/01/mix/fader");
        assert_eq!(out[0].1.args, [OscType::Float(0.5)]);
        // A change from elsewhere goes to both; a mute as an int.
        m.set(ParamId::track(1, Param::Mute), 1.0);
        s.changed(&[Change {
            key: Key::Param(ParamId::track(1, Param::Mute)),
            origin: Origin::Surface(0),
        }]);
        s.poll(&m, t0 + MIN_INTERVAL);
        let out = sent(&mut s);
        assert_eq!(out.len(), 2);
        assert!(out
            .iter()
            .all(|(_, m)| m.addr == "/ch/02/mix/on" && m.args == [OscType::Int(0)]));
        // b renews, a does not.
        s.receive(
            &mut m,
            b,
            &msg("/xremote", vec![]),
            t0 + Duration::from_secs(8),
        );
        s.poll(&m, t0 + TIMEOUT + Duration::from_millis(1));
        assert_eq!(s.clients.len(), 1);
        assert_eq!(s.clients[0].source, b);
    }

    #[test]
    fn clients_are_bounded_and_strangers_get_little() {
        let (mut s, mut m, t0) = (server(), mix(), Instant::now());
        for p in 0..6 {
            s.receive(&mut m, addr(6000 + p), &msg("/xremote", vec![]), t0);
        }
        assert_eq!(s.clients.len(), 4);
        assert_eq!(s.stats.refused_subscriptions.load(Relaxed), 2);
        // A stranger's bundle of queries gets a bounded answer.
        let q = rosc::encoder::encode(&OscPacket::Bundle(rosc::OscBundle {
            timetag: (0, 1).into(),
            content: (0..100)
                .map(|_| {
                    OscPacket::Message(OscMessage {
                        addr: "/ch/01/mix/fader".into(),
                        args: vec![],
                    })
                })
                .collect(),
        }))
        .unwrap();
        s.take_outbox();
        s.receive(&mut m, addr(7000), &q, t0);
        assert_eq!(s.take_outbox().len(), STRANGER_ANSWERS);
        // Meters only for clients.
        let req = msg("/meters", vec![OscType::String("/meters/1".into())]);
        s.receive(&mut m, addr(7000), &req, t0);
        assert!(!s.wants_meters());
        s.receive(&mut m, addr(6000), &req, t0);
        assert!(s.wants_meters());
    }

    #[test]
    fn meters_are_sent_at_their_rate_while_renewed() {
        let (mut s, mut m, t0) = (server(), mix(), Instant::now());
        let a = addr(5003);
        s.receive(&mut m, a, &msg("/xremote", vec![]), t0);
        let req = msg(
            "/meters",
            vec![
                OscType::String("/meters/0".into()),
                OscType::Int(0),
                OscType::Int(0),
                OscType::Int(2),
            ],
        );
        s.receive(&mut m, a, &req, t0);
        let snap = MeterSnapshot {
            tracks: vec![Default::default(); 4],
            buses: vec![Default::default(); 1],
            master: Default::default(),
            loudness: Default::default(),
        };
        let mut blobs = 0;
        for k in 0..60u32 {
            let now = t0 + Duration::from_millis(10) * k;
            s.meters(&snap);
            s.poll(&m, now);
            blobs += sent(&mut s)
                .iter()
                .filter(|(_, m)| {
                    m.addr == "/meters/0"
                        && matches!(&m.args[0], OscType::Blob(b) if b.len() == 4 + 70 * 4)
                })
                .count();
        }
        assert_eq!(blobs, 6, "every 100 ms over 600 ms");
        s.receive(
            &mut m,
            a,
            &msg("/xremote", vec![]),
            t0 + Duration::from_secs(9),
        );
        s.poll(&m, t0 + Duration::from_secs(11));
        assert!(!s.wants_meters(), "meters lapse unless renewed");
    }

    #[test]
    fn bad_input_is_counted_and_dropped() {
        let (mut s, mut m, t0) = (server(), mix(), Instant::now());
        let a = addr(5004);
        let before = m.values();
        for (bytes, what) in [
            (b"\x00\x01garbage".to_vec(), "malformed"),
            (
                msg("/ch/01/mix/fader", vec![OscType::Float(f32::NAN)]),
                "value",
            ),
            (msg("/ch/01/mix/fader", vec![OscType::Float(2.0)]), "value"),
            (msg("/ch/01/mix/on", vec![OscType::Int(7)]), "value"),
            (msg("/ch/01/config/name", vec![OscType::Int(7)]), "value"),
            (
                msg("/ch/99/mix/fader", vec![OscType::Float(0.5)]),
                "unknown",
            ),
            (msg("/node", vec![OscType::Int(1)]), "value"),
            (
                msg("/", vec![OscType::String("/ch/01/mix/fader loud".into())]),
                "value",
            ),
        ] {
            assert!(s.receive(&mut m, a, &bytes, t0).is_empty(), "{what}");
        }
        assert_eq!(m.values(), before);
        assert_eq!(s.stats.malformed.load(Relaxed), 1);
        assert_eq!(s.stats.rejected_values.load(Relaxed), 6);
        assert_eq!(s.stats.unknown_addresses.load(Relaxed), 1);
        assert!(s.take_outbox().is_empty(), "no answers to bad input");
    }

    #[test]
    fn node_and_slash_round_trip() {
        let (mut s, mut m, t0) = (server(), mix(), Instant::now());
        let a = addr(5005);
        let set = msg(
            "/",
            vec![OscType::String("/ch/02/mix OFF -20.0 ON -30".into())],
        );
        let ch = s.receive(&mut m, a, &set, t0);
        assert_eq!(ch.len(), 3, "mute, fader and pan changed");
        let echoed: Vec<String> = sent(&mut s).into_iter().map(|(_, m)| m.addr).collect();
        assert_eq!(
            echoed,
            [
                "/ch/02/mix/on",
                "/ch/02/mix/fader",
                "/ch/02/mix/st",
                "/ch/02/mix/pan"
            ]
        );
        s.receive(
            &mut m,
            a,
            &msg("/node", vec![OscType::String("ch/02/mix".into())]),
            t0,
        );
        let out = sent(&mut s);
        assert_eq!(out[0].1.addr, "/node");
        assert_eq!(
            out[0].1.args,
            [OscType::String(
                "/ch/02/mix OFF -20.0 ON -30 OFF -oo\n".into()
            )]
        );
    }
}
