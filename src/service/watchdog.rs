//! When to tell systemd's watchdog that the daemon is alive.
//!
//! A control loop that keeps ticking proves little: the job is moving audio.
//! So a pet is due only when the audio callback count has moved since the
//! previous feed, or a device recovery is under way (the device is gone and
//! the daemon is retrying: alive, and restarting it would not help). A hung
//! callback, or a stream that stopped without anyone noticing, stops the
//! pets and systemd restarts the service after `WatchdogSec=`.
//!
//! Pets are spaced by the interval systemd asked for (see
//! [`crate::service::Notifier::watchdog_interval`]), so the control loop may
//! feed this from any timer that fires several times per interval and more
//! slowly than one audio callback period (a callback period is at most
//! 1024 frames at 44.1 kHz, 23 ms; a 250-500 ms timer is right).

use std::time::{Duration, Instant};

/// The watchdog policy: fed the callback count, answers "pet now?".
#[derive(Debug, Clone)]
pub struct Watchdog {
    interval: Duration,
    last_pet: Option<Instant>,
    last_callbacks: u64,
}

impl Watchdog {
    /// A policy that pets at most once per `interval`.
    pub fn new(interval: Duration) -> Self {
        Watchdog {
            interval,
            last_pet: None,
            last_callbacks: 0,
        }
    }

    /// Records the audio callback count seen at `now` and whether a device
    /// recovery is under way; returns true when `WATCHDOG=1` should be sent
    /// now. Any change of the count is progress, so a count that restarts
    /// from zero with a new stream counts too.
    pub fn feed(&mut self, now: Instant, callbacks: u64, recovering: bool) -> bool {
        let progressed = callbacks != self.last_callbacks;
        self.last_callbacks = callbacks;
        let due = self
            .last_pet
            .is_none_or(|last| now.saturating_duration_since(last) >= self.interval);
        if due && (progressed || recovering) {
            self.last_pet = Some(now);
            true
        } else {
            false
        }
    }
}
