//! Where the transport is, as the control thread sees it: the audio
//! thread's clock, read between its callbacks, with the time since the
//! position last moved added on, so that a move made between two callbacks
//! is stamped with the time it was heard.

use crate::engine::transport::{ClockReading, TransportClock};
use std::time::{Duration, Instant};

/// The most added on to the last position read (a stalled clock does not
/// run away).
const MAX_EXTRAPOLATION: Duration = Duration::from_millis(100);

/// What [`Timeline::read`] saw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Now {
    /// Seconds on the timeline.
    pub time: f64,
    /// Where the current run of playback began, in seconds.
    pub origin: f64,
    pub playing: bool,
    /// The position jumped (locate, loop) since the last reading.
    pub jumped: bool,
    /// Playback started or stopped since the last reading.
    pub started: bool,
    pub stopped: bool,
}

pub struct Timeline {
    sample_rate: f64,
    last: ClockReading,
    seen: Instant,
}

impl Timeline {
    pub fn new(sample_rate: u32, clock: &TransportClock) -> Timeline {
        Timeline {
            sample_rate: f64::from(sample_rate.max(1)),
            last: clock.read(),
            seen: Instant::now(),
        }
    }

    /// Read the clock at `now`.
    pub fn read(&mut self, clock: &TransportClock, now: Instant) -> Now {
        let r = clock.read();
        let before = self.last;
        if r != before {
            self.seen = now;
            self.last = r;
        }
        let ahead = if r.playing {
            now.saturating_duration_since(self.seen)
                .min(MAX_EXTRAPOLATION)
        } else {
            Duration::ZERO
        };
        Now {
            time: r.position as f64 / self.sample_rate + ahead.as_secs_f64(),
            origin: r.origin as f64 / self.sample_rate,
            playing: r.playing,
            jumped: r.jumps != before.jumps,
            started: r.playing && !before.playing,
            stopped: !r.playing && before.playing,
        }
    }
}
