//! A track: input, trim and polarity, high-pass and EQ, gate, compressor, pan
//! (or balance and width), mute, fader, sends and solo.
//!
//! Signal order and tap points:
//! input → trim·polarity → HPF/EQ → gate → compressor → drive → pitch
//! → pan/width → modulation → mute → **pre-fader sends** → fader
//! → **post-fader sends** → solo → master (the inserts: `inserts.rs`).
//! Sends are stereo and follow the pan. Solo-in-place silences the main mix
//! and the effect-bus sends of every track that is not soloed while any track
//! is; aux (monitor) sends ignore solo, so a soloing engineer never changes a
//! performer's monitor mix. In AFL and PFL modes solo leaves the master
//! and the buses alone: the soloed tracks feed the cue instead (`cue.rs`),
//! which the monitor section plays.
//!
//! A block runs in three steps, so that a graph can run the middle one for
//! several mono tracks at once (see `track_group.rs`): [`Track::input`],
//! then the filters and dynamics ([`Track::dynamics`], or a track group),
//! then [`Track::mix`].

use super::block::{gain, gain_times, mix, mix_panned, mul, scaled, silent};
use super::cue::{CueTap, Solo};
use super::dsp::compressor::Compressor;
use super::dsp::filter_chain::FilterChain;
use super::dsp::gate::Gate;
use super::dsp::pan::PanLaw;
use super::inserts::Inserts;
use super::meters::StripMeter;
use super::smoothing::{Smoothed, DEFAULT_RAMP_MS};
use super::strip::{level, on, Core, Panner, Scratch, Stereo, MUTE_RAMP_MS};
use super::topology::{BusRole, TrackShape};
use crate::params::{Param, SendField, Spec};

struct Send {
    level: f32,
    on: bool,
    pre: bool,
    to_fx: bool,
    gain: Smoothed,
}

impl Send {
    fn target(&self) -> f32 {
        if self.on {
            self.level
        } else {
            0.0
        }
    }

    /// Whether the send feeds nothing this block: silent itself, or an
    /// effect send of a track that solo silences.
    fn idle(&self, solo_silent: bool) -> bool {
        silent(&self.gain) || (self.to_fx && solo_silent)
    }
}

/// The gains of a mono track's mix step while none of them moves.
#[derive(Clone, Copy)]
struct RestingGains {
    left: f32,
    right: f32,
    mute: f32,
    fader: f32,
    solo: f32,
    /// The cue taps, PFL and AFL.
    pfl: f32,
    afl: f32,
}

pub(crate) struct Track {
    core: Core,
    shape: TrackShape,
    trim_db: f32,
    inverted: bool,
    input_gain: Smoothed,
    gate: Gate,
    inserts: Inserts,
    panner: Panner,
    solo: bool,
    solo_gain: Smoothed,
    cue: CueTap,
    sends: Box<[Send]>,
    buf: Stereo,
}

impl Track {
    /// A track at default values; `compensate` keeps its inserts' latency
    /// on while they are off ([`super::Topology::compensate_latency`]).
    pub fn new(
        shape: TrackShape,
        buses: &[BusRole],
        pan_law: PanLaw,
        sample_rate: f32,
        compensate: bool,
    ) -> Self {
        let send_level = level(
            Spec::of(Param::Send {
                bus: 0,
                field: SendField::Level,
            })
            .default,
        );
        let sends = buses
            .iter()
            .map(|role| Send {
                level: send_level,
                on: true,
                pre: false,
                to_fx: matches!(role, BusRole::Fx(_)),
                gain: Smoothed::new(send_level, DEFAULT_RAMP_MS, sample_rate),
            })
            .collect();
        Track {
            core: Core::new(sample_rate),
            panner: Panner::new(pan_law, shape.stereo, sample_rate),
            shape,
            trim_db: 0.0,
            inverted: false,
            input_gain: Smoothed::new(1.0, DEFAULT_RAMP_MS, sample_rate),
            gate: Gate::new(sample_rate),
            inserts: Inserts::track(sample_rate, compensate),
            solo: false,
            solo_gain: Smoothed::new(1.0, MUTE_RAMP_MS, sample_rate),
            cue: CueTap::new(sample_rate),
            sends,
            buf: Stereo::new(),
        }
    }

    pub fn solo(&self) -> bool {
        self.solo
    }

    pub fn set_tempo(&mut self, bpm: f32) {
        self.inserts.set_tempo(bpm);
    }

