//! The whole OSC receive path: datagrams from a few sources in, model
//! changes and outgoing datagrams out, with time passing between them.
//!
//! Input framing: each datagram is one byte choosing its source (and how far
//! the clock moves), two bytes of length, then the datagram.
//!
//! Checked on every input: no panic; every value in the model stays in its
//! range; nothing sent is larger than a UDP datagram; the outbox per
//! datagram stays bounded.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixbridge::config::OscConfig;
use mixbridge::control::model::Mix;
use mixbridge::osc::{OscStats, Server};
use mixbridge::params::Spec;
use mixbridge::session::Session;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

/// The example session's mix, and a server with a fixed client that has
/// already been sent its first dump (so each run starts from a served state
/// without paying for the dump again).
fn template() -> &'static (Mix, Server, Instant) {
    static T: OnceLock<(Mix, Server, Instant)> = OnceLock::new();
    T.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/session");
        let mut mix =
            Mix::from_session(&Session::load(std::path::Path::new(dir)).expect("example session"));
        let mut config = OscConfig::default();
        config.clients = vec![mixbridge::config::OscClient {
            address: "192.168.1.40:9001".parse().unwrap(),
            form: mixbridge::config::OscForm::Db,
        }];
        let mut server = Server::new(mix.registry(), &config, Arc::new(OscStats::default()));
        let now = Instant::now();
        for k in 0..100 {
            server.poll(&mut mix, now + Duration::from_millis(20 * k));
        }
        server.take_outbox();
        (mix, server, now + Duration::from_secs(10))
    })
}

const SOURCES: [&str; 4] = [
    "127.0.0.1:9001",
    "127.0.0.1:9002",
    "192.168.1.40:53000",
    "[::1]:9003",
];

fuzz_target!(|data: &[u8]| {
    let (mix, server, start) = template();
    let (mut mix, mut server, mut now) = (mix.clone(), server.clone(), *start);
    let mut rest = data;
    while rest.len() >= 3 {
        let from: SocketAddr = SOURCES[(rest[0] & 3) as usize].parse().unwrap();
        now += Duration::from_millis(u64::from(rest[0] >> 2) * 40);
        let len = usize::from(u16::from_le_bytes([rest[1], rest[2]])).min(rest.len() - 3);
        let datagram = &rest[3..3 + len];
        rest = &rest[3 + len..];
        let changes = server.receive(&mut mix, from, datagram, now);
        server.changed(&changes);
        server.poll(&mut mix, now);
        let out = server.take_outbox();
        assert!(out.len() <= 20_000, "{} datagrams from one", out.len());
        assert!(out.iter().all(|o| o.bytes.len() <= 65_507));
    }
    for (id, v) in mix.values() {
        assert!(Spec::of(id.param).contains(v), "{id} = {v}");
    }
});
