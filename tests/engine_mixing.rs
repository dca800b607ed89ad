//! Mixing semantics of the whole engine: levels, pan laws, mute, solo,
//! polarity, pre/post sends — as seen at the engine's outputs.

mod common;
use common::*;
use mixbridge::engine::dsp::pan::PanLaw;

const F: f32 = 1000.0;
const IN_DB: f32 = -20.0;

type Settings = &'static [(&'static str, f32)];

/// What a level measurement should show.
#[derive(Debug, Clone, Copy)]
enum Want {
    Db(f32),
    Silent,
    Any,
}

impl Want {
    fn holds(self, got: f32) -> bool {
        match self {
            Want::Db(w) => (got - w).abs() < 0.05,
            Want::Silent => got < -120.0,
            Want::Any => true,
        }
    }
}

/// One mono track at -20 dBFS, the given settings, and the expected master
/// (L, R) levels.
fn mono_case(law: PanLaw, settings: Settings, want: (Want, Want)) {
    let mut rig = Rig::with(&[MONO], &[], law, SR);
    for &(p, v) in settings {
        rig.set(p, v);
    }
    let out = rig.run(&[tone(F, IN_DB, 0.5, SR)]);
    let got = (settled_peak_db(&out[0]), settled_peak_db(&out[1]));
    assert!(
        want.0.holds(got.0) && want.1.holds(got.1),
        "{law:?} {settings:?}: got {got:?}, want {want:?}"
    );
}

#[test]
fn levels_and_pan_laws() {
    use PanLaw::*;
    use Want::{Db, Silent};
    let cases: &[(PanLaw, Settings, (Want, Want))] = &[
        (EqualPower, &[], (Db(-23.01), Db(-23.01))),
        (Compromise, &[], (Db(-24.52), Db(-24.52))),
        (Linear, &[], (Db(-26.02), Db(-26.02))),
        (EqualPower, &[("track/1/pan", -1.0)], (Db(-20.0), Silent)),
        (EqualPower, &[("track/1/pan", 1.0)], (Silent, Db(-20.0))),
        (Compromise, &[("track/1/pan", -1.0)], (Db(-20.0), Silent)),
        (Linear, &[("track/1/pan", 1.0)], (Silent, Db(-20.0))),
        (
            EqualPower,
            &[("track/1/gain", -6.0)],
            (Db(-29.01), Db(-29.01)),
        ),
        (
            EqualPower,
            &[("track/1/fader", 0.5)],
            (Db(-33.01), Db(-33.01)),
        ),
        (
            EqualPower,
            &[("track/1/trim", 6.0)],
            (Db(-17.01), Db(-17.01)),
        ),
        (EqualPower, &[("track/1/gain", -200.0)], (Silent, Silent)),
        (EqualPower, &[("track/1/mute", 1.0)], (Silent, Silent)),
        (
            EqualPower,
            &[("master/gain", -10.0)],
            (Db(-33.01), Db(-33.01)),
        ),
        (EqualPower, &[("master/mute", 1.0)], (Silent, Silent)),
    ];
    for (law, settings, want) in cases {
        mono_case(*law, settings, *want);
    }
}

#[test]
fn polarity_inverts() {
    let mut rig = Rig::new(&[MONO], &[]);
    let x = tone(F, IN_DB, 0.5, SR);
    let plain = rig.run(std::slice::from_ref(&x));
    rig.set("track/1/polarity", 1.0);
    rig.idle(0.1);
    let inv = rig.run(&[x]);
    let n = plain[0].len();
    for i in n / 2..n {
        assert!((plain[0][i] + inv[0][i]).abs() < 1e-4, "sample {i}");
    }
}

#[test]
fn stereo_track_balance_and_width() {
    let mut rig = Rig::new(&[STEREO], &[]);
    let l = tone(500.0, IN_DB, 0.5, SR);
    let r = tone(1500.0, IN_DB, 0.5, SR);
    let out = rig.run(&[l.clone(), r.clone()]);
    assert!(
        (tone_db(&out[0], 500.0, SR) - IN_DB).abs() < 0.05,
        "balance centre is unity"
    );
    assert!(tone_db(&out[0], 1500.0, SR) < -100.0);
    rig.set("track/1/pan", 1.0);
    let out = rig.run(&[l.clone(), r.clone()]);
    assert!(
        settled_peak_db(&out[0]) < -120.0,
        "balance right silences left"
    );
    assert!((tone_db(&out[1], 1500.0, SR) - IN_DB).abs() < 0.05);
    rig.set("track/1/pan", 0.0);
    rig.set("track/1/width", 0.0);
    let out = rig.run(&[l, r]);
    let n = out[0].len();
    assert!(
        (n / 2..n).all(|i| (out[0][i] - out[1][i]).abs() < 1e-6),
        "width 0 is mono"
    );
    assert!((tone_db(&out[0], 500.0, SR) - (IN_DB - 6.02)).abs() < 0.05);
}

