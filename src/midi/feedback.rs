//! What every surface protocol keeps to talk back to its device: the
//! controls it owes (paced), the controls held by activity, the messages
//! ready to send, and its counters. One piece, so that both protocols pace,
//! hold and count the same way.

use super::activity::{ActivityTouch, RELEASE_AFTER};
use super::pacing::Owed;
use super::{Outgoing, SurfaceStats};
use crate::control::model::Origin;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Feedback<K: Ord + Copy> {
    pub owed: Owed<K>,
    pub activity: ActivityTouch,
    pub stats: SurfaceStats,
    outbox: Vec<Outgoing>,
}

impl<K: Ord + Copy> Feedback<K> {
    /// Each control sent at most once per `interval`.
    pub fn new(origin: Origin, interval: Duration) -> Self {
        Feedback {
            owed: Owed::new(interval),
            activity: ActivityTouch::new(origin, RELEASE_AFTER),
            stats: SurfaceStats::default(),
            outbox: Vec::new(),
        }
    }

    /// Queue one message for a unit.
    pub fn emit(&mut self, unit: usize, bytes: Vec<u8>) {
        self.stats.sent += 1;
        self.outbox.push(Outgoing { unit, bytes });
    }

    pub fn take(&mut self) -> Vec<Outgoing> {
        std::mem::take(&mut self.outbox)
    }

    /// When owed feedback or a touch release is next due.
    pub fn next_due(&self) -> Option<Instant> {
        [self.owed.next_due(), self.activity.next_due()]
            .into_iter()
            .flatten()
            .min()
    }
}
