//! The daemon on a real JACK server, as the end-to-end tests drive it: a
//! session folder and config in a temporary directory, and a tester client
//! playing a tone into the daemon's input and measuring its output.
#![allow(dead_code)]

use super::common::tone_db;
use super::jack_harness::*;
use super::process::{free_port, Daemon};
use std::time::Duration;

pub const SR: f32 = 48_000.0;
pub const TONE_DB: f32 = -20.0;

/// Wait until the daemon's JACK ports exist, then connect a tester to them.
pub fn connect(daemon: &Daemon, within: Duration) -> Tester {
    let probe = jack::Client::new("mixbridge-probe", jack::ClientOptions::NO_START_SERVER)
        .expect("probe")
        .0;
    let pid = daemon.pid();
    let want = [
        format!("^cpal_client_{pid}_out:out_0$"),
        format!("^cpal_client_{pid}_in:in_0$"),
    ];
    wait_for_ports(&probe, &want, within);
    drop(probe);
    let amp = 10f32.powf(TONE_DB / 20.0);
    Tester::connect(Source::Tone { freq: 1000.0, amp }, daemon.pid())
}

/// The median 1 kHz level of 50 ms blocks of the left output over a second.
pub fn level(tester: &mut Tester) -> f32 {
    level_over(tester, 1.0)
}

/// The median 1 kHz level of 50 ms blocks of the left output over `seconds`.
pub fn level_over(tester: &mut Tester, seconds: f32) -> f32 {
    let (_, [l, _]) = tester.capture(seconds);
    let mut v: Vec<f32> = l
        .chunks_exact(2400)
        .map(|b| tone_db(b, 1000.0, SR))
        .collect();
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

pub fn assert_level(tester: &mut Tester, want: f32, when: &str) {
    let got = level(tester);
    assert!(
        (got - want).abs() < 0.2,
        "{when}: output at {got:.2} dB, want {want:.2} dB"
    );
}

/// A session folder and a config running it on JACK with OSC on a free port.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub port: u16,
    pub config: std::path::PathBuf,
    /// The config's text, to write back after breaking it.
    pub text: String,
}

/// `tracks` is the YAML of the session's track list (and anything after it).
pub fn setup(tracks: &str) -> Setup {
    setup_with(tracks, "")
}

/// [`setup`] with more of the config (`extra`, whole top-level keys).
pub fn setup_with(tracks: &str, extra: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("session")).unwrap();
    std::fs::write(
        dir.path().join("session/session.yaml"),
        format!("sample_rate: 48000\ntracks:\n{tracks}"),
    )
    .unwrap();
    let port = free_port();
    let config = dir.path().join("config.yaml");
    let text = format!(
        "audio: {{ backend: jack, buffer_frames: 256 }}\nsession: session\nstate_dir: state\nosc: {{ listen: 127.0.0.1:{port} }}\n{extra}"
    );
    std::fs::write(&config, &text).unwrap();
    Setup {
        dir,
        port,
        config,
        text,
    }
}
