//! Engine throughput at 48 kHz with 64-frame blocks.
//!
//! `full_session`: 64 mono tracks with every strip stage on and 4 sends each,
//! 8 buses (2 reverbs, 2 delays, 4 aux), the master with compressor, limiter
//! and loudness meter. Criterion reports frames per second; divide by 48 000
//! for the real-time factor on one core. `one_track` is the marginal cost of a
//! fully loaded track (run alone, with the master).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
#[path = "support/session.rs"]
mod session;
use session::{inputs, session, BLOCK, BLOCKS};

fn bench_engine(c: &mut Criterion, name: &str, tracks: usize) {
    let (mut engine, tracks, outputs) = session(tracks);
    let ins = inputs(tracks);
    let mut outs = vec![vec![0.0f32; BLOCK]; outputs];
    let mut b = 0;
    let mut group = c.benchmark_group("engine_48k_64");
    group.throughput(Throughput::Elements(BLOCK as u64));
    group.bench_function(name, |bench| {
        bench.iter(|| {
            let i: Vec<&[f32]> = ins.iter().map(|x| &x[b * BLOCK..(b + 1) * BLOCK]).collect();
            let mut o: Vec<&mut [f32]> = outs.iter_mut().map(|x| &mut x[..]).collect();
            engine.process(&i, &mut o, BLOCK);
            b = (b + 1) % BLOCKS;
        })
    });
    group.finish();
}

fn engine_benches(c: &mut Criterion) {
    bench_engine(c, "full_session_64_tracks", 64);
    bench_engine(c, "one_track", 1);
    bench_engine(c, "no_tracks", 0);
}

criterion_group!(benches, engine_benches);
criterion_main!(benches);
