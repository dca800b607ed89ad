//! Scenes and the transport end to end: the daemon as a process (dummy
//! audio backend, which keeps real-time pace), an independent OSC client
//! (python-osc) and the `mixbridge scene` command line, scene files on disk.

#[path = "support/osc_peer.rs"]
mod peer;
#[path = "support/daemon.rs"]
mod process;

use peer::{Arg, Peer};
use process::{dummy_config, free_port, Daemon};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const SESSION: &str = "\
sample_rate: 48000
tempo: 120
tracks:
  - { name: Kick, source: { input: 1 } }
  - { name: Snare, source: { input: 2 } }
  - { name: Vox, source: { input: 3 } }
buses:
  - { name: Verb, kind: fx, effect: reverb }
";

struct Console {
    _daemon: Daemon,
    port: u16,
    config: PathBuf,
    dir: tempfile::TempDir,
}

fn console() -> Option<Console> {
    if !peer::available() {
        eprintln!("python-osc is not installed (.ci/setup installs it); skipping");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("session")).unwrap();
    std::fs::write(dir.path().join("session/session.yaml"), SESSION).unwrap();
    let port = free_port();
    let config = dummy_config(dir.path(), port);
    let daemon = Daemon::start(&config, None);
    Peer::when_answering(port);
    Some(Console {
        _daemon: daemon,
        port,
        config,
        dir,
    })
}

