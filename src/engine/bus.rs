//! A bus: the sum of its sends, through its effect (effect buses), EQ,
//! compressor, drive, width and balance, modulation, mute and fader. Aux buses leave through
//! their own outputs; effect buses return into the master. Buses ignore solo
//! (solo-safe), so soloing a track keeps its reverb.

use super::dsp::delay::Delay;
use super::dsp::pan::PanLaw;
use super::dsp::reverb::Reverb;
use super::inserts::Inserts;
use super::meters::StripMeter;
use super::strip::{Core, Panner, Scratch, Stereo};
use super::topology::BusRole;
use crate::params::{BusEffect, Param};

enum Effect {
    None,
    Reverb(Box<Reverb>),
    Delay(Box<Delay>),
}

pub(crate) struct Bus {
    core: Core,
    role: BusRole,
    effect: Effect,
    inserts: Inserts,
    panner: Panner,
}

impl Bus {
    pub fn new(role: BusRole, pan_law: PanLaw, sample_rate: f32) -> Self {
        let effect = match role {
            BusRole::Fx(BusEffect::Reverb) => Effect::Reverb(Box::new(Reverb::new(sample_rate))),
            BusRole::Fx(BusEffect::Delay) => Effect::Delay(Box::new(Delay::new(sample_rate))),
            _ => Effect::None,
        };
        Bus {
            core: Core::new(sample_rate),
            role,
            effect,
            inserts: Inserts::bus(sample_rate),
            panner: Panner::new(pan_law, true, sample_rate),
        }
    }

    pub fn role(&self) -> BusRole {
        self.role
    }

    pub fn set(&mut self, param: Param, v: f32) {
        if self.core.set(param, v) || self.inserts.set(param, v) {
            return;
        }
        match (param, &mut self.effect) {
            (Param::Pan, _) => self.panner.set_pan(v),
            (Param::Width, _) => self.panner.set_width(v),
            (Param::Reverb(f), Effect::Reverb(rev)) => rev.set(f, v),
            (Param::Delay(f), Effect::Delay(d)) => d.set(f, v),
            _ => {}
        }
    }

    pub fn set_tempo(&mut self, bpm: f32) {
        self.inserts.set_tempo(bpm);
        if let Effect::Delay(d) = &mut self.effect {
            d.set_tempo(bpm);
        }
    }

    /// Process the bus's summed input in place; the result stays in `io`.
    pub fn process(
        &mut self,
        io: &mut Stereo,
        frames: usize,
        scratch: &mut Scratch,
        meter: &StripMeter,
    ) {
        let (l, r) = (&mut io.l[..frames], &mut io.r[..frames]);
        match &mut self.effect {
            Effect::Reverb(rev) => rev.process_stereo(l, r),
            Effect::Delay(d) => d.process_stereo(l, r),
            Effect::None => {}
        }
        self.core.filters.process_stereo(l, r);
        self.core.comp.process_stereo(l, r);
        self.inserts.before_pan_stereo(l, r);
        self.panner.process(l, r, scratch);
        self.inserts.after_pan(l, r);
        self.core.fader_and_mute(l, r, scratch);
        self.core.meter(meter, l, r);
    }
}
