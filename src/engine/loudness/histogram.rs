//! A fixed histogram of block energies, for gated means and percentiles over
//! a whole programme without storing every block.
//!
//! Bins are 0.01 LU wide from the -70 LUFS absolute gate up. Each bin keeps
//! the count and the exact energy sum of its blocks, so a mean over whole
//! bins is exact; only a relative gate or a percentile that falls inside a
//! bin is resolved to the bin (its blocks all lie within 0.01 LU).

use super::{energy_to_lufs, lufs_to_energy, ABSOLUTE_GATE_LUFS};

/// Width of one bin in LU.
const BIN_LU: f64 = 0.01;
/// Blocks louder than this share the top bin (their energy still sums exactly).
const TOP_LUFS: f64 = 30.0;
const BINS: usize = ((TOP_LUFS - ABSOLUTE_GATE_LUFS) / BIN_LU) as usize;

pub struct EnergyHistogram {
    counts: Box<[u32]>,
    sums: Box<[f64]>,
    count: u64,
    energy: f64,
    /// Energy of the absolute gate: blocks must exceed it.
    floor: f64,
    /// Occupied bins lie within lo..=hi (lo > hi when empty).
    lo: usize,
    hi: usize,
}

impl EnergyHistogram {
    pub fn new() -> Self {
        EnergyHistogram {
            counts: vec![0; BINS].into_boxed_slice(),
            sums: vec![0.0; BINS].into_boxed_slice(),
            count: 0,
            energy: 0.0,
            floor: lufs_to_energy(ABSOLUTE_GATE_LUFS),
            lo: BINS,
            hi: 0,
        }
    }

    fn bin_of(lufs: f64) -> usize {
        (((lufs - ABSOLUTE_GATE_LUFS) / BIN_LU).max(0.0) as usize).min(BINS - 1)
    }

    /// Add one block's mean energy; blocks at or under the absolute gate
    /// are dropped. Returns whether the block was kept.
    pub fn add(&mut self, energy: f64) -> bool {
        if !energy.is_finite() || energy <= self.floor {
            return false;
        }
        let i = Self::bin_of(energy_to_lufs(energy));
        self.counts[i] = self.counts[i].saturating_add(1);
        self.sums[i] += energy;
        self.count += 1;
        self.energy += energy;
        self.lo = self.lo.min(i);
        self.hi = self.hi.max(i);
        true
    }

    pub fn clear(&mut self) {
        if self.lo <= self.hi {
            self.counts[self.lo..=self.hi].fill(0);
            self.sums[self.lo..=self.hi].fill(0.0);
        }
        self.count = 0;
        self.energy = 0.0;
        self.lo = BINS;
        self.hi = 0;
    }

    /// The energy `relative_lu` below (negative) the mean of every kept block.
    pub fn relative_gate(&self, relative_lu: f64) -> Option<f64> {
        (self.count > 0).then(|| self.energy / self.count as f64 * 10f64.powf(relative_lu / 10.0))
    }

