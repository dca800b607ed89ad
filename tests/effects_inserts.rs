//! The insert effects (drive, modulation, pitch) inside the engine, on mono
//! and stereo tracks and on buses: off is an exact bypass, each one does its
//! job where the signal flow puts it, switches and type changes do not
//! click, the block size changes nothing, and a render keeps tracks aligned
//! around a pitch shifter's latency. The processors' own measurements
//! against references are in their modules (`src/engine/dsp/drive.rs`,
//! `modulation.rs`, `pitch.rs`).

mod common;
use common::*;
use mixbridge::audio_file::{write_wav, Audio, SampleFormat};
use mixbridge::render;
use mixbridge::session::Session;

const F: f32 = 1000.0;

fn run_tone(rig: &mut Rig, freq: f32, db: f32, seconds: f32) -> Vec<Vec<f32>> {
    let x = tone(freq, db, seconds, SR);
    rig.run(&vec![x; rig.inputs()])
}

/// Switching every insert on and back off leaves the same bits as never
/// touching them: an insert that is off is not in the path.
#[test]
fn inserts_that_are_off_are_an_exact_bypass() {
    let fresh = || {
        let mut rig = Rig::new(&[MONO, STEREO], &[AUX]);
        // The limiter's release would still be returning from what the
        // louder effects made it do.
        rig.set("master/limiter/on", 0.0);
        rig.set("track/1/send/1/level", -6.0);
        rig.set("track/2/send/1/level", -6.0);
        rig
    };
    let mut reference = fresh();
    reference.idle(0.6);
    let want = run_tone(&mut reference, F, -12.0, 0.2);

    let mut rig = fresh();
    let owners = ["track/1", "track/2", "bus/1"];
    for o in owners {
        rig.set(&format!("{o}/drive/on"), 1.0);
        rig.set(&format!("{o}/mod/on"), 1.0);
    }
    rig.set("track/1/pitch/on", 1.0);
    rig.set("track/2/pitch/on", 1.0);
    rig.set("track/1/pitch/semitones", 5.0);
    run_tone(&mut rig, 300.0, -6.0, 0.2);
    for o in owners {
        rig.set(&format!("{o}/drive/on"), 0.0);
        rig.set(&format!("{o}/mod/on"), 0.0);
    }
    rig.set("track/1/pitch/on", 0.0);
    rig.set("track/2/pitch/on", 0.0);
    rig.idle(0.2);
    let got = run_tone(&mut rig, F, -12.0, 0.2);
    for (c, (a, b)) in want.iter().zip(&got).enumerate() {
        assert_eq!(a, b, "output {c}");
    }
}

/// The fundamental and harmonics of a 1 kHz tone at the master (left).
fn harmonics(out: &[Vec<f32>]) -> [f32; 4] {
    std::array::from_fn(|k| tone_db(&out[0], F * (k + 1) as f32, SR))
}

#[test]
fn drive_adds_harmonics_on_tracks_and_buses() {
    for (kind, path, track) in [
        ("mono track", "track/1", MONO),
        ("stereo track", "track/1", STEREO),
    ] {
        let mut rig = Rig::new(&[track], &[]);
        let clean = harmonics(&run_tone(&mut rig, F, -6.0, 0.3));
        rig.set(&format!("{path}/drive/on"), 1.0);
        rig.set(&format!("{path}/drive/type"), 1.0); // tube
        rig.set(&format!("{path}/drive/amount"), 24.0);
        let driven = harmonics(&run_tone(&mut rig, F, -6.0, 0.3));
        assert!(clean[1] < -100.0 && clean[2] < -100.0, "{kind}: {clean:?}");
        // Tube is asymmetric: even and odd harmonics.
        assert!(driven[1] - driven[0] > -50.0, "{kind}: 2nd {driven:?}");
        assert!(driven[2] - driven[0] > -50.0, "{kind}: 3rd {driven:?}");
    }
    // On a bus: an aux bus fed pre-fader, its output on engine outputs 3/4.
    let mut rig = Rig::new(&[MONO], &[AUX]);
    rig.set("track/1/send/1/level", 0.0);
    rig.set("bus/1/drive/on", 1.0);
    rig.set("bus/1/drive/type", 2.0); // fuzz
    rig.set("bus/1/drive/amount", 30.0);
    let out = run_tone(&mut rig, F, -6.0, 0.3);
    let third = tone_db(&out[2], 3.0 * F, SR) - tone_db(&out[2], F, SR);
    assert!(third > -20.0, "bus fuzz: 3rd harmonic {third} dB");
    let master_third = tone_db(&out[0], 3.0 * F, SR);
    assert!(master_third < -100.0, "the master is not driven");
}

/// RMS of `x` in consecutive windows of `w` samples.
fn envelope(x: &[f32], w: usize) -> Vec<f32> {
    x.chunks_exact(w)
        .map(|c| (c.iter().map(|v| v * v).sum::<f32>() / w as f32).sqrt())
        .collect()
}

