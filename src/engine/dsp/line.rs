//! A delay line of one channel whose every window is one contiguous slice
//! (the buffer is stored twice over), read at fractional ages by cubic
//! interpolation. The pitch and modulation inserts read it; the delay
//! effect, whose reads are whole frames of two channels, has its own
//! interleaved line.

use super::interpolate::hermite;

pub(crate) struct Line {
    buf: Box<[f32]>,
    mask: usize,
    newest: usize,
}

impl Line {
    /// A line that holds samples up to `max_age` pushes old.
    pub(crate) fn new(max_age: usize) -> Self {
        let len = (max_age + 1).next_power_of_two();
        Line {
            buf: vec![0.0; 2 * len].into_boxed_slice(),
            mask: len - 1,
            newest: 0,
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, x: f32) {
        self.newest = (self.newest + 1) & self.mask;
        self.buf[self.newest] = x;
        self.buf[self.newest + self.mask + 1] = x;
    }

    /// The sample pushed `age` pushes ago (0 = the latest).
    #[inline]
    pub(crate) fn get(&self, age: usize) -> f32 {
        self.buf[self.newest.wrapping_sub(age) & self.mask]
    }

    /// `len` consecutive samples, oldest first, the youngest `youngest`
    /// pushes old.
    #[inline]
    pub(crate) fn window(&self, youngest: usize, len: usize) -> &[f32] {
        let start = self.newest.wrapping_sub(youngest + len - 1) & self.mask;
        &self.buf[start..start + len]
    }

    /// The signal `whole + frac` pushes old (`whole` >= 1: the read needs
    /// the sample one push younger).
    #[inline]
    pub(crate) fn read(&self, whole: usize, frac: f32) -> f32 {
        hermite(self.window(whole - 1, 4), frac)
    }

    pub(crate) fn clear(&mut self) {
        self.buf.fill(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_windows_and_reads() {
        let mut line = Line::new(10);
        for i in 0..40 {
            line.push(i as f32);
        }
        assert_eq!(line.get(0), 39.0);
        assert_eq!(line.get(10), 29.0);
        assert_eq!(line.window(2, 4), &[34.0, 35.0, 36.0, 37.0]);
        // A straight line reads exactly between samples.
        assert_eq!(line.read(3, 0.0), 36.0);
        assert!((line.read(3, 0.25) - 35.75).abs() < 1e-5);
    }
}