    /// The latency of the inserts while compensating, in samples.
    pub fn compensated_latency(&self) -> usize {
        self.inserts.compensated_latency()
    }

    pub fn set(&mut self, param: Param, v: f32) {
        if self.core.set(param, v) || self.inserts.set(param, v) {
            return;
        }
        match param {
            Param::Trim | Param::Polarity => {
                if param == Param::Trim {
                    self.trim_db = v;
                } else {
                    self.inverted = on(v);
                }
                let sign = if self.inverted { -1.0 } else { 1.0 };
                self.input_gain.set(sign * level(self.trim_db));
            }
            Param::HpfFreq => self.core.filters.set_hpf_freq(v),
            Param::HpfOn => self.core.filters.set_hpf_on(on(v)),
            Param::Gate(field) => self.gate.set(field, v),
            Param::Pan => self.panner.set_pan(v),
            Param::Width => self.panner.set_width(v),
            Param::Solo => self.solo = on(v),
            Param::Send { bus, field } => {
                if let Some(s) = self.sends.get_mut(bus as usize) {
                    match field {
                        SendField::Level => s.level = level(v),
                        SendField::On => s.on = on(v),
                        SendField::Pre => s.pre = on(v),
                    }
                    let t = s.target();
                    s.gain.set(t);
                }
            }
            _ => {}
        }
    }

    /// Whether this track's filters and dynamics run in a lane of a track
    /// group (mono tracks) rather than on their own (stereo tracks).
    pub fn in_lanes(&self) -> bool {
        !self.shape.stereo
    }

    /// The stages a track group runs in lanes, and the signal they work on.
    pub fn lane_stages(&mut self) -> (&mut FilterChain, &mut Gate, &mut Compressor, &mut [f32]) {
        (
            &mut self.core.filters,
            &mut self.gate,
            &mut self.core.comp,
            &mut self.buf.l,
        )
    }

    /// First step of a block: read the inputs, with trim and polarity.
    pub fn input(&mut self, frames: usize, inputs: &[&[f32]], scratch: &mut Scratch) {
        let n = frames;
        let Stereo { l, r } = &mut self.buf;
        let (l, r) = (&mut l[..n], &mut r[..n]);
        let g = gain(&mut self.input_gain, &mut scratch.a[..n]);
        let read = |ch: Option<usize>| ch.and_then(|c| inputs.get(c)).and_then(|x| x.get(..n));
        match read(self.shape.inputs[0]) {
            Some(x) => scaled(l, x, g),
            None => l.fill(0.0),
        }
        if self.shape.stereo {
            match read(self.shape.inputs[1]) {
                Some(x) => scaled(r, x, g),
                None => r.fill(0.0),
            }
        }
    }

    /// Second step, for a track not in lanes: filters and dynamics.
    pub fn dynamics(&mut self, frames: usize) {
        let Stereo { l, r } = &mut self.buf;
        let (l, r) = (&mut l[..frames], &mut r[..frames]);
        if self.shape.stereo {
            self.core.filters.process_stereo(l, r);
            self.gate.process_stereo(l, r);
            self.core.comp.process_stereo(l, r);
        } else {
            self.core.filters.process_mono(l);
            self.gate.process_mono(l);
            self.core.comp.process_mono(l);
        }
    }