fn scene_cli(config: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_mixbridge"))
        .args(["scene", "--config", config.to_str().unwrap()])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const WAIT: Duration = Duration::from_secs(2);

#[test]
fn scenes_save_recall_with_safes_and_fades_list_delete_and_undo() {
    let Some(c) = console() else { return };
    let mut osc = Peer::start(c.port);
    osc.send("/track/1/gain", &[Arg::F(-20.0)]);
    osc.send("/track/2/gain", &[Arg::F(-20.0)]);
    osc.send("/track/3/eq/2/gain", &[Arg::F(6.0)]);
    osc.send("/track/3/mute", &[Arg::F(1.0)]);
    osc.send("/track/1/name", &[Arg::S("Kick In")]);
    osc.send("/scene/save", &[Arg::S("Verse")]);
    assert_eq!(
        osc.wait("/scene/saved", WAIT).expect("saved").string(),
        "Verse"
    );
    let file = c.dir.path().join("session/scenes/Verse.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("track/1/gain: -20") && text.contains("Kick In"),
        "{text}"
    );

    // The command line saves through the daemon too.
    for (k, v) in [
        ("/track/1/gain", 0.0),
        ("/track/2/gain", 0.0),
        ("/track/3/eq/2/gain", 0.0),
        ("/track/3/mute", 0.0),
    ] {
        osc.send(k, &[Arg::F(v)]);
    }
    osc.send("/track/1/name", &[Arg::S("Kick")]);
    let (ok, _, err) = scene_cli(&c.config, &["save", "Chorus"]);
    assert!(ok, "{err}");
    let (ok, listed, err) = scene_cli(&c.config, &["list"]);
    assert!(ok, "{err}");
    let names: Vec<&str> = listed
        .lines()
        .map(|l| l.split("  ").nth(1).unwrap())
        .collect();
    assert_eq!(names, ["Verse", "Chorus"], "oldest first: {listed}");
    assert!(
        listed.starts_with("20"),
        "with when each was saved: {listed}"
    );

    // Track 2 and every EQ are recall-safe; a one-second crossfade.
    osc.send("/scene/safe", &[Arg::S("track/2"), Arg::I(1)]);
    osc.send("/scene/safe", &[Arg::S("eq"), Arg::I(1)]);
    assert!(osc.wait("/scene/safe", WAIT).is_some());
    osc.send("/scene/safe", &[Arg::S("track/9"), Arg::I(1)]);
    assert!(osc.wait("/error", WAIT).is_some(), "no such strip");
    osc.drain();
    osc.send("/scene/recall", &[Arg::S("Verse"), Arg::F(1.0)]);
    assert!(osc.wait("/scene/recalled", WAIT).is_some());
    assert_eq!(
        osc.query("/track/3/mute").float(),
        1.0,
        "switches change at once"
    );
    std::thread::sleep(Duration::from_millis(450));
    let mid = osc.query("/track/1/gain").float();
    assert!(mid > -19.5 && mid < -0.5, "halfway through the fade: {mid}");
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(osc.query("/track/1/gain").float(), -20.0);
    assert_eq!(osc.query("/track/1/name").string(), "Kick In");
    assert_eq!(
        osc.query("/track/2/gain").float(),
        0.0,
        "a safe strip is left alone"
    );
    assert_eq!(
        osc.query("/track/3/eq/2/gain").float(),
        0.0,
        "a safe group is left alone"
    );

    // Undo the recall from the command line.
    let (ok, _, err) = scene_cli(&c.config, &["undo"]);
    assert!(ok, "{err}");
    assert_eq!(osc.query("/track/1/gain").float(), 0.0);
    assert_eq!(osc.query("/track/3/mute").float(), 0.0);
    let (ok, _, err) = scene_cli(&c.config, &["undo"]);
    assert!(!ok && err.contains("no recall to undo"), "{err}");

    // Delete; a missing scene is an error that says so.
    let (ok, _, err) = scene_cli(&c.config, &["delete", "Verse"]);
    assert!(ok, "{err}");
    assert!(!file.exists());
    let (ok, _, err) = scene_cli(&c.config, &["recall", "Verse"]);
    assert!(!ok && err.contains("no scene `Verse`"), "{err}");
    let (ok, _, err) = scene_cli(&c.config, &["save", "../escape"]);
    assert!(!ok && err.contains("scene name"), "{err}");
}

#[test]
fn the_transport_plays_locates_loops_and_keeps_markers() {
    let Some(c) = console() else { return };
    let mut osc = Peer::start(c.port);
    osc.send("/subscribe", &[]);
    assert!(osc.wait("/subscribed", WAIT).is_some());
    osc.send("/transport/locate", &[Arg::S("3|1")]);
    std::thread::sleep(Duration::from_millis(200));
    // At 120 bpm bar 3 starts at 4 s.
    assert!((osc.query("/transport/position").float() - 4.0).abs() < 1e-3);
    osc.send("/transport/play", &[Arg::F(1.0)]);
    osc.send("/transport/play", &[Arg::F(0.0)]);
    std::thread::sleep(Duration::from_millis(600));
    osc.drain();
    // Position feedback while playing, about ten times a second.
    std::thread::sleep(Duration::from_millis(1000));
    let fed: Vec<f32> = osc
        .drain()
        .iter()
        .filter(|m| m.addr == "/transport/position")
        .map(|m| m.float())
        .collect();
    assert!(fed.len() >= 5 && fed.len() <= 15, "{fed:?}");
    assert!(
        fed.windows(2).all(|w| w[1] > w[0]) && fed[0] > 4.4,
        "{fed:?}"
    );
    osc.send("/transport/marker/add", &[Arg::S("Chorus")]);
    osc.send("/transport/stop", &[]);
    std::thread::sleep(Duration::from_millis(200));
    let stopped = osc.query("/transport/position").float();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(osc.query("/transport/position").float(), stopped, "stopped");
    assert_eq!(osc.query("/transport/playing").float(), 0.0);
    osc.send("/transport/locate", &[Arg::F(0.0)]);
    osc.send("/transport/marker/next", &[]);
    std::thread::sleep(Duration::from_millis(200));
    let chorus = osc.query("/transport/position").float();
    assert!(
        chorus > 5.0 && chorus <= stopped + 0.01,
        "at the marker: {chorus}, stopped at {stopped}"
    );
    osc.send(
        "/transport/marker/rename",
        &[Arg::S("Chorus"), Arg::S("Chorus 1")],
    );
    std::thread::sleep(Duration::from_millis(200));
    let markers = std::fs::read_to_string(c.dir.path().join("session/transport.yaml")).unwrap();
    assert!(markers.contains("\"Chorus 1\""), "{markers}");

    // A loop from 1 s to 1.5 s: the position stays inside it.
    osc.send("/transport/loop", &[Arg::F(1.0), Arg::F(1.5)]);
    osc.send("/transport/locate", &[Arg::F(1.0)]);
    osc.send("/transport/play", &[]);
    std::thread::sleep(Duration::from_millis(1300));
    for _ in 0..5 {
        let p = osc.query("/transport/position").float();
        assert!((1.0..1.6).contains(&p), "looping: {p}");
        std::thread::sleep(Duration::from_millis(130));
    }
    osc.send("/transport/loop", &[Arg::I(0)]);
    osc.send("/transport/stop", &[]);
    osc.send("/transport/locate", &[Arg::S("nowhere")]);
    assert!(osc.wait("/error", WAIT).is_some());
}
