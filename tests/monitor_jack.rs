//! The monitor section end to end: the daemon as a process on a real JACK
//! server (dummy driver), driven over OSC by an independent client
//! (python-osc), its outputs captured by a JACK client of the test's own.
//!
//! - each speaker set reaches only its outputs, at its trim; dim and cut
//!   levels; mono and side with a stereo signal; the master untouched;
//! - AFL and PFL leave the master output as it was while the monitor plays
//!   only the soloed track;
//! - each check's response, from a multi-tone, against its documented
//!   curve (computed independently in `support/check_curves.rs`);
//! - the reference track, played at the transport position, is within
//!   0.5 LU of the mix at the monitor;
//! - an A/B of two revisions plays each at its level on the monitor while
//!   the master keeps the live mix, switches without a click, and ends
//!   back on the mix.
#![cfg(feature = "jack")]

#[path = "support/check_curves.rs"]
mod check_curves;
mod common;
#[path = "support/jack_daemon.rs"]
mod jack_daemon;
#[path = "support/jack.rs"]
mod jack_harness;
#[path = "support/jack_multi.rs"]
mod jack_multi;
#[path = "support/osc_peer.rs"]
mod osc_peer;
#[path = "support/daemon.rs"]
mod process;

use check_curves::{documented_db, CHECKS};
use common::{assert_near, assert_silent, tone_db_over};
use jack_harness::{jackd_installed, Server, CENTRE_DB, SERIAL};
use jack_multi::{sine, tones, Multi, Signal};
use mixbridge::engine::loudness::{Channel, LoudnessMeter};
use osc_peer::{Arg, Peer};
use process::Daemon;
use std::path::Path;
use std::time::Duration;

const SR: f32 = 48_000.0;

/// Device outputs (0-based): the master 0-1, Mains 2-3, Cube 4, Far 5-6,
/// phones 7-8.
const MASTER: [usize; 2] = [0, 1];
const MAINS: [usize; 2] = [2, 3];
const PHONES: [usize; 2] = [7, 8];
const OUTPUTS: usize = 9;

const ROOM: &str = "routing:\n  outputs:\n    master: [1, 2]\nmonitor:\n  speakers:\n    - { name: Mains, output: [3, 4] }\n    - { name: Cube, output: 5, trim: -3 }\n    - { name: Far, output: [6, 7], trim: -6 }\n  phones: { output: [8, 9] }\n";

/// A session folder (`tracks` is its track list and anything after it) and
/// a config running it on JACK with the room above.
fn setup(tracks: &str) -> (tempfile::TempDir, std::path::PathBuf, u16) {
    let s = jack_daemon::setup_with(tracks, ROOM);
    (s.dir, s.config, s.port)
}

/// A running daemon with a tester on its inputs and outputs and an OSC client.
struct Room {
    _server: Server,
    _daemon: Daemon,
    tester: Multi,
    osc: Peer,
}

impl Room {
    fn start(config: &Path, port: u16, sends: Vec<Signal>) -> Room {
        let server = Server::start(256);
        let daemon = Daemon::start(config, Some(&server.name));
        let tester = Multi::connect(daemon.pid(), sends, OUTPUTS, Duration::from_secs(15));
        let osc = Peer::when_answering(port);
        Room {
            _server: server,
            _daemon: daemon,
            tester,
            osc,
        }
    }

    /// Send each message, then let every glide finish.
    fn set(&mut self, messages: &[(&str, Arg)]) {
        for (addr, arg) in messages {
            self.osc.send(addr, &[*arg]);
        }
        std::thread::sleep(Duration::from_millis(300));
    }

    fn capture(&mut self, seconds: f32) -> Vec<Vec<f32>> {
        self.tester.capture(seconds)
    }

    /// A counter of `/status`.
    fn status(&mut self, name: &str) -> f32 {
        self.osc.drain();
        self.osc.send("/status", &[]);
        self.osc
            .wait(&format!("/status/{name}"), Duration::from_secs(2))
            .unwrap_or_else(|| panic!("/status/{name}"))
            .float()
    }
}

/// The median level at `f` of 50 ms blocks (whole cycles of every tone
/// used here, so tones do not leak into each other's measurement).
fn level(x: &[f32], f: f32) -> f32 {
    let mut v: Vec<f32> = x
        .chunks_exact(2400)
        .map(|b| tone_db_over(b, f, SR))
        .collect();
    v.sort_by(f32::total_cmp);
    v[v.len() / 2]
}

