//! Who receives feedback: subscribers, which renew within a timeout, and
//! fixed clients from the config, which never expire.
//!
//! Bounded by design: at most [`MAX_SUBSCRIBERS`] subscriptions (a new one
//! past that is refused and counted, never evicting a live client), and each
//! client's pending feedback is a set of keys of the address space, so it
//! cannot grow past the size of the mix however slow or dead the client is.

use crate::config::{OscClient, OscForm};
use crate::control::model::{Key, Mix, Origin};
use crate::control::MeterSnapshot;
use crate::params::ParamId;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Live subscriptions at most (fixed clients come on top).
pub const MAX_SUBSCRIBERS: usize = 16;
/// Meter rates a client may ask for, in Hz.
pub const METER_RATES: std::ops::RangeInclusive<f32> = 1.0..=30.0;

/// What a client asked for when it subscribed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub form: OscForm,
    /// Receive the echo of its own changes.
    pub echo: bool,
}

#[derive(Debug, Clone)]
pub struct Client {
    /// Where feedback goes.
    pub reply_to: SocketAddr,
    /// Where a subscriber's messages come from (`None` for a fixed client,
    /// which is known by its host).
    pub source: Option<SocketAddr>,
    pub options: Options,
    /// When the subscription lapses; `None` for a fixed client.
    pub expires: Option<Instant>,
    /// Keys whose current value it has not been sent yet.
    pub pending: BTreeSet<Key>,
    /// When feedback was last sent (the rate limit counts from here).
    pub last_flush: Option<Instant>,
    pub meters: Option<MeterFeed>,
}

/// A client's meter subscription: its rate and what accumulated since the
/// last send.
#[derive(Debug, Clone)]
pub struct MeterFeed {
    pub every: Duration,
    pub next: Instant,
    pub acc: Option<MeterSnapshot>,
}

impl Client {
    fn new(reply_to: SocketAddr, source: Option<SocketAddr>, options: Options) -> Client {
        Client {
            reply_to,
            source,
            options,
            expires: None,
            pending: BTreeSet::new(),
            last_flush: None,
            meters: None,
        }
    }

    pub fn fixed(&self) -> bool {
        self.expires.is_none()
    }

    /// The origin a subscriber's changes and touches carry.
    pub fn origin(&self) -> Option<Origin> {
        self.source.map(Origin::Osc)
    }

    /// Whether the client is touching `id`: a subscriber by its source, a
    /// fixed client from anywhere on its host.
    pub fn touching(&self, mix: &Mix, id: ParamId) -> bool {
        match self.origin() {
            Some(o) => mix.touched_by(id, o),
            None => mix.touched_from_host(id, self.reply_to.ip()),
        }
    }

    /// Ask for meters at `rate` Hz (clamped into [`METER_RATES`]); 0 stops them.
    pub fn set_meter_rate(&mut self, rate: f32, now: Instant) {
        if rate.is_nan() || rate <= 0.0 {
            self.meters = None;
            return;
        }
        let every =
            Duration::from_secs_f32(1.0 / rate.clamp(*METER_RATES.start(), *METER_RATES.end()));
        self.meters = Some(MeterFeed {
            every,
            next: now,
            acc: None,
        });
    }
}

/// Why a subscription was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

#[derive(Debug, Clone)]
pub struct Clients {
    pub list: Vec<Client>,
    pub timeout: Duration,
}

impl Clients {
    pub fn new(fixed: &[OscClient], timeout: Duration) -> Clients {
        let list = fixed
            .iter()
            .map(|c| {
                Client::new(
                    c.address,
                    None,
                    Options {
                        form: c.form,
                        echo: false,
                    },
                )
            })
            .collect();
        Clients { list, timeout }
    }

    /// Subscribe or renew: the client is known by where its feedback goes.
    /// Returns its index and whether it is new.
    pub fn subscribe(
        &mut self,
        source: SocketAddr,
        reply_to: SocketAddr,
        options: Options,
        now: Instant,
    ) -> Result<(usize, bool), Full> {
        let expires = Some(now + self.timeout);
        if let Some(i) = self
            .list
            .iter()
            .position(|c| !c.fixed() && c.reply_to == reply_to)
        {
            let c = &mut self.list[i];
            c.source = Some(source);
            c.options = options;
            c.expires = expires;
            return Ok((i, false));
        }
        if self.list.iter().filter(|c| !c.fixed()).count() >= MAX_SUBSCRIBERS {
            return Err(Full);
        }
        let mut c = Client::new(reply_to, Some(source), options);
        c.expires = expires;
        self.list.push(c);
        Ok((self.list.len() - 1, true))
    }

