//! Feedback pacing shared by every surface protocol.
//!
//! A surface owes its device a set of controls, not a queue of values: a
//! control marked twice before it is sent is sent once, with the value the
//! model holds at send time. Each control is sent at most once per
//! interval, so a fast stream of changes (an automation pass, a tablet
//! swipe) costs the MIDI cable a bounded rate whatever its source does.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// Controls owed to a device, each sent at most once per `interval`.
#[derive(Debug, Clone)]
pub struct Owed<K: Ord + Copy> {
    interval: Duration,
    owed: BTreeSet<K>,
    last_sent: BTreeMap<K, Instant>,
}

impl<K: Ord + Copy> Owed<K> {
    pub fn new(interval: Duration) -> Self {
        Owed {
            interval,
            owed: BTreeSet::new(),
            last_sent: BTreeMap::new(),
        }
    }

    /// The control must be sent (again).
    pub fn mark(&mut self, key: K) {
        self.owed.insert(key);
    }

    /// Send the control at the next poll, whatever the interval says (a
    /// released touch, a reconnection).
    pub fn mark_now(&mut self, key: K) {
        self.last_sent.remove(&key);
        self.owed.insert(key);
    }

    /// Forget a control that is no longer owed (its binding went away).
    pub fn forget(&mut self, key: K) {
        self.owed.remove(&key);
    }

    pub fn is_owed(&self, key: K) -> bool {
        self.owed.contains(&key)
    }

    /// The owed controls whose interval has passed, in key order; they are
    /// counted as sent at `now`.
    pub fn take_due(&mut self, now: Instant) -> Vec<K> {
        let due: Vec<K> = self
            .owed
            .iter()
            .copied()
            .filter(|k| self.ready_at(*k).is_none_or(|t| t <= now))
            .collect();
        for k in &due {
            self.owed.remove(k);
            self.last_sent.insert(*k, now);
        }
        due
    }

    /// When the earliest owed control may be sent.
    pub fn next_due(&self) -> Option<Instant> {
        let mut earliest: Option<Instant> = None;
        for k in &self.owed {
            match self.ready_at(*k) {
                // Due at once: no need to look further.
                None => return Some(Instant::now()),
                Some(t) => earliest = Some(earliest.map_or(t, |e| e.min(t))),
            }
        }
        earliest
    }

    /// Drop send times older than the interval (they no longer delay
    /// anything); keeps the map as small as the set of recent controls.
    pub fn prune(&mut self, now: Instant) {
        let interval = self.interval;
        self.last_sent
            .retain(|_, t| now.saturating_duration_since(*t) < interval);
    }

    fn ready_at(&self, key: K) -> Option<Instant> {
        self.last_sent.get(&key).map(|t| *t + self.interval)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_marks_send_once_and_respect_the_interval() {
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut o = Owed::new(ms(20));
        o.mark(1);
        o.mark(1);
        o.mark(2);
        assert_eq!(o.take_due(t0), vec![1, 2]);
        assert_eq!(o.take_due(t0), Vec::<i32>::new());
        o.mark(1);
        assert_eq!(o.take_due(t0 + ms(10)), Vec::<i32>::new());
        assert_eq!(o.next_due(), Some(t0 + ms(20)));
        assert_eq!(o.take_due(t0 + ms(20)), vec![1]);
        o.mark(1);
        assert_eq!(o.take_due(t0 + ms(25)), Vec::<i32>::new());
        o.mark_now(1);
        assert_eq!(o.take_due(t0 + ms(25)), vec![1]);
        o.mark(2);
        assert!(o.is_owed(2));
        o.forget(2);
        assert_eq!(o.next_due(), None);
        o.prune(t0 + ms(100));
        o.mark(1);
        assert_eq!(o.take_due(t0 + ms(100)), vec![1]);
    }
}