fn near(got: f32, want: f32, tol: f32, what: &str) {
    assert_near(got, want, tol, what);
}

fn silent(got: f32, what: &str) {
    assert_silent(got, -100.0, what);
}

fn db(x: f32) -> f32 {
    20.0 * x.log10()
}

#[test]
fn speaker_sets_dim_cut_mono_and_side() {
    if !jackd_installed() || !osc_peer::available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (_dir, config, port) =
        setup("  - { name: Keys, channels: 2, source: { input: [1, 2] } }\n");
    // A stereo signal: one tone, louder on the left.
    let (a, b) = (0.1f32, 0.04f32);
    let mut room = Room::start(&config, port, vec![sine(1000.0, a), sine(1000.0, b)]);
    let f = 1000.0;
    type Want = [Option<f32>; OUTPUTS];
    let check = |out: &[Vec<f32>], want: &Want, when: &str| {
        for (ch, w) in want.iter().enumerate() {
            let what = format!("{when}: output {}", ch + 1);
            match w {
                Some(w) => near(level(&out[ch], f), *w, 0.1, &what),
                None => silent(level(&out[ch], f), &what),
            }
        }
    };
    let (l, r) = (db(a), db(b));
    let mono = db((a + b) / 2.0);
    let side = db((a - b) / 2.0);
    // (what, the messages, the level at each output)
    type Step<'a> = (&'a str, Vec<(&'a str, Arg<'a>)>, Want);
    let steps: Vec<Step> = vec![
        (
            "Mains",
            vec![],
            [
                Some(l),
                Some(r),
                Some(l),
                Some(r),
                None,
                None,
                None,
                Some(l),
                Some(r),
            ],
        ),
        (
            "Cube (mono, -3 dB)",
            vec![("/monitor/speakers", Arg::I(2))],
            [
                Some(l),
                Some(r),
                None,
                None,
                Some(mono - 3.0),
                None,
                None,
                Some(l),
                Some(r),
            ],
        ),
        (
            "Far (-6 dB)",
            vec![("/monitor/speakers", Arg::I(3))],
            [
                Some(l),
                Some(r),
                None,
                None,
                None,
                Some(l - 6.0),
                Some(r - 6.0),
                Some(l),
                Some(r),
            ],
        ),
        (
            "dim",
            vec![("/monitor/dim", Arg::I(1))],
            [
                Some(l),
                Some(r),
                None,
                None,
                None,
                Some(l - 26.0),
                Some(r - 26.0),
                Some(l),
                Some(r),
            ],
        ),
        (
            "dim at -10 dB",
            vec![("/monitor/dim_level", Arg::F(-10.0))],
            [
                Some(l),
                Some(r),
                None,
                None,
                None,
                Some(l - 16.0),
                Some(r - 16.0),
                Some(l),
                Some(r),
            ],
        ),
        (
            "cut",
            vec![("/monitor/cut", Arg::T)],
            [
                Some(l),
                Some(r),
                None,
                None,
                None,
                None,
                None,
                Some(l),
                Some(r),
            ],
        ),
        (
            "mono on the Mains",
            vec![
                ("/monitor/cut", Arg::F0),
                ("/monitor/dim", Arg::I(0)),
                ("/monitor/speakers", Arg::I(1)),
                ("/monitor/mono", Arg::I(1)),
            ],
            [
                Some(l),
                Some(r),
                Some(mono),
                Some(mono),
                None,
                None,
                None,
                Some(mono),
                Some(mono),
            ],
        ),
        (
            "side",
            vec![("/monitor/side", Arg::I(1))],
            [
                Some(l),
                Some(r),
                Some(side),
                Some(side),
                None,
                None,
                None,
                Some(side),
                Some(side),
            ],
        ),
        (
            "monitor level -10 dB, phones -4 dB",
            vec![
                ("/monitor/side", Arg::I(0)),
                ("/monitor/mono", Arg::I(0)),
                ("/monitor/level", Arg::F(-10.0)),
                ("/monitor/phones/level", Arg::F(-4.0)),
            ],
            [
                Some(l),
                Some(r),
                Some(l - 10.0),
                Some(r - 10.0),
                None,
                None,
                None,
                Some(l - 4.0),
                Some(r - 4.0),
            ],
        ),
    ];
    for (when, messages, want) in &steps {
        room.set(messages);
        let out = room.capture(0.6);
        check(&out, want, when);
    }
    // The stereo signal's polarity survives where it should: side plays
    // L - R, so with L louder it is in phase with L.
    room.set(&[
        ("/monitor/level", Arg::F(0.0)),
        ("/monitor/side", Arg::I(1)),
    ]);
    let out = room.capture(0.3);
    let dot: f32 = out[MASTER[0]]
        .iter()
        .zip(&out[MAINS[1]])
        .map(|(x, y)| x * y)
        .sum();
    assert!(dot > 0.0, "side is in phase with the louder left");
}