/// Sends: a track into an aux bus at 0 dB; returns (aux L, master L) levels.
fn send_case(settings: Settings) -> (f32, f32) {
    let mut rig = Rig::new(&[MONO], &[AUX]);
    rig.set("track/1/send/1/level", 0.0);
    for &(p, v) in settings {
        rig.set(p, v);
    }
    let out = rig.run(&[tone(F, IN_DB, 0.5, SR)]);
    (settled_peak_db(&out[2]), settled_peak_db(&out[0]))
}

#[test]
fn pre_and_post_fader_sends() {
    use Want::{Any, Db, Silent};
    let cases: &[(Settings, Want, Want)] = &[
        // post-fader: follows the fader
        (&[], Db(-23.01), Db(-23.01)),
        (&[("track/1/gain", -12.0)], Db(-35.01), Db(-35.01)),
        (&[("track/1/gain", -200.0)], Silent, Silent),
        // pre-fader: ignores the fader
        (
            &[("track/1/send/1/pre", 1.0), ("track/1/gain", -200.0)],
            Db(-23.01),
            Silent,
        ),
        // mute silences pre and post sends
        (
            &[("track/1/send/1/pre", 1.0), ("track/1/mute", 1.0)],
            Silent,
            Silent,
        ),
        // send off, send level (dB and fader law), bus fader and bus mute
        (&[("track/1/send/1/on", 0.0)], Silent, Any),
        (&[("track/1/send/1/level", -6.0)], Db(-29.01), Any),
        (&[("track/1/send/1/fader", 0.5)], Db(-33.01), Any),
        (&[("bus/1/gain", -6.0)], Db(-29.01), Any),
        (&[("bus/1/mute", 1.0)], Silent, Db(-23.01)),
    ];
    for (settings, aux_want, main_want) in cases {
        let (aux, main) = send_case(settings);
        assert!(
            aux_want.holds(aux),
            "{settings:?}: aux at {aux} dB, want {aux_want:?}"
        );
        assert!(
            main_want.holds(main),
            "{settings:?}: master at {main} dB, want {main_want:?}"
        );
    }
}

#[test]
fn solo_in_place_spares_monitors_and_effect_returns_of_soloed_tracks() {
    // Track 1 at 500 Hz, track 2 at 1500 Hz; both send to an aux (monitor)
    // bus and to a delay (effect) bus.
    let mut rig = Rig::new(&[MONO, MONO], &[AUX, DELAY]);
    for t in 1..=2 {
        rig.set(&format!("track/{t}/send/1/level"), 0.0);
        rig.set(&format!("track/{t}/send/2/level"), 0.0);
    }
    rig.set("bus/2/delay/feedback", 0.0);
    rig.set("bus/2/delay/time", 10.0);
    rig.set("track/1/solo", 1.0);
    rig.idle(0.1);
    let ins = [tone(500.0, IN_DB, 1.0, SR), tone(1500.0, IN_DB, 1.0, SR)];
    let out = rig.run(&ins);
    let (master, aux) = (&out[0], &out[2]);
    assert!(
        tone_db(master, 500.0, SR) > -30.0,
        "soloed track and its delay return are heard"
    );
    assert!(
        tone_db(master, 1500.0, SR) < -100.0,
        "unsoloed track is silent on the master, delay return included"
    );
    assert!(
        tone_db(aux, 1500.0, SR) > -30.0,
        "monitor sends ignore solo"
    );
    rig.set("track/1/solo", 0.0);
    let out = rig.run(&ins);
    assert!(tone_db(&out[0], 1500.0, SR) > -30.0, "unsolo restores");
}

/// A change made mid-signal must not step: the largest sample-to-sample
/// difference of output `channel` around the change stays within `limit`
/// times the largest one of the steady signal after it (so changes are
/// chosen to end at their loudest).
fn assert_no_click(
    name: &str,
    rig: &mut Rig,
    channel: usize,
    change: &dyn Fn(&mut Rig, usize),
    blocks: usize,
    limit: f32,
) {
    let x = tone(F, IN_DB, 64.0 * blocks as f32 / SR, SR);
    let mut out = Vec::new();
    for b in 0..blocks {
        if b >= 10 {
            change(rig, b - 10);
        }
        let o = rig.run(&[x[b * 64..(b + 1) * 64].to_vec()]);
        out.extend_from_slice(&o[channel]);
    }
    // From the last sample before the change: a jump lands at a block's start.
    let during = max_step(&out[10 * 64 - 1..]);
    let steady = max_step(&out[out.len() - 2048..]);
    assert!(
        during <= limit * steady.max(1e-6),
        "{name}: step {during} vs steady {steady}"
    );
}

