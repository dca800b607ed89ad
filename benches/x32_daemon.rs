//! The X32 path, measured:
//!
//! 1. in process: X32 fader sets handled per second by the server logic
//!    alone (decode, address lookup, value law, model change, feedback
//!    owed to three `/xremote` clients and sent);
//! 2. the running daemon over loopback: latency from an X32 app's fader
//!    move to the feedback on a native OSC client and on another X32 app
//!    (median and 99th percentile);
//! 3. sustained X32 sets per second at rising rates: datagrams dropped (the
//!    control loop's queue full) and audio xruns.
//!
//! `cargo bench --bench x32_daemon` (a short run without `--bench`, as
//! `cargo test --all-targets` does). The daemon runs the dummy audio
//! backend with a 32-track session, the X32's channel count.

#[path = "support/daemon.rs"]
mod support;

use mixbridge::config::{X32Config, X32Flavour};
use mixbridge::control::model::Mix;
use mixbridge::osc::x32::Server;
use mixbridge::osc::OscStats;
use mixbridge::params::{BusEffect, Layout};
use rosc::OscType;
use std::net::UdpSocket;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{
    encode, free_port, messages, paced, status, wait_until_serving, write_session, Daemon,
};

const TRACKS: usize = 32;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    in_process(if full { 400_000 } else { 20_000 });
    daemon(full);
}

fn in_process(n: usize) {
    let mut mix = Mix::from_layout(Layout {
        tracks: TRACKS,
        buses: vec![BusEffect::Reverb; 4],
    });
    let config = X32Config {
        listen: "127.0.0.1:10023".parse().unwrap(),
        flavour: X32Flavour::X32,
    };
    let mut server = Server::new(&config, Arc::new(OscStats::default()));
    let mut now = Instant::now();
    let apps: Vec<std::net::SocketAddr> = (0..3)
        .map(|k| format!("127.0.0.1:{}", 5000 + k).parse().unwrap())
        .collect();
    for a in &apps {
        server.receive(&mut mix, *a, &encode("/xremote", vec![]), now);
    }
    let datagrams: Vec<Vec<u8>> = (0..1024)
        .map(|k| {
            let addr = format!("/ch/{:02}/mix/fader", k % TRACKS + 1);
            encode(&addr, vec![OscType::Float((k % 1000) as f32 / 1000.0)])
        })
        .collect();
    let t = Instant::now();
    let mut sent = 0;
    for k in 0..n {
        let changes = server.receive(&mut mix, apps[0], &datagrams[k % datagrams.len()], now);
        server.changed(&changes);
        if k % 64 == 63 {
            // The control loop polls at least every feedback interval.
            now += Duration::from_millis(17);
            server.poll(&mix, now);
            sent += server.take_outbox().len();
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "in process: {n} X32 fader sets in {:.3} s: {:.0} sets/s ({:.2} us each), {sent} feedback messages to 2 other apps",
        secs,
        n as f64 / secs,
        secs * 1e6 / n as f64
    );
}

fn daemon(full: bool) {
    let dir = tempfile::tempdir().unwrap();
    write_session(
        dir.path(),
        TRACKS,
        "buses:\n  - { name: Verb, kind: fx, effect: reverb }\n",
    );
    let (port, x32) = (free_port(), free_port());
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        format!("audio: {{ backend: dummy, buffer_frames: 128 }}\nsession: session\nstate_dir: state\nosc: {{ listen: 127.0.0.1:{port}, x32: {{ listen: 127.0.0.1:{x32} }} }}\nlog_level: warn\n"),
    )
    .unwrap();
    let _daemon = Daemon::run(&config);
    let native = format!("127.0.0.1:{port}");
    let to = format!("127.0.0.1:{x32}");
    let app = UdpSocket::bind("127.0.0.1:0").unwrap();
    let other_app = UdpSocket::bind("127.0.0.1:0").unwrap();
    let watcher = UdpSocket::bind("127.0.0.1:0").unwrap();
    let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
    for s in [&app, &other_app, &watcher, &probe] {
        s.set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
    }
    wait_until_serving(&probe, &native, Duration::from_secs(20));
    let mut buf = vec![0u8; 65536];

    // 2. Latency: a move every 25 ms, timed until each watcher has it.
    let mut to_native = Vec::new();
    let mut to_app = Vec::new();
    let moves = if full { 600 } else { 60 };
    for k in 0..moves {
        if k % 100 == 0 {
            watcher
                .send_to(
                    &encode("/subscribe", vec![OscType::String("fader".into())]),
                    &native,
                )
                .unwrap();
            other_app.send_to(&encode("/xremote", vec![]), &to).unwrap();
            std::thread::sleep(Duration::from_millis(300));
            for s in [&watcher, &other_app] {
                s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
                while s.recv(&mut buf).is_ok() {}
                s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
            }
        }
        let track = k % TRACKS + 1;
        let value = 0.2 + (k % 500) as f32 / 1000.0;
        let t0 = Instant::now();
        app.send_to(
            &encode(
                &format!("/ch/{track:02}/mix/fader"),
                vec![OscType::Float(value)],
            ),
            &to,
        )
        .unwrap();
        let native_addr = format!("/track/{track}/fader");
        let x32_addr = format!("/ch/{track:02}/mix/fader");
        for (sock, addr, out) in [
            (&watcher, &native_addr, &mut to_native),
            (&other_app, &x32_addr, &mut to_app),
        ] {
            'wait: while let Ok(n) = sock.recv(&mut buf) {
                for m in messages(&buf[..n]) {
                    let got = match m.args.first() {
                        Some(OscType::Float(f)) => *f,
                        _ => continue,
                    };
                    if m.addr == *addr && (got - value).abs() < 1e-4 {
                        out.push(t0.elapsed());
                        break 'wait;
                    }
                }
            }
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    for (what, lat) in [
        ("a native OSC client", &mut to_native),
        ("another X32 app", &mut to_app),
    ] {
        lat.sort();
        let pct = |p: f64| lat[((lat.len() - 1) as f64 * p) as usize].as_secs_f64() * 1e3;
        println!(
            "X32 fader move -> feedback on {what}, {} of {moves} seen: median {:.2} ms, p99 {:.2} ms",
            lat.len(),
            pct(0.5),
            pct(0.99)
        );
    }

    // 3. Sustained rates.
    println!("X32 sets/s  sent      dropped  xruns");
    let rates: &[u64] = if full {
        &[2_000, 5_000, 10_000, 20_000, 40_000]
    } else {
        &[2_000]
    };
    for &rate in rates {
        let before = status(&probe, &native);
        let seconds = if full { 4.0 } else { 1.0 };
        let sent = paced(rate, seconds, |k| {
            let track = k as usize % TRACKS + 1;
            let v = (k % 1000) as f32 / 1000.0;
            let addr = format!("/ch/{track:02}/mix/fader");
            let _ = app.send_to(&encode(&addr, vec![OscType::Float(v)]), &to);
        });
        let after = status(&probe, &native);
        let d = |k: &str| after.get(k).unwrap_or(&0.0) - before.get(k).unwrap_or(&0.0);
        println!(
            "{rate:>10}  {sent:>8}  {:>7}  {:>5}",
            d("x32/dropped"),
            d("audio/xruns")
        );
    }
}
