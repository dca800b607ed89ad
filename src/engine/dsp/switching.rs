//! Switching an insert effect on and off, and from one of its voices (a
//! type, or the phaser's stage count) to another, without a click: the
//! two crossfades every insert shares.

use crate::engine::smoothing::Smoothed;

/// Whether an insert is on, and the crossfade between its input (0) and
/// its effect (1). An insert switched on from rest clears its state and
/// may wait a number of samples (a warm-up, while its delay lines fill)
/// before the crossfade starts.
pub(crate) struct OnOff {
    on: bool,
    fade: Smoothed,
    warmup: usize,
}

impl OnOff {
    /// Off, crossfading over `fade_ms` when switched.
    pub(crate) fn new(fade_ms: f32, sample_rate: f32) -> Self {
        OnOff {
            on: false,
            fade: Smoothed::new(0.0, fade_ms, sample_rate),
            warmup: 0,
        }
    }

    /// Whether the effect must run: on, warming up, or fading out.
    #[inline]
    pub(crate) fn running(&self) -> bool {
        self.on || self.fade.current() > 0.0 || self.fade.is_smoothing()
    }

    /// Switch on or off. True when the effect starts from rest: the caller
    /// then clears its state; the crossfade in starts after `warmup()`
    /// samples.
    pub(crate) fn switch(&mut self, on: bool, warmup: impl FnOnce() -> usize) -> bool {
        if on == self.on {
            return false;
        }
        let fresh = on && !self.running();
        if fresh {
            self.warmup = warmup();
        }
        self.on = on;
        if !on {
            self.warmup = 0;
            self.fade.set(0.0);
        } else if self.warmup == 0 {
            self.fade.set(1.0);
        }
        fresh
    }

    /// Whether the effect is still waiting to fade in.
    #[inline]
    pub(crate) fn warming(&self) -> bool {
        self.warmup > 0
    }

    /// The next sample's weight of the effect.
    #[inline]
    pub(crate) fn step(&mut self) -> f32 {
        if self.warmup > 0 {
            self.warmup -= 1;
            if self.warmup == 0 && self.on {
                self.fade.set(1.0);
            }
        }
        self.fade.step()
    }

    /// The next `out.len()` weights.
    pub(crate) fn fill(&mut self, out: &mut [f32]) {
        if self.warmup == 0 {
            self.fade.fill(out);
        } else {
            out.iter_mut().for_each(|o| *o = self.step());
        }
    }
}

/// The voice an insert makes, and the crossfade from one voice to the
/// next. A voice asked for during a crossfade waits for it to end (only the
/// last one asked for is kept), so no crossfade is ever cut short.
pub(crate) struct Voices<V> {
    from: V,
    to: V,
    pending: Option<V>,
    /// The weight of `to`.
    blend: Smoothed,
}

impl<V: Copy + PartialEq> Voices<V> {
    pub(crate) fn new(voice: V, fade_ms: f32, sample_rate: f32) -> Self {
        Voices {
            from: voice,
            to: voice,
            pending: None,
            blend: Smoothed::new(1.0, fade_ms, sample_rate),
        }
    }

    /// The voice faded from and the voice faded to (equal when none runs).
    #[inline]
    pub(crate) fn pair(&self) -> (V, V) {
        (self.from, self.to)
    }

    /// Ask for `voice`: at once while the insert is not `running`, else by
    /// a crossfade. True when a crossfade starts now.
    pub(crate) fn request(&mut self, voice: V, running: bool) -> bool {
        if self.from != self.to {
            self.pending = (voice != self.to).then_some(voice);
            false
        } else if voice == self.to {
            false
        } else if running {
            self.to = voice;
            self.blend.reset(0.0);
            self.blend.set(1.0);
            true
        } else {
            self.from = voice;
            self.to = voice;
            false
        }
    }

    /// How many of the next `len` samples one block may take: a block ends
    /// where a crossfade does, so that the next can start there.
    #[inline]
    pub(crate) fn block_len(&self, len: usize) -> usize {
        if self.from != self.to {
            len.min(self.blend.remaining().max(1))
        } else {
            len
        }
    }

    /// The weights of the voice faded to for the next `out.len()` samples
    /// (no longer than [`Self::block_len`] allows).
    pub(crate) fn fill(&mut self, out: &mut [f32]) {
        if self.from != self.to {
            self.blend.fill(out);
        } else {
            out.fill(1.0);
        }
    }

    /// After a block: a crossfade that ended lands. True when the voice
    /// asked for meanwhile starts its own.
    pub(crate) fn land(&mut self) -> bool {
        if self.from == self.to || self.blend.is_smoothing() {
            return false;
        }
        self.from = self.to;
        match self.pending.take() {
            Some(next) => self.request(next, true),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn on_off_warms_up_then_fades_in_and_out() {
        let mut s = OnOff::new(1.0, 4000.0); // 4-sample fades
        assert!(!s.running());
        assert!(s.switch(true, || 3));
        let w: Vec<f32> = (0..8).map(|_| s.step()).collect();
        assert_eq!(w, [0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0, 1.0]);
        assert!(!s.switch(true, || 3), "already on");
        assert!(!s.switch(false, || 3));
        let mut out = [0.0; 5];
        s.fill(&mut out);
        assert_eq!(out, [0.75, 0.5, 0.25, 0.0, 0.0]);
        assert!(!s.running());
        // Back on before a fade out ends: no fresh start.
        s.switch(true, || 0);
        s.step();
        s.switch(false, || 0);
        assert!(!s.switch(true, || 9));
    }

    #[test]
    fn voices_crossfade_one_at_a_time() {
        let mut v = Voices::new(1u8, 1.0, 4000.0);
        assert!(!v.request(2, false), "at rest: at once");
        assert_eq!(v.pair(), (2, 2));
        assert!(v.request(3, true));
        assert!(!v.request(4, true), "waits");
        assert!(!v.request(5, true), "the last asked for is kept");
        assert_eq!(v.block_len(64), 4);
        let mut w = [0.0; 4];
        v.fill(&mut w);
        assert_eq!(w, [0.25, 0.5, 0.75, 1.0]);
        assert!(v.land(), "the pending one starts");
        assert_eq!(v.pair(), (3, 5));
        v.fill(&mut w);
        assert!(!v.land());
        assert_eq!(v.pair(), (5, 5));
        assert_eq!(v.block_len(64), 64);
    }
}