#[test]
fn modulation_runs_after_the_pan_on_tracks_and_buses() {
    // Auto-pan on a mono track: the left and right envelopes move in
    // opposite directions, which a mono path could not do.
    let mut rig = Rig::new(&[MONO], &[]);
    rig.set("track/1/mod/on", 1.0);
    rig.set("track/1/mod/type", 4.0); // autopan
    rig.set("track/1/mod/rate", 4.0);
    rig.set("track/1/mod/depth", 1.0);
    rig.set("track/1/mod/mix", 1.0);
    let out = run_tone(&mut rig, F, -12.0, 1.0);
    let (l, r) = (envelope(&out[0], 480), envelope(&out[1], 480));
    let swing = |e: &[f32]| {
        let tail = &e[e.len() / 2..];
        let max = tail.iter().cloned().fold(0.0, f32::max);
        let min = tail.iter().cloned().fold(f32::MAX, f32::min);
        20.0 * (max / min.max(1e-9)).log10()
    };
    assert!(
        swing(&l) > 10.0 && swing(&r) > 10.0,
        "{} {}",
        swing(&l),
        swing(&r)
    );
    let opposite = l
        .iter()
        .zip(&r)
        .skip(l.len() / 2)
        .zip(l.iter().zip(&r).skip(l.len() / 2 + 1))
        .filter(|((l0, r0), (l1, r1))| (*l1 - *l0) * (*r1 - *r0) < 0.0)
        .count();
    assert!(opposite > l.len() / 4, "L and R move apart: {opposite}");

    // Tremolo on an aux bus.
    let mut rig = Rig::new(&[MONO], &[AUX]);
    rig.set("track/1/send/1/level", 0.0);
    rig.set("bus/1/mod/on", 1.0);
    rig.set("bus/1/mod/type", 3.0); // tremolo
    rig.set("bus/1/mod/rate", 5.0);
    rig.set("bus/1/mod/depth", 1.0);
    rig.set("bus/1/mod/mix", 1.0);
    let out = run_tone(&mut rig, F, -12.0, 1.0);
    assert!(swing(&envelope(&out[2], 480)) > 10.0, "bus tremolo");
    assert!(swing(&envelope(&out[0], 480)) < 0.5, "the master is steady");
}

#[test]
fn pitch_moves_the_tone_on_mono_and_stereo_tracks() {
    for track in [MONO, STEREO] {
        let mut rig = Rig::new(&[track], &[]);
        rig.set("track/1/pitch/on", 1.0);
        rig.set("track/1/pitch/semitones", 12.0);
        let out = run_tone(&mut rig, 500.0, -12.0, 0.6);
        for ch in &out[..2] {
            let up = tone_db(ch, 1000.0, SR);
            let at = tone_db(ch, 500.0, SR);
            assert!(
                up - at > 30.0,
                "stereo {track}: 1 kHz {up} dB, 500 Hz {at} dB"
            );
        }
    }
}

/// A change: its name, the settings before it, the path changed, from, to.
type Change = (
    &'static str,
    &'static [(&'static str, f32)],
    &'static str,
    f32,
    f32,
);

/// Every insert switched on and off, and every type changed, while a
/// 100 Hz tone plays: no step beyond the steady signal's.
#[test]
fn switching_inserts_and_types_does_not_click() {
    let x = tone(100.0, -12.0, 300.0 * 64.0 / SR, SR);
    let cases: &[Change] = &[
        ("drive on", &[("drive/amount", 18.0)], "drive/on", 0.0, 1.0),
        ("drive off", &[("drive/amount", 18.0)], "drive/on", 1.0, 0.0),
        (
            "drive tape to fuzz",
            &[("drive/on", 1.0), ("drive/amount", 12.0)],
            "drive/type",
            0.0,
            2.0,
        ),
        (
            "drive fuzz to bitcrush",
            &[("drive/on", 1.0), ("drive/bits", 6.0)],
            "drive/type",
            2.0,
            3.0,
        ),
        ("mod on", &[("mod/mix", 0.5)], "mod/on", 0.0, 1.0),
        ("mod off", &[], "mod/on", 1.0, 0.0),
        ("chorus to phaser", &[("mod/on", 1.0)], "mod/type", 0.0, 2.0),
        (
            "flanger to tremolo",
            &[("mod/on", 1.0)],
            "mod/type",
            1.0,
            3.0,
        ),
        (
            "pitch on",
            &[("pitch/semitones", 7.0)],
            "pitch/on",
            0.0,
            1.0,
        ),
        (
            "pitch off",
            &[("pitch/semitones", -5.0)],
            "pitch/on",
            1.0,
            0.0,
        ),
        (
            "pitch jump",
            &[("pitch/on", 1.0)],
            "pitch/semitones",
            -12.0,
            12.0,
        ),
        (
            "drive amount jump",
            &[("drive/on", 1.0), ("drive/type", 1.0)],
            "drive/amount",
            0.0,
            36.0,
        ),
        (
            "mod depth jump",
            &[("mod/on", 1.0), ("mod/mix", 1.0)],
            "mod/depth",
            0.0,
            1.0,
        ),
        (
            "mod rate jump",
            &[("mod/on", 1.0), ("mod/type", 2.0), ("mod/depth", 1.0)],
            "mod/rate",
            0.05,
            20.0,
        ),
        (
            "phaser stages",
            &[("mod/on", 1.0), ("mod/type", 2.0)],
            "mod/stages",
            4.0,
            12.0,
        ),
    ];
    for &(name, setup, path, from, to) in cases {
        for (owner, track) in [("track/1", MONO), ("track/1", STEREO)] {
            let mut rig = Rig::new(&[track], &[]);
            for &(p, v) in setup {
                rig.set(&format!("{owner}/{p}"), v);
            }
            rig.set(&format!("{owner}/{path}"), from);
            rig.idle(0.3);
            let p = format!("{owner}/{path}");
            assert_no_click(
                &format!("{name} (stereo {track})"),
                &mut rig,
                0,
                &|r, i| {
                    if i == 0 {
                        r.set(&p, to)
                    }
                },
                &x,
                1.5,
            );
        }
    }
}

