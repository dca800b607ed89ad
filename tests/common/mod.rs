//! The engine test rig: one helper for every engine-level test, so each test
//! says only what it sets, feeds and expects.
#![allow(dead_code)]

use mixbridge::engine::dsp::pan::PanLaw;
use mixbridge::engine::monitor::{MonitorShape, PhonesShape, SpeakerShape, SubShape};
use mixbridge::engine::{self, BusRole, Engine, EngineHandle, Topology, TrackShape};
use mixbridge::params::{BusEffect, Registry};

pub const SR: f32 = 48_000.0;

pub struct Rig {
    pub engine: Engine,
    pub handle: EngineHandle,
    pub registry: Registry,
    pub topology: Topology,
    inputs: usize,
}

/// Track kinds in a rig description.
pub const MONO: bool = false;
pub const STEREO: bool = true;
pub const AUX: BusRole = BusRole::Aux;
pub const REVERB: BusRole = BusRole::Fx(BusEffect::Reverb);
pub const DELAY: BusRole = BusRole::Fx(BusEffect::Delay);

impl Rig {
    /// Tracks read consecutive engine inputs (a stereo track takes two).
    pub fn new(tracks: &[bool], buses: &[BusRole]) -> Rig {
        Rig::with(tracks, buses, PanLaw::EqualPower, SR)
    }

    pub fn with(tracks: &[bool], buses: &[BusRole], pan_law: PanLaw, sample_rate: f32) -> Rig {
        Rig::build(tracks, buses, pan_law, sample_rate, None)
    }

    /// A rig with a monitor section; its outputs follow the master's and
    /// the aux buses' ([`Topology::monitor_output`]).
    pub fn with_monitor(tracks: &[bool], buses: &[BusRole], monitor: MonitorShape) -> Rig {
        Rig::build(tracks, buses, PanLaw::EqualPower, SR, Some(monitor))
    }

    fn build(
        tracks: &[bool],
        buses: &[BusRole],
        pan_law: PanLaw,
        sample_rate: f32,
        monitor: Option<MonitorShape>,
    ) -> Rig {
        let mut next = 0;
        let tracks = tracks
            .iter()
            .map(|&stereo| {
                let a = next;
                next += if stereo { 2 } else { 1 };
                TrackShape {
                    stereo,
                    inputs: [Some(a), stereo.then_some(a + 1)],
                }
            })
            .collect();
        let topology = Topology {
            sample_rate,
            pan_law,
            tracks,
            buses: buses.to_vec(),
            compensate_latency: false,
            monitor,
        };
        let registry = Registry::new(topology.layout()).with_monitor(topology.monitor.is_some());
        let (engine, handle) = engine::new(topology.clone(), &[]);
        Rig {
            engine,
            handle,
            registry,
            topology,
            inputs: next,
        }
    }

    /// Set a parameter by path, in the path's form (`fader` paths normalized).
    pub fn set(&mut self, path: &str, value: f32) {
        let r = self
            .registry
            .resolve(path)
            .unwrap_or_else(|e| panic!("{e}"));
        self.handle.set(r.id, r.to_plain(value));
        self.handle.flush();
    }

    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Run `inputs` (one Vec per engine input, equal lengths) in blocks of
    /// `block` frames; returns every engine output channel.
    pub fn run_blocks(&mut self, inputs: &[Vec<f32>], block: usize) -> Vec<Vec<f32>> {
        let frames = inputs.first().map_or(0, Vec::len);
        let mut outs = vec![vec![0.0f32; frames]; self.topology.output_channels()];
        let mut pos = 0;
        while pos < frames {
            let n = block.min(frames - pos);
            let ins: Vec<&[f32]> = inputs.iter().map(|x| &x[pos..pos + n]).collect();
            let mut o: Vec<&mut [f32]> = outs.iter_mut().map(|x| &mut x[pos..pos + n]).collect();
            self.engine.process(&ins, &mut o, n);
            pos += n;
        }
        outs
    }

    pub fn run(&mut self, inputs: &[Vec<f32>]) -> Vec<Vec<f32>> {
        self.run_blocks(inputs, 64)
    }

    /// Run silence on every input for `seconds` (lets smoothers and tails settle).
    pub fn idle(&mut self, seconds: f32) {
        let n = (seconds * self.topology.sample_rate) as usize;
        let ins = vec![vec![0.0; n]; self.inputs];
        self.run(&ins);
    }
}

