//! Audio files in: symphonia probes the container, decodes packet by packet,
//! and each packet is converted and copied plane by plane into the
//! channels' buffers (one slice copy per channel and packet).
//!
//! What a header claims is only a claim. The buffers start at the frame
//! count the container announces, but never at more than the file's size
//! can hold for PCM, and grow with what really decodes; a stream longer
//! than [`MAX_SECONDS`] is refused. A file that ends before the frames its
//! header announces is an error ([`AudioFileError::Truncated`]), not a
//! quietly shorter source.

use super::{Audio, AudioFileError};
use std::path::Path;
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream};
use symphonia::core::meta::MetadataOptions;

/// Sample rates a file may have (it is resampled to the session's).
pub const RATES: std::ops::RangeInclusive<u32> = 8_000..=384_000;

/// The most channels a file may have.
pub const MAX_CHANNELS: usize = 64;

/// The longest file, in seconds at its own rate: three hours, well past
/// any stem or live take, and a bound on what a hostile stream can make
/// the reader allocate.
pub const MAX_SECONDS: u64 = 3 * 3600;

/// Read an audio file to planar `f32` (integer samples scaled to ±1).
pub fn read(path: &Path) -> Result<Audio, AudioFileError> {
    guarded(&path.display().to_string(), || Opened::file(path)?.decode())
}

/// Whether `path` is an audio file [`read`] can start on: it exists, and
/// its container, codec, rate and channels are ones it reads. Its packets
/// are not decoded, so damage further in is found only by [`read`].
pub fn probe(path: &Path) -> Result<(), AudioFileError> {
    guarded(&path.display().to_string(), || Opened::file(path).map(drop))
}

/// Decode a whole file held in memory; `name` stands for its path in errors
/// (and its extension is a hint to the prober). For the fuzz target.
pub fn decode(bytes: Vec<u8>, name: &str) -> Result<Audio, AudioFileError> {
    let extension = Path::new(name).extension().and_then(|e| e.to_str());
    guarded(name, || {
        Opened::source(Box::new(std::io::Cursor::new(bytes)), extension, name)?.decode()
    })
}

/// `f`, with a panic inside the decoder turned into an error naming the
/// file. Found by `tests/audio_fuzz.rs`: symphonia-format-riff 0.6.1 shifts
/// by 32 when a `WAVE_FORMAT_EXTENSIBLE` channel mask has bit 31 set and
/// fewer bits than channels, which panics where overflow checks are on
/// (tests, debug builds); a release build wraps the shift and reads on.
fn guarded<T>(
    path: &str,
    f: impl FnOnce() -> Result<T, AudioFileError>,
) -> Result<T, AudioFileError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(AudioFileError::Corrupt {
            path: path.into(),
            frame: 0,
            why: "the decoder failed on it (a fault in the symphonia library)".into(),
        })
    })
}

/// A stream whose container was probed and whose decoder is made.
struct Opened {
    path: String,
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    /// The frames the container announces.
    claimed: Option<u64>,
    byte_len: Option<u64>,
    rate: u32,
    channels: usize,
}

