//! Mapping files as a user meets them: `mixbridge check` lists a broken
//! mapping's problems with file, line and what is allowed, and the daemon
//! refuses to start on one rather than run without the surface.

#[path = "support/cli.rs"]
mod cli;

use cli::mixbridge;
use std::path::Path;
use std::process::Command;

/// A config with one surface on `mapping` (written beside it) and the
/// example session.
fn config(dir: &Path, mapping: &str) -> String {
    std::fs::write(dir.join("box.yaml"), mapping).unwrap();
    let session = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/session");
    let config = dir.join("config.yaml");
    std::fs::write(
        &config,
        format!(
            "audio: {{ backend: dummy }}\nsession: {}\nstate_dir: state\nosc: {{ listen: 127.0.0.1:19999 }}\nsurfaces:\n  - {{ mapping: box.yaml, input: \"nothing*\" }}\n",
            session.display()
        ),
    )
    .unwrap();
    config.to_str().unwrap().to_string()
}

const GOOD: &str = "\
name: Test box
strips: 2
bindings:
  - { cc: [0, 1], target: \"track/{strip}/fader\", takeover: pickup }
  - { note: 58, action: bank-left }
";

#[test]
fn check_accepts_a_good_mapping_and_lists_a_bad_ones_problems() {
    let dir = tempfile::tempdir().unwrap();
    let ok = mixbridge(&["check", "--config", &config(dir.path(), GOOD)]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("mappings: ok"));

    let bad = GOOD.replace("takeover: pickup", "takeover: sometimes");
    let out = mixbridge(&["check", "--config", &config(dir.path(), &bad)]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("box.yaml:4:"), "{err}");
    assert!(err.contains("sometimes") && err.contains("pickup"), "{err}");
}

#[test]
fn the_daemon_does_not_start_on_a_broken_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let bad = GOOD.replace("track/{strip}/fader", "track/{strip}/fadr");
    let out = mixbridge(&["run", "--config", &config(dir.path(), &bad)]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("box.yaml:4:"), "{err}");
    assert!(err.contains("fadr"), "{err}");
}

#[test]
fn an_unknown_mapping_name_lists_the_shipped_ones() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), GOOD);
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("box.yaml", "korg-nanokontrol3")).unwrap();
    let out = mixbridge(&["check", "--config", &config]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("korg-nanokontrol3"), "{err}");
    assert!(err.contains("korg-nanokontrol2"), "{err}");
}

/// With no MIDI system (no JACK server for a `jack-midi` build, no ALSA
/// sequencer otherwise) the daemon says so once and runs on.
#[test]
fn without_midi_the_daemon_says_so_once_and_runs_on() {
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), GOOD);
    let mut child = Command::new(env!("CARGO_BIN_EXE_mixbridge"))
        .args(["run", "--config", &config])
        .env("JACK_DEFAULT_SERVER", "mixbridge-no-such-server")
        .env("JACK_NO_START_SERVER", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(3500));
    let running = child.try_wait().unwrap().is_none();
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(running, "the daemon stopped: {err}");
    assert!(out.status.success(), "{err}");
    if std::path::Path::new("/dev/snd/seq").exists() && !cfg!(feature = "jack-midi") {
        return; // This machine has ALSA MIDI: nothing to report.
    }
    assert_eq!(err.matches("MIDI: not available").count(), 1, "{err}");
}
