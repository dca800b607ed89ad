//! Automation figures: how many breakpoints a recorded fader ride keeps
//! after thinning, how far playback strays from the recorded move, how
//! fast thinning runs, and what reading lanes costs the audio thread.
//!
//! cargo bench --bench automation
//!
//! The ride is a minute of a Mackie fader (14-bit, reported every 10 ms
//! while it moves): slow rides, holds, quick dips and pushes, the moves an
//! engineer makes on a vocal. Playback is measured on the engine itself:
//! a constant signal through a track whose fader plays the thinned lane,
//! the gain applied read back from the output sample by sample, compared
//! with the recorded move at the same instant.

use mixbridge::automation::thin::{deviation, thin, TOLERANCE};
use mixbridge::engine::automation::{Lane, LaneSetup, Playback, Point, Shape};
use mixbridge::engine::dsp::pan::PanLaw;
use mixbridge::engine::transport::TransportCommand;
use mixbridge::engine::{self, Topology, TrackShape, MAX_BLOCK};
use mixbridge::params::{fader_law, Param, ParamId, Spec};
use mixbridge::units::{Decibels, FaderPos};
use std::sync::Arc;
use std::time::Instant;

#[path = "support/cpu.rs"]
mod cpu;
#[allow(dead_code)]
#[path = "support/session.rs"]
mod session;

const SR: f32 = 48_000.0;
/// The signal through the track: well under the limiter's ceiling.
const LEVEL: f32 = 0.05;

