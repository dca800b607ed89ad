//! Real-time factor of the reference session measured in CPU time of the
//! processing thread, so that other load on the machine does not count
//! against it (wall-clock benches on a shared 2-core machine measure the
//! neighbours). Prints seconds of audio per CPU second, for the full
//! session, for the buses and master alone, and the marginal cost per track.
//!
//! cargo bench --bench realtime_factor

#[path = "support/cpu.rs"]
mod cpu;
#[path = "support/session.rs"]
mod session;
use cpu::thread_cpu_seconds;
use session::{inputs, session, BLOCK, BLOCKS, SR};

/// CPU seconds to process `seconds` of audio through a session of `tracks`.
fn cpu_for(tracks: usize, seconds: f64) -> f64 {
    let (mut engine, tracks, outputs) = session(tracks);
    let ins = inputs(tracks);
    let mut outs = vec![vec![0.0f32; BLOCK]; outputs];
    let blocks = (seconds * SR as f64 / BLOCK as f64) as usize;
    let run = |engine: &mut mixbridge::engine::Engine, outs: &mut Vec<Vec<f32>>, n: usize| {
        for k in 0..n {
            let b = k % BLOCKS;
            let i: Vec<&[f32]> = ins.iter().map(|x| &x[b * BLOCK..(b + 1) * BLOCK]).collect();
            let mut o: Vec<&mut [f32]> = outs.iter_mut().map(|x| &mut x[..]).collect();
            engine.process(&i, &mut o, BLOCK);
        }
    };
    run(&mut engine, &mut outs, BLOCKS); // warm up
    let start = thread_cpu_seconds();
    run(&mut engine, &mut outs, blocks);
    thread_cpu_seconds() - start
}

fn main() {
    // `cargo test --all-targets` runs benches once in test mode: keep it short.
    let seconds = if std::env::args().any(|a| a == "--bench") {
        20.0
    } else {
        0.5
    };
    let full = cpu_for(64, seconds);
    let fixed = cpu_for(0, seconds);
    let per_track_ns = (full - fixed) / 64.0 / (seconds * SR as f64) * 1e9;
    println!("reference session, 48 kHz, {BLOCK}-frame blocks, {seconds} s of audio:");
    println!(
        "  64 tracks + buses + master: {:.1}x real time ({:.3} CPU s)",
        seconds / full,
        full
    );
    println!(
        "  buses + master alone:       {:.1}x real time",
        seconds / fixed
    );
    println!(
        "  per track:                  {per_track_ns:.1} ns per sample ({:.2}% of one core each)",
        100.0 * (full - fixed) / 64.0 / seconds
    );
}