/// A change made mid-signal must not step. `x` plays on every input of the
/// rig in 64-frame blocks; `change(rig, i)` runs before block 10 + i. The
/// largest sample-to-sample difference of output `channel` from the change
/// on stays within `limit` times the largest one of the steady signal
/// (before the change, or in the last 2048 frames, whichever is larger).
pub fn assert_no_click(
    name: &str,
    rig: &mut Rig,
    channel: usize,
    change: &dyn Fn(&mut Rig, usize),
    x: &[f32],
    limit: f32,
) {
    let blocks = x.len() / 64;
    let mut out = Vec::new();
    for b in 0..blocks {
        if b >= 10 {
            change(rig, b - 10);
        }
        let block = x[b * 64..(b + 1) * 64].to_vec();
        let o = rig.run(&vec![block; rig.inputs()]);
        out.extend_from_slice(&o[channel]);
    }
    // From the last sample before the change: a jump lands at a block's start.
    let during = max_step(&out[10 * 64 - 1..]);
    let steady = max_step(&out[..10 * 64]).max(max_step(&out[out.len() - 2048..]));
    assert!(
        during <= limit * steady.max(1e-6),
        "{name}: step {during} vs steady {steady}"
    );
}

/// A sine at `db` dBFS peak.
pub fn tone(freq: f32, db: f32, seconds: f32, sample_rate: f32) -> Vec<f32> {
    let a = 10f32.powf(db / 20.0);
    let n = (seconds * sample_rate) as usize;
    (0..n)
        .map(|i| a * (2.0 * std::f32::consts::PI * freq * i as f32 / sample_rate).sin())
        .collect()
}

/// Peak level in dBFS of the second half of `x` (past any ramp).
pub fn settled_peak_db(x: &[f32]) -> f32 {
    let tail = &x[x.len() / 2..];
    20.0 * tail
        .iter()
        .fold(0.0f32, |m, v| m.max(v.abs()))
        .max(1e-12)
        .log10()
}

/// The largest sample-to-sample difference.
pub fn max_step(x: &[f32]) -> f32 {
    x.windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

/// Level in dB (peak-equivalent of a sine) of the `freq` component of `x`,
/// measured over its second half with a Goertzel filter.
pub fn tone_db(x: &[f32], freq: f32, sample_rate: f32) -> f32 {
    tone_db_over(&x[x.len() / 2..], freq, sample_rate)
}

/// Level in dB (peak-equivalent of a sine) of the `freq` component over
/// all of `x` (tones with whole cycles in `x` do not leak into each other).
pub fn tone_db_over(x: &[f32], freq: f32, sample_rate: f32) -> f32 {
    let w = 2.0 * std::f64::consts::PI * freq as f64 / sample_rate as f64;
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &v in x {
        let s = v as f64 + 2.0 * w.cos() * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let power = s1 * s1 + s2 * s2 - 2.0 * w.cos() * s1 * s2;
    let amp = 2.0 * power.sqrt() / x.len() as f64;
    (20.0 * amp.max(1e-12).log10()) as f32
}

/// `got` within `tol` dB of `want`.
pub fn assert_near(got: f32, want: f32, tol: f32, what: &str) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: {got:.3} dB, want {want:.3} dB"
    );
}

/// `got` (dB) below `floor`: silence, as far as the measurement goes.
pub fn assert_silent(got: f32, floor: f32, what: &str) {
    assert!(got < floor, "{what}: {got:.1} dB, want silence");
}

/// A control room: Mains (a pair), a mono Cube at -3 dB, a far pair at
/// -6 dB and 2 ms; a sub at -2 dB crossing over at 80 Hz; phones that
/// follow the cue; no talkback.
pub fn control_room() -> MonitorShape {
    let set = |mono, trim_db, delay_ms| SpeakerShape {
        mono,
        trim_db,
        delay_ms,
    };
    MonitorShape {
        speakers: vec![
            set(false, 0.0, 0.0),
            set(true, -3.0, 0.0),
            set(false, -6.0, 2.0),
        ],
        sub: Some(SubShape {
            trim_db: -2.0,
            delay_ms: 0.0,
            crossover_hz: Some(80.0),
        }),
        phones: Some(PhonesShape { follow_cue: true }),
        talkback: None,
    }
}
