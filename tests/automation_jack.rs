//! Automation end to end: the daemon as a process on a real JACK server
//! (dummy driver), a tablet-style OSC client (python-osc), an emulated
//! Mackie Control on JACK MIDI, lanes as files on disk, the output
//! measured by a JACK tester.
//!
//! - the tablet writes a touch pass; on playback the Mackie's motor fader
//!   follows it and so does the sound; a Mackie touch takes over and its
//!   release glides back;
//! - the Mackie writes latch and write passes; the tablet's feedback
//!   follows them on playback; a pass is undone;
//! - each surface records a pass in touch, latch and write;
//! - a trim pass adds its offset; a render of the session matches what the
//!   live pass sounded like.
#![cfg(all(feature = "jack", feature = "jack-midi"))]

mod common;
#[path = "support/jack_daemon.rs"]
mod jack_daemon;
#[path = "support/jack.rs"]
mod jack_harness;
#[path = "support/midi_peer.rs"]
mod midi_peer;
#[path = "support/osc_peer.rs"]
mod osc_peer;
#[path = "support/daemon.rs"]
mod process;

use common::tone_db;
use jack_daemon::*;
use jack_harness::*;
use midi_peer::MidiPeer;
use mixbridge::audio_file::{self, write_wav, Audio, SampleFormat};
use mixbridge::automation::file;
use mixbridge::engine::automation::Lane;
use mixbridge::params::{BusEffect, Layout, Param, ParamId, Registry};
use osc_peer::{Arg, Peer};
use process::Daemon;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);
/// The file source: a 1 kHz tone at this level, panned centre.
const FILE_DB: f32 = -20.0;
/// How closely the output follows a lane, in dB.
const LEVEL_TOLERANCE: f32 = 0.5;

/// A JACK server and the daemon on a session of a file-sourced track
/// (`Tone`) and a muted input track, with an emulated Mackie on `mcu`;
/// `lanes` are written into the session's automation folder first.
/// Fields drop in order: the clients before the daemon, the daemon before
/// the JACK server, and the server before the next test may start one.
struct Rig {
    tablet: Peer,
    mackie: MidiPeer,
    tester: Tester,
    daemon: Daemon,
    setup: Setup,
    /// What the tablet received while the test asked it for the position.
    seen: Vec<osc_peer::Msg>,
    _server: Server,
    _serial: std::sync::MutexGuard<'static, ()>,
}

