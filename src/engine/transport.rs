//! The session timeline as the audio thread runs it: a position in frames
//! that the audio clock advances while playing, a loop range it wraps at,
//! and a clock the control side reads without locks.
//!
//! The position is the frame of the timeline that the next processed
//! frame belongs to. Everything that follows the timeline (file sources,
//! automation playback) reads it here, so they cannot drift apart.

use std::sync::atomic::{
    AtomicBool, AtomicU32, AtomicU64,
    Ordering::{Acquire, Relaxed, Release},
};
use std::sync::Arc;

/// What the control side can ask of the transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportCommand {
    Play,
    Stop,
    /// Move to a frame of the timeline (playing or not).
    Locate(u64),
    /// Wrap from the end frame back to the start frame while playing;
    /// `None` plays straight on.
    Loop(Option<(u64, u64)>),
}

/// The transport as the control side sees it: written by the audio thread
/// after each pass, read from anywhere.
#[derive(Debug, Default)]
pub struct TransportClock {
    position: AtomicU64,
    playing: AtomicBool,
    /// Counts jumps of the position (locates and loop wraps), so a reader
    /// can tell a jump from steady playback.
    jumps: AtomicU32,
    /// Where playback last started or the position last jumped to.
    origin: AtomicU64,
}

/// One reading of the [`TransportClock`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClockReading {
    pub position: u64,
    pub playing: bool,
    pub jumps: u32,
    /// Where the current run of playback began (its start, or the jump
    /// that landed it), in frames: a pass written from the start of
    /// playback begins there, however late the reader saw the start.
    pub origin: u64,
}

impl TransportClock {
    pub fn read(&self) -> ClockReading {
        // `jumps` and `playing` are published after `origin` (Release):
        // a reader that sees a start or a jump sees where it began.
        let jumps = self.jumps.load(Acquire);
        let playing = self.playing.load(Acquire);
        ClockReading {
            jumps,
            playing,
            position: self.position.load(Relaxed),
            origin: self.origin.load(Relaxed),
        }
    }
}

/// The audio-thread half.
pub(crate) struct Transport {
    playing: bool,
    position: u64,
    loop_range: Option<(u64, u64)>,
    clock: Arc<TransportClock>,
    /// The position jumped since automation last looked.
    jumped: bool,
}

impl Transport {
    pub fn new(clock: Arc<TransportClock>) -> Transport {
        let r = clock.read();
        Transport {
            playing: r.playing,
            position: r.position,
            loop_range: None,
            clock,
            jumped: true,
        }
    }

    pub fn apply(&mut self, command: TransportCommand) {
        match command {
            TransportCommand::Play => {
                if !self.playing {
                    // Starting reads the lanes where it starts, as a jump does.
                    self.jumped = true;
                    self.clock.origin.store(self.position, Relaxed);
                }
                self.playing = true;
            }
            TransportCommand::Stop => self.playing = false,
            TransportCommand::Locate(frame) => self.jump(frame),
            TransportCommand::Loop(range) => {
                self.loop_range = range.filter(|(start, end)| end > start);
            }
        }
        self.publish();
    }

    pub fn playing(&self) -> bool {
        self.playing
    }

    pub fn position(&self) -> u64 {
        self.position
    }

    /// Whether the position jumped (or playback started) since the last call.
    pub fn take_jumped(&mut self) -> bool {
        std::mem::take(&mut self.jumped)
    }

    /// How many of `wanted` frames can run before the loop wraps.
    pub fn span(&self, wanted: usize) -> usize {
        match self.loop_range {
            Some((_, end)) if self.playing && self.position < end => {
                wanted.min((end - self.position) as usize)
            }
            _ => wanted,
        }
    }

    /// `frames` frames were processed: move on (while playing) and wrap at
    /// the loop's end.
    pub fn advance(&mut self, frames: usize) {
        if !self.playing {
            return;
        }
        self.position += frames as u64;
        if let Some((start, end)) = self.loop_range {
            if self.position == end {
                self.jump(start);
            }
        }
        self.publish();
    }

    fn jump(&mut self, frame: u64) {
        self.position = frame;
        self.jumped = true;
        self.clock.origin.store(frame, Relaxed);
        self.clock.jumps.fetch_add(1, Release);
    }

    fn publish(&self) {
        self.clock.position.store(self.position, Relaxed);
        self.clock.playing.store(self.playing, Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plays_wraps_at_the_loop_end_and_stops() {
        let clock = Arc::new(TransportClock::default());
        let mut t = Transport::new(clock.clone());
        t.apply(TransportCommand::Loop(Some((100, 300))));
        t.apply(TransportCommand::Locate(250));
        t.advance(64);
        assert_eq!(clock.read().position, 250, "stopped: no movement");
        t.apply(TransportCommand::Play);
        assert_eq!(clock.read().origin, 250, "began where it started");
        assert_eq!(t.span(64), 50);
        t.advance(50);
        assert_eq!(clock.read().position, 100);
        assert_eq!(clock.read().origin, 100, "began again at the wrap");
        assert!(clock.read().playing);
        t.apply(TransportCommand::Locate(400));
        assert_eq!(t.span(64), 64, "past the loop end: plays on");
        t.advance(64);
        assert_eq!(t.position(), 464);
        assert_eq!(clock.read().origin, 400);
        t.apply(TransportCommand::Stop);
        assert!(!clock.read().playing);
        assert_eq!(clock.read().jumps, 3);
    }
}