    /// The client a datagram from `source` belongs to: the subscriber that
    /// sends from there, else a fixed client on the same host (tablet apps
    /// send from ports of their own choosing).
    pub fn by_source(&self, source: SocketAddr) -> Option<usize> {
        self.list
            .iter()
            .position(|c| !c.fixed() && c.source == Some(source))
            .or_else(|| {
                self.list
                    .iter()
                    .position(|c| c.fixed() && c.reply_to.ip() == source.ip())
            })
    }

    /// Whether a change from `origin` is client `i`'s own: a subscriber's
    /// if it came from its source; a fixed client's if it came from its host
    /// and not from a subscriber there.
    pub fn made(&self, i: usize, origin: Origin) -> bool {
        let c = &self.list[i];
        match (c.origin(), origin) {
            (Some(own), o) => own == o,
            (None, Origin::Osc(src)) => {
                src.ip() == c.reply_to.ip() && self.subscriber(src).is_none()
            }
            (None, _) => false,
        }
    }

    /// The subscriber that sends from `source`.
    pub fn subscriber(&self, source: SocketAddr) -> Option<&Client> {
        self.list
            .iter()
            .find(|c| !c.fixed() && c.source == Some(source))
    }

    /// End the subscription sent from `source`; returns the client removed.
    pub fn unsubscribe(&mut self, source: SocketAddr) -> Option<Client> {
        let i = self
            .list
            .iter()
            .position(|c| !c.fixed() && c.source == Some(source))?;
        Some(self.list.remove(i))
    }

    /// Remove lapsed subscriptions; returns them.
    pub fn expire(&mut self, now: Instant) -> Vec<Client> {
        let (gone, kept) = std::mem::take(&mut self.list)
            .into_iter()
            .partition(|c| c.expires.is_some_and(|t| t <= now));
        self.list = kept;
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    const OPTS: Options = Options {
        form: OscForm::Fader,
        echo: false,
    };

    #[test]
    fn subscriptions_renew_expire_and_are_bounded() {
        let t0 = Instant::now();
        let mut c = Clients::new(&[], Duration::from_secs(10));
        let a = addr("10.0.0.2:5000");
        assert_eq!(
            c.subscribe(a, addr("10.0.0.2:9001"), OPTS, t0),
            Ok((0, true))
        );
        let t1 = t0 + Duration::from_secs(8);
        assert_eq!(
            c.subscribe(a, addr("10.0.0.2:9001"), OPTS, t1),
            Ok((0, false)),
            "renewal"
        );
        assert!(c.expire(t0 + Duration::from_secs(12)).is_empty());
        assert_eq!(c.expire(t1 + Duration::from_secs(10)).len(), 1);
        for i in 0..MAX_SUBSCRIBERS {
            let s = addr(&format!("10.0.1.{i}:9000"));
            assert!(c.subscribe(s, s, OPTS, t0).is_ok());
        }
        let late = addr("10.0.2.1:9000");
        assert_eq!(c.subscribe(late, late, OPTS, t0), Err(Full));
        assert!(c.unsubscribe(addr("10.0.1.3:9000")).is_some());
        assert!(c.subscribe(late, late, OPTS, t0).is_ok());
    }

    #[test]
    fn fixed_clients_are_found_by_host_and_never_expire() {
        let fixed = OscClient {
            address: addr("192.168.1.40:9001"),
            form: OscForm::Db,
            name: None,
        };
        let mut c = Clients::new(&[fixed], Duration::from_secs(10));
        let tablet = addr("192.168.1.40:53211");
        assert_eq!(c.by_source(tablet), Some(0));
        assert!(c.made(0, Origin::Osc(tablet)));
        assert_eq!(c.by_source(addr("192.168.1.41:53211")), None);
        let script = addr("192.168.1.40:7000");
        c.subscribe(script, script, OPTS, Instant::now()).unwrap();
        assert_eq!(
            c.by_source(script),
            Some(1),
            "a subscriber on the same host"
        );
        assert!(c.expire(Instant::now() + Duration::from_secs(3600)).len() == 1);
        assert_eq!(c.list.len(), 1);
    }
}
