//! What every backend's callback does around the engine: split the callback
//! into chunks that fit the preallocated planar buffers, let the backend fill
//! the inputs, run `Engine::process`, measure each output (peak and energy
//! into [`AudioStats`]) and let the backend take the outputs.
//!
//! Buffers are allocated in [`Processor::new`], on the control side; `run`
//! only borrows them, so callbacks of any size never allocate.

use super::stats::AudioStats;
use super::MAX_OUTPUTS;
use crate::engine::{Engine, MAX_INPUTS};
use std::sync::Arc;

/// Frames per engine call; longer callbacks are processed in several.
pub(super) const CHUNK: usize = 1024;

pub(super) struct Processor {
    engine: Engine,
    ins: Vec<Vec<f32>>,
    outs: Vec<Vec<f32>>,
    energy: Vec<f64>,
    stats: Arc<AudioStats>,
}

impl Processor {
    pub fn new(engine: Engine, inputs: usize, outputs: usize, stats: Arc<AudioStats>) -> Processor {
        let inputs = inputs.min(MAX_INPUTS);
        let outputs = outputs.min(MAX_OUTPUTS);
        Processor {
            engine,
            ins: vec![vec![0.0; CHUNK]; inputs],
            outs: vec![vec![0.0; CHUNK]; outputs],
            energy: vec![0.0; outputs],
            stats,
        }
    }

    pub fn into_engine(self) -> Engine {
        self.engine
    }

    /// Process `frames` frames. For each chunk of `m` frames, `fill(ins, m)`
    /// writes `ins[c][..m]` (what it leaves alone keeps its last value) and
    /// `emit(outs, offset, m)` takes `outs[k][..m]`, the chunk starting
    /// `offset` frames into the callback.
    pub fn run(
        &mut self,
        frames: usize,
        mut fill: impl FnMut(&mut [Vec<f32>], usize),
        mut emit: impl FnMut(&[Vec<f32>], usize, usize),
    ) {
        let mut peaks = [0.0f32; MAX_OUTPUTS];
        let mut offset = 0;
        while offset < frames {
            let m = (frames - offset).min(CHUNK);
            fill(&mut self.ins, m);
            self.process_chunk(m);
            for ((out, peak), energy) in self.outs.iter().zip(&mut peaks).zip(&mut self.energy) {
                let (p, e) = measure(&out[..m]);
                *peak = peak.max(p);
                *energy += e as f64;
            }
            emit(&self.outs, offset, m);
            offset += m;
        }
        for (k, (&p, &e)) in peaks.iter().zip(&self.energy).enumerate() {
            self.stats.set_output(k, p, e);
        }
        self.stats.add_block(frames);
    }

    fn process_chunk(&mut self, m: usize) {
        let (ni, no) = (self.ins.len(), self.outs.len());
        let mut ins: [&[f32]; MAX_INPUTS] = [&[]; MAX_INPUTS];
        for (slot, x) in ins.iter_mut().zip(&self.ins) {
            *slot = &x[..m];
        }
        let mut outs: [&mut [f32]; MAX_OUTPUTS] = std::array::from_fn(|_| Default::default());
        for (slot, x) in outs.iter_mut().zip(self.outs.iter_mut()) {
            *slot = &mut x[..m];
        }
        self.engine.process(&ins[..ni], &mut outs[..no], m);
    }
}

/// Peak and sum of squares of a block.
#[inline]
fn measure(x: &[f32]) -> (f32, f32) {
    x.iter()
        .fold((0.0f32, 0.0f32), |(p, e), &v| (p.max(v.abs()), e + v * v))
}

/// Run `f` with allocation forbidden in debug builds (the binary or test
/// installs `assert_no_alloc::AllocDisabler` as its global allocator).
#[inline]
pub(super) fn no_alloc<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(debug_assertions)]
    {
        assert_no_alloc::assert_no_alloc(f)
    }
    #[cfg(not(debug_assertions))]
    {
        f()
    }
}
