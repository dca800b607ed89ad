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

#[cfg(test)]
mod tests {
    use crate::engine::dsp::pan::PanLaw;
    use crate::engine::{self, Topology, TrackShape};
    use crate::params::{CompField, EqField, GateField, LimiterField, Param, ParamId};

    const SR: f32 = 48_000.0;
    /// Ten mono tracks (a group of eight and one of two) and a stereo one.
    const MONO: usize = 10;

    fn topology(tracks: &[usize]) -> Topology {
        Topology {
            sample_rate: SR,
            pan_law: PanLaw::EqualPower,
            tracks: tracks
                .iter()
                .map(|&i| TrackShape {
                    stereo: i == MONO,
                    inputs: [Some(i), (i == MONO).then_some(i + 1)],
                })
                .collect(),
            buses: vec![],
            compensate_latency: false,
            monitor: None,
        }
    }

    /// Track `t` (engine index `k`) with every stage doing something, each
    /// track differently.
    fn settings(k: u16, t: usize) -> Vec<(ParamId, f32)> {
        let f = t as f32;
        let set = |p: Param, v: f32| (ParamId::track(k, p), v);
        let mut v = vec![
            set(Param::Trim, f - 5.0),
            set(Param::Polarity, t.is_multiple_of(3) as u8 as f32),
            set(Param::HpfOn, (t % 4 != 1) as u8 as f32),
            set(Param::HpfFreq, 40.0 + 20.0 * f),
            set(Param::Gate(GateField::On), (t % 2) as f32),
            set(Param::Gate(GateField::Threshold), -40.0 + f),
            set(Param::Comp(CompField::On), (t % 3 != 2) as u8 as f32),
            set(Param::Comp(CompField::Threshold), -30.0 + f),
            set(Param::Pan, f / 5.0 - 1.0),
            set(Param::Gain, -6.0 - f),
        ];
        for band in 0..4u8 {
            let field = EqField::Gain;
            v.push(set(Param::Eq { band, field }, 4.0 - f + band as f32));
        }
        v.push((ParamId::master(Param::Limiter(LimiterField::On)), 0.0));
        v
    }

    /// Noise bursts, different per input channel.
    fn inputs(n: usize) -> Vec<Vec<f32>> {
        (0..=MONO + 1)
            .map(|c| {
                let mut s = (c as u32 + 1).wrapping_mul(2_654_435_761);
                (0..n)
                    .map(|i| {
                        s ^= s << 13;
                        s ^= s >> 17;
                        s ^= s << 5;
                        let loud = (i / (900 + 130 * c)) % 3 != 2;
                        (s as f32 / u32::MAX as f32 - 0.5) * if loud { 0.2 } else { 0.002 }
                    })
                    .collect()
            })
            .collect()
    }

    /// Master L/R of `tracks` (engine input channels) run in blocks of
    /// `block`, with a change to every track a third of the way in.
    fn run(tracks: &[usize], block: usize) -> [Vec<f32>; 2] {
        let values: Vec<_> = (0..tracks.len())
            .flat_map(|k| settings(k as u16, tracks[k]))
            .collect();
        let (mut engine, mut handle) = engine::new(topology(tracks), &values);
        let x = inputs(SR as usize / 2);
        let mut out = [vec![0.0f32; x[0].len()], vec![0.0f32; x[0].len()]];
        let mut pos = 0;
        let change = SR as usize / 6;
        while pos < x[0].len() {
            if pos == change {
                for k in 0..tracks.len() as u16 {
                    let band = (tracks[k as usize] % 4) as u8;
                    handle.set(
                        ParamId::track(
                            k,
                            Param::Eq {
                                band,
                                field: EqField::Freq,
                            },
                        ),
                        3000.0,
                    );
                    handle.set(ParamId::track(k, Param::Comp(CompField::Makeup)), 3.0);
                    handle.set(ParamId::track(k, Param::Gate(GateField::Range)), 20.0);
                }
            }
            let end = if pos < change { change } else { x[0].len() };
            let n = block.min(end - pos);
            let ins: Vec<&[f32]> = x.iter().map(|c| &c[pos..pos + n]).collect();
            let [l, r] = &mut out;
            engine.process(&ins, &mut [&mut l[pos..pos + n], &mut r[pos..pos + n]], n);
            pos += n;
        }
        out
    }

    fn max_diff(a: &[f32], b: &[f32]) -> f32 {
        a.iter()
            .zip(b)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max)
    }

    /// The mono tracks of a full graph run in groups; each track alone runs
    /// on its own. The sum of the tracks alone is the full mix (to rounding:
    /// only the order of the master sum differs).
    #[test]
    fn groups_mix_what_the_tracks_alone_mix() {
        let all: Vec<usize> = (0..=MONO).collect();
        let full = run(&all, 64);
        let mut sum = [vec![0.0f32; full[0].len()], vec![0.0f32; full[0].len()]];
        for &t in &all {
            let one = run(&[t], 64);
            for (s, o) in sum.iter_mut().zip(&one) {
                s.iter_mut().zip(o).for_each(|(s, o)| *s += o);
            }
        }
        for c in 0..2 {
            let err = max_diff(&full[c], &sum[c]);
            assert!(err < 1e-6, "channel {c}: {err}");
        }
        assert!(full[0].iter().any(|&x| x.abs() > 0.01));
    }

    /// Invariant 7 with track groups: the block size does not change the
    /// result (to the same tolerance as `tests/engine_mixing.rs`).
    #[test]
    fn groups_are_block_size_independent() {
        let all: Vec<usize> = (0..=MONO).collect();
        let reference = run(&all, 64);
        for block in [1, 7, 100, 512, 1000] {
            let o = run(&all, block);
            for c in 0..2 {
                let err = max_diff(&o[c], &reference[c]);
                assert!(err < 1e-5, "block {block}, channel {c}: {err}");
            }
        }
    }
}
