//! The MIDI path of the running daemon, measured on a real JACK server
//! (dummy driver, 128-frame periods at 48 kHz) by one JACK client that plays
//! two fader boxes and listens to the daemon's audio output:
//!
//! 1. latency from a fader move on box A to the feedback on box B, and to
//!    the first output sample of the change (a track at silence raised to
//!    0 dB), in JACK frames, so the figure is exact to the sample;
//! 2. sustained MIDI messages per second at rising rates: for each rate the
//!    messages the daemon dropped, audio xruns, and its resident memory.
//!
//! `cargo bench --bench midi_daemon --features jack-midi` (a short run
//! without `--bench`, as `cargo test --all-targets` does).

#[path = "../tests/support/jack.rs"]
mod jack_harness;

#[path = "support/daemon.rs"]
mod support;

use crossbeam_channel::{unbounded, Receiver, Sender};
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{rss_kib, status, write_session, Daemon};

const SR: f64 = 48_000.0;
const TRACKS: usize = 8;

/// What the bench client saw, in absolute JACK frames.
enum Seen {
    SentA(u64),
    /// A message on box B's input.
    AtB(u64, Vec<u8>),
    /// The first non-zero output sample after arming.
    Sound(u64),
}

struct Bench {
    a_out: jack::Port<jack::MidiOut>,
    a_in: jack::Port<jack::MidiIn>,
    b_out: jack::Port<jack::MidiOut>,
    b_in: jack::Port<jack::MidiIn>,
    tone: jack::Port<jack::AudioOut>,
    listen: jack::Port<jack::AudioIn>,
    phase: f64,
    to_send: Receiver<Vec<u8>>,
    seen: Sender<Seen>,
    armed: Arc<AtomicBool>,
}

impl jack::ProcessHandler for Bench {
    fn process(&mut self, _: &jack::Client, ps: &jack::ProcessScope) -> jack::Control {
        let t0 = u64::from(ps.last_frame_time());
        {
            let mut w = self.a_out.writer(ps);
            let sends = self.to_send.try_iter().take(ps.n_frames() as usize);
            for (frame, bytes) in sends.enumerate() {
                let _ = w.write(&jack::RawMidi {
                    time: frame as u32,
                    bytes: &bytes,
                });
                let _ = self.seen.send(Seen::SentA(t0 + frame as u64));
            }
        }
        // Box B sends nothing; its buffer is cleared each period.
        let _ = self.b_out.writer(ps);
        self.a_in.iter(ps).for_each(drop);
        for e in self.b_in.iter(ps) {
            let _ = self
                .seen
                .send(Seen::AtB(t0 + u64::from(e.time), e.bytes.to_vec()));
        }
        for s in self.tone.as_mut_slice(ps) {
            *s = 0.1 * (self.phase * std::f64::consts::TAU).sin() as f32;
            self.phase = (self.phase + 1000.0 / SR).fract();
        }
        if self.armed.load(Ordering::Relaxed) {
            if let Some(i) = self.listen.as_slice(ps).iter().position(|x| x.abs() > 1e-6) {
                self.armed.store(false, Ordering::Relaxed);
                let _ = self.seen.send(Seen::Sound(t0 + i as u64));
            }
        }
        jack::Control::Continue
    }
}

fn ms(frames: u64) -> f64 {
    frames as f64 * 1000.0 / SR
}