#[test]
fn afl_and_pfl_leave_the_master_untouched() {
    if !jackd_installed() || !osc_peer::available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (_dir, config, port) = setup(
        "  - { name: Keys, channels: 2, source: { input: [1, 2] } }\n  - { name: Vox, source: { input: 3 } }\nmix:\n  track/2/gain: -6\n",
    );
    let amp = 0.1f32;
    let mut room = Room::start(
        &config,
        port,
        vec![sine(1000.0, amp), sine(1000.0, amp), sine(2000.0, amp)],
    );
    let input = db(amp);
    let out = room.capture(0.6);
    let master = |out: &[Vec<f32>]| [1000.0, 2000.0].map(|f| MASTER.map(|c| level(&out[c], f)));
    let before = master(&out);
    near(before[0][0], input, 0.1, "Keys on the master");
    near(
        before[1][0],
        input + CENTRE_DB - 6.0,
        0.1,
        "Vox on the master",
    );

    for (mode, vox) in [("pfl", input + CENTRE_DB), ("afl", input + CENTRE_DB - 6.0)] {
        room.set(&[
            ("/monitor/solo/mode", Arg::S(mode)),
            ("/track/2/solo", Arg::I(1)),
        ]);
        let out = room.capture(0.6);
        let now = master(&out);
        for (k, f) in [1000, 2000].iter().enumerate() {
            for side in 0..2 {
                near(
                    now[k][side],
                    before[k][side],
                    0.05,
                    &format!("{mode}: master at {f} Hz"),
                );
            }
        }
        for c in MAINS.into_iter().chain(PHONES) {
            near(
                level(&out[c], 2000.0),
                vox,
                0.1,
                &format!("{mode}: Vox on output {}", c + 1),
            );
            silent(
                level(&out[c], 1000.0),
                &format!("{mode}: Keys on output {}", c + 1),
            );
        }
    }
    // Solo in place changes the master, as it always has.
    room.set(&[("/monitor/solo/mode", Arg::S("sip"))]);
    let out = room.capture(0.6);
    silent(level(&out[MASTER[0]], 1000.0), "sip: Keys on the master");
    near(
        level(&out[MAINS[0]], 2000.0),
        before[1][0],
        0.1,
        "sip: the monitor plays the master",
    );
}

/// Whole multiples of 20 Hz: whole cycles in every 50 ms block.
const FREQS: [f32; 11] = [
    60.0, 120.0, 240.0, 500.0, 1000.0, 2000.0, 3000.0, 5000.0, 8000.0, 12_000.0, 16_000.0,
];

#[test]
fn each_check_follows_its_documented_curve() {
    if !jackd_installed() || !osc_peer::available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (_dir, config, port) =
        setup("  - { name: Keys, channels: 2, source: { input: [1, 2] } }\n");
    let amp = 0.02;
    let mut room = Room::start(&config, port, vec![tones(&FREQS, amp), tones(&FREQS, amp)]);
    let off = room.capture(0.5);
    for check in CHECKS {
        room.set(&[("/monitor/check", Arg::S(check))]);
        let out = room.capture(0.5);
        for f in FREQS {
            let master = level(&out[MASTER[0]], f);
            near(
                master,
                level(&off[MASTER[0]], f),
                0.05,
                &format!("{check}: the master at {f} Hz"),
            );
            let want = documented_db(check, f as f64) as f32;
            for c in MAINS {
                let got = level(&out[c], f) - master;
                let tol = if want > -60.0 { 0.1 } else { 1.0 };
                near(
                    got,
                    want,
                    tol,
                    &format!("{check} at {f} Hz, output {}", c + 1),
                );
            }
        }
    }
}

