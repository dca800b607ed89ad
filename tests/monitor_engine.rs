//! The monitor section in the engine, measured at its outputs: speaker
//! sets (only theirs, with trim and alignment), sub, phones, level, dim and
//! cut, the listening matrix with a stereo signal, AFL/PFL against the
//! master and the aux buses, talkback, the reference, each check against
//! its documented curve (computed here independently), no click on any
//! switch, and block-size independence.

#[path = "support/check_curves.rs"]
mod check_curves;
mod common;
use check_curves::{documented, documented_db, CHECKS};
use common::*;
use mixbridge::engine::monitor::{MonitorShape, PhonesShape, Reference};
use mixbridge::engine::transport::TransportCommand;

const F: f32 = 1000.0;
const IN_DB: f32 = -20.0;

fn room() -> MonitorShape {
    control_room()
}

/// Engine outputs of the monitor in `room()` after `first`: three sets,
/// then the sub, then the phones.
struct Outs {
    first: usize,
}
impl Outs {
    fn set(&self, k: usize) -> [usize; 2] {
        [self.first + 2 * k, self.first + 2 * k + 1]
    }
    fn sub(&self) -> usize {
        self.first + 6
    }
    fn phones(&self) -> [usize; 2] {
        [self.first + 8, self.first + 9]
    }
}

fn db(x: &[f32], f: f32) -> f32 {
    tone_db(x, f, SR)
}

fn near(got: f32, want: f32, tol: f32, what: &str) {
    assert_near(got, want, tol, what);
}

fn silent(got: f32, what: &str) {
    assert_silent(got, -120.0, what);
}

/// One stereo track playing `l` and `r`; `settings` set first (with time
/// for every glide and check switch to finish), then 0.5 s measured.
fn stereo_run(
    monitor: MonitorShape,
    settings: &[(&str, f32)],
    l: Vec<f32>,
    r: Vec<f32>,
) -> Vec<Vec<f32>> {
    let mut rig = Rig::with_monitor(&[STEREO], &[], monitor);
    for &(p, v) in settings {
        rig.set(p, v);
    }
    rig.idle(0.2);
    rig.run(&[l, r])
}

#[test]
fn each_speaker_set_reaches_only_its_outputs_with_its_trim() {
    let o = Outs { first: 2 };
    for k in 0..3 {
        let x = tone(F, IN_DB, 0.5, SR);
        let out = stereo_run(
            room(),
            &[("monitor/speakers", (k + 1) as f32)],
            x.clone(),
            x,
        );
        let master = db(&out[0], F);
        let trims = [0.0, -3.0, -6.0];
        for other in 0..3 {
            let [l, r] = o.set(other);
            let what = format!("set {} while set {} is selected", other + 1, k + 1);
            if other == k {
                near(db(&out[l], F), master + trims[k], 0.02, &what);
                if k != 1 {
                    near(db(&out[r], F), master + trims[k], 0.02, &what);
                }
            } else {
                silent(db(&out[l], F), &what);
                silent(db(&out[r], F), &what);
            }
        }
        // The mono set uses one output; its second stays untouched (zero).
        assert!(out[o.set(1)[1]].iter().all(|v| *v == 0.0));
        silent(db(&out[o.sub()], F), "the sub while off");
    }
}

#[test]
fn a_mono_set_plays_the_mono_sum() {
    let o = Outs { first: 2 };
    // Left and right in opposite polarity: their mono sum is silence.
    let l = tone(F, IN_DB, 0.5, SR);
    let r: Vec<f32> = l.iter().map(|v| -v).collect();
    let out = stereo_run(room(), &[("monitor/speakers", 2.0)], l.clone(), r);
    silent(db(&out[o.set(1)[0]], F), "cube, L = -R");
    let out = stereo_run(room(), &[("monitor/speakers", 2.0)], l.clone(), l);
    near(
        db(&out[o.set(1)[0]], F),
        db(&out[0], F) - 3.0,
        0.02,
        "cube, L = R",
    );
}

