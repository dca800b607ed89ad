//! The X32 receive path under arbitrary input, for the fuzz target
//! (`fuzz/fuzz_targets/x32_receive.rs`) and its proptest twin
//! (`tests/x32_fuzz.rs`), so both check the same thing.
//!
//! Input framing: each datagram is one byte choosing its source (and how far
//! the clock moves), two bytes of length, then the datagram.

use super::{max_clients, Server};
use crate::config::{X32Config, X32Flavour};
use crate::control::model::Mix;
use crate::control::MeterSnapshot;
use crate::osc::OscStats;
use crate::params::{BusEffect, Layout, Spec};
use std::net::SocketAddr;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SOURCES: [&str; 8] = [
    "127.0.0.1:9001",
    "127.0.0.1:9002",
    "127.0.0.1:9003",
    "127.0.0.1:9004",
    "127.0.0.1:9005",
    "192.168.1.40:53000",
    "[::1]:9003",
    "10.0.0.7:10023",
];

/// The mix the X32 tests run on: five tracks, a reverb bus and an aux bus.
pub fn mix() -> Mix {
    Mix::from_layout(Layout {
        tracks: 5,
        buses: vec![BusEffect::Reverb, BusEffect::None],
    })
}

/// Feed `data` (framed as above) to a server of `flavour` on a session of
/// five tracks and two buses, with meters flowing and time passing.
/// Panics if anything goes wrong: a value out of its range, an oversized
/// datagram, more clients than the console allows, an unbounded outbox.
pub fn receive_all(data: &[u8], flavour: X32Flavour) {
    let mut mix = mix();
    let config = X32Config {
        listen: "127.0.0.1:10023".parse().expect("an address"),
        flavour,
    };
    let mut server = Server::new(&config, Arc::new(OscStats::default()));
    let meters = MeterSnapshot {
        tracks: vec![Default::default(); 5],
        buses: vec![Default::default(); 2],
        master: Default::default(),
        loudness: Default::default(),
    };
    let mut now = Instant::now();
    let mut rest = data;
    while rest.len() >= 3 {
        let from: SocketAddr = SOURCES[usize::from(rest[0] & 7)]
            .parse()
            .expect("an address");
        now += Duration::from_millis(u64::from(rest[0] >> 3) * 400);
        let len = usize::from(u16::from_le_bytes([rest[1], rest[2]])).min(rest.len() - 3);
        let datagram = &rest[3..3 + len];
        rest = &rest[3 + len..];
        let changes = server.receive(&mut mix, from, datagram, now);
        server.changed(&changes);
        server.meters(&meters);
        server.poll(&mix, now);
        let out = server.take_outbox();
        assert!(out.len() <= 20_000, "{} datagrams from one", out.len());
        assert!(out.iter().all(|o| o.bytes.len() <= 65_507));
        let clients = server.counters().last().map_or(0.0, |c| c.1);
        assert!(clients <= max_clients(flavour) as f64);
    }
    assert!(
        server.stats().sent.load(Relaxed) == 0,
        "the server never sends itself"
    );
    for (id, v) in mix.values() {
        assert!(Spec::of(id.param).contains(v), "{id} = {v}");
    }
    for owner in mix.named().collect::<Vec<_>>() {
        let name = mix.name(owner).unwrap_or_default();
        assert!(name.chars().count() <= crate::control::model::MAX_NAME);
        assert!(!name.chars().any(char::is_control));
    }
}