#[test]
fn every_block_size_gives_the_same_result_with_inserts_on() {
    let x = tone(220.0, -9.0, 0.4, SR);
    let run = |block: usize| {
        let mut rig = Rig::new(&[MONO, STEREO], &[AUX]);
        for t in ["track/1", "track/2"] {
            rig.set(&format!("{t}/send/1/level"), -6.0);
            rig.set(&format!("{t}/drive/on"), 1.0);
            rig.set(&format!("{t}/drive/type"), 1.0);
            rig.set(&format!("{t}/mod/on"), 1.0);
            rig.set(&format!("{t}/pitch/on"), 1.0);
            rig.set(&format!("{t}/pitch/semitones"), 5.0);
        }
        rig.set("track/2/mod/type", 2.0);
        rig.set("bus/1/drive/on", 1.0);
        rig.set("bus/1/mod/on", 1.0);
        rig.set("bus/1/mod/type", 1.0);
        rig.run_blocks(&vec![x.clone(); rig.inputs()], block)
    };
    let reference = run(64);
    for block in [1, 7, 128, 512, 1000] {
        assert_eq!(run(block), reference, "block {block}");
    }
}

/// A session of two tracks on disk: a click on track 1, a tone on track 2.
fn click_and_tone(dir: &std::path::Path, pitch: bool) -> Session {
    std::fs::create_dir_all(dir.join("stems")).unwrap();
    let n = 48_000;
    let mut click = vec![0.0f32; n];
    click[24_000] = 0.5;
    let mono = |x: Vec<f32>| Audio {
        sample_rate: 48_000,
        channels: vec![x],
    };
    write_wav(
        &dir.join("stems/click.wav"),
        &mono(click),
        SampleFormat::Float32,
    )
    .unwrap();
    let t = tone(300.0, -20.0, 1.0, SR);
    write_wav(&dir.join("stems/tone.wav"), &mono(t), SampleFormat::Float32).unwrap();
    let pitch = if pitch {
        "  track/2/pitch/on: true\n  track/2/pitch/semitones: 3\n"
    } else {
        ""
    };
    let text = format!(
        "sample_rate: 48000\ntracks:\n  - {{ name: Click, source: {{ file: stems/click.wav }} }}\n  - {{ name: Tone, source: {{ file: stems/tone.wav }} }}\nmix:\n  track/2/mute: true\n  master/limiter/on: false\n{pitch}"
    );
    std::fs::write(dir.join("session.yaml"), text).unwrap();
    Session::load(dir).unwrap()
}

fn argmax(x: &[f32]) -> usize {
    (0..x.len())
        .max_by(|&a, &b| x[a].abs().total_cmp(&x[b].abs()))
        .unwrap()
}

/// With a pitch shifter on one track, a render delays every track by its
/// latency and takes the delay off the output: the click on the other track
/// lands on the same sample as in a render without it, and the render is
/// as long.
#[test]
fn a_render_keeps_tracks_aligned_around_the_pitch_latency() {
    let dir = tempfile::tempdir().unwrap();
    let plain = render::render(&click_and_tone(dir.path(), false), 0.5).unwrap();
    let shifted = render::render(&click_and_tone(dir.path(), true), 0.5).unwrap();
    assert_eq!(plain.channels[0].len(), shifted.channels[0].len());
    let at = argmax(&plain.channels[0]);
    assert_eq!(argmax(&shifted.channels[0]), at);
    assert!((at as i64 - 24_000).abs() <= 1, "click at {at}");
    let (a, b) = (plain.channels[0][at], shifted.channels[0][at]);
    assert!((a - b).abs() < 1e-6, "{a} vs {b}");
}