fn rig(lanes: &[(&str, &str)]) -> Option<Rig> {
    if !jackd_installed() || !osc_peer::available() {
        return None;
    }
    let serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let server = Server::start(256);
    let s = setup(
        "  - { name: Tone, source: { file: tone.wav } }\n  - { name: Live, source: { input: 1 } }\nmix:\n  track/2/mute: 1\n",
    );
    let session = s.dir.path().join("session");
    let tone: Vec<f32> = common::tone(1000.0, FILE_DB, 30.0, SR);
    let audio = Audio {
        sample_rate: 48_000,
        channels: vec![tone],
    };
    write_wav(&session.join("tone.wav"), &audio, SampleFormat::Float32).unwrap();
    for (name, text) in lanes {
        std::fs::create_dir_all(session.join("automation")).unwrap();
        std::fs::write(session.join("automation").join(name), text).unwrap();
    }
    let text = format!(
        "{}surfaces:\n  - {{ mapping: mackie-control, input: \"mcu:out\", output: \"mcu:in\" }}\n",
        s.text
    );
    std::fs::write(&s.config, &text).unwrap();
    let mackie = MidiPeer::plug("mcu");
    let daemon = Daemon::start(&s.config, Some(&server.name));
    let tester = connect(&daemon, Duration::from_secs(15));
    // The Mackie answers the handshake; the tablet subscribes.
    assert!(
        mackie.first(WAIT, |_| true).is_some(),
        "the daemon wakes the surface"
    );
    mackie.send(&[
        0xF0, 0x00, 0x00, 0x66, 0x14, 0x01, 1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 0xF7,
    ]);
    let mut tablet = Peer::start(s.port);
    tablet.send("/subscribe", &[]);
    assert!(tablet.wait("/subscribed", WAIT).is_some());
    // The tone plays once the daemon has loaded it.
    let loaded = Instant::now();
    while tablet.status().get("sources/loading") != Some(&0.0) {
        assert!(loaded.elapsed() < WAIT, "the file source never loaded");
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    mackie.drain();
    tablet.drain();
    Some(Rig {
        _serial: serial,
        _server: server,
        setup: s,
        daemon,
        tester,
        mackie,
        tablet,
        seen: Vec::new(),
    })
}

impl Rig {
    fn lane_file(&self) -> PathBuf {
        self.setup
            .dir
            .path()
            .join("session/automation/track-1-gain.yaml")
    }

    /// The lane of track 1's fader as saved, once a save newer than `since` lands.
    fn lane(&self, since: Option<std::time::SystemTime>) -> Lane {
        let registry = Registry::new(Layout {
            tracks: 2,
            buses: Vec::<BusEffect>::new(),
        });
        let t = Instant::now();
        loop {
            let fresh = std::fs::metadata(self.lane_file())
                .and_then(|m| m.modified())
                .is_ok_and(|m| since.is_none_or(|s| m > s));
            if fresh {
                let f = file::load(&self.lane_file(), &registry).unwrap();
                assert_eq!(f.id, ParamId::track(0, Param::Gain));
                return f.lane;
            }
            assert!(t.elapsed() < WAIT, "no lane saved");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn modified(&self) -> Option<std::time::SystemTime> {
        std::fs::metadata(self.lane_file())
            .and_then(|m| m.modified())
            .ok()
    }

    /// Locate to the start and play; returns once the daemon reports the
    /// new position (until then it truthfully reports the old one).
    fn play_from_start(&mut self) {
        let was = self.position();
        // Renew the subscription (it lasts 10 s).
        self.tablet.send("/subscribe", &[]);
        self.tablet.send("/transport/locate", &[Arg::F(0.0)]);
        self.tablet.send("/transport/play", &[]);
        let t = Instant::now();
        while was > 0.1 && self.position() >= was {
            assert!(t.elapsed() < WAIT, "the transport never left {was} s");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn stop(&mut self) {
        self.tablet.send("/transport/stop", &[]);
    }

    fn position(&mut self) -> f32 {
        let before = self.tablet.drain();
        self.seen.extend(before);
        self.tablet.send("/transport/position", &[]);
        self.tablet
            .wait("/transport/position", WAIT)
            .expect("the position")
            .float()
    }

    /// Everything the tablet received since the last call.
    fn received(&mut self) -> Vec<osc_peer::Msg> {
        let mut all = std::mem::take(&mut self.seen);
        all.extend(self.tablet.drain());
        all
    }

    /// Sleep until the transport reaches `seconds`.
    fn until(&mut self, seconds: f32) {
        let t = Instant::now();
        while self.position() < seconds {
            assert!(
                t.elapsed() < WAIT,
                "the transport did not reach {seconds} s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The median 1 kHz level of the left output over `seconds` from now.
    fn level(&mut self, seconds: f32) -> f32 {
        level_over(&mut self.tester, seconds)
    }

    fn assert_level(&mut self, fader_db: f32, when: &str) {
        let got = self.level(0.3);
        let want = FILE_DB + CENTRE_DB + fader_db;
        assert!(
            (got - want).abs() < LEVEL_TOLERANCE,
            "{when}: {got:.2} dB, want {want:.2} dB"
        );
    }

    /// The Mackie's fader 1 positions received, in order.
    fn motor_moves(&self, within: Duration) -> Vec<f32> {
        self.mackie
            .collect(within)
            .iter()
            .filter(|m| m.len() == 3 && m[0] == 0xE0)
            .map(|m| (u16::from(m[1]) | u16::from(m[2]) << 7) as f32 / 16383.0)
            .collect()
    }

    fn mackie_fader(&self, pos: f32) {
        let v = (pos * 16383.0).round() as u16;
        self.mackie.send(&[0xE0, (v & 0x7F) as u8, (v >> 7) as u8]);
    }

    fn mackie_touch(&self, on: bool) {
        self.mackie
            .send(&[0x90, 0x68, if on { 0x7F } else { 0x00 }]);
    }

    /// Touch the fader of track 1 on `surface` ("tablet" or "mackie") and
    /// put it at `pos`.
    fn grab(&mut self, surface: &str, pos: f32) {
        match surface {
            "tablet" => {
                self.tablet.send("/track/1/fader/z", &[Arg::F(1.0)]);
                self.tablet.send("/track/1/fader", &[Arg::F(pos)]);
            }
            _ => {
                self.mackie_touch(true);
                self.mackie_fader(pos);
            }
        }
    }

    fn let_go(&mut self, surface: &str) {
        match surface {
            "tablet" => self.tablet.send("/track/1/fader/z", &[Arg::F(0.0)]),
            _ => self.mackie_touch(false),
        }
    }

    fn mackie_button(&self, note: u8) {
        self.mackie.send(&[0x90, note, 0x7F]);
        self.mackie.send(&[0x90, note, 0x00]);
    }
}

/// Track 1's fader lane at -20 dB, for passes to start from and touch
/// passes to return to.
const LANE_AT_MINUS_20: (&str, &str) = (
    "track-1-gain.yaml",
    "path: track/1/gain\npoints:\n  - [0, -20]\n  - [30, -20]\n",
);

/// The fader law: a normalized position in dB.
fn fader_db(pos: f32) -> f32 {
    mixbridge::params::fader_law::to_db(mixbridge::units::FaderPos(pos)).0
}

fn db(lane: &Lane, t: f64) -> f32 {
    lane.value_at(t).unwrap()
}

#[test]
fn a_tablet_pass_in_touch_plays_back_on_the_mackie_and_a_touch_takes_over() {
    let Some(mut r) = rig(&[]) else { return };
    r.tablet.send("/track/1/automation", &[Arg::S("touch")]);
    r.play_from_start();
    r.until(0.4);
    // Touch, ride from 0 dB down to -10 dB in half a second, hold, let go.
    r.tablet.send("/track/1/fader/z", &[Arg::F(1.0)]);
    let ramp_from = r.position() as f64;
    let moves = 21;
    for k in 0..moves {
        r.tablet
            .send("/track/1/fader", &[Arg::F(0.75 - 0.25 * k as f32 / 20.0)]);
        std::thread::sleep(Duration::from_millis(25));
    }
    // Hold for a second (timed from where the ride really ended), let go.
    let ride_end = r.position() as f64;
    r.until(ride_end as f32 + 1.0);
    r.tablet.send("/track/1/fader/z", &[Arg::F(0.0)]);
    r.until(ride_end as f32 + 1.6);
    r.stop();

    // The lane holds the moves: unity before, -10 dB on the hold, within
    // the thinning tolerance (0.1 dB there), in fewer breakpoints than moves.
    let lane = r.lane(None);
    assert!(
        lane.points().len() < moves,
        "{} breakpoints",
        lane.points().len()
    );
    assert!(db(&lane, 0.1).abs() < 0.1, "{}", db(&lane, 0.1));
    for t in [ride_end + 0.2, ride_end + 0.5, ride_end + 0.8] {
        assert!(
            (db(&lane, t) + 10.0).abs() < 0.1,
            "at {t}: {}",
            db(&lane, t)
        );
    }
    let mid = db(&lane, (ramp_from + ride_end) / 2.0);
    assert!(mid < -1.0 && mid > -9.0, "mid-ride {mid}");

    // Playback in read: the Mackie's motor fader rides down to -10 dB
    // (0.5 on the fader law), and the sound follows the lane.
    r.tablet.send("/track/1/automation", &[Arg::S("read")]);
    r.mackie.drain();
    r.play_from_start();
    r.until(ride_end as f32 + 0.3);
    r.assert_level(-10.0, "playback on the hold");
    let moves = r.motor_moves(Duration::from_millis(300));
    let all: Vec<f32> = moves.clone();
    assert!(
        all.iter().any(|p| (p - 0.5).abs() < 0.005),
        "the motor reaches 0.5: {all:?}"
    );
    assert!(
        all.iter().any(|p| *p > 0.6),
        "the motor rode down from unity: {all:?}"
    );

    // Touch mode: the Mackie takes over on the hold, and glides back on release.
    r.stop();
    r.tablet.send("/track/1/automation", &[Arg::S("touch")]);
    r.play_from_start();
    r.until(ride_end as f32 + 0.1);
    r.mackie_touch(true);
    r.mackie_fader(0.25);
    std::thread::sleep(Duration::from_millis(200));
    r.assert_level(-30.0, "touched");
    r.mackie_touch(false);
    std::thread::sleep(Duration::from_millis(400));
    r.assert_level(-10.0, "released: back on the lane");
    r.stop();
    drop(r.daemon);
}

#[test]
fn mackie_passes_in_latch_and_write_reach_the_tablet_and_undo() {
    let Some(mut r) = rig(&[]) else { return };
    // Select strip 1, press LATCH: track 1 latches.
    r.mackie_button(0x18);
    r.mackie_button(0x4E);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(r.tablet.query("/track/1/automation").float(), 3.0, "latch");
    r.play_from_start();
    r.until(0.3);
    r.mackie_touch(true);
    for k in 0..=10 {
        r.mackie_fader(0.75 - 0.025 * k as f32);
        std::thread::sleep(Duration::from_millis(30));
    }
    r.mackie_touch(false);
    let released_at = r.position() as f64;
    r.until(released_at as f32 + 1.4);
    r.stop();
    let lane = r.lane(None);
    let saved = r.modified();
    // Latched: the last value holds from the release until the stop.
    for t in [released_at + 0.3, released_at + 0.7, released_at + 1.1] {
        assert!(
            (db(&lane, t) + 10.0).abs() < 0.1,
            "at {t}: {}",
            db(&lane, t)
        );
    }
    assert!(db(&lane, 0.1).abs() < 0.1);

    // Read: the tablet is fed the ride.
    r.mackie_button(0x4A);
    std::thread::sleep(Duration::from_millis(100));
    r.received();
    r.play_from_start();
    r.until(1.2);
    let received = r.received();
    let fed: Vec<f32> = received
        .iter()
        .filter(|m| m.addr == "/track/1/fader")
        .map(|m| m.float())
        .collect();
    let heard: std::collections::BTreeSet<&str> =
        received.iter().map(|m| m.addr.as_str()).collect();
    assert!(
        fed.iter().any(|p| (p - 0.5).abs() < 0.005),
        "{fed:?} of {heard:?}"
    );
    assert!(fed.iter().any(|p| *p > 0.6), "{fed:?}");
    r.stop();

    // Write: the whole pass is overwritten with where the fader is put.
    r.mackie_button(0x4B);
    std::thread::sleep(Duration::from_millis(100));
    r.play_from_start();
    r.until(0.2);
    r.mackie_touch(true);
    r.mackie_fader(0.625);
    r.mackie_touch(false);
    r.until(2.2);
    r.stop();
    let lane = r.lane(saved);
    for t in [0.5, 1.0, 1.9] {
        assert!(
            (db(&lane, t) + 5.0).abs() < 0.1,
            "written at {t}: {}",
            db(&lane, t)
        );
    }
    let saved = r.modified();

    // Undo puts the latch pass back.
    r.tablet.send("/automation/undo", &[]);
    let lane = r.lane(saved);
    assert!((db(&lane, 1.5) + 10.0).abs() < 0.1, "{}", db(&lane, 1.5));
}

#[test]
fn trim_adds_its_offset_and_a_render_matches_the_live_pass() {
    let lane = "path: track/1/gain\npoints:\n  - [0, -10]\n  - [20, -10]\n";
    let Some(mut r) = rig(&[("track-1-gain.yaml", lane)]) else {
        return;
    };
    r.tablet.send("/track/1/automation", &[Arg::S("trim")]);
    let before = r.modified();
    r.play_from_start();
    r.until(0.5);
    r.assert_level(-10.0, "the lane plays in trim");
    // The tablet sees -10 dB; moving it to -4 dB is a +6 dB offset.
    r.tablet.send("/track/1/gain/z", &[Arg::F(1.0)]);
    r.tablet.send("/track/1/gain", &[Arg::F(-4.0)]);
    let from = r.position() as f64;
    std::thread::sleep(Duration::from_millis(300));
    r.assert_level(-4.0, "trimmed");
    r.until(from as f32 + 1.5);
    r.tablet.send("/track/1/gain/z", &[Arg::F(0.0)]);
    let to = r.position() as f64;
    r.until(to as f32 + 1.0);
    r.assert_level(-10.0, "released: the offset is gone");
    r.stop();
    let lane = r.lane(before);
    let trimmed = (from + to) / 2.0;
    assert!(
        (db(&lane, trimmed) + 4.0).abs() < 0.1,
        "{}",
        db(&lane, trimmed)
    );
    assert!((db(&lane, 0.2) + 10.0).abs() < 0.1);
    assert!((db(&lane, to + 0.8) + 10.0).abs() < 0.1);

    // The live pass in read, measured where it was trimmed and after.
    r.tablet.send("/track/1/automation", &[Arg::S("read")]);
    r.play_from_start();
    r.until(trimmed as f32 - 0.2);
    let live_trimmed = r.level(0.4);
    r.until(to as f32 + 0.6);
    let live_after = r.level(0.4);
    r.stop();

    // The render, at the same places.
    let out = r.setup.dir.path().join("render.wav");
    let session = r.setup.dir.path().join("session");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_mixbridge"))
        .args([
            "render",
            session.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--format",
            "float",
        ])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let rendered = audio_file::read(&out).unwrap();
    let at = |t: f64| {
        let i = (t * 48_000.0) as usize;
        tone_db(&rendered.channels[0][i - 4800..i + 4800], 1000.0, SR)
    };
    let (render_trimmed, render_after) = (at(trimmed), at(to + 0.8));
    assert!(
        (render_trimmed - live_trimmed).abs() < LEVEL_TOLERANCE,
        "trimmed: render {render_trimmed:.2} dB, live {live_trimmed:.2} dB"
    );
    assert!(
        (render_after - live_after).abs() < LEVEL_TOLERANCE,
        "after: render {render_after:.2} dB, live {live_after:.2} dB"
    );
}

/// Each surface records a pass in each writing mode: the tablet (OSC fader
/// with `/z` touch) and the Mackie (fader with touch), in touch, latch and
/// write. Each pass moves the fader to its own level; the lane then holds
/// it where the mode says: while touched, then back on the old lane (touch), from the move to the stop
/// (latch), from the start to the stop (write, which holds the value it
/// starts with until the move).
#[test]
fn both_surfaces_record_in_touch_latch_and_write() {
    let Some(mut r) = rig(&[LANE_AT_MINUS_20]) else {
        return;
    };
    let passes = [
        ("tablet", "touch", 0.70),
        ("tablet", "latch", 0.65),
        ("tablet", "write", 0.60),
        ("mackie", "touch", 0.55),
        ("mackie", "latch", 0.50),
        ("mackie", "write", 0.45),
    ];
    for (surface, mode, pos) in passes {
        let want = fader_db(pos);
        r.tablet.send("/track/1/automation", &[Arg::S(mode)]);
        let before = r.modified();
        r.play_from_start();
        r.until(0.5);
        let touched_at = r.position() as f64;
        r.grab(surface, pos);
        r.until(1.2);
        let released_at = r.position() as f64;
        r.let_go(surface);
        // Stop a second after the release, however late the release came.
        r.until(released_at as f32 + 1.0);
        r.stop();
        let lane = r.lane(before);
        let held = db(&lane, (touched_at + released_at) / 2.0);
        assert!(
            (held - want).abs() < 0.1,
            "{surface} {mode}: {held:.2} dB while touched, moved to {want:.2}"
        );
        let after = db(&lane, released_at + 0.5);
        match mode {
            "touch" => assert!(
                (after - want).abs() > 0.5,
                "{surface} touch: still {after:.2} dB after release"
            ),
            _ => assert!(
                (after - want).abs() < 0.1,
                "{surface} {mode}: {after:.2} dB after release"
            ),
        }
        if mode == "write" {
            // Written from the start: the value the fader held until the move.
            let (a, b) = (db(&lane, 0.05), db(&lane, touched_at - 0.05));
            assert!(
                (a - b).abs() < 0.1,
                "{surface} write: {a:.2} dB at the start, {b:.2} dB before the move"
            );
        }
    }
}

/// A fader already in the hand when playback starts writes what it holds
/// from where playback began: a write pass does not begin from the lane,
/// and the motor fader and the sound are not pulled back to it.
#[test]
fn a_fader_held_as_playback_starts_writes_what_it_holds() {
    let Some(mut r) = rig(&[LANE_AT_MINUS_20]) else {
        return;
    };
    let passes = [
        ("tablet", "write", 0.60),
        ("mackie", "write", 0.45),
        ("tablet", "touch", 0.55),
    ];
    for (surface, mode, pos) in passes {
        let want = fader_db(pos);
        r.tablet.send("/track/1/automation", &[Arg::S(mode)]);
        let before = r.modified();
        // Grabbed and moved while stopped, then play.
        r.grab(surface, pos);
        std::thread::sleep(Duration::from_millis(200));
        r.received();
        r.play_from_start();
        r.until(0.6);
        r.assert_level(want, &format!("{surface} {mode}: the held fader plays"));
        let pulled: Vec<f32> = r
            .received()
            .iter()
            .filter(|m| m.addr == "/track/1/fader")
            .map(|m| m.float())
            .filter(|p| (p - pos).abs() > 0.005)
            .collect();
        assert!(
            pulled.is_empty(),
            "{surface} {mode}: the tablet was shown {pulled:?} while {pos} was held"
        );
        r.let_go(surface);
        let released_at = r.position() as f64;
        r.until(released_at as f32 + 0.5);
        r.stop();
        let lane = r.lane(before);
        let written: &[f64] = match mode {
            "write" => &[0.0, 0.3, released_at + 0.3],
            _ => &[0.0, 0.3],
        };
        for &t in written {
            assert!(
                (db(&lane, t) - want).abs() < 0.1,
                "{surface} {mode}: {:.2} dB written at {t:.2} s, held {want:.2}",
                db(&lane, t)
            );
        }
    }
}
