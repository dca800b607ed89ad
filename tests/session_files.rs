//! The files the console keeps in a session (automation lanes, scenes,
//! markers) as a user meets them when one is broken: `mixbridge check`
//! lists every problem with file, line and what is allowed, the daemon
//! refuses to start on one, and a reload that meets one keeps what runs.

#[path = "support/osc_peer.rs"]
mod peer;
#[path = "support/daemon.rs"]
mod process;

use peer::{Arg, Peer};
use process::{dummy_config, free_port, Daemon};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn session(dir: &Path) -> std::path::PathBuf {
    let s = dir.join("session");
    std::fs::create_dir_all(s.join("automation")).unwrap();
    std::fs::create_dir_all(s.join("scenes")).unwrap();
    std::fs::write(
        s.join("session.yaml"),
        "sample_rate: 48000\ntracks:\n  - { name: A, source: { input: 1 } }\n",
    )
    .unwrap();
    s
}

fn config(dir: &Path, port: u16) -> String {
    dummy_config(dir, port).to_str().unwrap().to_string()
}

#[test]
fn broken_session_files_are_listed_and_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path());
    let config = config(dir.path(), 19998);
    std::fs::write(
        s.join("automation/a.yaml"),
        "path: track/1/pan\npoints:\n  - [0, 0]\n  - [1, 5]\n",
    )
    .unwrap();
    std::fs::write(s.join("automation/b.yaml"), "path: track/2/gain\n").unwrap();
    std::fs::write(s.join("scenes/X.yaml"), "name: X\nsaved: yesterday\n").unwrap();
    std::fs::write(
        s.join("transport.yaml"),
        "markers:\n  - { name: m, time: -3 }\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mixbridge"))
        .args(["check", "--config", &config])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    for want in [
        "a.yaml:4:",
        "out of range; allowed: a number from -1 to 1",
        "b.yaml:1:",
        "X.yaml:2:",
        "transport.yaml:2:",
    ] {
        assert!(err.contains(want), "{want} missing from:\n{err}");
    }
    let run = Command::new(env!("CARGO_BIN_EXE_mixbridge"))
        .args(["run", "--config", &config])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && err.contains("a.yaml:4:"), "{err}");
}

#[test]
fn a_reload_that_meets_a_broken_lane_keeps_the_lanes_that_run() {
    if !peer::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let s = session(dir.path());
    let port = free_port();
    let config = config(dir.path(), port);
    std::fs::write(
        s.join("automation/track-1-gain.yaml"),
        "path: track/1/gain\npoints:\n  - [0, -12]\n",
    )
    .unwrap();
    let daemon = Daemon::start(Path::new(&config), None);
    let mut osc = Peer::when_answering(port);
    // The lane plays (read is the default mode): the fader follows it.
    osc.send("/transport/play", &[]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(osc.query("/track/1/gain").float(), -12.0);
    osc.send("/transport/stop", &[]);
    std::fs::write(
        s.join("automation/track-1-gain.yaml"),
        "path: track/1/gain\npoints: [[0, 99]]\n",
    )
    .unwrap();
    daemon.signal(libc::SIGHUP);
    std::thread::sleep(Duration::from_millis(500));
    osc.send("/track/1/gain", &[Arg::F(0.0)]);
    osc.send("/transport/locate", &[Arg::F(0.0)]);
    osc.send("/transport/play", &[]);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        osc.query("/track/1/gain").float(),
        -12.0,
        "the old lane still plays"
    );
    drop(daemon);
}