/// A deterministic generator.
struct Lcg(u64);
impl Lcg {
    fn unit(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// A minute of fader ride as a surface reports it: (seconds, dB).
fn ride(seconds: f64) -> Vec<Point> {
    let mut rng = Lcg(11);
    let mut pos = 0.7f32;
    let mut t = 0.0;
    let mut points = vec![Point::new(0.0, fader_law::to_db(FaderPos(pos)).0)];
    while t < seconds {
        // A hold of 0.3 to 3 s: the fader sends nothing.
        t += 0.3 + 2.7 * rng.unit() as f64;
        // A move of 0.1 to 1.5 s to a new place, eased, every 10 ms.
        let len = 0.1 + 1.4 * rng.unit() as f64;
        let from = pos;
        let to = (pos + (rng.unit() - 0.5) * 0.3).clamp(0.35, 0.85);
        let steps = (len / 0.01) as usize;
        for k in 1..=steps {
            let x = k as f32 / steps as f32;
            let eased = x * x * (3.0 - 2.0 * x);
            // 14-bit like a Mackie fader.
            pos = ((from + (to - from) * eased) * 16383.0).round() / 16383.0;
            points.push(Point::new(
                t + k as f64 * 0.01,
                fader_law::to_db(FaderPos(pos)).0,
            ));
        }
        t += len;
    }
    points.retain(|p| p.time <= seconds);
    points
}

/// Play `lane` on a track's fader; the gain heard at each frame, in dB.
fn play(lane: &Lane, frames: usize) -> Vec<f32> {
    let topology = Topology {
        sample_rate: SR,
        pan_law: PanLaw::EqualPower,
        tracks: vec![TrackShape {
            stereo: false,
            inputs: [Some(0), None],
        }],
        buses: vec![],
        compensate_latency: false,
        monitor: None,
    };
    let pan = ParamId::track(0, Param::Pan);
    let (mut engine, mut handle) = engine::new(topology, &[(pan, -1.0)]);
    let latency = handle.latency();
    handle.set_playback(Playback::new(vec![LaneSetup {
        id: ParamId::track(0, Param::Gain),
        lane: Arc::new(lane.clone()),
        reading: true,
        offset: 0.0,
    }]));
    handle.transport(TransportCommand::Play);
    let input = vec![LEVEL; MAX_BLOCK];
    let mut out = [vec![0.0f32; MAX_BLOCK], vec![0.0f32; MAX_BLOCK]];
    let mut gains = Vec::with_capacity(frames + latency);
    while gains.len() < frames + latency {
        let [l, r] = &mut out;
        engine.process(&[&input], &mut [&mut l[..], &mut r[..]], MAX_BLOCK);
        gains.extend(l.iter().map(|v| 20.0 * (v / LEVEL).abs().max(1e-9).log10()));
    }
    gains.drain(..latency);
    gains.truncate(frames);
    gains
}

fn main() {
    // `cargo test --all-targets` runs benches once in test mode: keep it short.
    let bench = std::env::args().any(|a| a == "--bench");
    let minute = if bench { 60.0 } else { 5.0 };
    let recorded = ride(minute);
    let spec = Spec::of(Param::Gain);
    let started = Instant::now();
    let kept = thin(&recorded, Shape::Linear, &spec, TOLERANCE);
    let took = started.elapsed().as_secs_f64();
    println!(
        "fader ride: {:.0} s (60 with --bench), 14-bit moves reported every 10 ms",
        minute
    );
    let per_minute = 60.0 / minute;
    println!(
        "  breakpoints per minute: recorded {:.0}, thinned {:.0} ({:.1}x fewer)",
        recorded.len() as f64 * per_minute,
        kept.len() as f64 * per_minute,
        recorded.len() as f64 / kept.len() as f64
    );
    println!(
        "  thinning: {:.2} ms for the ride ({:.1} M points/s); largest lane error {:.4} of travel (tolerance {TOLERANCE})",
        took * 1e3,
        recorded.len() as f64 / took / 1e6,
        deviation(&recorded, &kept, Shape::Linear, &spec)
    );

    // Playback against the move.
    let move_lane = Lane::new(Shape::Linear, recorded.clone());
    let lane = Lane::new(Shape::Linear, kept);
    let frames = (minute * SR as f64) as usize;
    let heard = play(&lane, frames);
    let mut worst_db = 0.0f32;
    let mut worst_at = 0.0;
    let mut worst_travel = 0.0f32;
    let mut sum = 0.0f64;
    for (i, g) in heard.iter().enumerate().skip((0.1 * SR) as usize) {
        let t = i as f64 / f64::from(SR);
        let want = move_lane.value_at(t).unwrap();
        let d = (g - want).abs();
        sum += f64::from(d);
        if d > worst_db {
            worst_db = d;
            worst_at = t;
        }
        let travel =
            (fader_law::from_db(Decibels(*g)).0 - fader_law::from_db(Decibels(want)).0).abs();
        worst_travel = worst_travel.max(travel);
    }
    println!(
        "  playback vs the recorded move (engine, sample by sample): largest {:.3} dB ({:.4} of travel) at {:.2} s, mean {:.4} dB",
        worst_db,
        worst_travel,
        worst_at,
        sum / heard.len() as f64
    );

    // What reading lanes costs: 64 lanes read on a 64-track session.
    let tracks = 64;
    let topology = Topology {
        sample_rate: SR,
        pan_law: PanLaw::EqualPower,
        tracks: session::mono_tracks(tracks),
        buses: vec![],
        compensate_latency: false,
        monitor: None,
    };
    let cost = |with_lanes: bool| {
        let (mut engine, mut handle) = engine::new(topology.clone(), &[]);
        if with_lanes {
            let setups = (0..tracks as u16)
                .map(|t| LaneSetup {
                    id: ParamId::track(t, Param::Gain),
                    lane: Arc::new(lane.clone()),
                    reading: true,
                    offset: 0.0,
                })
                .collect();
            handle.set_playback(Playback::new(setups));
        }
        handle.transport(TransportCommand::Play);
        let input = vec![0.01f32; 128];
        let ins: Vec<&[f32]> = (0..tracks).map(|_| &input[..]).collect();
        let mut out = [vec![0.0f32; 128], vec![0.0f32; 128]];
        let seconds = if bench { 20.0 } else { 0.5 };
        let blocks = (seconds * SR as f64 / 128.0) as usize;
        let started = cpu::thread_cpu_seconds();
        for _ in 0..blocks {
            let [l, r] = &mut out;
            engine.process(&ins, &mut [&mut l[..], &mut r[..]], 128);
        }
        seconds / (cpu::thread_cpu_seconds() - started)
    };
    let (without, with) = (cost(false), cost(true));
    println!(
        "  64 tracks, 128-frame callbacks, CPU time: {:.1}x real time without lanes, {:.1}x with a lane on every fader ({:+.1} % CPU)",
        without,
        with,
        (without / with - 1.0) * 100.0
    );
}