/// The far pair is 2 ms (96 samples) late: a click on the master comes
/// out of it 96 samples after it comes out of the master.
#[test]
fn alignment_delay_is_measured_in_samples() {
    let o = Outs { first: 2 };
    let mut rig = Rig::with_monitor(&[STEREO], &[], room());
    rig.set("monitor/speakers", 3.0);
    rig.idle(0.2);
    let mut x = vec![0.0f32; 4800];
    x[100] = 0.5;
    let out = rig.run(&[x.clone(), x]);
    let peak_at = |c: &[f32]| {
        c.iter()
            .enumerate()
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
            .unwrap()
            .0
    };
    let master = peak_at(&out[0]);
    assert_eq!(peak_at(&out[o.set(2)[0]]), master + 96);
    assert_eq!(peak_at(&out[o.set(2)[1]]), master + 96);
}

/// The sub: the mono sum through a Linkwitz-Riley low-pass at 80 Hz (two
/// Butterworth sections: |H|^2 = 1 / (1 + (f/fc)^4) each), at its trim.
#[test]
fn the_sub_plays_the_low_end_at_its_trim() {
    let o = Outs { first: 2 };
    let lr4 = |f: f64| -20.0 * (1.0 + (f / 80.0).powi(4)).log10();
    for f in [30.0f32, 80.0, 160.0] {
        let x = tone(f, IN_DB, 1.0, SR);
        let out = stereo_run(room(), &[("monitor/sub", 1.0)], x.clone(), x);
        let want = db(&out[0], f) - 2.0 + lr4(f as f64) as f32;
        // The bilinear transform moves the analogue curve a little at 160 Hz.
        near(db(&out[o.sub()], f), want, 0.1, &format!("sub at {f} Hz"));
    }
    let x = tone(F, IN_DB, 0.5, SR);
    let out = stereo_run(room(), &[("monitor/sub", 1.0)], x.clone(), x);
    assert!(
        db(&out[o.sub()], F) < db(&out[0], F) - 80.0,
        "1 kHz stays out of the sub"
    );
    near(
        db(&out[o.set(0)[0]], F),
        db(&out[0], F),
        0.02,
        "mains stay full range",
    );
}

#[test]
fn level_dim_and_cut_are_measured_and_phones_keep_their_own_level() {
    let o = Outs { first: 2 };
    type Settings = &'static [(&'static str, f32)];
    // (settings, the speakers' gain against the master; None: silent)
    let cases: &[(Settings, Option<f32>)] = &[
        (&[], Some(0.0)),
        (&[("monitor/level", -10.0)], Some(-10.0)),
        (&[("monitor/fader", 0.5)], Some(-10.0)),
        (&[("monitor/dim", 1.0)], Some(-20.0)),
        (
            &[("monitor/dim", 1.0), ("monitor/dim_level", -6.0)],
            Some(-6.0),
        ),
        (
            &[("monitor/level", -10.0), ("monitor/dim", 1.0)],
            Some(-30.0),
        ),
        (&[("monitor/cut", 1.0)], None),
        (&[("monitor/cut", 1.0), ("monitor/dim", 1.0)], None),
    ];
    for (settings, want) in cases {
        let x = tone(F, IN_DB, 0.5, SR);
        let mut all = settings.to_vec();
        all.push(("monitor/sub", 1.0));
        all.push(("monitor/phones/level", -4.0));
        let out = stereo_run(room(), &all, x.clone(), x);
        let master = db(&out[0], F);
        let what = format!("{settings:?}");
        match want {
            Some(w) => near(db(&out[o.set(0)[0]], F), master + w, 0.02, &what),
            None => {
                silent(db(&out[o.set(0)[0]], F), &what);
                silent(db(&out[o.sub()], 40.0), &format!("sub, {what}"));
            }
        }
        near(
            db(&out[o.phones()[0]], F),
            master - 4.0,
            0.02,
            &format!("phones, {what}"),
        );
    }
}

