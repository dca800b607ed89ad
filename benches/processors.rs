//! What each bus and master processor, and each insert effect, costs on its
//! own, in CPU time per
//! stereo sample at 48 kHz in 64-frame blocks (best and median of
//! repeated runs that take turns; see `realtime_factor.rs` for why).
//!
//! The monitor section is priced whole, as the engine runs it: an engine
//! of one stereo track with the monitor of a full control room (three
//! speaker sets, one delayed, a sub, phones; the car check and mono on),
//! against the same engine without it. Its playback-system checks are
//! priced alone too.
//!
//! cargo bench --bench processors [-- --bench] [NAME...]

#[path = "support/cpu.rs"]
mod cpu;
use cpu::{thread_cpu_seconds, Runs};
use mixbridge::engine::dsp::compressor::Compressor;
use mixbridge::engine::dsp::delay::Delay;
use mixbridge::engine::dsp::drive::Drive;
use mixbridge::engine::dsp::limiter::Limiter;
use mixbridge::engine::dsp::modulation::Modulation;
use mixbridge::engine::dsp::pan::PanLaw;
use mixbridge::engine::dsp::pitch::Pitch;
use mixbridge::engine::dsp::reverb::Reverb;
use mixbridge::engine::loudness::{Channel, LoudnessMeter};
use mixbridge::engine::monitor::check::Chain;
use mixbridge::engine::monitor::{MonitorShape, PhonesShape, SpeakerShape, SubShape};
use mixbridge::engine::{self, Topology, TrackShape};
use mixbridge::params::{
    Check, CompField, DriveField, DriveType, LimiterField, ModField, ModType, MonitorField, Owner,
    Param, ParamId, PitchField,
};

const SR: f32 = 48_000.0;
const BLOCK: usize = 64;

/// A processor of stereo blocks in place.
type Process = Box<dyn FnMut(&mut [f32], &mut [f32])>;

