//! The filter chains of up to [`LANES`] mono tracks, run side by side: one
//! lane per track through the same fused loop as a single chain.
//!
//! A single chain is bound by the latency of its recursions (each sample
//! waits on the one before); eight tracks in one pass fill the vector units
//! instead. Each chain keeps its own settings, glides, fades and update
//! periods: the block is cut wherever any lane's update period ends, and in
//! each stretch every lane runs exactly the sections, in the form, that its
//! chain alone would run ([`Masks`] where the lanes differ), so that every
//! track's output is bit for bit what [`FilterChain::process_mono`] gives.

use super::{BiquadState, Cascade, Coeffs, FilterChain, Masks, Plan, Sample, Section, SECTIONS};
use crate::engine::dsp::lanes::{Lanes, LANES};

type V = Lanes<f64>;

impl Sample for V {
    type Mask = Lanes<bool>;
    #[inline(always)]
    fn select(m: Lanes<bool>, a: Self, b: Self) -> Self {
        Lanes::select(m, a, b)
    }
}

/// Filter lane `l` of `frames` through `chains[l]`, for every chain there
/// (lanes without a chain carry anything and are left as they come out).
pub(crate) fn process_lanes(
    chains: &mut [Option<&mut FilterChain>; LANES],
    frames: &mut [Lanes<f32>],
) {
    let n = frames.len();
    let mut pos = 0;
    while pos < n {
        let mut len = n - pos;
        for c in chains.iter_mut().flatten() {
            len = len.min(c.begin_stretch(n - pos));
        }
        run(chains, &mut frames[pos..pos + len]);
        for c in chains.iter_mut().flatten() {
            c.end_stretch(len);
        }
        pos += len;
    }
    for c in chains.iter_mut().flatten() {
        c.finish_block::<1>();
    }
}

/// What one stretch runs: the sections active in any lane, and per lane
/// which of them run and whether its chain is dynamic.
struct LanePlan {
    /// The union of the lanes' plans, and its sections in order.
    union: Plan,
    idx: [usize; SECTIONS],
    /// `active[j][l]`: section `idx[j]` runs in lane `l`.
    active: [[bool; LANES]; SECTIONS],
    dynamic: [bool; LANES],
    /// Whether lanes differ in what they run (so the loop must mask).
    masked: bool,
}

fn plan(chains: &[Option<&mut FilterChain>; LANES]) -> LanePlan {
    let plans = chains.each_ref().map(|c| c.as_ref().map(|c| c.plan()));
    let mut union = Plan {
        active: 0,
        dynamic: false,
    };
    for p in plans.iter().flatten() {
        union.active |= p.active;
        union.dynamic |= p.dynamic;
    }
    let mut p = LanePlan {
        union,
        idx: union.order(),
        active: [[false; LANES]; SECTIONS],
        dynamic: [false; LANES],
        masked: false,
    };
    // Lanes without a chain compute whatever is cheapest; the others must
    // all run every section in the same form for an unmasked loop.
    for (l, lane) in plans.iter().enumerate() {
        let Some(lane) = lane else { continue };
        for j in 0..union.count() {
            p.active[j][l] = lane.runs(p.idx[j]);
        }
        p.dynamic[l] = lane.dynamic;
        p.masked |= lane.active != union.active || lane.dynamic != union.dynamic;
    }
    p
}

fn run(chains: &mut [Option<&mut FilterChain>; LANES], frames: &mut [Lanes<f32>]) {
    let p = plan(chains);
    macro_rules! dispatch {
        ($($n:literal)*) => {
            match (p.union.count(), p.union.dynamic, p.masked) {
                $(
                    ($n, false, false) => cascade::<$n, false, false>(chains, &p, frames),
                    ($n, true, false) => cascade::<$n, true, false>(chains, &p, frames),
                    ($n, false, true) => cascade::<$n, false, true>(chains, &p, frames),
                    ($n, true, true) => cascade::<$n, true, true>(chains, &p, frames),
                )*
                _ => {}
            }
        };
    }
    dispatch!(1 2 3 4 5);
}

/// One value of a section slot in every lane (`absent` where no chain is).
#[inline(always)]
fn gather(secs: &[Option<&Section>; LANES], f: impl Fn(&Section) -> f64, absent: f64) -> V {
    Lanes(std::array::from_fn(|l| secs[l].map_or(absent, &f)))
}

