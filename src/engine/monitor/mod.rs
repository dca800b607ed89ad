//! The monitor section: the control room's listening path after the
//! master. It never feeds the master, an aux bus, a meter of the master or a
//! render: it only decides what the speakers and phones play.
//!
//! ```text
//! master out ──┐ (mix / reference A/B, the reference loudness-matched)
//! reference ───┴─> programme ──┬─────────────────────────────────> phones (follow_cue: false)
//!                              │   AFL/PFL cue of the soloed tracks (× solo trim)
//!                              └─> [cue replaces programme while a track is soloed in AFL/PFL]
//!                                   -> check (playback system) -> matrix (mono, side, left/right, polarity)
//!                                   -> phones (follow_cue: true) × phones level
//!                                   -> × level × dim × cut (dimmed while talkback is held)
//!                                   -> speaker set k × its trim (the selected one) -> its delay -> its outputs
//!                                   -> sub: mono sum -> LR4 low-pass -> × trim -> delay -> its output
//! talkback mic ──> chosen aux buses (while held)
//! ```
//!
//! Every switch glides (20 ms; a check change warms the new chain up
//! unheard first, see [`check`]), so nothing clicks. Everything is
//! allocated when the graph is built: speaker sets, delay lines and chains
//! come from the [`MonitorShape`], a fixed part of the topology.
//!
//! Solo modes: in `sip` (solo in place) the master changes as it always
//! has; in `afl` and `pfl` the master and every aux bus are left exactly
//! as they are, and the soloed tracks are summed into the cue (by each
//! track, see `engine/cue.rs`), which the monitor plays instead of the
//! programme while any track is soloed.

pub mod check;
mod matrix;
mod outputs;
pub mod reference;
pub mod shape;
mod talkback;

pub use reference::Reference;
pub use shape::{MonitorShape, PhonesShape, SpeakerShape, SubShape, MAX_DELAY_MS};

use super::block::{gain, mix, mul, scaled, Gain};
use super::smoothing::{Smoothed, DEFAULT_RAMP_MS};
use super::strip::{level, on, Scratch, Stereo};
use super::topology::BusRole;
use crate::params::{MonitorField, SoloMode, Spec};
use check::CheckStage;
use matrix::Matrix;
use outputs::{output, SpeakerSet, Sub};
use talkback::Talkback;

pub(crate) struct Monitor {
    follow_cue: bool,
    has_phones: bool,
    solo_mode: SoloMode,
    level: f32,
    dim: bool,
    dim_level: f32,
    cut: bool,
    speakers: usize,
    sub_on: bool,
    reference_on: bool,
    solo_trim: f32,
    /// The mix's share of the programme (1 - the reference's).
    mix_gain: Smoothed,
    /// The reference's share, times its loudness match.
    reference_gain: Smoothed,
    /// The programme's share of what is heard (0 while a cue plays).
    programme_gain: Smoothed,
    /// The cue's share (its trim while a cue plays).
    cue_gain: Smoothed,
    /// Level × dim × cut.
    speaker_gain: Smoothed,
    phones_gain: Smoothed,
    check: CheckStage,
    matrix: Matrix,
    sets: Box<[SpeakerSet]>,
    sub: Option<Sub>,
    talkback: Option<Talkback>,
    /// The reference's block, filled by the engine before each pass.
    reference: Stereo,
    /// The reference's loudness match (linear), from the engine.
    reference_match: f32,
    mon: Stereo,
    sum: Box<[f32]>,
}