    /// Last step of a block (after [`Track::input`] and the filters and
    /// dynamics): drive and pitch, pan, modulation, mute, sends, fader and
    /// solo, adding into the bus inputs, the master sum and the cue.
    #[allow(clippy::too_many_arguments)]
    pub fn mix(
        &mut self,
        frames: usize,
        solo: Solo,
        bus_in: &mut [Stereo],
        main: &mut Stereo,
        cue: &mut Stereo,
        scratch: &mut Scratch,
        meter: &StripMeter,
    ) {
        let n = frames;
        if self.shape.stereo {
            self.inserts
                .before_pan_stereo(&mut self.buf.l[..n], &mut self.buf.r[..n]);
        } else {
            self.inserts.before_pan_mono(&mut self.buf.l[..n]);
        }
        // Solo-in-place gain for the main mix and effect sends.
        self.solo_gain.set(if solo.in_place() && !self.solo {
            0.0
        } else {
            1.0
        });
        self.cue.aim(self.solo, solo.mode);
        if let Some(gains) = self.resting_mono() {
            self.mix_resting_mono(gains, n, bus_in, main, cue, meter);
            return;
        }
        let Stereo { l, r } = &mut self.buf;
        let (l, r) = (&mut l[..n], &mut r[..n]);

        // Pan (mono) or width and balance (stereo), modulation, then mute.
        self.panner.process(l, r, scratch);
        self.inserts.after_pan(l, r);
        self.cue.pre(cue, l, r, &mut scratch.b[..n]);
        let m = self.core.mute_gain(&mut scratch.c[..n]);
        mul(l, m);
        mul(r, m);

        let solo_silent = silent(&self.solo_gain);
        let solo = gain(&mut self.solo_gain, &mut scratch.c[..n]);

        let send = |sends: &mut [Send],
                    pre: bool,
                    l: &[f32],
                    r: &[f32],
                    bus_in: &mut [Stereo],
                    buf: &mut [f32]| {
            for (s, bus) in sends.iter_mut().zip(bus_in.iter_mut()) {
                if s.pre != pre || s.idle(solo_silent) {
                    continue;
                }
                let g = if s.to_fx {
                    gain_times(&mut s.gain, solo, buf)
                } else {
                    gain(&mut s.gain, buf)
                };
                mix(&mut bus.l[..n], l, g);
                mix(&mut bus.r[..n], r, g);
            }
        };
        send(&mut self.sends, true, l, r, bus_in, &mut scratch.a[..n]);
        let g = self.core.fader_gain(&mut scratch.a[..n]);
        mul(l, g);
        mul(r, g);
        send(&mut self.sends, false, l, r, bus_in, &mut scratch.a[..n]);
        self.cue.post(cue, l, r, &mut scratch.b[..n]);

        if !solo_silent {
            mix(&mut main.l[..n], l, solo);
            mix(&mut main.r[..n], r, solo);
        }

        self.core.meter(meter, l, r);
        meter.gate(self.gate.gain_reduction_db());
    }

    /// The gains of a mono track's mix step, if none of them moves (and no
    /// modulation runs between the pan and the mute).
    fn resting_mono(&self) -> Option<RestingGains> {
        if self.inserts.modulating() {
            return None;
        }
        let (left, right) = self.panner.resting_mono_gains()?;
        let (mute, fader) = self.core.resting_mute_and_fader()?;
        let still = !self.solo_gain.is_smoothing()
            && self.cue.resting()
            && self.sends.iter().all(|s| !s.gain.is_smoothing());
        let (pfl, afl) = self.cue.levels();
        still.then(|| RestingGains {
            left,
            right,
            mute,
            fader,
            solo: self.solo_gain.current(),
            pfl,
            afl,
        })
    }

    /// [`Track::mix`] for a mono track whose gains all rest (the usual
    /// case): every destination is fed straight from the mono signal in one
    /// pass, instead of panning, muting and fading the block in passes of
    /// their own first. Each sample goes through the same multiplications in
    /// the same order as in the general form, so the two give the same bits.
    fn mix_resting_mono(
        &mut self,
        g: RestingGains,
        n: usize,
        bus_in: &mut [Stereo],
        main: &mut Stereo,
        cue: &mut Stereo,
        meter: &StripMeter,
    ) {
        let x = &self.buf.l[..n];
        let pre_l = |v: f32| (v * g.left) * g.mute;
        let pre_r = |v: f32| (v * g.right) * g.mute;
        let post_l = |v: f32| pre_l(v) * g.fader;
        let post_r = |v: f32| pre_r(v) * g.fader;
        let solo_silent = g.solo == 0.0;
        for (s, bus) in self.sends.iter().zip(bus_in.iter_mut()) {
            if s.idle(solo_silent) {
                continue;
            }
            let level = if s.to_fx {
                s.gain.current() * g.solo
            } else {
                s.gain.current()
            };
            let (l, r) = (&mut bus.l[..n], &mut bus.r[..n]);
            if s.pre {
                mix_panned(l, r, x, pre_l, pre_r, level);
            } else {
                mix_panned(l, r, x, post_l, post_r, level);
            }
        }
        if !solo_silent {
            mix_panned(
                &mut main.l[..n],
                &mut main.r[..n],
                x,
                post_l,
                post_r,
                g.solo,
            );
        }
        let (cl, cr) = (&mut cue.l[..n], &mut cue.r[..n]);
        if g.pfl != 0.0 {
            mix_panned(cl, cr, x, |v| v * g.left, |v| v * g.right, g.pfl);
        }
        if g.afl != 0.0 {
            mix_panned(cl, cr, x, post_l, post_r, g.afl);
        }
        self.core.meter_of(meter, x, post_l, post_r);
        meter.gate(self.gate.gain_reduction_db());
    }
}
