//! Revisions and review notes end to end: the daemon as a process (dummy
//! audio backend, which keeps real-time pace), an independent OSC client
//! (python-osc), the `mixbridge revision`, `note`, `render` and `check`
//! command lines, and the files on disk.
//!
//! - a revision holds the whole mix: values, names, lanes written by real
//!   passes, markers; a diff lists exactly what changed between two, in a
//!   mixer's words and as JSON; a recall brings every value and lane back
//!   (a revision saved after it renders sample for sample as the one
//!   recalled did when it was saved) and is one undo step;
//! - bad names and unknown revisions are refused with what is allowed,
//!   nothing is overwritten without `--force`;
//! - a broken revision or notes file is listed by `check` with its file and
//!   line, and the daemon runs on;
//! - notes of any text (control characters, very long, non-Latin) round-trip
//!   through OSC, the command line, the file and a restart, with position,
//!   author and done flag; a note the transport passes is announced.

#[path = "support/osc_peer.rs"]
mod peer;
#[path = "support/daemon.rs"]
mod process;

use mixbridge::audio_file::{self, Audio, SampleFormat};
use mixbridge::revisions::file as revision_file;
use peer::{Arg, Peer};
use process::{free_port, Daemon};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SESSION: &str = "\
sample_rate: 48000
tempo: 120
tracks:
  - { name: Kick, source: { file: stems/a.wav } }
  - { name: Vox, source: { file: stems/b.wav }, sends: [{ bus: Verb, level: -12 }] }
  - { name: Keys, source: { file: stems/c.wav } }
buses:
  - { name: Verb, kind: fx, effect: reverb }
";

const WAIT: Duration = Duration::from_secs(3);

struct Console {
    daemon: Option<Daemon>,
    port: u16,
    config: PathBuf,
    dir: tempfile::TempDir,
}

impl Console {
    fn session(&self) -> PathBuf {
        self.dir.path().join("session")
    }

    fn start(&mut self) -> Peer {
        self.daemon = Some(Daemon::start(&self.config, None));
        Peer::when_answering(self.port)
    }

    /// `mixbridge VERB ... --config CONFIG` (`render` takes no config):
    /// success, stdout, stderr.
    fn cli(&self, args: &[&str]) -> (bool, String, String) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mixbridge"));
        cmd.args(args);
        if args[0] != "render" {
            cmd.args(["--config", self.config.to_str().unwrap()]);
        }
        let out = cmd.output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn ok(&self, args: &[&str]) -> String {
        let (ok, out, err) = self.cli(args);
        assert!(ok, "mixbridge {args:?} failed:\n{out}\n{err}");
        out
    }

    /// Render revision `name` (a float WAV, read back).
    fn render(&self, name: &str) -> Audio {
        let out = self.dir.path().join(format!("{name}.wav"));
        let session = self.session();
        self.ok(&[
            "render",
            session.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--revision",
            name,
            "--format",
            "float",
            "--tail",
            "0.5",
        ]);
        audio_file::read(&out).unwrap()
    }
}

/// A sine of `seconds` at `freq`, as a mono WAV file.
fn stem(path: &Path, freq: f32, seconds: f32) {
    let n = (48_000.0 * seconds) as usize;
    let x = (0..n)
        .map(|i| 0.25 * (std::f32::consts::TAU * freq * i as f32 / 48_000.0).sin())
        .collect();
    let audio = Audio {
        sample_rate: 48_000,
        channels: vec![x],
    };
    audio_file::write_wav(path, &audio, SampleFormat::Float32).unwrap();
}

/// A session of three file tracks and a reverb, its config (dummy backend,
/// OSC on a free port with `osc` more of its keys); not started.
fn console(osc: &str) -> Option<Console> {
    if !peer::available() {
        eprintln!("python-osc is not installed (.ci/setup installs it); skipping");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session");
    std::fs::create_dir_all(session.join("stems")).unwrap();
    std::fs::write(session.join("session.yaml"), SESSION).unwrap();
    for (name, f) in [("a", 110.0), ("b", 440.0), ("c", 660.0)] {
        stem(&session.join(format!("stems/{name}.wav")), f, 3.0);
    }
    let port = free_port();
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        format!("audio: {{ backend: dummy, buffer_frames: 256 }}\nsession: session\nstate_dir: state\nosc: {{ listen: 127.0.0.1:{port}{osc} }}\n"),
    )
    .unwrap();
    Some(Console {
        daemon: None,
        port,
        config,
        dir,
    })
}

