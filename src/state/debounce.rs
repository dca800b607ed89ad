//! When to save after changes: not on every fader tick (a fader move is
//! dozens of changes a second, and each save is two fsyncs), but soon enough
//! that a power cut loses at most the last couple of seconds.

use std::time::{Duration, Instant};

/// Save once the mix has been still this long...
pub const DEBOUNCE: Duration = Duration::from_secs(1);

/// ...or at the latest this long after the first unsaved change, even
/// while changes keep coming.
pub const MAX_DELAY: Duration = Duration::from_secs(2);

/// Tracks unsaved changes. The control loop calls [`Debounce::mark`] on
/// every change, waits no later than [`Debounce::deadline`], saves when
/// [`Debounce::due`], then calls [`Debounce::saved`] (or
/// [`Debounce::failed`]); at shutdown it saves if [`Debounce::pending`].
#[derive(Debug, Clone, Default)]
pub struct Debounce {
    /// The first and the latest unsaved change.
    unsaved: Option<(Instant, Instant)>,
}

impl Debounce {
    pub fn new() -> Debounce {
        Debounce::default()
    }

    /// Something changed at `now`.
    pub fn mark(&mut self, now: Instant) {
        self.unsaved = Some(match self.unsaved {
            None => (now, now),
            Some((first, last)) => (first, last.max(now)),
        });
    }

    /// Whether there are changes not yet saved.
    pub fn pending(&self) -> bool {
        self.unsaved.is_some()
    }

    /// When the next save is due, if anything is unsaved.
    pub fn deadline(&self) -> Option<Instant> {
        self.unsaved
            .map(|(first, last)| (last + DEBOUNCE).min(first + MAX_DELAY))
    }

    /// Whether to save now.
    pub fn due(&self, now: Instant) -> bool {
        self.deadline().is_some_and(|d| now >= d)
    }

    /// Everything marked so far is on disk.
    pub fn saved(&mut self) {
        self.unsaved = None;
    }

    /// A save attempted at `now` failed: try again one [`DEBOUNCE`] later
    /// rather than on every tick.
    pub fn failed(&mut self, now: Instant) {
        self.unsaved = Some((now, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_single_change_is_saved_after_the_quiet_time() {
        let t0 = Instant::now();
        let mut d = Debounce::new();
        assert!(!d.pending() && !d.due(t0 + ms(10_000)));
        assert_eq!(d.deadline(), None);
        d.mark(t0);
        assert!(d.pending());
        assert!(!d.due(t0 + DEBOUNCE - ms(1)));
        assert!(d.due(t0 + DEBOUNCE));
        assert_eq!(d.deadline(), Some(t0 + DEBOUNCE));
        d.saved();
        assert!(!d.pending() && !d.due(t0 + ms(10_000)));
    }

    #[test]
    fn a_long_move_is_saved_within_the_maximum_delay() {
        let t0 = Instant::now();
        let mut d = Debounce::new();
        // A fader moving every 20 ms for 5 s.
        let mut saves = Vec::new();
        for i in 0..250u64 {
            let now = t0 + ms(20 * i);
            d.mark(now);
            if d.due(now) {
                saves.push(now - t0);
                d.saved();
            }
        }
        // The first change at 0 ms, the first after that save at 2020 ms.
        assert_eq!(saves, vec![MAX_DELAY, ms(20) + 2 * MAX_DELAY]);
    }

    #[test]
    fn a_pause_shorter_than_the_quiet_time_postpones_the_save() {
        let t0 = Instant::now();
        let mut d = Debounce::new();
        d.mark(t0);
        d.mark(t0 + ms(900));
        assert!(!d.due(t0 + ms(1500)));
        assert!(d.due(t0 + ms(1900)));
    }

    #[test]
    fn a_failed_save_is_retried_after_the_quiet_time() {
        let t0 = Instant::now();
        let mut d = Debounce::new();
        d.mark(t0);
        d.failed(t0 + DEBOUNCE);
        assert!(d.pending());
        assert!(!d.due(t0 + DEBOUNCE + ms(999)));
        assert!(d.due(t0 + 2 * DEBOUNCE));
    }
}
