//! Where each engine output goes on the device: engine output `k` to
//! device channel `output_map[k]`; several outputs on one channel add up,
//! outputs mapped past the device's channels are reported and not played.

use cpal::{FromSample, Sample};

/// Which engine outputs feed each device output channel.
pub(super) struct Routes {
    by_channel: Vec<Vec<usize>>,
    /// Engine outputs mapped to channels the device does not have.
    pub unplayed: Vec<usize>,
}

impl Routes {
    pub fn new(map: &[Option<usize>], channels: usize) -> Routes {
        let mut by_channel = vec![Vec::new(); channels];
        let mut unplayed = Vec::new();
        for (k, dest) in map.iter().enumerate() {
            match dest {
                Some(d) if *d < channels => by_channel[*d].push(k),
                Some(_) => unplayed.push(k),
                None => {}
            }
        }
        Routes {
            by_channel,
            unplayed,
        }
    }

    /// Interleave `m` frames of the engine outputs into `data` (`channels` wide).
    pub fn write<T: Sample + FromSample<f32>>(
        &self,
        outs: &[Vec<f32>],
        data: &mut [T],
        channels: usize,
        m: usize,
    ) {
        for (c, sources) in self.by_channel.iter().enumerate() {
            match sources.as_slice() {
                [] => {}
                [s] => {
                    for (frame, &v) in data.chunks_exact_mut(channels).zip(&outs[*s][..m]) {
                        frame[c] = T::from_sample(v);
                    }
                }
                many => {
                    for (i, frame) in data.chunks_exact_mut(channels).take(m).enumerate() {
                        let v: f32 = many.iter().map(|&s| outs[s][i]).sum();
                        frame[c] = T::from_sample(v);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_map_sum_and_drop() {
        // Engine outputs: master L/R to 2/3, aux L/R both to 0, one unmapped,
        // one beyond the device's 4 channels.
        let map = [Some(2), Some(3), Some(0), Some(0), None, Some(9)];
        let r = Routes::new(&map, 4);
        assert_eq!(r.unplayed, vec![5]);
        let outs: Vec<Vec<f32>> = (0..6).map(|k| vec![0.1 * (k + 1) as f32; 3]).collect();
        let mut data = vec![0.0f32; 12];
        r.write(&outs, &mut data, 4, 3);
        for frame in data.chunks(4) {
            assert!((frame[0] - (0.3 + 0.4)).abs() < 1e-6);
            assert_eq!(frame[1], 0.0);
            assert!((frame[2] - 0.1).abs() < 1e-6);
            assert!((frame[3] - 0.2).abs() < 1e-6);
        }
        // Integer devices get the same, converted.
        let mut ints = vec![0i16; 12];
        r.write(&outs, &mut ints, 4, 3);
        assert_eq!(ints[2], i16::from_sample(0.1f32));
    }
}