/// The transport position in seconds.
fn position(osc: &mut Peer) -> f32 {
    osc.query("/transport/position").float()
}

/// A touch pass on `track`'s fader from `from` seconds on the timeline:
/// touched, ridden from 0.75 down to 0.5 in 0.4 s, let go, stopped; back
/// at the start, stopped. Waits for its lane file to be rewritten.
fn write_pass(c: &Console, osc: &mut Peer, track: u32, from: f32) {
    let lane = c
        .session()
        .join(format!("automation/track-{track}-gain.yaml"));
    let before = std::fs::read_to_string(&lane).ok();
    osc.send(&format!("/track/{track}/automation"), &[Arg::S("touch")]);
    osc.send("/transport/locate", &[Arg::F(from - 0.2)]);
    osc.send("/transport/play", &[]);
    let t = Instant::now();
    while position(osc) < from {
        assert!(t.elapsed() < WAIT, "the transport does not play");
        std::thread::sleep(Duration::from_millis(10));
    }
    osc.send(&format!("/track/{track}/fader/z"), &[Arg::F(1.0)]);
    for k in 0..=16 {
        osc.send(
            &format!("/track/{track}/fader"),
            &[Arg::F(0.75 - 0.25 * k as f32 / 16.0)],
        );
        std::thread::sleep(Duration::from_millis(25));
    }
    osc.send(&format!("/track/{track}/fader/z"), &[Arg::F(0.0)]);
    std::thread::sleep(Duration::from_millis(100));
    osc.send("/transport/stop", &[]);
    let t = Instant::now();
    while std::fs::read_to_string(&lane).ok() == before {
        assert!(t.elapsed() < WAIT, "the pass was not saved to {lane:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    osc.send("/transport/locate", &[Arg::F(0.0)]);
    std::thread::sleep(Duration::from_millis(300));
}

fn diff_json(c: &Console, a: &str, b: Option<&str>) -> serde_json::Value {
    let mut args = vec!["revision", "diff", a];
    args.extend(b);
    args.push("--json");
    serde_json::from_str(&c.ok(&args)).expect("a JSON diff")
}

/// The changes of a JSON diff as `(path, kind)`.
fn changed(diff: &serde_json::Value) -> Vec<(String, String)> {
    diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["path"].as_str().unwrap().to_string(),
                c["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_revision_is_the_whole_mix_diffed_recalled_rendered_and_undone() {
    let Some(mut c) = console("") else { return };
    let mut osc = c.start();
    osc.send("/track/2/name", &[Arg::S("Lead Vox")]);
    osc.send("/track/2/gain", &[Arg::F(-4.0)]);
    osc.send("/track/1/colour", &[Arg::S("red")]);
    write_pass(&c, &mut osc, 3, 0.4);

    // v1, and its render at save time.
    let out = c.ok(&["revision", "save", "v1", "--note", "first mix"]);
    assert!(out.contains("revisions/v1.yaml"), "{out}");
    let v1_file = c.session().join("revisions/v1.yaml");
    let text = std::fs::read_to_string(&v1_file).unwrap();
    for want in [
        "note: \"first mix\"",
        "  track/2/gain: -4\n",
        "  track/2/name: \"Lead Vox\"",
        "  - path: track/3/gain",
        "  track/3/automation: 2\n",
    ] {
        assert!(text.contains(want), "{want:?} in:\n{text}");
    }
    let v1_audio = c.render("v1");

    // Vocal up, less verb, a second pass later on the keys, a marker.
    osc.send("/track/2/gain", &[Arg::F(-2.5)]);
    osc.send("/track/2/send/1/level", &[Arg::F(-16.0)]);
    osc.send("/track/1/colour", &[Arg::S("cyan")]);
    write_pass(&c, &mut osc, 3, 1.8);
    osc.send("/transport/marker/add", &[Arg::S("Chorus")]);
    osc.drain();
    osc.send(
        "/revision/save",
        &[Arg::S("v2"), Arg::S("vocal up, less verb")],
    );
    let saved = osc.wait("/revision/saved", WAIT).expect("saved over OSC");
    assert_eq!(saved.string(), "v2");

    // The diff lists exactly those changes.
    let d = diff_json(&c, "v1", Some("v2"));
    assert_eq!(
        (d["from"].as_str(), d["to"].as_str()),
        (Some("v1"), Some("v2"))
    );
    let want: Vec<(String, String)> = [
        ("track/1/colour", "colour"),
        ("track/2/gain", "value"),
        ("track/2/send/1/level", "value"),
        ("track/3/gain", "lane"),
        ("transport", "marker"),
    ]
    .iter()
    .map(|(p, k)| (p.to_string(), k.to_string()))
    .collect();
    assert_eq!(changed(&d), want, "{d:#}");
    let lane = &d["changes"][3];
    let (start, end) = (
        lane["start"].as_f64().unwrap(),
        lane["end"].as_f64().unwrap(),
    );
    assert!(start >= 1.7 && end <= 3.5 && start < end, "{lane}");
    assert!(
        lane["added"].as_u64().unwrap() + lane["changed"].as_u64().unwrap() >= 2,
        "{lane}"
    );
    assert_eq!(d["changes"][1]["strip"], "Lead Vox");
    assert_eq!(
        (
            d["changes"][1]["from"].as_f64(),
            d["changes"][1]["to"].as_f64()
        ),
        (Some(-4.0), Some(-2.5))
    );
    let words = c.ok(&["revision", "diff", "v1", "v2"]);
    assert!(
        words.starts_with(
            "Kick: colour red → cyan\nLead Vox: fader -4.0 → -2.5 dB; Verb send -12.0 → -16.0 dB\n"
        ),
        "{words}"
    );
    assert!(
        words.contains("automation points on track/3/gain between 0:0"),
        "{words}"
    );
    assert!(
        words.contains("Session: marker \"Chorus\" added at"),
        "{words}"
    );
    let listed = c.ok(&["revision", "list"]);
    let names: Vec<&str> = listed
        .lines()
        .filter_map(|l| l.split("  ").nth(1))
        .collect();
    assert_eq!(names, ["v1", "v2"], "oldest first: {listed}");
    assert!(listed.contains("vocal up, less verb"), "{listed}");
    let shown = c.ok(&["revision", "show", "v2"]);
    assert!(
        shown.contains("1 automation lanes") && shown.contains("1 markers"),
        "{shown}"
    );

    // Recall v1: every value and lane is back; saved again, it renders
    // sample for sample as v1 did when it was saved.
    let v2_lane =
        std::fs::read_to_string(c.session().join("automation/track-3-gain.yaml")).unwrap();
    c.ok(&["revision", "recall", "v1"]);
    assert_eq!(osc.query("/track/2/gain").float(), -4.0);
    assert_eq!(osc.query("/track/2/send/1/level").float(), -12.0);
    assert_eq!(osc.query("/track/1/colour").string(), "red");
    let lane_now =
        std::fs::read_to_string(c.session().join("automation/track-3-gain.yaml")).unwrap();
    assert_ne!(lane_now, v2_lane, "the lane went back to v1's");
    let d = diff_json(&c, "v1", None);
    assert_eq!(changed(&d), Vec::<(String, String)>::new(), "{d:#}");
    let words = c.ok(&["revision", "diff", "v1"]);
    assert_eq!(words.trim_end(), "no differences between v1 and now");
    c.ok(&["revision", "save", "v3"]);
    let v3_audio = c.render("v3");
    assert_eq!(v3_audio.channels.len(), 2);
    assert!(v1_audio.frames() > 48_000);
    assert!(
        v1_audio == v3_audio,
        "the recalled mix renders exactly as v1 did at save time"
    );
    let v2_audio = c.render("v2");
    assert!(
        v2_audio != v1_audio,
        "v2 sounds otherwise (the comparison can fail)"
    );

    // The recall is one undo step: v2's mix is back.
    c.ok(&["revision", "undo"]);
    assert_eq!(osc.query("/track/2/gain").float(), -2.5);
    let d = diff_json(&c, "v2", None);
    assert_eq!(changed(&d), Vec::<(String, String)>::new(), "{d:#}");
    let (ok, _, err) = c.cli(&["revision", "undo"]);
    assert!(!ok && err.contains("no revision recall to undo"), "{err}");

    // Bad input is refused with what is allowed; nothing is overwritten
    // without --force.
    let (ok, _, err) = c.cli(&["revision", "recall", "v9"]);
    assert!(
        !ok && err.contains("no revision `v9`") && err.contains("saved: v1, v2, v3"),
        "{err}"
    );
    let (ok, _, err) = c.cli(&["revision", "save", "../escape"]);
    assert!(!ok && err.contains("allowed: 1 to 64 letters"), "{err}");
    assert!(!c.dir.path().join("escape.yaml").exists());
    let before = std::fs::read(&v1_file).unwrap();
    let (ok, _, err) = c.cli(&["revision", "save", "v1"]);
    assert!(!ok && err.contains("--force"), "{err}");
    assert_eq!(std::fs::read(&v1_file).unwrap(), before, "not overwritten");
    c.ok(&["revision", "save", "v1", "--force", "--note", "replaced"]);
    assert!(std::fs::read_to_string(&v1_file)
        .unwrap()
        .contains("replaced"));
    c.ok(&["revision", "delete", "v3"]);
    assert!(!c.session().join("revisions/v3.yaml").exists());
    let (ok, _, err) = c.cli(&["revision", "delete", "v3"]);
    assert!(!ok && err.contains("no revision `v3`"), "{err}");
}

#[test]
fn broken_revision_and_notes_files_are_listed_with_their_line_and_stop_nothing() {
    let Some(mut c) = console("") else { return };
    let revisions = c.session().join("revisions");
    std::fs::create_dir_all(&revisions).unwrap();
    std::fs::write(
        revisions.join("bad.yaml"),
        "name: bad\nsaved: 2026-12-04T18:30:00Z\nvalues:\n  track/1/gain: 40\n",
    )
    .unwrap();
    std::fs::write(
        c.session().join("notes.yaml"),
        "notes:\n  - { id: 1, at: -3, time: 2026-12-04T18:30:00Z, text: x }\n",
    )
    .unwrap();

    let (ok, out, err) = c.cli(&["check"]);
    assert!(!ok, "check fails: {out}");
    assert!(
        err.contains("revisions/bad.yaml:4:") && err.contains("out of range; allowed:"),
        "{err}"
    );
    assert!(
        err.contains("notes.yaml:2:") && err.contains("seconds from 0 to"),
        "{err}"
    );

    // The daemon runs on: other revisions work, the broken one is listed
    // and refused with its line, the notes are left as they are.
    let mut osc = c.start();
    c.ok(&["revision", "save", "good"]);
    let (ok, listed, _) = c.cli(&["revision", "list"]);
    assert!(!ok, "a list with a broken file exits non-zero");
    assert!(listed.contains("  good  "), "{listed}");
    assert!(
        listed.contains("(cannot be read)  bad") && listed.contains("bad.yaml:4:"),
        "{listed}"
    );
    let (ok, _, err) = c.cli(&["revision", "recall", "bad"]);
    assert!(!ok && err.contains("bad.yaml:4:"), "{err}");
    c.ok(&["revision", "recall", "good"]);
    let (ok, _, err) = c.cli(&["note", "add", "louder"]);
    assert!(!ok && err.contains("notes.yaml:2:"), "{err}");
    assert!(std::fs::read_to_string(c.session().join("notes.yaml"))
        .unwrap()
        .contains("at: -3"));
    assert_eq!(osc.query("/track/1/gain").float(), 0.0, "still answering");
}

#[test]
fn notes_of_any_text_round_trip_with_position_author_and_done() {
    // The tablet's host is named in config.yaml: its notes are by "Producer".
    let Some(mut c) = console(", clients: [{ address: 127.0.0.1:9, name: Producer }]") else {
        return;
    };
    let mut osc = c.start();

    let long: String = "ボーカル🎤".repeat(800);
    let texts = [
        "vocal up in the chorus".to_string(),
        "ctl: \u{1}\u{7}\u{1b}[31mred\u{1b}[0m\ttab\r\nline\u{7f}\u{85}\u{2028}".to_string(),
        "— Ελληνικά, русский, العربية, 中文 \"quoted\" \\ # : - [x] {y}".to_string(),
        long.clone(),
    ];
    for (k, t) in texts.iter().enumerate() {
        osc.drain();
        osc.send("/note/add", &[Arg::S(t), Arg::F(10.0 + k as f32)]);
        let added = osc.wait("/note/added", WAIT).expect("a note added");
        assert_eq!(added.args[3].as_str(), Some(t.as_str()), "note {k}");
        assert_eq!(added.args[2].as_str(), Some("Producer"));
    }
    // From the command line, at a bar, by whoever says so.
    let out = c.ok(&[
        "note",
        "add",
        "less verb on the snare",
        "--at",
        "3|1",
        "--author",
        "Анна",
    ]);
    assert!(out.contains("note 5 at 0:04 by Анна"), "{out}");
    // Too long, or empty, is refused with what is allowed.
    let (ok, _, err) = c.cli(&["note", "add", &"x".repeat(5000)]);
    assert!(!ok && err.contains("at most 4096 characters"), "{err}");
    let (ok, _, err) = c.cli(&["note", "add", "x", "--at", "soon"]);
    assert!(!ok && err.contains("allowed: seconds"), "{err}");

    c.ok(&["note", "done", "2"]);
    let (ok, _, err) = c.cli(&["note", "done", "9"]);
    assert!(!ok && err.contains("notes: 1, 2, 3, 4, 5"), "{err}");
    let listed = c.ok(&["note", "list"]);
    assert!(listed.contains("  2 [x]"), "{listed}");
    assert!(listed.contains("Анна: less verb on the snare"), "{listed}");
    assert!(
        listed.contains("\\u{1b}[31mred"),
        "control characters are shown escaped: {listed}"
    );
    let open = c.ok(&["note", "list", "--open"]);
    assert!(
        !open.contains("  2 [x]") && open.lines().count() == 4,
        "{open}"
    );

    // The file holds them exactly, and so does the daemon after a restart.
    let check = |osc: &mut Peer| {
        osc.drain();
        osc.send("/subscribe", &[]);
        osc.send("/note/list", &[]);
        assert_eq!(osc.wait("/note/count", WAIT).expect("a count").float(), 5.0);
        std::thread::sleep(Duration::from_millis(200));
        let got: Vec<_> = osc
            .drain()
            .into_iter()
            .filter(|m| m.addr == "/note")
            .collect();
        let ids: Vec<_> = got.iter().map(|m| m.args[0].as_f64()).collect();
        assert_eq!(ids, [1.0, 2.0, 3.0, 4.0, 5.0].map(Some), "in number order");
        for (k, t) in texts.iter().enumerate() {
            assert_eq!(got[k].args[5].as_str(), Some(t.as_str()), "note {k}");
            assert_eq!(got[k].args[1].as_f64(), Some(10.0 + k as f64));
        }
        assert_eq!(got[1].args[4].as_f64(), Some(1.0), "done");
        assert_eq!(got[4].args[1].as_f64(), Some(4.0), "bar 3 at 120 BPM");
        assert_eq!(got[4].args[2].as_str(), Some("Анна"));
        osc.send("/unsubscribe", &[]);
    };
    check(&mut osc);
    let notes = mixbridge::notes::file::load(&c.session()).unwrap();
    assert_eq!(notes.len(), 5);
    assert_eq!(notes[3].text, long);
    c.daemon.take().unwrap().signal(libc::SIGTERM);
    drop(osc);
    let mut osc = c.start();
    check(&mut osc);

    // Playing past a note announces it to every client.
    osc.send("/subscribe", &[]);
    osc.send("/note/add", &[Arg::S("kick too loud here"), Arg::F(0.6)]);
    osc.send("/transport/locate", &[Arg::F(0.0)]);
    osc.send("/transport/play", &[]);
    let passed = osc
        .wait("/note/passed", WAIT)
        .expect("the note is announced");
    assert_eq!(passed.args[3].as_str(), Some("kick too loud here"));
    osc.send("/transport/stop", &[]);
}

#[test]
fn revision_files_are_plain_yaml_that_loads_back() {
    // What a session in git shows: the revision file as saved by the
    // daemon loads back through the file's reader, whole.
    let Some(mut c) = console("") else { return };
    let mut osc = c.start();
    osc.send("/track/1/gain", &[Arg::F(-6.0)]);
    osc.send("/scene/save", &[Arg::S("Verse")]);
    assert!(osc.wait("/scene/saved", WAIT).is_some());
    c.ok(&[
        "revision",
        "save",
        "Mix 1 (rough)",
        "--note",
        "line one\nline two",
    ]);
    let path = c.session().join("revisions/Mix 1 (rough).yaml");
    let r = revision_file::load(&path).unwrap();
    assert_eq!(r.note, "line one\nline two");
    assert_eq!(r.values["track/1/gain"], -6.0);
    assert_eq!(r.scenes.len(), 1);
    assert_eq!(r.scenes[0].name, "Verse");
}