impl Opened {
    fn file(path: &Path) -> Result<Opened, AudioFileError> {
        let shown = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|source| AudioFileError::Open {
            path: shown.clone(),
            source,
        })?;
        let extension = path.extension().and_then(|e| e.to_str());
        Opened::source(Box::new(file), extension, &shown)
    }

    fn source(
        source: Box<dyn MediaSource>,
        extension: Option<&str>,
        path: &str,
    ) -> Result<Opened, AudioFileError> {
        let unsupported = |why: String| AudioFileError::Unsupported {
            path: path.into(),
            why,
        };
        let byte_len = source.byte_len();
        let stream = MediaSourceStream::new(source, Default::default());
        let mut hint = Hint::new();
        if let Some(e) = extension {
            hint.with_extension(e);
        }
        let format = symphonia::default::get_probe()
            .probe(
                &hint,
                stream,
                FormatOptions::default(),
                MetadataOptions::default(),
            )
            .map_err(|e| match e {
                Error::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                    AudioFileError::Corrupt {
                        path: path.into(),
                        frame: 0,
                        why: "truncated: it ends inside its header".into(),
                    }
                }
                e => unsupported(e.to_string()),
            })?;
        let track = format
            .default_track(TrackType::Audio)
            .ok_or_else(|| unsupported("no audio track".into()))?;
        let (track_id, claimed) = (track.id, track.num_frames);
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| unsupported("no audio codec parameters".into()))?;
        let rate = params
            .sample_rate
            .ok_or_else(|| unsupported("no sample rate".into()))?;
        if !RATES.contains(&rate) {
            return Err(unsupported(format!(
                "a sample rate of {rate} Hz; allowed: {} to {} Hz",
                RATES.start(),
                RATES.end()
            )));
        }
        let channels = params.channels.as_ref().map_or(0, |c| c.count());
        if !(1..=MAX_CHANNELS).contains(&channels) {
            return Err(unsupported(format!(
                "{channels} channels; allowed: 1 to {MAX_CHANNELS}"
            )));
        }
        let decoder = symphonia::default::get_codecs()
            .make_audio_decoder(params, &AudioDecoderOptions::default())
            .map_err(|e| unsupported(e.to_string()))?;
        Ok(Opened {
            path: path.into(),
            format,
            decoder,
            track_id,
            claimed,
            byte_len,
            rate,
            channels,
        })
    }

    /// Every packet, into the channels.
    fn decode(mut self) -> Result<Audio, AudioFileError> {
        let path = self.path.as_str();
        let n = self.channels;
        let max_frames = usize::try_from(MAX_SECONDS * u64::from(self.rate)).unwrap_or(usize::MAX);
        let mut buffers = Buffers::new(
            n,
            initial_frames(self.claimed, self.byte_len, n, max_frames),
        );
        let corrupt = |frame, why: String| AudioFileError::Corrupt {
            path: path.into(),
            frame,
            why,
        };
        loop {
            let packet = match self.format.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => break,
                // A stream that stops mid-packet: what came before is checked
                // against the claimed length below.
                Err(Error::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                Err(Error::ResetRequired) => {
                    return Err(AudioFileError::Unsupported {
                        path: path.into(),
                        why: "a chained stream".into(),
                    });
                }
                Err(e) => return Err(corrupt(buffers.frames, e.to_string())),
            };
            if packet.track_id != self.track_id {
                continue;
            }
            let decoded = self
                .decoder
                .decode(&packet)
                .map_err(|e| corrupt(buffers.frames, e.to_string()))?;
            if decoded.num_planes() != n {
                return Err(corrupt(
                    buffers.frames,
                    format!(
                        "a packet of {} channels in a {n}-channel stream",
                        decoded.num_planes()
                    ),
                ));
            }
            let frames = decoded.frames();
            if buffers.frames + frames > max_frames {
                return Err(AudioFileError::Unsupported {
                    path: path.into(),
                    why: format!("longer than {} hours", MAX_SECONDS / 3600),
                });
            }
            let mut planes = buffers.next(frames);
            decoded.copy_to_slice_planar::<f32, _>(&mut planes);
        }
        let got = buffers.frames;
        if let Some(claimed) = self.claimed.filter(|&c| (got as u64) < c) {
            return Err(AudioFileError::Truncated {
                path: path.into(),
                got,
                claimed,
            });
        }
        if got == 0 {
            return Err(AudioFileError::Empty { path: path.into() });
        }
        Ok(Audio {
            sample_rate: self.rate,
            channels: buffers.finish(),
        })
    }
}

/// Frames to make room for before decoding: the claimed length, but no
/// more than a file of `byte_len` bytes could hold at one byte per sample
/// (8-bit PCM; compressed streams grow past it as they decode).
fn initial_frames(
    claimed: Option<u64>,
    byte_len: Option<u64>,
    channels: usize,
    max: usize,
) -> usize {
    let by_size = byte_len.map_or(0, |b| b / channels as u64);
    let frames = claimed.unwrap_or(by_size).min(by_size);
    usize::try_from(frames).unwrap_or(max).min(max)
}

/// The channels being decoded into, zero-filled ahead of the write position
/// and grown by doubling.
struct Buffers {
    channels: Vec<Vec<f32>>,
    frames: usize,
}

impl Buffers {
    fn new(channels: usize, frames: usize) -> Buffers {
        Buffers {
            // Zeroed allocations come from the allocator already zero (fresh
            // pages), so this costs no pass over the memory.
            channels: vec![vec![0.0; frames]; channels],
            frames: 0,
        }
    }

    /// The next `frames` frames of every channel, to be written.
    fn next(&mut self, frames: usize) -> Vec<&mut [f32]> {
        let end = self.frames + frames;
        for c in &mut self.channels {
            if c.len() < end {
                c.resize(end.max(c.len() * 2), 0.0);
            }
        }
        let start = self.frames;
        self.frames = end;
        self.channels
            .iter_mut()
            .map(|c| &mut c[start..end])
            .collect()
    }

    fn finish(mut self) -> Vec<Vec<f32>> {
        for c in &mut self.channels {
            c.truncate(self.frames);
            c.shrink_to_fit();
        }
        self.channels
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_names_the_path() {
        let e = read(Path::new("/nonexistent/x.wav")).unwrap_err();
        assert!(
            e.to_string().starts_with("/nonexistent/x.wav: cannot open"),
            "{e}"
        );
    }

    #[test]
    fn claims_are_capped_by_the_file_size() {
        assert_eq!(
            initial_frames(Some(1 << 40), Some(1000), 2, usize::MAX),
            500
        );
        assert_eq!(initial_frames(Some(100), Some(1000), 2, usize::MAX), 100);
        assert_eq!(initial_frames(None, Some(1000), 1, 10), 10);
        assert_eq!(initial_frames(Some(100), None, 1, 10), 0);
    }

    #[test]
    fn not_audio_is_unsupported_with_what_is_allowed() {
        let e = decode(b"hello, this is not a sound".to_vec(), "notes.wav").unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("notes.wav: not a readable audio file"),
            "{text}"
        );
        assert!(text.contains("FLAC"), "{text}");
    }
}