    /// Bins whose blocks pass `gate` (by the bin's mean energy), loudest last.
    fn above(&self, gate: f64) -> impl Iterator<Item = (u32, f64)> + '_ {
        let start = Self::bin_of(energy_to_lufs(gate)).max(self.lo);
        let end = if self.lo <= self.hi {
            self.hi + 1
        } else {
            start
        };
        (start..end.max(start))
            .map(|i| (self.counts[i], self.sums[i]))
            .filter(move |&(n, sum)| n > 0 && sum >= gate * n as f64)
    }

    /// Mean energy of the blocks that pass `gate`.
    pub fn mean_above(&self, gate: f64) -> Option<f64> {
        let (n, sum) = self
            .above(gate)
            .fold((0u64, 0.0), |(n, s), (bn, bs)| (n + bn as u64, s + bs));
        (n > 0).then(|| sum / n as f64)
    }

    /// The loudness (LUFS) at each of the `fractions` (0..=1, ascending) of
    /// the blocks that pass `gate`, ranked from quietest; the rank of
    /// fraction p among n blocks is round(p·(n-1)).
    pub fn percentiles_above<const N: usize>(
        &self,
        gate: f64,
        fractions: [f64; N],
    ) -> Option<[f64; N]> {
        let total: u64 = self.above(gate).map(|(n, _)| n as u64).sum();
        if total == 0 {
            return None;
        }
        let mut out = [0.0; N];
        let mut bins = self.above(gate);
        let mut seen = 0u64;
        let mut current = (0u32, 0.0f64);
        for (slot, p) in out.iter_mut().zip(fractions) {
            let rank = (p.clamp(0.0, 1.0) * (total - 1) as f64).round() as u64;
            while seen <= rank {
                match bins.next() {
                    Some(bin) => {
                        seen += bin.0 as u64;
                        current = bin;
                    }
                    None => break,
                }
            }
            *slot = energy_to_lufs(current.1 / current.0.max(1) as f64);
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic block loudnesses spread over `span` LU around `centre`.
    fn blocks(n: usize, centre: f64, span: f64) -> Vec<f64> {
        let mut s = 0x2545_F491u32;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                centre + span * (s as f64 / u32::MAX as f64 - 0.5)
            })
            .collect()
    }

    #[test]
    fn gated_mean_matches_exact_computation() {
        let lufs = blocks(20_000, -30.0, 50.0);
        let mut h = EnergyHistogram::new();
        lufs.iter().for_each(|&l| {
            h.add(lufs_to_energy(l));
        });
        // Exact: absolute gate, mean, relative gate at -10 LU, mean again.
        let kept: Vec<f64> = lufs
            .iter()
            .filter(|&&l| l > -70.0)
            .map(|&l| lufs_to_energy(l))
            .collect();
        let gate = kept.iter().sum::<f64>() / kept.len() as f64 * 0.1;
        let passed: Vec<f64> = kept.iter().copied().filter(|&e| e > gate).collect();
        let exact = energy_to_lufs(passed.iter().sum::<f64>() / passed.len() as f64);
        let got = energy_to_lufs(h.mean_above(h.relative_gate(-10.0).unwrap()).unwrap());
        assert!((got - exact).abs() < 0.005, "{got} vs {exact}");
    }

    #[test]
    fn percentiles_match_exact_ranks() {
        let lufs = blocks(5_000, -25.0, 30.0);
        let mut h = EnergyHistogram::new();
        lufs.iter().for_each(|&l| {
            h.add(lufs_to_energy(l));
        });
        let mut sorted = lufs.clone();
        sorted.sort_by(f64::total_cmp);
        let gate = h.relative_gate(-20.0).unwrap();
        let passed: Vec<f64> = sorted
            .into_iter()
            .filter(|&l| lufs_to_energy(l) > gate)
            .collect();
        let at = |p: f64| passed[(p * (passed.len() - 1) as f64).round() as usize];
        let [lo, hi] = h.percentiles_above(gate, [0.10, 0.95]).unwrap();
        assert!((lo - at(0.10)).abs() <= BIN_LU, "{lo} vs {}", at(0.10));
        assert!((hi - at(0.95)).abs() <= BIN_LU, "{hi} vs {}", at(0.95));
    }

    #[test]
    fn absolute_gate_and_empty() {
        let mut h = EnergyHistogram::new();
        assert!(h.relative_gate(-10.0).is_none());
        assert!(!h.add(lufs_to_energy(-70.5)));
        assert!(!h.add(0.0));
        assert!(!h.add(f64::NAN));
        assert!(h.add(lufs_to_energy(-69.9)));
        assert!(h.add(lufs_to_energy(45.0)));
        let both = h.mean_above(h.relative_gate(-200.0).unwrap()).unwrap();
        let exact = (lufs_to_energy(-69.9) + lufs_to_energy(45.0)) / 2.0;
        assert!((both / exact - 1.0).abs() < 1e-12);
        h.clear();
        assert!(h.relative_gate(-10.0).is_none());
        assert!(h.percentiles_above(1.0, [0.5]).is_none());
    }
}