fn summary(what: &str, mut v: Vec<u64>) {
    if v.is_empty() {
        println!("{what}: no samples");
        return;
    }
    v.sort_unstable();
    let pct = |p: f64| v[((v.len() - 1) as f64 * p) as usize];
    println!(
        "{what}, {} samples: median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        v.len(),
        ms(pct(0.5)),
        ms(pct(0.99)),
        ms(*v.last().unwrap())
    );
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    if !jack_harness::jackd_installed() {
        return;
    }
    let server = jack_harness::Server::start(128);
    std::env::set_var("JACK_DEFAULT_SERVER", &server.name);

    let dir = tempfile::tempdir().unwrap();
    write_session(dir.path(), TRACKS, "mix:\n  track/1/gain: -144\n");
    std::fs::write(
        dir.path().join("box.yaml"),
        "name: Bench fader box\nstrips: 8\nbindings:\n  - { cc: [0, 1, 2, 3, 4, 5, 6, 7], target: \"track/{strip}/fader\", takeover: jump }\n",
    )
    .unwrap();
    let port = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "audio: {{ backend: jack, buffer_frames: 128 }}\nsession: session\nstate_dir: state\nosc: {{ listen: 127.0.0.1:{port} }}\nlog_level: warn\nsurfaces:\n  - {{ mapping: box.yaml, input: \"bench:a_out\", output: \"bench:a_in\" }}\n  - {{ mapping: box.yaml, input: \"bench:b_out\", output: \"bench:b_in\" }}\n"
        ),
    )
    .unwrap();

    let (client, _) = jack::Client::new("bench", jack::ClientOptions::NO_START_SERVER).unwrap();
    let (tx, to_send) = unbounded();
    let (seen_tx, seen) = unbounded();
    let armed = Arc::new(AtomicBool::new(false));
    let bench = Bench {
        a_out: client
            .register_port("a_out", jack::MidiOut::default())
            .unwrap(),
        a_in: client
            .register_port("a_in", jack::MidiIn::default())
            .unwrap(),
        b_out: client
            .register_port("b_out", jack::MidiOut::default())
            .unwrap(),
        b_in: client
            .register_port("b_in", jack::MidiIn::default())
            .unwrap(),
        tone: client
            .register_port("tone", jack::AudioOut::default())
            .unwrap(),
        listen: client
            .register_port("listen", jack::AudioIn::default())
            .unwrap(),
        phase: 0.0,
        to_send,
        seen: seen_tx,
        armed: armed.clone(),
    };
    let client = client.activate_async((), bench).unwrap();

    let daemon = Daemon(
        Command::new(env!("CARGO_BIN_EXE_mixbridge"))
            .args(["run", "--config", config.to_str().unwrap()])
            .env("JACK_DEFAULT_SERVER", &server.name)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let pid = daemon.0.id();
    // Wire the tone into the daemon's input 1 and its left output back.
    let t = Instant::now();
    let (cin, cout) = (
        format!("cpal_client_{pid}_in:in_0"),
        format!("cpal_client_{pid}_out:out_0"),
    );
    let c = client.as_client();
    while c.port_by_name(&cin).is_none() || c.port_by_name(&cout).is_none() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "the daemon's audio ports never appeared"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    jack_harness::connect_ports(c, "bench:tone", &cin);
    jack_harness::connect_ports(c, &cout, "bench:listen");
    let osc = UdpSocket::bind("127.0.0.1:0").unwrap();
    osc.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let to = format!("127.0.0.1:{port}");
    // Both boxes connected. The full state each box gets on connecting is
    // one burst, and a period the server drops under load can lose it, so
    // readiness is a move on A echoed on B, retried with a new value.
    let t = Instant::now();
    let mut value = 0u8;
    'ready: loop {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "a move on box A never reached box B"
        );
        value = if value == 64 { 65 } else { 64 };
        tx.send(vec![0xB0, 7, value]).unwrap();
        let end = Instant::now() + Duration::from_millis(500);
        while let Ok(s) = seen.recv_deadline(end) {
            if matches!(s, Seen::AtB(_, ref b) if b == &[0xB0, 7, value]) {
                break 'ready;
            }
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    seen.try_iter().for_each(drop);

    // 1. Latency: fader 1 from silence (0) to near 0 dB, and back, every 300 ms.
    let rounds = if full { 200 } else { 10 };
    let (mut to_b, mut to_sound) = (Vec::new(), Vec::new());
    for k in 0..rounds {
        let up = 90 + (k % 8) as u8;
        for (value, listen) in [(up, true), (0u8, false)] {
            armed.store(listen, Ordering::Relaxed);
            tx.send(vec![0xB0, 0, value]).unwrap();
            let end = Instant::now() + Duration::from_millis(300);
            let mut sent = None;
            while let Ok(s) = seen.recv_deadline(end) {
                match s {
                    Seen::SentA(f) => sent = Some(f),
                    Seen::AtB(f, b) if b == [0xB0, 0, value] => {
                        if let Some(s0) = sent {
                            to_b.push(f - s0);
                        }
                    }
                    Seen::Sound(f) if listen => {
                        if let Some(s0) = sent {
                            to_sound.push(f.saturating_sub(s0));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    summary("MIDI fader move on box A -> feedback on box B", to_b);
    summary(
        "MIDI fader move on box A -> first output sample of the change",
        to_sound,
    );

    // 2. Sustained rates: every fader of box A, values sweeping.
    println!("rate (msg/s)  sent      dropped  unmapped  xruns  rss (KiB)");
    let rates: &[u64] = if full {
        &[1_000, 3_000, 10_000, 20_000, 40_000]
    } else {
        &[1_000]
    };
    for &rate in rates {
        let before = status(&osc, &to);
        let seconds = if full { 4.0 } else { 1.0 };
        let total = (rate as f64 * seconds) as u64;
        let start = Instant::now();
        let mut sent = 0u64;
        while sent < total {
            let due = (start.elapsed().as_secs_f64() * rate as f64) as u64;
            while sent < due.min(total) {
                let cc = (sent % 8) as u8;
                let v = ((sent / 8) % 128) as u8;
                tx.send(vec![0xB0, cc, v]).unwrap();
                sent += 1;
            }
            std::thread::sleep(Duration::from_micros(500));
            seen.try_iter().for_each(drop);
        }
        std::thread::sleep(Duration::from_millis(500));
        seen.try_iter().for_each(drop);
        let after = status(&osc, &to);
        let d = |k: &str| after.get(k).unwrap_or(&0.0) - before.get(k).unwrap_or(&0.0);
        println!(
            "{rate:>12}  {sent:>8}  {:>7}  {:>8}  {:>5}  {:>9}",
            d("midi/input_dropped"),
            d("midi/unmapped"),
            d("audio/xruns"),
            rss_kib(pid)
        );
    }
    drop(client);
    drop(daemon);
}
