//! A track group: up to [`LANES`] mono tracks whose filters, gate and
//! compressor run side by side, one lane per track.
//!
//! Why: these stages are recursions, each sample waiting on the one before,
//! so one track at a time leaves the CPU mostly idle; eight independent
//! tracks in vector registers cost little more than one (see
//! [`crate::engine::dsp::lanes`]). Every track keeps its own processors,
//! settings and state; a group only gathers them for the block, and each
//! lane computes bit for bit what the track's processors compute alone.

use super::dsp::lanes::{Lanes, LANES};
use super::dsp::{compressor, filter_chain, gate};
use super::track::Track;

/// Run the filters and dynamics of the tracks in `group` (after their
/// input step) over the first `frames.len()` samples of their buffers;
/// `frames` is the group's work space.
pub(crate) fn process(group: &mut [Option<&mut Track>; LANES], frames: &mut [Lanes<f32>]) {
    let n = frames.len();
    let mut stages = group
        .each_mut()
        .map(|t| t.as_mut().map(|t| t.lane_stages()));
    for (l, st) in stages.iter().enumerate() {
        match st {
            Some((_, _, _, x)) => frames
                .iter_mut()
                .zip(&x[..n])
                .for_each(|(f, &x)| f.0[l] = x),
            None => frames.iter_mut().for_each(|f| f.0[l] = 0.0),
        }
    }
    let mut filters = stages.each_mut().map(|s| s.as_mut().map(|s| &mut *s.0));
    filter_chain::process_lanes(&mut filters, frames);
    let mut gates = stages.each_mut().map(|s| s.as_mut().map(|s| &mut *s.1));
    gate::process_lanes(&mut gates, frames);
    let mut comps = stages.each_mut().map(|s| s.as_mut().map(|s| &mut *s.2));
    compressor::process_lanes(&mut comps, frames);
    for (l, st) in stages.iter_mut().enumerate() {
        if let Some((_, _, _, x)) = st {
            x[..n]
                .iter_mut()
                .zip(frames.iter())
                .for_each(|(x, f)| *x = f.0[l]);
        }
    }
}