/// Left `a`·sin, right `b`·sin of one frequency: mono plays (a + b)/2,
/// side (a − b)/2, on both sides; polarity inverts the right; left or
/// right alone silences the other speaker.
#[test]
fn mono_side_left_right_and_polarity_with_a_stereo_signal() {
    let o = Outs { first: 2 };
    let (a, b) = (0.1f32, 0.04f32);
    let s = tone(F, 0.0, 0.5, SR);
    let l: Vec<f32> = s.iter().map(|v| a * v).collect();
    let r: Vec<f32> = s.iter().map(|v| b * v).collect();
    let lin = |x: f32| 20.0 * x.log10();
    let dot = |x: &[f32], y: &[f32]| x.iter().zip(y).map(|(p, q)| p * q).sum::<f32>();
    type Case = (
        &'static [(&'static str, f32)],
        Option<f32>,
        Option<f32>,
        f32,
    );
    // (settings, left amplitude, right amplitude, sign of right vs left)
    let cases: &[Case] = &[
        (&[], Some(a), Some(b), 1.0),
        (
            &[("monitor/mono", 1.0)],
            Some((a + b) / 2.0),
            Some((a + b) / 2.0),
            1.0,
        ),
        (
            &[("monitor/side", 1.0)],
            Some((a - b) / 2.0),
            Some((a - b) / 2.0),
            1.0,
        ),
        (
            &[("monitor/side", 1.0), ("monitor/mono", 1.0)],
            Some((a - b) / 2.0),
            Some((a - b) / 2.0),
            1.0,
        ),
        (&[("monitor/left", 1.0)], Some(a), None, 0.0),
        (&[("monitor/right", 1.0)], None, Some(b), 0.0),
        (
            &[("monitor/left", 1.0), ("monitor/right", 1.0)],
            Some(a),
            Some(b),
            1.0,
        ),
        (&[("monitor/polarity", 1.0)], Some(a), Some(b), -1.0),
        (
            &[("monitor/mono", 1.0), ("monitor/polarity", 1.0)],
            Some((a + b) / 2.0),
            Some((a + b) / 2.0),
            -1.0,
        ),
    ];
    for (settings, want_l, want_r, sign) in cases {
        let out = stereo_run(room(), settings, l.clone(), r.clone());
        // The master carries the track as it is: the monitor's reference.
        near(db(&out[0], F), lin(a), 0.02, "master left");
        near(db(&out[1], F), lin(b), 0.02, "master right");
        let [ol, or] = o.set(0);
        let what = format!("{settings:?}");
        match want_l {
            Some(w) => near(db(&out[ol], F), lin(*w), 0.02, &format!("left, {what}")),
            None => silent(db(&out[ol], F), &format!("left, {what}")),
        }
        match want_r {
            Some(w) => near(db(&out[or], F), lin(*w), 0.02, &format!("right, {what}")),
            None => silent(db(&out[or], F), &format!("right, {what}")),
        }
        let tail = out[ol].len() / 2;
        let d = dot(&out[ol][tail..], &out[or][tail..]);
        if *sign != 0.0 {
            assert!(d * sign > 0.0, "{what}: the right side's polarity");
        }
    }
}