fn processors() -> Vec<(&'static str, Process)> {
    let mut reverb = Reverb::new(SR);
    let mut delay = Delay::new(SR);
    let mut comp = Compressor::new(SR);
    comp.set(CompField::On, 1.0);
    comp.set(CompField::Threshold, -30.0);
    let mut limiter = Limiter::new(SR);
    limiter.set(LimiterField::On, 1.0);
    let mut meter = LoudnessMeter::new(SR, Channel::STEREO);
    let drive = |kind: DriveType| {
        let mut d = Drive::new(SR, false);
        d.set(DriveField::On, 1.0);
        d.set(DriveField::Type, kind as usize as f32);
        d.set(DriveField::Mix, 0.8);
        d
    };
    let modulation = |kind: ModType| {
        let mut m = Modulation::new(SR);
        m.set(ModField::On, 1.0);
        m.set(ModField::Type, kind as usize as f32);
        m
    };
    let mut pitch = Pitch::new(SR, false);
    pitch.set(PitchField::On, 1.0);
    pitch.set(PitchField::Semitones, 7.0);
    let mut inserts: Vec<(&'static str, Process)> = Vec::new();
    for (name, kind) in [
        ("drive tape", DriveType::Tape),
        ("drive tube", DriveType::Tube),
        ("drive fuzz", DriveType::Fuzz),
        ("drive bitcrush", DriveType::Bitcrush),
    ] {
        let mut d = drive(kind);
        inserts.push((name, Box::new(move |l, r| d.process_stereo(l, r))));
    }
    for (name, kind) in [
        ("chorus", ModType::Chorus),
        ("flanger", ModType::Flanger),
        ("phaser", ModType::Phaser),
        ("tremolo", ModType::Tremolo),
        ("auto-pan", ModType::AutoPan),
    ] {
        let mut m = modulation(kind);
        inserts.push((name, Box::new(move |l, r| m.process_stereo(l, r))));
    }
    inserts.push(("pitch +7", Box::new(move |l, r| pitch.process_stereo(l, r))));
    let mut car = Chain::new(Check::Car, SR);
    let mut phone = Chain::new(Check::Phone, SR);
    let mut radio = Chain::new(Check::SmallRadio, SR);
    let mut all: Vec<(&'static str, Process)> = vec![
        ("reverb", Box::new(move |l, r| reverb.process_stereo(l, r))),
        ("delay", Box::new(move |l, r| delay.process_stereo(l, r))),
        (
            "compressor",
            Box::new(move |l, r| comp.process_stereo(l, r)),
        ),
        (
            "limiter",
            Box::new(move |l, r| limiter.process_stereo(l, r)),
        ),
        (
            "loudness meter",
            Box::new(move |l, r| meter.process(&[l, r])),
        ),
        ("check car", Box::new(move |l, r| car.process(l, r))),
        ("check phone", Box::new(move |l, r| phone.process(l, r))),
        (
            "check small-radio",
            Box::new(move |l, r| radio.process(l, r)),
        ),
        ("engine, 1 track", engine_of(None)),
        ("  with a monitor", engine_of(Some(room()))),
    ];
    all.extend(inserts);
    all
}

/// Three speaker sets (one delayed 3 ms), a sub, phones.
fn room() -> MonitorShape {
    let set = |trim_db, delay_ms| SpeakerShape {
        mono: false,
        trim_db,
        delay_ms,
    };
    MonitorShape {
        speakers: vec![set(0.0, 0.0), set(-3.0, 0.0), set(-6.0, 3.0)],
        sub: Some(SubShape {
            trim_db: 0.0,
            delay_ms: 1.0,
            crossover_hz: Some(80.0),
        }),
        phones: Some(PhonesShape { follow_cue: true }),
        talkback: None,
    }
}

/// An engine of one stereo track (and `monitor`, playing the third set
/// with the sub, the car check and mono on) processing the block.
fn engine_of(monitor: Option<MonitorShape>) -> Process {
    let topology = Topology {
        sample_rate: SR,
        pan_law: PanLaw::EqualPower,
        tracks: vec![TrackShape {
            stereo: true,
            inputs: [Some(0), Some(1)],
        }],
        buses: vec![],
        compensate_latency: false,
        monitor,
    };
    let outputs = topology.output_channels();
    let on = |f, v| (ParamId::new(Owner::Monitor, Param::Monitor(f)), v);
    let values = [
        on(MonitorField::Speakers, 3.0),
        on(MonitorField::Sub, 1.0),
        on(MonitorField::Check, Check::Car as usize as f32),
        on(MonitorField::Mono, 1.0),
    ];
    let (mut engine, _handle) = engine::new(topology, &values);
    let mut outs = vec![[0.0f32; BLOCK]; outputs];
    Box::new(move |l, r| {
        // The output slices on the stack: no allocation in the timed loop.
        let mut it = outs.iter_mut();
        let mut o: [&mut [f32]; 16] = std::array::from_fn(|_| match it.next() {
            Some(b) => &mut b[..],
            None => &mut [],
        });
        engine.process(&[l, r], &mut o[..outputs], BLOCK);
    })
}

/// A second of hot pseudo-random stereo noise.
fn noise() -> [Vec<f32>; 2] {
    let mut seed = 7u32;
    let mut next = move || {
        seed = seed.wrapping_mul(1664525).wrapping_add(1013904223);
        (seed >> 8) as f32 / (1 << 24) as f32 * 2.0 - 1.0
    };
    [0, 1].map(|_| (0..SR as usize).map(|_| next()).collect())
}

/// CPU seconds `p` takes for `seconds` of `input`, a block at a time.
fn cpu_for(p: &mut Process, input: &[Vec<f32>; 2], seconds: f64) -> f64 {
    let blocks_per_pass = input[0].len() / BLOCK;
    let blocks = (seconds * SR as f64) as usize / BLOCK;
    let (mut l, mut r) = ([0.0f32; BLOCK], [0.0f32; BLOCK]);
    let start = thread_cpu_seconds();
    for k in 0..blocks {
        let at = (k % blocks_per_pass) * BLOCK;
        l.copy_from_slice(&input[0][at..at + BLOCK]);
        r.copy_from_slice(&input[1][at..at + BLOCK]);
        p(&mut l, &mut r);
    }
    thread_cpu_seconds() - start
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    // Other arguments pick processors by name (e.g. `chorus`, `drive`).
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let (seconds, rounds) = if bench { (4.0, 7) } else { (0.1, 1) };
    let input = noise();
    let mut procs = processors();
    procs.retain(|(name, _)| only.is_empty() || only.iter().any(|o| name.contains(o.as_str())));
    for (_, p) in &mut procs {
        cpu_for(p, &input, 1.0); // warm up
    }
    let mut runs = vec![Runs::default(); procs.len()];
    for _ in 0..rounds {
        for ((_, p), runs) in procs.iter_mut().zip(&mut runs) {
            runs.0.push(cpu_for(p, &input, seconds));
        }
    }
    let ns = |cpu: f64| cpu / (seconds * SR as f64) * 1e9;
    println!("ns per stereo sample, 48 kHz, {BLOCK}-frame blocks, best (median) of {rounds}:");
    for ((name, _), r) in procs.iter().zip(&runs) {
        println!("  {name:<16} {:>6.1} ({:.1})", ns(r.best()), ns(r.median()));
    }
}
