//! Real-time factor of the reference session, and what each stage costs.
//!
//! Measured in CPU time of the processing thread, so that other load on the
//! machine does not count against it (wall-clock benches on a shared 2-core
//! machine measure the neighbours). Even CPU time moves by a third from run
//! to run on a shared virtual machine (the neighbours share the caches), so
//! every variant is run several times, the variants taking turns, and the
//! best and the median are reported: the best is what the machine does when
//! left alone, the median what it did this time.
//!
//! The stage table prices each stage by switching it off in an otherwise
//! full session and taking the difference of the best runs.
//!
//! cargo bench --bench realtime_factor

#[path = "support/cpu.rs"]
mod cpu;
#[path = "support/session.rs"]
mod session;
use cpu::{thread_cpu_seconds, Runs};
use session::{inputs, session_with, Stages, BLOCK, BLOCKS, SR};

/// CPU seconds to process `seconds` of audio through a session of `tracks`
/// tracks with the stages `on`.
fn cpu_for(tracks: usize, on: Stages, seconds: f64) -> f64 {
    let (mut engine, tracks, outputs) = session_with(tracks, on);
    let ins = inputs(tracks);
    let mut outs = vec![vec![0.0f32; BLOCK]; outputs];
    let blocks = (seconds * SR as f64 / BLOCK as f64) as usize;
    let mut run = |n: usize| {
        for k in 0..n {
            let b = k % BLOCKS;
            let i: Vec<&[f32]> = ins.iter().map(|x| &x[b * BLOCK..(b + 1) * BLOCK]).collect();
            let mut o: Vec<&mut [f32]> = outs.iter_mut().map(|x| &mut x[..]).collect();
            engine.process(&i, &mut o, BLOCK);
        }
    };
    run(BLOCKS); // warm up
    let start = thread_cpu_seconds();
    run(blocks);
    thread_cpu_seconds() - start
}

struct Variant {
    name: &'static str,
    tracks: usize,
    on: Stages,
    runs: Runs,
}

impl Variant {
    fn new(name: &'static str, tracks: usize, on: Stages) -> Self {
        Variant {
            name,
            tracks,
            on,
            runs: Runs::default(),
        }
    }
}

fn main() {
    // `cargo test --all-targets` runs benches once in test mode: keep it short.
    let bench = std::env::args().any(|a| a == "--bench");
    let (seconds, rounds) = if bench { (5.0, 7) } else { (0.25, 1) };
    let all = Stages::ALL;
    let mut variants = vec![
        Variant::new("full", 64, all),
        Variant::new("buses and master alone", 0, all),
        Variant::new(
            "track HPF and EQ",
            64,
            Stages {
                filters: false,
                ..all
            },
        ),
        Variant::new("track gate", 64, Stages { gate: false, ..all }),
        Variant::new("track compressor", 64, Stages { comp: false, ..all }),
        Variant::new(
            "track sends and the effects they feed",
            64,
            Stages {
                sends: false,
                ..all
            },
        ),
        Variant::new(
            "bus compressors",
            64,
            Stages {
                bus_comp: false,
                ..all
            },
        ),
        Variant::new(
            "master compressor and limiter",
            64,
            Stages {
                master: false,
                ..all
            },
        ),
    ];
    for _ in 0..rounds {
        for v in &mut variants {
            let t = cpu_for(v.tracks, v.on, seconds);
            v.runs.0.push(t);
        }
    }
    let ns_per_sample = |cpu: f64| cpu / (seconds * SR as f64) * 1e9;
    let (full, fixed) = (&variants[0], &variants[1]);
    println!(
        "reference session, 48 kHz, {BLOCK}-frame blocks, {seconds} s of audio, best (median) of {rounds}:"
    );
    println!(
        "  64 tracks + buses + master: {:.1}x ({:.1}x) real time",
        seconds / full.runs.best(),
        seconds / full.runs.median()
    );
    println!(
        "  buses + master alone:       {:.1}x ({:.1}x) real time",
        seconds / fixed.runs.best(),
        seconds / fixed.runs.median()
    );
    let per_track = (full.runs.best() - fixed.runs.best()) / 64.0;
    println!(
        "  per track:                  {:.1} ns per sample ({:.3}% of one core each)",
        ns_per_sample(per_track),
        100.0 * per_track / seconds
    );
    println!("cost of each stage in the full session (best runs), ns per sample:");
    for v in &variants[2..] {
        let cost = full.runs.best() - v.runs.best();
        println!(
            "  {:<40} {:>7.1} in all{}",
            v.name,
            ns_per_sample(cost),
            if v.name.starts_with("track") {
                format!(", {:>5.2} per track", ns_per_sample(cost / 64.0))
            } else {
                String::new()
            }
        );
    }
}