/// Two mono tracks (1 kHz and 2 kHz) into the master and an aux bus. In
/// AFL and PFL a solo leaves the master and the aux output bit for bit as
/// they were, and the monitor plays the soloed track alone: before its
/// fader (PFL) or after it (AFL). SIP still changes the master.
#[test]
fn afl_and_pfl_leave_master_and_aux_untouched() {
    let run = |settings: &[(&str, f32)], phones_follow: bool| {
        let mut shape = room();
        shape.phones = Some(PhonesShape {
            follow_cue: phones_follow,
        });
        let mut rig = Rig::with_monitor(&[MONO, MONO], &[AUX], shape);
        rig.set("track/1/gain", -6.0);
        rig.set("track/2/gain", -10.0);
        rig.set("track/1/send/1/level", -3.0);
        rig.set("track/2/send/1/level", -3.0);
        for &(p, v) in settings {
            rig.set(p, v);
        }
        rig.idle(0.2);
        rig.run(&[tone(1000.0, IN_DB, 0.5, SR), tone(2000.0, IN_DB, 0.5, SR)])
    };
    // Outputs: master 0-1, aux 2-3, monitor from 4.
    let o = Outs { first: 4 };
    let plain = run(&[], true);
    let centre = -3.0103; // equal-power pan at centre
    for (mode, fader_db) in [(1.0, -6.0), (2.0, 0.0)] {
        let name = if mode == 1.0 { "AFL" } else { "PFL" };
        let cued = run(&[("monitor/solo/mode", mode), ("track/1/solo", 1.0)], true);
        for ch in 0..4 {
            assert_eq!(cued[ch], plain[ch], "{name}: output {ch} changed");
        }
        let [ml, mr] = o.set(0);
        for c in [ml, mr] {
            near(db(&cued[c], 1000.0), IN_DB + centre + fader_db, 0.02, name);
            silent(db(&cued[c], 2000.0), &format!("{name}: the unsoloed track"));
        }
        near(
            db(&cued[o.phones()[0]], 1000.0),
            IN_DB + centre + fader_db,
            0.02,
            &format!("{name} phones"),
        );
        silent(db(&cued[o.phones()[0]], 2000.0), &format!("{name} phones"));

        // Phones that do not follow the cue keep the programme.
        let own = run(&[("monitor/solo/mode", mode), ("track/1/solo", 1.0)], false);
        near(
            db(&own[o.phones()[0]], 2000.0),
            db(&own[0], 2000.0),
            0.02,
            &format!("{name} phones on the programme"),
        );

        // The solo trim sets the cue's level.
        let hot = run(
            &[
                ("monitor/solo/mode", mode),
                ("track/1/solo", 1.0),
                ("monitor/solo/trim", 6.0),
            ],
            true,
        );
        near(
            db(&hot[ml], 1000.0),
            IN_DB + centre + fader_db + 6.0,
            0.02,
            &format!("{name} +6 dB"),
        );
    }
    // PFL hears a muted track; AFL does not.
    let muted = run(
        &[
            ("monitor/solo/mode", 2.0),
            ("track/1/solo", 1.0),
            ("track/1/mute", 1.0),
        ],
        true,
    );
    near(
        db(&muted[o.set(0)[0]], 1000.0),
        IN_DB + centre,
        0.02,
        "PFL of a muted track",
    );
    let muted = run(
        &[
            ("monitor/solo/mode", 1.0),
            ("track/1/solo", 1.0),
            ("track/1/mute", 1.0),
        ],
        true,
    );
    silent(db(&muted[o.set(0)[0]], 1000.0), "AFL of a muted track");

    // Solo in place: the master loses the other track, and so does the monitor.
    let sip = run(&[("track/1/solo", 1.0)], true);
    silent(db(&sip[0], 2000.0), "SIP master");
    silent(db(&sip[o.set(0)[0]], 2000.0), "SIP monitor");
    assert_eq!(sip[2], plain[2], "SIP leaves the aux bus alone too");
}

/// The talkback microphone (engine input 1, 3 kHz) reaches the aux buses
/// chosen while held, at its level, never the master; the speakers are
/// dimmed meanwhile.
#[test]
fn talkback_reaches_chosen_aux_buses_and_dims_the_monitor() {
    let mut shape = room();
    shape.talkback = Some(1);
    let mut rig = Rig::with_monitor(&[MONO], &[AUX, REVERB, AUX], shape);
    // Outputs: master 0-1, aux 2-3 and 4-5, monitor from 6.
    let o = Outs { first: 6 };
    let mic = || tone(3000.0, -30.0, 0.5, SR);
    let run = |rig: &mut Rig| rig.run(&[tone(F, IN_DB, 0.5, SR), mic()]);
    rig.idle(0.1);
    let idle = run(&mut rig);
    silent(db(&idle[2], 3000.0), "aux 1 before talkback");
    let master = db(&idle[o.set(0)[0]], F);

    rig.set("monitor/talkback", 1.0);
    rig.set("monitor/talkback/bus/3", 0.0);
    rig.idle(0.1);
    let talking = run(&mut rig);
    near(
        db(&talking[2], 3000.0),
        -30.0,
        0.02,
        "aux 1 hears the talkback",
    );
    silent(db(&talking[4], 3000.0), "aux 3, switched off");
    silent(db(&talking[0], 3000.0), "the master");
    near(
        db(&talking[o.set(0)[0]], F),
        master - 20.0,
        0.02,
        "the speakers dimmed",
    );

    rig.set("monitor/talkback/level", -6.0);
    rig.set("monitor/talkback/bus/3", 1.0);
    rig.idle(0.1);
    let both = run(&mut rig);
    near(
        db(&both[2], 3000.0),
        -36.0,
        0.02,
        "aux 1 at the talkback level",
    );
    near(db(&both[4], 3000.0), -36.0, 0.02, "aux 3 switched on");

    rig.set("monitor/talkback", 0.0);
    rig.idle(0.1);
    let after = run(&mut rig);
    silent(db(&after[2], 3000.0), "aux 1 after release");
    near(
        db(&after[o.set(0)[0]], F),
        master,
        0.02,
        "the speakers back",
    );
}