/// The fused loop over `N` sections, one lane per chain: coefficients,
/// states and wet shares gathered from every chain, run, and put back where
/// each chain would have put them.
#[inline(always)]
fn cascade<const N: usize, const DYNAMIC: bool, const MASKED: bool>(
    chains: &mut [Option<&mut FilterChain>; LANES],
    p: &LanePlan,
    frames: &mut [Lanes<f32>],
) {
    // Section slot `j` of every lane; lanes without a chain run identity
    // sections at rest. The steps and wet shares are only read by the
    // loops that move or mask.
    let secs: [[Option<&Section>; LANES]; N] = std::array::from_fn(|j| {
        std::array::from_fn(|l| chains[l].as_deref().map(|c| &c.sections[p.idx[j]]))
    });
    let identity = Coeffs::IDENTITY.to_array();
    let moving = DYNAMIC || MASKED;
    let mut c = Cascade::<N, V> {
        coeffs: std::array::from_fn(|j| {
            std::array::from_fn(|m| gather(&secs[j], |s| s.coeffs.to_array()[m], identity[m]))
        }),
        step: std::array::from_fn(|j| {
            std::array::from_fn(|m| match DYNAMIC {
                true => gather(&secs[j], |s| s.step.to_array()[m], 0.0),
                false => V::splat(0.0),
            })
        }),
        s1: std::array::from_fn(|j| gather(&secs[j], |s| s.state[0].s1, 0.0)),
        s2: std::array::from_fn(|j| gather(&secs[j], |s| s.state[0].s2, 0.0)),
        wet: std::array::from_fn(|j| match moving {
            true => gather(&secs[j], |s| s.wet, 1.0),
            false => V::splat(1.0),
        }),
        wet_step: std::array::from_fn(|j| match DYNAMIC {
            true => gather(&secs[j], |s| s.wet_step, 0.0),
            false => V::splat(0.0),
        }),
    };
    let masks = Masks::<N, V> {
        active: std::array::from_fn(|j| Lanes(p.active[j])),
        dynamic: Lanes(p.dynamic),
    };
    for f in frames.iter_mut() {
        let v = Lanes(f.0.map(f64::from));
        let v = c.tick::<DYNAMIC, MASKED>(v, &masks);
        *f = Lanes(v.0.map(|x| x as f32));
    }
    for (l, chain) in chains.iter_mut().enumerate() {
        let Some(chain) = chain else { continue };
        for j in 0..N {
            if !p.active[j][l] {
                continue;
            }
            let s = &mut chain.sections[p.idx[j]];
            s.state[0] = BiquadState {
                s1: c.s1[j].0[l],
                s2: c.s2[j].0[l],
            };
            if p.dynamic[l] {
                let [b0, b1, b2, a1, a2] = c.coeffs[j].map(|k| k.0[l]);
                s.coeffs = Coeffs { b0, b1, b2, a1, a2 };
                s.wet = c.wet[j].0[l];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::dsp::filter_chain::tests::noise;
    use crate::params::{EqField, EqType};

    /// Lane `l`'s settings: every lane different, some sections off.
    fn setup(c: &mut FilterChain, l: usize) {
        c.set_hpf_on(!l.is_multiple_of(3));
        c.set_hpf_freq(40.0 + 30.0 * l as f32);
        for b in 0..4 {
            let kind = [
                EqType::Peak,
                EqType::LowShelf,
                EqType::HighShelf,
                EqType::LowPass,
            ][(b + l) % 4];
            c.set_eq(b, EqField::Type, kind as usize as f32);
            c.set_eq(b, EqField::Freq, 200.0 * (1 + b + l) as f32);
            c.set_eq(
                b,
                EqField::Gain,
                if (b + l).is_multiple_of(5) {
                    0.0
                } else {
                    6.0 - l as f32
                },
            );
            c.set_eq(b, EqField::On, ((b + l) % 4 != 1) as u8 as f32);
        }
        c.reset();
    }

    /// Changes at different moments in different lanes: glides, fades,
    /// type changes, so that update periods fall out of step.
    fn change(c: &mut FilterChain, l: usize, round: usize) {
        match (l + round) % 5 {
            0 => c.set_eq(1, EqField::Gain, -9.0 + round as f32),
            1 => c.set_hpf_on(round.is_multiple_of(2)),
            2 => c.set_eq(2, EqField::Type, EqType::HighPass as usize as f32),
            3 => c.set_eq(0, EqField::Freq, 100.0 * (round + 1) as f32),
            _ => {}
        }
    }

    /// Every lane comes out bit for bit as its chain alone would put it
    /// out, while lanes glide, fade and switch at different moments and in
    /// blocks of every size; a lane without a chain does not disturb them.
    #[test]
    fn lanes_match_single_chains() {
        let fs = 48_000.0;
        let n = 24_000;
        let absent = 5;
        let inputs: Vec<Vec<f32>> = (0..LANES).map(|l| noise(n, l as u32 + 1)).collect();
        let mut lanes: Vec<FilterChain> = (0..LANES).map(|_| FilterChain::new(fs)).collect();
        let mut single: Vec<FilterChain> = (0..LANES).map(|_| FilterChain::new(fs)).collect();
        for l in 0..LANES {
            setup(&mut lanes[l], l);
            setup(&mut single[l], l);
        }
        let mut frames: Vec<Lanes<f32>> = (0..n)
            .map(|i| Lanes(std::array::from_fn(|l| inputs[l][i])))
            .collect();
        let mut expected = inputs.clone();
        let sizes = [1, 7, 64, 100, 333, 16, 512];
        let (mut pos, mut round) = (0, 0);
        while pos < n {
            let len = sizes[round % sizes.len()].min(n - pos);
            if round % 3 == 1 {
                for l in 0..LANES {
                    change(&mut lanes[l], l, round);
                    change(&mut single[l], l, round);
                }
            }
            let mut chains: [Option<&mut FilterChain>; LANES] = Default::default();
            for (l, (slot, c)) in chains.iter_mut().zip(lanes.iter_mut()).enumerate() {
                if l != absent {
                    *slot = Some(c);
                }
            }
            process_lanes(&mut chains, &mut frames[pos..pos + len]);
            for l in 0..LANES {
                single[l].process_mono(&mut expected[l][pos..pos + len]);
            }
            pos += len;
            round += 1;
        }
        for l in (0..LANES).filter(|&l| l != absent) {
            let got: Vec<f32> = frames.iter().map(|f| f.0[l]).collect();
            assert_eq!(got, expected[l], "lane {l}");
            assert_ne!(got, inputs[l], "lane {l} was filtered");
        }
    }
}
