//! Audio files in and out as planar `f32`, for file sources, `render`,
//! `meter` and the dummy backend's test signal. Everything here runs on
//! the control side (or a loader thread), never on the audio thread.
//!
//! Reading is symphonia's (WAV in every PCM and float form, including
//! `WAVE_FORMAT_EXTENSIBLE`, FLAC, AIFF and AIFF-C), decoded packet by
//! packet straight into the channel buffers. Files come from anywhere, so a
//! damaged one is an error that names it: never a panic, and never an
//! allocation sized by what a header claims rather than what the file holds.
//! Writing is WAV only (hound), the one format a render delivers.

mod read;
mod write;

pub use read::{decode, probe, read, MAX_CHANNELS, MAX_SECONDS, RATES};
pub use write::{write_wav, SampleFormat};

/// Planar audio: one `Vec` per channel, all the same length.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    pub sample_rate: u32,
    pub channels: Vec<Vec<f32>>,
}

impl Audio {
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }
}

/// The formats [`read`] accepts, as error messages list them.
pub const READABLE: &str =
    "WAV (8/16/24/32-bit integer, 32/64-bit float, WAVE_FORMAT_EXTENSIBLE), FLAC, AIFF or AIFF-C";

/// What went wrong with one file; the message starts with its path.
#[derive(Debug)]
pub enum AudioFileError {
    Open {
        path: String,
        source: std::io::Error,
    },
    Unsupported {
        path: String,
        why: String,
    },
    Corrupt {
        path: String,
        frame: usize,
        why: String,
    },
    Truncated {
        path: String,
        got: usize,
        claimed: u64,
    },
    Empty {
        path: String,
    },
    Write {
        path: String,
        source: hound::Error,
    },
}

impl AudioFileError {
    /// The file.
    pub fn path(&self) -> &str {
        match self {
            AudioFileError::Open { path, .. }
            | AudioFileError::Unsupported { path, .. }
            | AudioFileError::Corrupt { path, .. }
            | AudioFileError::Truncated { path, .. }
            | AudioFileError::Empty { path }
            | AudioFileError::Write { path, .. } => path,
        }
    }

    /// What is wrong with it: the message without the path (and without
    /// the formats allowed, which the caller says in its own words).
    pub fn reason(&self) -> String {
        match self {
            AudioFileError::Open { source, .. } => format!("cannot open: {source}"),
            AudioFileError::Unsupported { why, .. } => format!("not a readable audio file ({why})"),
            AudioFileError::Corrupt { frame, why, .. } => {
                format!("corrupt at frame {frame}: {why}")
            }
            AudioFileError::Truncated { got, claimed, .. } => {
                format!("ends early (truncated or damaged): it holds {got} of the {claimed} frames its header announces")
            }
            AudioFileError::Empty { .. } => "holds no audio".into(),
            AudioFileError::Write { source, .. } => format!("cannot write: {source}"),
        }
    }
}

impl std::fmt::Display for AudioFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path(), self.reason())?;
        if let AudioFileError::Unsupported { .. } = self {
            write!(f, "; allowed: {READABLE}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AudioFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AudioFileError::Open { source, .. } => Some(source),
            AudioFileError::Write { source, .. } => Some(source),
            _ => None,
        }
    }
}