/// The reference replaces the mix on the monitor at its match gain, read
/// at the transport position less the master's latency, and only there.
#[test]
fn the_reference_plays_at_the_transport_position() {
    let o = Outs { first: 2 };
    let mut rig = Rig::with_monitor(&[STEREO], &[], room());
    let latency = rig.handle.latency();
    let frames = 48_000;
    let ramp: std::sync::Arc<[f32]> = (0..frames).map(|i| i as f32 / frames as f32).collect();
    rig.handle
        .set_reference(Reference::new(ramp.clone(), ramp.clone(), -6.0));
    rig.set("monitor/reference", 1.0);
    rig.idle(0.1);
    rig.handle.transport(TransportCommand::Locate(10_000));
    rig.handle.transport(TransportCommand::Play);
    let silence = vec![0.0f32; 4800];
    let out = rig.run(&[silence.clone(), silence]);
    let g = 10f32.powf(-6.0 / 20.0);
    for i in [0usize, 1000, 4799] {
        let want = g * ramp[10_000 + i - latency];
        let got = out[o.set(0)[0]][i];
        assert!((got - want).abs() < 1e-6, "frame {i}: {got} vs {want}");
        assert_eq!(out[0][i], 0.0, "the master plays the (silent) mix");
    }
}

// --- Checks against their documented curves ---------------------------------

const FREQS: [f32; 12] = [
    30.0, 60.0, 120.0, 250.0, 500.0, 1000.0, 2000.0, 3000.0, 5000.0, 8000.0, 12_000.0, 16_000.0,
];

#[test]
fn each_check_follows_its_documented_curve() {
    let o = Outs { first: 2 };
    for check in CHECKS {
        let mut rig = Rig::with_monitor(&[STEREO], &[], room());
        rig.set("monitor/check", check_index(check));
        rig.idle(0.2);
        for f in FREQS {
            let x = tone(f, IN_DB, 0.5, SR);
            let out = rig.run(&[x.clone(), x]);
            let want = documented_db(check, f as f64) as f32;
            let master = db(&out[0], f);
            for c in o.set(0) {
                let got = db(&out[c], f) - master;
                // Deep in a stop band the measurement floor is the limit.
                let tol = if want < -60.0 { 1.0 } else { 0.05 };
                near(got, want, tol, &format!("{check} at {f} Hz"));
            }
        }
    }
    // `off` is the programme itself.
    let x = tone(100.0, IN_DB, 0.5, SR);
    let out = stereo_run(room(), &[("monitor/check", 0.0)], x.clone(), x);
    assert_eq!(out[o.set(0)[0]], out[0], "off changes nothing");
}

/// Mono devices play one side's signal on both at half its level; the
/// laptop narrows the image to half its width; the others leave it.
#[test]
fn checks_sum_to_mono_or_narrow_where_the_device_does() {
    let o = Outs { first: 2 };
    let x = tone(F, IN_DB, 0.5, SR);
    let zero = vec![0.0f32; x.len()];
    for check in CHECKS {
        let (mono, width, _) = documented(check);
        // Left only: (L, 0) = mid L/2 plus side L/2.
        let out = stereo_run(
            room(),
            &[("monitor/check", check_index(check))],
            x.clone(),
            zero.clone(),
        );
        let [l, r] = o.set(0);
        let (gl, gr) = (db(&out[l], F) - IN_DB, db(&out[r], F) - IN_DB);
        let lin = |v: f64| (20.0 * v.log10()) as f32;
        let (want_l, want_r) = if mono {
            (lin(0.5), lin(0.5))
        } else {
            (lin(0.5 + 0.5 * width), lin(0.5 - 0.5 * width).max(-200.0))
        };
        near(
            gl,
            want_l,
            0.02,
            &format!("{check}: left of a left-only signal"),
        );
        if want_r > -100.0 {
            near(
                gr,
                want_r,
                0.02,
                &format!("{check}: right of a left-only signal"),
            );
        } else {
            silent(
                db(&out[r], F),
                &format!("{check}: right of a left-only signal"),
            );
        }
    }
}

fn check_index(name: &str) -> f32 {
    mixbridge::params::Check::from_name(name).expect("a check") as usize as f32
}

