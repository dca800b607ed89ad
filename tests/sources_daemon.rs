//! File sources load off the daemon's start path: it answers OSC while the
//! stems are still being decoded and resampled, says in its log when they
//! are ready (and which file could not be used, one line), and then plays
//! them with the transport. The daemon runs as a process (dummy backend),
//! the client is python-osc over real UDP.

#[path = "support/osc_peer.rs"]
mod peer;
#[path = "support/daemon.rs"]
mod process;

use mixbridge::audio_file::{write_wav, Audio, SampleFormat};
use peer::{Arg, Peer};
use process::free_port;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const STEMS: usize = 8;
/// Long enough that loading them takes far longer than a first answer.
const SECONDS: usize = 60;

#[test]
fn stems_load_while_the_daemon_serves_then_play() {
    if !peer::available() {
        eprintln!("python-osc is not installed (.ci/setup installs it); skipping");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session");
    std::fs::create_dir_all(&session).unwrap();
    // Stereo 16-bit stems at 44.1 kHz in a 48 kHz session: each is decoded
    // and resampled.
    let rate = 44_100;
    let stem: Vec<f32> = (0..SECONDS * rate)
        .map(|n| 0.25 * (n as f32 * 0.031).sin())
        .collect();
    let mut tracks = String::new();
    for i in 1..=STEMS {
        let audio = Audio {
            sample_rate: rate as u32,
            channels: vec![stem.clone(), stem.clone()],
        };
        write_wav(
            &session.join(format!("{i}.wav")),
            &audio,
            SampleFormat::Int16,
        )
        .unwrap();
        tracks += &format!("  - {{ name: S{i}, channels: 2, source: {{ file: {i}.wav }} }}\n");
    }
    // One more whose audio stops halfway through what its header says.
    let bytes = std::fs::read(session.join("1.wav")).unwrap();
    std::fs::write(session.join("cut.wav"), &bytes[..bytes.len() / 2]).unwrap();
    tracks += "  - { name: Cut, channels: 2, source: { file: cut.wav } }\n";
    std::fs::write(session.join("session.yaml"), format!("tracks:\n{tracks}")).unwrap();
    let port = free_port();
    let config = process::dummy_config(dir.path(), port);

    // The client is up before the daemon starts.
    let mut tablet = Peer::start(port);
    let mut child = Command::new(env!("CARGO_BIN_EXE_mixbridge"))
        .args(["run", "--config", config.to_str().unwrap()])
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, log) = mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("daemon: {line}");
            let _ = tx.send(line);
        }
    });
    let daemon = process::Daemon(child);

    // It answers before the stems are in.
    let started = Instant::now();
    loop {
        tablet.send("/subscribe", &[]);
        if tablet
            .wait("/subscribed", Duration::from_millis(20))
            .is_some()
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the daemon never answered"
        );
    }
    // (The counters are filled in on the daemon's first 50 ms tick.)
    let loading = loop {
        tablet.send("/status", &[]);
        tablet.wait("/status/osc/clients", Duration::from_secs(2));
        std::thread::sleep(Duration::from_millis(10));
        if let Some(m) = tablet
            .drain()
            .iter()
            .find(|m| m.addr == "/status/sources/loading")
        {
            break m.float();
        }
    };
    assert_eq!(
        loading, 1.0,
        "the first answers come while the stems are loading"
    );
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !seen
        .iter()
        .any(|l: &String| l.contains("file sources: ready"))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        seen.push(
            log.recv_timeout(left)
                .expect("the log says when the stems are ready"),
        );
    }
    let ready = seen
        .iter()
        .find(|l| l.contains("file sources: ready"))
        .unwrap();
    assert!(
        ready.contains(&format!("{STEMS} of {} files", STEMS + 1)),
        "{ready}"
    );
    let bad: Vec<_> = seen.iter().filter(|l| l.contains("cut.wav")).collect();
    assert_eq!(bad.len(), 1, "{seen:#?}");
    assert!(
        bad[0].contains("ends early") && bad[0].contains("stays silent"),
        "{}",
        bad[0]
    );
    let status = tablet.status();
    assert_eq!(status.get("sources/loading"), Some(&0.0));
    assert_eq!(status.get("sources/failed"), Some(&1.0));
    let loading = seen
        .iter()
        .position(|l| l.contains("file sources: loading 9 files"))
        .expect("the log says the stems are loading");
    let ready_at = seen.iter().position(|l| l.contains("file sources: ready"));
    assert!(Some(loading) < ready_at, "{seen:#?}");

    // Played with the transport: the stems' tracks meter their level; the
    // track of the broken file stays silent.
    tablet.send("/subscribe", &[Arg::S("db")]);
    tablet.send("/meters", &[Arg::F(20.0)]);
    tablet.send("/transport/play", &[]);
    std::thread::sleep(Duration::from_millis(600));
    tablet.drain();
    std::thread::sleep(Duration::from_millis(400));
    let msgs = tablet.drain();
    let peak = |track: usize| {
        msgs.iter()
            .rev()
            .find(|m| m.addr == format!("/track/{track}/meter/peak"))
            .map(|m| m.float())
            .unwrap_or_else(|| panic!("no peak reading of track {track}"))
    };
    for t in 1..=STEMS {
        let level = peak(t);
        assert!((-16.0..-8.0).contains(&level), "track {t}: {level} dBFS");
    }
    assert!(
        peak(STEMS + 1) < -100.0,
        "the broken file's track is silent"
    );
    drop(daemon);
}