impl Monitor {
    pub fn new(shape: &MonitorShape, buses: &[BusRole], sample_rate: f32) -> Monitor {
        let smoothed = |v| Smoothed::new(v, DEFAULT_RAMP_MS, sample_rate);
        let default = |f| Spec::of(crate::params::Param::Monitor(f)).default;
        let mut m = Monitor {
            follow_cue: shape.phones.as_ref().is_none_or(|p| p.follow_cue),
            has_phones: shape.phones.is_some(),
            solo_mode: SoloMode::Sip,
            level: level(default(MonitorField::Level)),
            dim: false,
            dim_level: level(default(MonitorField::DimLevel)),
            cut: false,
            speakers: 0,
            sub_on: false,
            reference_on: false,
            solo_trim: 1.0,
            mix_gain: smoothed(1.0),
            reference_gain: smoothed(0.0),
            programme_gain: smoothed(1.0),
            cue_gain: smoothed(0.0),
            speaker_gain: smoothed(1.0),
            phones_gain: smoothed(level(default(MonitorField::PhonesLevel))),
            check: CheckStage::new(sample_rate),
            matrix: Matrix::new(sample_rate),
            sets: shape
                .speakers
                .iter()
                .map(|s| SpeakerSet::new(s, sample_rate))
                .collect(),
            sub: shape.sub.as_ref().map(|s| Sub::new(s, sample_rate)),
            talkback: shape
                .talkback
                .map(|input| Talkback::new(input, buses, sample_rate)),
            reference: Stereo::new(),
            reference_match: 1.0,
            mon: Stereo::new(),
            sum: vec![0.0; super::topology::MAX_BLOCK].into_boxed_slice(),
        };
        m.aim();
        m
    }

    pub fn solo_mode(&self) -> SoloMode {
        self.solo_mode
    }

    pub fn set(&mut self, field: MonitorField, v: f32) {
        use MonitorField::*;
        match field {
            Level => self.level = level(v),
            Dim => self.dim = on(v),
            DimLevel => self.dim_level = level(v),
            Cut => self.cut = on(v),
            Mono => self.matrix.switches.mono = on(v),
            Side => self.matrix.switches.side = on(v),
            Left => self.matrix.switches.left = on(v),
            Right => self.matrix.switches.right = on(v),
            Polarity => self.matrix.switches.polarity = on(v),
            Speakers => self.speakers = (v.max(1.0) as usize) - 1,
            Sub => self.sub_on = on(v),
            SoloMode => self.solo_mode = crate::params::SoloMode::from_index(v),
            SoloTrim => self.solo_trim = level(v),
            PhonesLevel => self.phones_gain.set(level(v)),
            Check => self.check.set(crate::params::Check::from_index(v)),
            Reference => self.reference_on = on(v),
            // Which file plays is the control side's business (it loads it).
            ReferenceFile => {}
            Talkback => {
                if let Some(t) = &mut self.talkback {
                    t.set_held(on(v));
                }
            }
            TalkbackLevel => {
                if let Some(t) = &mut self.talkback {
                    t.set_level(v);
                }
            }
            TalkbackBus(b) => {
                if let Some(t) = &mut self.talkback {
                    t.set_bus(usize::from(b), on(v));
                }
            }
        }
        self.aim();
    }

    /// Point every glide at the values set.
    fn aim(&mut self) {
        let talking = self.talkback.as_ref().is_some_and(Talkback::held);
        let dim = if self.dim || talking {
            self.dim_level
        } else {
            1.0
        };
        let cut = if self.cut { 0.0 } else { 1.0 };
        self.speaker_gain.set(self.level * dim * cut);
        self.matrix.update();
        for (k, s) in self.sets.iter_mut().enumerate() {
            s.select(k == self.speakers);
        }
        if let Some(s) = &mut self.sub {
            s.switch(self.sub_on);
        }
        self.mix_gain.set(if self.reference_on { 0.0 } else { 1.0 });
        self.reference_gain.set(if self.reference_on {
            self.reference_match
        } else {
            0.0
        });
    }

    /// Jump every glide to its value (a graph being built starts on its
    /// settings).
    pub fn settle(&mut self) {
        for s in [
            &mut self.mix_gain,
            &mut self.reference_gain,
            &mut self.programme_gain,
            &mut self.cue_gain,
            &mut self.speaker_gain,
            &mut self.phones_gain,
        ] {
            s.reset(s.target());
        }
        self.check.settle();
        self.matrix.settle();
        self.sets.iter_mut().for_each(SpeakerSet::settle);
        if let Some(s) = &mut self.sub {
            s.settle();
        }
        if let Some(t) = &mut self.talkback {
            t.settle();
        }
    }

