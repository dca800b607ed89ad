//! What an A/B of two revisions costs: the daemon (dummy backend, a
//! monitor section) with a session of file-fed tracks, each with EQ, a
//! compressor and a reverb send; two revisions saved; then `/revision/ab`
//! timed from the request to `/revision/ab/state playing`, with the
//! daemon's resident memory before, while the A/B plays, and after
//! `/revision/ab/off`.
//!
//! `cargo bench --bench revision_ab [-- TRACKS SECONDS]` (16 tracks of 120 s
//! unless told; 2 of 5 s when `cargo test` runs it).

#[path = "support/daemon.rs"]
mod support;

use rosc::OscType;
use std::net::UdpSocket;
use std::time::{Duration, Instant};
use support::{encode, free_port, messages, rss_kib, status, wait_until_serving, Daemon};

const RATE: u32 = 48_000;

/// A mono stem of `seconds`: a decaying tone, different on each track.
fn write_stem(path: &std::path::Path, track: usize, seconds: u32) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    let f = 55.0 * (1.0 + track as f64 * 0.37);
    for n in 0..seconds * RATE {
        let t = f64::from(n) / f64::from(RATE);
        let beat = (t * 2.0).fract();
        let v = 0.3 * (std::f64::consts::TAU * f * t).sin() * (-4.0 * beat).exp();
        w.write_sample((v * 8_388_607.0) as i32).unwrap();
    }
    w.finalize().unwrap();
}

fn session(tracks: usize) -> String {
    let mut yaml = String::from("sample_rate: 48000\ntracks:\n");
    for t in 1..=tracks {
        yaml += &format!(
            "  - {{ name: T{t}, source: {{ file: stems/t{t}.wav }}, sends: [{{ bus: Verb, level: -14 }}] }}\n"
        );
    }
    yaml += "buses:\n  - { name: Verb, kind: fx, effect: reverb }\nmix:\n";
    for t in 1..=tracks {
        yaml += &format!(
            "  track/{t}/eq/2/gain: -3\n  track/{t}/comp/on: true\n  track/{t}/comp/threshold: -24\n"
        );
    }
    yaml
}

/// Wait on `sock` for a message at `addr` whose first argument is `first`.
fn wait_for(sock: &UdpSocket, addr: &str, first: &str, within: Duration) -> bool {
    let t = Instant::now();
    let mut buf = vec![0u8; 65536];
    while t.elapsed() < within {
        if let Ok(n) = sock.recv(&mut buf) {
            let hit = messages(&buf[..n]).iter().any(|m| {
                m.addr == addr && matches!(m.args.first(), Some(OscType::String(s)) if s == first)
            });
            if hit {
                return true;
            }
        }
    }
    false
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    // `cargo test --all-targets` runs this once, small, as a smoke test.
    let full = std::env::args().any(|a| a == "--bench");
    let tracks = args.first().copied().unwrap_or(if full { 16 } else { 2 });
    let seconds = args.get(1).copied().unwrap_or(if full { 120 } else { 5 }) as u32;

    let dir = tempfile::tempdir().unwrap();
    let stems = dir.path().join("session/stems");
    std::fs::create_dir_all(&stems).unwrap();
    for t in 1..=tracks {
        write_stem(&stems.join(format!("t{t}.wav")), t, seconds);
    }
    std::fs::write(dir.path().join("session/session.yaml"), session(tracks)).unwrap();
    let port = free_port();
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "audio: {{ backend: dummy, buffer_frames: 128, outputs: 4 }}\nsession: session\nstate_dir: state\n\
             osc: {{ listen: 127.0.0.1:{port} }}\nlog_level: warn\n\
             monitor:\n  speakers:\n    - {{ name: Mains, output: [3, 4] }}\n"
        ),
    )
    .unwrap();
    let daemon = Daemon::run(&config);
    let to = format!("127.0.0.1:{port}");
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    wait_until_serving(&sock, &to, Duration::from_secs(60));
    let send = |addr: &str, args: Vec<OscType>| sock.send_to(&encode(addr, args), &to).unwrap();
    let s = |v: &str| OscType::String(v.into());
    send("/subscribe", vec![]);
    // The file sources decode in the background; wait until they are ready.
    let t = Instant::now();
    while status(&sock, &to)
        .get("sources/loading")
        .copied()
        .unwrap_or(1.0)
        != 0.0
    {
        assert!(
            t.elapsed() < Duration::from_secs(300),
            "the files never loaded"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    for (gain, name) in [(-6.0, "v1"), (-3.0, "v2")] {
        send("/track/1/gain", vec![OscType::Float(gain)]);
        send("/revision/save", vec![s(name)]);
        assert!(
            wait_for(&sock, "/revision/saved", name, Duration::from_secs(10)),
            "revision {name} was not saved"
        );
    }
    std::thread::sleep(Duration::from_millis(500));
    let pid = daemon.0.id();
    let before = rss_kib(pid);

    let t = Instant::now();
    send("/revision/ab", vec![s("v1"), s("v2")]);
    assert!(
        wait_for(
            &sock,
            "/revision/ab/state",
            "playing",
            Duration::from_secs(600)
        ),
        "the A/B never played"
    );
    let ready = t.elapsed().as_secs_f64();
    let playing = rss_kib(pid);
    send("/revision/ab/off", vec![]);
    assert!(wait_for(
        &sock,
        "/revision/ab/state",
        "off",
        Duration::from_secs(10)
    ));
    std::thread::sleep(Duration::from_millis(500));
    let after = rss_kib(pid);

    let audio = tracks as f64 * f64::from(seconds);
    println!(
        "revision A/B: {tracks} file tracks of {seconds} s (EQ, compressor, reverb send each), two revisions"
    );
    println!(
        "  request to playing: {ready:.2} s (two bounces of {seconds} s of mix each: {:.1}x real time per bounce, {audio:.0} track-seconds)",
        f64::from(seconds) / ready
    );
    println!(
        "  daemon memory: {:.1} MB before, {:.1} MB while playing (+{:.1} MB; the two takes are {:.1} MB), {:.1} MB after off",
        before as f64 / 1024.0,
        playing as f64 / 1024.0,
        (playing as f64 - before as f64) / 1024.0,
        2.0 * f64::from(seconds) * f64::from(RATE) * 2.0 * 4.0 / 1e6,
        after as f64 / 1024.0,
    );
    let st = status(&sock, &to);
    println!(
        "  audio xruns during the run: {}",
        st.get("audio/xruns").copied().unwrap_or(f64::NAN)
    );
}