/// Deterministic noise of `rms` (uniform, so peak = rms * sqrt 3).
fn noise(frames: usize, rms: f32, seed: u64) -> Vec<f32> {
    let mut s = seed;
    let k = rms * 3f32.sqrt();
    (0..frames)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            k * ((s >> 40) as f32 / (1u64 << 23) as f32 - 1.0)
        })
        .collect()
}

fn lufs(l: &[f32], r: &[f32]) -> f32 {
    let mut m = LoudnessMeter::new(SR, Channel::STEREO);
    m.process(&[l, r]);
    m.integrated()
}

#[test]
fn the_reference_is_loudness_matched_at_the_transport_position() {
    if !jackd_installed() || !osc_peer::available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (dir, config, port) =
        setup("  - { name: Song, channels: 2, source: { file: song.wav } }\n");
    // The mix: noise at -30 dBFS RMS. The reference: louder tones and
    // noise of another spectrum, at 44.1 kHz (resampled when loaded).
    let frames = 48_000 * 30;
    let song = mixbridge::audio_file::Audio {
        sample_rate: 48_000,
        channels: vec![noise(frames, 0.03, 1), noise(frames, 0.03, 2)],
    };
    let session = dir.path().join("session");
    mixbridge::audio_file::write_wav(
        &session.join("song.wav"),
        &song,
        mixbridge::audio_file::SampleFormat::Float32,
    )
    .unwrap();
    std::fs::create_dir(session.join("references")).unwrap();
    let rf = 44_100 * 30;
    let beat: Vec<f32> = (0..rf)
        .map(|i| 0.2 * (std::f32::consts::TAU * 220.0 * i as f32 / 44_100.0).sin())
        .zip(noise(rf, 0.1, 3))
        .map(|(a, b)| a + b)
        .collect();
    let reference = mixbridge::audio_file::Audio {
        sample_rate: 44_100,
        channels: vec![beat.clone(), beat],
    };
    mixbridge::audio_file::write_wav(
        &session.join("references/ref.wav"),
        &reference,
        mixbridge::audio_file::SampleFormat::Float32,
    )
    .unwrap();
    let own = lufs(&reference.channels[0], &reference.channels[1]);

    let mut room = Room::start(&config, port, vec![]);
    let t = std::time::Instant::now();
    while room.status("sources/loading") != 0.0 || room.status("monitor/reference/loaded") != 1.0 {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "the files did not load"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    room.set(&[("/transport/play", Arg::I(1))]);
    std::thread::sleep(Duration::from_secs(2));
    let mix = room.capture(4.0);
    room.set(&[("/monitor/reference", Arg::I(1))]);
    let heard = room.capture(4.0);
    let (mix_lufs, ref_lufs) = (
        lufs(&mix[MAINS[0]], &mix[MAINS[1]]),
        lufs(&heard[MAINS[0]], &heard[MAINS[1]]),
    );
    assert!(
        (own - mix_lufs).abs() > 6.0,
        "the reference ({own:.1} LUFS) is far louder than the mix ({mix_lufs:.1} LUFS) as it is"
    );
    assert!(
        (ref_lufs - mix_lufs).abs() < 0.5,
        "the reference at {ref_lufs:.2} LUFS, the mix at {mix_lufs:.2} LUFS"
    );
    // The master plays the mix meanwhile; the reference plays at the
    // transport position, so it is not silent.
    let master = lufs(&heard[MASTER[0]], &heard[MASTER[1]]);
    assert!(
        (master - mix_lufs).abs() < 0.5,
        "the master: {master:.2} LUFS"
    );
    let gain = room.status("monitor/reference/gain");
    assert!(
        (gain - (mix_lufs - own)).abs() < 0.5,
        "the match gain {gain:.2} dB"
    );
    room.set(&[("/transport/stop", Arg::I(1))]);
    let stopped = room.capture(0.5);
    silent(
        level(&stopped[MAINS[0]], 220.0),
        "the reference while stopped",
    );
}

/// Send one OSC message from a socket of its own (not the peer, which the
/// test thread holds), after `after`.
fn send_later(
    port: u16,
    addr: &'static str,
    arg: &'static str,
    after: Duration,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        std::thread::sleep(after);
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let packet = rosc::encoder::encode(&rosc::OscPacket::Message(rosc::OscMessage {
            addr: addr.into(),
            args: vec![rosc::OscType::String(arg.into())],
        }))
        .unwrap();
        socket.send_to(&packet, ("127.0.0.1", port)).unwrap();
    })
}

