//! The shape of a monitor section as the engine needs it: which speaker
//! sets, sub and phones it feeds, with the alignment of each, and which
//! engine input carries the talkback microphone. Built by the control side
//! from the machine's config; holds no parameter values.

use crate::params::monitor::MAX_SPEAKER_SETS;

/// The longest alignment delay of a speaker set or sub, in ms (X32's
/// monitor delay reaches 500 ms).
pub const MAX_DELAY_MS: f32 = 500.0;

#[derive(Debug, Clone, PartialEq)]
pub struct MonitorShape {
    /// At most [`MAX_SPEAKER_SETS`], in `monitor/speakers` order.
    pub speakers: Vec<SpeakerShape>,
    pub sub: Option<SubShape>,
    pub phones: Option<PhonesShape>,
    /// The 0-based engine input of the talkback microphone.
    pub talkback: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpeakerShape {
    /// One speaker (it plays the mono sum) rather than a pair.
    pub mono: bool,
    /// Level trim, dB.
    pub trim_db: f32,
    /// Alignment delay, ms (rounded to the nearest sample).
    pub delay_ms: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubShape {
    pub trim_db: f32,
    pub delay_ms: f32,
    /// The low-pass (Linkwitz-Riley, 24 dB/octave) on the sub's mono sum;
    /// `None` for a sub with a crossover of its own (full range).
    pub crossover_hz: Option<f32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PhonesShape {
    /// The phones carry what the speakers carry (the cue while one is
    /// active, the check and the matrix); otherwise they carry the
    /// programme (the mix or the reference) as it is.
    pub follow_cue: bool,
}

impl MonitorShape {
    /// Engine outputs of the section: a pair per speaker set (a mono set
    /// uses the left one), then the sub's pair (left used) and the phones'
    /// pair, each only if present.
    pub fn output_channels(&self) -> usize {
        debug_assert!(self.speakers.len() <= MAX_SPEAKER_SETS);
        2 * (self.speakers.len()
            + usize::from(self.sub.is_some())
            + usize::from(self.phones.is_some()))
    }
}
