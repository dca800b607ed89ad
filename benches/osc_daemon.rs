//! The OSC path of the running daemon, measured from outside over loopback:
//!
//! 1. latency from a set on one client to the feedback on another
//!    (median and 99th percentile);
//! 2. sustained set-messages per second at rising rates: for each rate, the
//!    datagrams the daemon dropped (its queue full), the audio xruns, and
//!    its resident memory; a dead subscriber (never reads) is connected
//!    throughout.
//!
//! `cargo bench --bench osc_daemon`. The daemon runs the dummy audio backend
//! (real-time paced, 128-frame blocks) with a 64-track session.

#[path = "support/daemon.rs"]
mod support;

use rosc::OscType;
use std::net::UdpSocket;
use std::time::{Duration, Instant};
use support::{
    encode, free_port, messages, paced, rss_kib, status, wait_until_serving, write_session, Daemon,
};

const TRACKS: usize = 64;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    write_session(
        dir.path(),
        TRACKS,
        "buses:\n  - { name: Verb, kind: fx, effect: reverb }\n  - { name: Echo, kind: fx, effect: delay }\n",
    );
    let port = free_port();
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        format!("audio: {{ backend: dummy, buffer_frames: 128 }}\nsession: session\nstate_dir: state\nosc: {{ listen: 127.0.0.1:{port} }}\nlog_level: warn\n"),
    )
    .unwrap();
    let daemon = Daemon::run(&config);
    let to = format!("127.0.0.1:{port}");
    let mover = UdpSocket::bind("127.0.0.1:0").unwrap();
    let watcher = UdpSocket::bind("127.0.0.1:0").unwrap();
    let dead = UdpSocket::bind("127.0.0.1:0").unwrap();
    for s in [&mover, &watcher] {
        s.set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
    }
    wait_until_serving(&mover, &to, Duration::from_secs(20));
    watcher
        .send_to(
            &encode("/subscribe", vec![OscType::String("db".into())]),
            &to,
        )
        .unwrap();
    dead.send_to(&encode("/subscribe", vec![]), &to).unwrap();
    dead.send_to(&encode("/meters", vec![OscType::Float(30.0)]), &to)
        .unwrap();
    // Let the dumps pass.
    std::thread::sleep(Duration::from_secs(1));
    let mut buf = vec![0u8; 65536];
    watcher
        .set_read_timeout(Some(Duration::from_millis(50)))
        .unwrap();
    while watcher.recv(&mut buf).is_ok() {}
    watcher
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();

    // 1. Latency: one set every 25 ms (slower than the feedback rate limit),
    // each a new value, timed until the watcher has it.
    let subscribe = |s: &UdpSocket, args: Vec<OscType>| {
        s.send_to(&encode("/subscribe", args), &to).unwrap();
    };
    let mut lat = Vec::new();
    for k in 0..600 {
        if k % 100 == 0 {
            // Renew well within the 10 s subscription timeout.
            subscribe(&watcher, vec![OscType::String("db".into())]);
            subscribe(&dead, vec![]);
        }
        let track = k % TRACKS + 1;
        let addr = format!("/track/{track}/gain");
        let value = -((k % 40) as f32) - 1.0 - (k as f32) * 1e-3;
        let t0 = Instant::now();
        mover
            .send_to(&encode(&addr, vec![OscType::Float(value)]), &to)
            .unwrap();
        'wait: loop {
            let Ok(n) = watcher.recv(&mut buf) else {
                break 'wait;
            };
            for m in messages(&buf[..n]) {
                if m.addr == addr && m.args.first() == Some(&OscType::Float(value)) {
                    lat.push(t0.elapsed());
                    break 'wait;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    lat.sort();
    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p) as usize];
    println!(
        "set -> feedback on another client, {} samples: median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        lat.len(),
        pct(0.5).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        lat.last().unwrap().as_secs_f64() * 1e3
    );

    // 2. Sustained rates.
    let pid = daemon.0.id();
    println!("rate (msg/s)  sent      dropped  xruns  rss (KiB)");
    let params = ["gain", "pan", "trim", "eq/1/gain", "comp/threshold"];
    for rate in [2_000u64, 5_000, 10_000, 20_000, 40_000, 80_000] {
        subscribe(&dead, vec![]);
        let before = status(&mover, &to);
        let sent = paced(rate, 4.0, |k| {
            let track = k as usize % TRACKS + 1;
            let p = params[(k as usize / TRACKS) % params.len()];
            let v = -((k % 20) as f32) * 0.5;
            let _ = mover.send_to(
                &encode(&format!("/track/{track}/{p}"), vec![OscType::Float(v)]),
                &to,
            );
        });
        let after = status(&mover, &to);
        let d = |k: &str| after.get(k).unwrap_or(&0.0) - before.get(k).unwrap_or(&0.0);
        println!(
            "{rate:>12}  {sent:>8}  {:>7}  {:>5}  {:>9}",
            d("osc/dropped"),
            d("audio/xruns"),
            rss_kib(pid)
        );
    }
}