#[test]
fn parameter_changes_do_not_click() {
    // Fader from -inf to +10 dB in one jump.
    let mut rig = Rig::new(&[MONO], &[]);
    rig.set("track/1/fader", 0.0);
    rig.idle(0.1);
    assert_no_click(
        "fader jump",
        &mut rig,
        0,
        &|r, i| {
            if i == 0 {
                r.set("track/1/fader", 1.0)
            }
        },
        200,
        1.1,
    );

    // Pan swept hard left to hard right, a new value every block (watching
    // the right side, which ends loudest).
    let mut rig = Rig::new(&[MONO], &[]);
    rig.set("track/1/pan", -1.0);
    rig.idle(0.1);
    assert_no_click(
        "pan sweep",
        &mut rig,
        1,
        &|r, i| r.set("track/1/pan", (-1.0 + i as f32 * 0.02).min(1.0)),
        300,
        1.1,
    );

    // EQ gain step 0 -> +12 dB on a peak band at the tone's frequency.
    let mut rig = Rig::new(&[MONO], &[]);
    rig.set("track/1/eq/2/freq", F);
    rig.set("track/1/eq/2/q", 1.0);
    rig.idle(0.1);
    assert_no_click(
        "EQ gain step",
        &mut rig,
        0,
        &|r, i| {
            if i == 0 {
                r.set("track/1/eq/2/gain", 12.0)
            }
        },
        200,
        1.1,
    );

    // Mute and unmute, polarity flip.
    let mut rig = Rig::new(&[MONO], &[]);
    assert_no_click(
        "mute",
        &mut rig,
        0,
        &|r, i| {
            if i == 0 {
                r.set("track/1/mute", 1.0)
            } else if i == 20 {
                r.set("track/1/mute", 0.0)
            }
        },
        200,
        1.5,
    );
    let mut rig = Rig::new(&[MONO], &[]);
    assert_no_click(
        "polarity",
        &mut rig,
        0,
        &|r, i| {
            if i == 0 {
                r.set("track/1/polarity", 1.0)
            }
        },
        200,
        1.5,
    );
}

#[test]
fn every_block_size_gives_the_same_result() {
    let x = tone(F, IN_DB, 0.25, SR);
    let run = |block: usize| {
        let mut rig = Rig::new(&[MONO], &[REVERB]);
        rig.set("track/1/send/1/level", -6.0);
        rig.set("track/1/comp/on", 1.0);
        rig.run_blocks(std::slice::from_ref(&x), block)
    };
    let reference = run(64);
    for block in [1, 7, 128, 512, 1000, 4096] {
        let o = run(block);
        let err = o[0]
            .iter()
            .zip(&reference[0])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        assert!(err < 1e-5, "block {block}: {err}");
    }
}

/// A mono track whose gains all rest is mixed in one fused pass; while any
/// of them ramps, in the general form. The two must give the same bits: a
/// ramp that ends inside a block (general form up to the block's end) and
/// one that ends on a block boundary (fused form from there) leave the same
/// output behind them, at the master and on pre- and post-fader sends.
#[test]
fn resting_and_moving_gains_mix_the_same_bits() {
    let x = tone(F, IN_DB, 0.1, SR);
    // Every gain ramps for 20 ms (960 frames) from the first sample.
    let ramp_end = 960;
    let run = |block: usize| {
        let mut rig = Rig::new(&[MONO], &[AUX, AUX, REVERB]);
        rig.set("track/1/send/1/level", -3.0);
        rig.set("track/1/send/1/pre", 1.0);
        rig.set("track/1/send/2/level", -9.0);
        rig.set("track/1/send/3/level", -12.0);
        rig.set("track/1/pan", -0.4);
        rig.set("track/1/gain", -7.0);
        rig.run_blocks(std::slice::from_ref(&x), block)
    };
    let on_boundary = run(ramp_end);
    let inside = run(100);
    assert_eq!(on_boundary.len(), inside.len());
    for (c, (a, b)) in on_boundary.iter().zip(&inside).enumerate() {
        assert!(
            a[ramp_end..].iter().any(|&v| v != 0.0),
            "output {c} is silent"
        );
        assert_eq!(a[ramp_end..], b[ramp_end..], "output {c}");
    }
}
