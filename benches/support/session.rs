//! The reference benchmark session, shared by the benches.

use mixbridge::engine::dsp::pan::PanLaw;
use mixbridge::engine::{self, BusRole, Engine, Topology, TrackShape};
use mixbridge::params::{
    BusEffect, CompField, EqField, GateField, LimiterField, Owner, Param, ParamId, SendField,
};

pub const SR: f32 = 48_000.0;
pub const BLOCK: usize = 64;
/// Blocks of program material per track (one second at 48 kHz).
pub const BLOCKS: usize = 750;

/// `n` mono tracks on engine inputs 0, 1, ….
pub fn mono_tracks(n: usize) -> Vec<TrackShape> {
    (0..n)
        .map(|i| TrackShape {
            stereo: false,
            inputs: [Some(i), None],
        })
        .collect()
}

/// Which stages of the reference session are switched on; [`Stages::ALL`] is
/// the reference session itself, the others let a bench price one stage.
#[derive(Debug, Clone, Copy, PartialEq)]
#[allow(dead_code)] // each bench uses its own subset
pub struct Stages {
    pub filters: bool,
    pub gate: bool,
    pub comp: bool,
    pub sends: bool,
    pub bus_comp: bool,
    pub master: bool,
}

#[allow(dead_code)]
impl Stages {
    pub const ALL: Stages = Stages {
        filters: true,
        gate: true,
        comp: true,
        sends: true,
        bus_comp: true,
        master: true,
    };
}

/// The reference session with `tracks` tracks.
#[allow(dead_code)] // each bench uses its own subset
pub fn session(tracks: usize) -> (Engine, usize, usize) {
    session_with(tracks, Stages::ALL)
}

/// The reference session with only the stages in `on` switched on (a stage
/// switched off keeps its settings; only its `on` switch, or for sends the
/// level, changes).
pub fn session_with(tracks: usize, on: Stages) -> (Engine, usize, usize) {
    let flag = |b: bool| b as u8 as f32;
    let buses = vec![
        BusRole::Fx(BusEffect::Reverb),
        BusRole::Fx(BusEffect::Reverb),
        BusRole::Fx(BusEffect::Delay),
        BusRole::Fx(BusEffect::Delay),
        BusRole::Aux,
        BusRole::Aux,
        BusRole::Aux,
        BusRole::Aux,
    ];
    let topology = Topology {
        sample_rate: SR,
        pan_law: PanLaw::EqualPower,
        tracks: mono_tracks(tracks),
        buses,
        compensate_latency: false,
        monitor: None,
    };
    let mut values = Vec::new();
    for t in 0..tracks as u16 {
        let set = |p: Param, v: f32| (ParamId::track(t, p), v);
        values.extend([
            set(Param::Trim, 3.0),
            set(Param::HpfOn, flag(on.filters)),
            set(Param::HpfFreq, 80.0),
            set(Param::Gate(GateField::On), flag(on.gate)),
            set(Param::Gate(GateField::Threshold), -60.0),
            set(Param::Comp(CompField::On), flag(on.comp)),
            set(Param::Comp(CompField::Threshold), -30.0),
            set(Param::Comp(CompField::Makeup), 3.0),
            set(Param::Pan, (t as f32 / tracks as f32) * 2.0 - 1.0),
            set(Param::Gain, -12.0),
        ]);
        for band in 0..4u8 {
            values.push(set(
                Param::Eq {
                    band,
                    field: EqField::Gain,
                },
                if band % 2 == 0 { 3.0 } else { -3.0 },
            ));
            values.push(set(
                Param::Eq {
                    band,
                    field: EqField::On,
                },
                flag(on.filters),
            ));
        }
        // Four sends each: one reverb, one delay, two aux (one pre-fader).
        for (k, bus) in [(t % 2), 2 + (t % 2), 4 + (t % 4), 4 + ((t + 1) % 4)]
            .into_iter()
            .enumerate()
        {
            values.push(set(
                Param::Send {
                    bus,
                    field: SendField::Level,
                },
                -10.0,
            ));
            values.push(set(
                Param::Send {
                    bus,
                    field: SendField::On,
                },
                flag(on.sends),
            ));
            if k == 3 {
                values.push(set(
                    Param::Send {
                        bus,
                        field: SendField::Pre,
                    },
                    1.0,
                ));
            }
        }
    }
    for b in 0..8u16 {
        values.push((
            ParamId::bus(b, Param::Comp(CompField::On)),
            flag(on.bus_comp),
        ));
    }
    values.push((ParamId::master(Param::Comp(CompField::On)), flag(on.master)));
    values.push((ParamId::master(Param::Comp(CompField::Threshold)), -20.0));
    values.push((
        ParamId::master(Param::Limiter(LimiterField::On)),
        flag(on.master),
    ));
    values.push((ParamId::new(Owner::Transport, Param::Tempo), 120.0));
    let outputs = topology.output_channels();
    let (engine, _handle) = engine::new(topology, &values);
    (engine, tracks, outputs)
}

/// Pseudo-random program material per track, long enough to avoid repetition effects.
pub fn inputs(tracks: usize) -> Vec<Vec<f32>> {
    let mut seed = 1u32;
    (0..tracks)
        .map(|_| {
            (0..BLOCK * BLOCKS)
                .map(|_| {
                    seed = seed.wrapping_mul(1664525).wrapping_add(1013904223);
                    ((seed >> 8) as f32 / (1 << 24) as f32 - 0.5) * 0.3
                })
                .collect()
        })
        .collect()
}