    /// The buffer the engine fills with this pass's reference audio, and
    /// the reference's loudness match (linear).
    pub fn reference_input(&mut self, matched: f32) -> &mut Stereo {
        if matched != self.reference_match {
            self.reference_match = matched;
            self.aim();
        }
        &mut self.reference
    }

    /// The talkback into the aux buses' inputs (before the buses run).
    pub fn talkback(&mut self, inputs: &[&[f32]], buses: &mut [Stereo], n: usize, s: &mut Scratch) {
        if let Some(t) = &mut self.talkback {
            t.process(inputs, buses, n, &mut s.a[..n]);
        }
    }

    /// One pass: `master` is the master's output, `cue` the soloed tracks'
    /// sum (AFL/PFL) and `cueing` whether any is soloed in those modes.
    /// Writes the engine outputs from `first` on (see
    /// [`MonitorShape::output_channels`]).
    #[allow(clippy::too_many_arguments)]
    pub fn process(
        &mut self,
        master: &Stereo,
        cue: &Stereo,
        cueing: bool,
        outputs: &mut [&mut [f32]],
        first: usize,
        offset: usize,
        n: usize,
        s: &mut Scratch,
    ) {
        self.programme_gain.set(if cueing { 0.0 } else { 1.0 });
        self.cue_gain.set(if cueing { self.solo_trim } else { 0.0 });

        // The programme: the mix, or the reference, or on the way between.
        let mon = &mut self.mon;
        let (ml, mr) = (&mut mon.l[..n], &mut mon.r[..n]);
        let g = gain(&mut self.mix_gain, &mut s.a[..n]);
        scaled(ml, &master.l[..n], g);
        scaled(mr, &master.r[..n], g);
        if !super::block::silent(&self.reference_gain) {
            let g = gain(&mut self.reference_gain, &mut s.a[..n]);
            mix(ml, &self.reference.l[..n], g);
            mix(mr, &self.reference.r[..n], g);
        }
        let phones = first + 2 * (self.sets.len() + usize::from(self.sub.is_some()));
        if self.has_phones && !self.follow_cue {
            self.phones(outputs, phones, offset, n, s);
        }

        // The cue takes the programme's place while it plays.
        let (ml, mr) = (&mut self.mon.l[..n], &mut self.mon.r[..n]);
        let g = gain(&mut self.programme_gain, &mut s.a[..n]);
        mul(ml, g);
        mul(mr, g);
        if !super::block::silent(&self.cue_gain) {
            let g = gain(&mut self.cue_gain, &mut s.a[..n]);
            mix(ml, &cue.l[..n], g);
            mix(mr, &cue.r[..n], g);
        }

        self.check.process(ml, mr);
        self.matrix.process(ml, mr);
        if self.has_phones && self.follow_cue {
            self.phones(outputs, phones, offset, n, s);
        }

        let (ml, mr) = (&mut self.mon.l[..n], &mut self.mon.r[..n]);
        let g = gain(&mut self.speaker_gain, &mut s.a[..n]);
        mul(ml, g);
        mul(mr, g);
        for (k, set) in self.sets.iter_mut().enumerate() {
            set.write(
                &self.mon,
                outputs,
                first + 2 * k,
                offset,
                n,
                &mut self.sum,
                &mut s.b,
            );
        }
        if let Some(sub) = &mut self.sub {
            let k = first + 2 * self.sets.len();
            sub.write(&self.mon, output(outputs, k, offset, n), n, &mut s.b);
        }
    }

    /// The phones: the monitor signal as it stands, at the phones' level.
    fn phones(
        &mut self,
        outputs: &mut [&mut [f32]],
        first: usize,
        offset: usize,
        n: usize,
        s: &mut Scratch,
    ) {
        let g: Gain = gain(&mut self.phones_gain, &mut s.c[..n]);
        for (k, src) in [&self.mon.l, &self.mon.r].into_iter().enumerate() {
            if let Some(dst) = output(outputs, first + k, offset, n) {
                scaled(dst, &src[..n], g);
            }
        }
    }
}