// --- No clicks ---------------------------------------------------------------

/// Play a 200 Hz tone through both sides, call `change` before every block
/// from block 20 on (with the blocks since), and compare the largest
/// sample step at output `channel` from there with the larger of the
/// steady steps before and at the end.
fn assert_no_click(name: &str, rig: &mut Rig, channel: usize, change: &dyn Fn(&mut Rig, usize)) {
    let f = 200.0;
    let blocks = 300;
    let x = tone(f, -12.0, 64.0 * blocks as f32 / SR, SR);
    let mut out = Vec::new();
    for b in 0..blocks {
        if b >= 20 {
            change(rig, b - 20);
        }
        let block = x[b * 64..(b + 1) * 64].to_vec();
        let o = rig.run(&[block.clone(), block]);
        out.extend_from_slice(&o[channel]);
    }
    let before = max_step(&out[..20 * 64]);
    // From the last sample before the change: a jump lands at a block's start.
    let during = max_step(&out[20 * 64 - 1..]);
    let after = max_step(&out[out.len() - 4096..]);
    let steady = before.max(after).max(1e-6);
    assert!(
        during <= 1.02 * steady,
        "{name}: step {during} vs steady {steady} (before {before}, after {after})"
    );
}

#[test]
fn no_switch_clicks() {
    let o = Outs { first: 2 };
    let main = o.set(0)[0];
    type Change = (&'static str, &'static [(&'static str, f32)], usize);
    let cases: &[Change] = &[
        ("dim", &[("monitor/dim", 1.0)], main),
        ("cut", &[("monitor/cut", 1.0)], main),
        ("level", &[("monitor/level", -30.0)], main),
        ("mono", &[("monitor/mono", 1.0)], main),
        ("side", &[("monitor/side", 1.0)], main),
        ("left only", &[("monitor/right", 1.0)], main),
        ("polarity", &[("monitor/polarity", 1.0)], o.set(0)[1]),
        ("speakers away", &[("monitor/speakers", 3.0)], main),
        ("speakers in", &[("monitor/speakers", 3.0)], o.set(2)[0]),
        ("sub in", &[("monitor/sub", 1.0)], o.sub()),
        ("check phone", &[("monitor/check", 1.0)], main),
        ("check car", &[("monitor/check", 4.0)], main),
        ("check radio", &[("monitor/check", 6.0)], main),
        (
            "solo, afl",
            &[("monitor/solo/mode", 1.0), ("track/1/solo", 1.0)],
            main,
        ),
        (
            "solo, pfl",
            &[("monitor/solo/mode", 2.0), ("track/1/solo", 1.0)],
            main,
        ),
        ("phones", &[("monitor/phones/level", -20.0)], o.phones()[0]),
    ];
    for &(name, settings, channel) in cases {
        let mut rig = Rig::with_monitor(&[STEREO], &[], room());
        rig.set("track/1/gain", -6.0);
        rig.idle(0.2);
        assert_no_click(name, &mut rig, channel, &|r, i| {
            for &(p, v) in settings.iter().filter(|_| i == 0) {
                r.set(p, v);
            }
        });
    }
    // A check changed again while the last change is still under way.
    let mut rig = Rig::with_monitor(&[STEREO], &[], room());
    rig.idle(0.2);
    assert_no_click("check, twice", &mut rig, main, &|r, i| match i {
        0 => r.set("monitor/check", 2.0),
        1 => r.set("monitor/check", 5.0),
        _ => {}
    });
    // The reference in and out of the monitor (a quiet tone of its own).
    let mut rig = Rig::with_monitor(&[STEREO], &[], room());
    let clip: std::sync::Arc<[f32]> = tone(300.0, -30.0, 10.0, SR).into();
    rig.handle
        .set_reference(Reference::new(clip.clone(), clip, 0.0));
    rig.handle.transport(TransportCommand::Play);
    rig.idle(0.2);
    assert_no_click("reference", &mut rig, main, &|r, i| {
        if i == 0 {
            r.set("monitor/reference", 1.0)
        }
    });
    // Talkback dims the speakers.
    let mut shape = room();
    shape.talkback = Some(2);
    let mut rig = Rig::with_monitor(&[STEREO], &[AUX], shape);
    rig.idle(0.2);
    // Outputs: master, aux, then the monitor.
    assert_no_click("talkback", &mut rig, 4, &|r, i| {
        if i == 0 {
            r.set("monitor/talkback", 1.0)
        }
    });
}

/// An A/B of two versions of a mix (revisions bounced on the control
/// side) plays through the monitor's reference slot: a switch crossfades
/// without a click, and lands sample-aligned on the other take (after the
/// fade the output is exactly that of an engine that played the other take
/// all along); a switch back mid-fade turns around without a jump.
#[test]
fn ab_of_two_takes_switches_without_a_click_at_the_same_position() {
    use std::sync::Arc;
    let main = Outs { first: 2 }.set(0)[0];
    // Version A and version B of one mix: the same song, B 6 dB louder
    // and with another part in it.
    let seconds = 64.0 * 320.0 / SR;
    let a: Arc<[f32]> = tone(200.0, -12.0, seconds, SR).into();
    let b: Arc<[f32]> = tone(200.0, -6.0, seconds, SR)
        .iter()
        .zip(tone(330.0, -24.0, seconds, SR))
        .map(|(x, y)| x + y)
        .collect();
    let fade = 960;
    let pair = move |second: bool| {
        Reference::ab([a.clone(), a.clone()], [b.clone(), b.clone()], second, fade)
    };
    let rig_playing = |second: bool| {
        let mut rig = Rig::with_monitor(&[STEREO], &[], room());
        rig.set("track/1/mute", 1.0);
        rig.set("monitor/reference", 1.0);
        rig.handle.set_reference(pair(second));
        rig.handle.transport(TransportCommand::Play);
        rig
    };
    // No click: A to B (the steady step after is B's, the louder), and B
    // to A then back to B halfway through the fade (measured against B's
    // steady step before and after: a fade's step stays within the louder
    // version's).
    let mut rig = rig_playing(false);
    assert_no_click("A/B to B", &mut rig, main, &|r, i| {
        if i == 0 {
            r.handle.set_reference(pair(true));
        }
    });
    let mut rig = rig_playing(true);
    assert_no_click(
        "A/B to A and back mid-fade",
        &mut rig,
        main,
        &|r, i| match i {
            0 => r.handle.set_reference(pair(false)),
            7 => r.handle.set_reference(pair(true)),
            _ => {}
        },
    );
    // Sample-aligned: switched at block 20, B's output equals an engine's
    // that played B from the start, once the fade is over.
    let run = |switch: bool| {
        let mut rig = rig_playing(!switch);
        let mut out = Vec::new();
        for k in 0..60 {
            if switch && k == 20 {
                rig.handle.set_reference(pair(true));
            }
            out.extend(rig.run(&[vec![0.0; 64], vec![0.0; 64]]).swap_remove(main));
        }
        out
    };
    let (switched, b_only) = (run(true), run(false));
    let settled = 20 * 64 + fade;
    assert!(
        switched[settled..] == b_only[settled..],
        "after the fade the monitor plays B at the same sample"
    );
    assert!(switched[..20 * 64] != b_only[..20 * 64], "before it, A");
    let peak = b_only[settled..].iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(peak > 0.1, "B is heard ({peak})");
}

/// The same input in blocks of 64 and of 100 gives the same monitor
/// outputs, through a check change, a speaker change and the delay.
#[test]
fn every_block_size_gives_the_same_monitor() {
    let run = |block: usize| {
        let mut rig = Rig::with_monitor(&[STEREO], &[], room());
        rig.idle(0.1);
        let x = tone(440.0, -12.0, 0.4, SR);
        let mut outs = rig.run_blocks(&[x.clone(), x.clone()], block);
        rig.set("monitor/check", 3.0);
        rig.set("monitor/speakers", 3.0);
        rig.set("monitor/mono", 1.0);
        // Changes land at a callback boundary; both runs put one at 19200.
        let more = rig.run_blocks(&[x.clone(), x], block);
        for (o, m) in outs.iter_mut().zip(more) {
            o.extend(m);
        }
        outs
    };
    let (a, b) = (run(64), run(100));
    for ch in 2..a.len() {
        let worst = a[ch]
            .iter()
            .zip(&b[ch])
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(
            worst < 1e-6,
            "output {ch}: blocks of 64 and 100 differ by {worst}"
        );
    }
}