#[test]
fn an_ab_of_two_revisions_plays_on_the_monitor_and_leaves_the_mix() {
    if !jackd_installed() || !osc_peer::available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (dir, config, port) = setup("  - { name: Vox, source: { file: vox.wav } }\n");
    let frames = 48_000 * 30;
    let vox = mixbridge::audio_file::Audio {
        sample_rate: 48_000,
        channels: vec![(0..frames)
            .map(|i| 0.1 * (std::f32::consts::TAU * 1000.0 * i as f32 / 48_000.0).sin())
            .collect()],
    };
    mixbridge::audio_file::write_wav(
        &dir.path().join("session/vox.wav"),
        &vox,
        mixbridge::audio_file::SampleFormat::Float32,
    )
    .unwrap();
    // The 1 kHz level of `x` is `want` dB.
    let hear = |x: &[f32], want: f32, what: &str| near(level(x, 1000.0), want, 0.1, what);
    let mut room = Room::start(&config, port, vec![]);
    let t = std::time::Instant::now();
    while room.status("sources/loading") != 0.0 {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "the file did not load"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // v1: the vocal at -20 dB, v2 at -10 dB; the live mix at -30 dB.
    room.osc.send("/subscribe", &[]);
    for (gain, name) in [(-20.0, "v1"), (-10.0, "v2")] {
        room.set(&[("/track/1/gain", Arg::F(gain))]);
        room.osc.send("/revision/save", &[Arg::S(name)]);
        assert!(room
            .osc
            .wait("/revision/saved", Duration::from_secs(2))
            .is_some());
    }
    room.set(&[
        ("/track/1/gain", Arg::F(-30.0)),
        ("/transport/play", Arg::I(1)),
    ]);
    let mix = room.capture(1.0);
    let (master, mains) = (
        level(&mix[MASTER[0]], 1000.0),
        level(&mix[MAINS[0]], 1000.0),
    );
    near(mains, master, 0.1, "the monitor plays the mix");

    room.osc.drain();
    room.osc.send("/revision/ab", &[Arg::S("v1"), Arg::S("v2")]);
    let t = std::time::Instant::now();
    loop {
        let m = room
            .osc
            .wait("/revision/ab/state", Duration::from_secs(10))
            .expect("an A/B state");
        if m.string() == "playing" {
            break;
        }
        assert_eq!(m.string(), "bouncing", "{:?}", m.args);
        room.osc.drain();
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "the bounces never finished"
        );
    }
    std::thread::sleep(Duration::from_millis(100));
    let a = room.capture(1.0);
    hear(&a[MASTER[0]], master, "A: the master keeps the live mix");
    hear(&a[MAINS[0]], master + 10.0, "A: the monitor plays v1");

    // The switch, half way through a capture: no click.
    let switch = send_later(port, "/revision/ab/select", "B", Duration::from_millis(500));
    let b = room.capture(1.5);
    switch.join().unwrap();
    let heard = &b[MAINS[0]];
    let tail = &heard[heard.len() - 24_000..];
    hear(tail, master + 20.0, "B: the monitor plays v2");
    hear(
        &b[MASTER[0]][heard.len() - 24_000..],
        master,
        "B: the master keeps the live mix",
    );
    hear(&heard[..12_000], master + 10.0, "A before the switch");
    let step = common::max_step(heard);
    let steady = common::max_step(tail);
    assert!(
        step <= 1.02 * steady,
        "the switch clicks: a step of {step} against {steady} of B alone"
    );

    room.osc.drain();
    room.osc.send("/revision/ab/off", &[]);
    assert_eq!(
        room.osc
            .wait("/revision/ab/state", Duration::from_secs(2))
            .map(|m| m.string().to_string()),
        Some("off".to_string())
    );
    std::thread::sleep(Duration::from_millis(300));
    let back = room.capture(1.0);
    hear(
        &back[MAINS[0]],
        master,
        "off: the monitor plays the mix again",
    );
}
