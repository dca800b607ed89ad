//! Reading and writing WAV files as planar `f32`, for offline render and the
//! `meter` command. Everything here runs on the control side.

use std::path::Path;

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

/// Sample formats a render can write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SampleFormat {
    /// 16-bit integer, with TPDF dither.
    #[value(name = "16")]
    Int16,
    /// 24-bit integer.
    #[value(name = "24")]
    Int24,
    /// 32-bit float.
    #[value(name = "float")]
    Float32,
}

#[derive(Debug, thiserror::Error)]
pub enum AudioFileError {
    #[error("{path}: {source}")]
    Wav { path: String, source: hound::Error },
    #[error("{path}: {why}")]
    Unsupported { path: String, why: String },
}

/// Read a WAV file (8/16/24/32-bit integer or 32-bit float) to planar `f32`.
pub fn read_wav(path: &Path) -> Result<Audio, AudioFileError> {
    let p = path.display().to_string();
    let wrap = |source| AudioFileError::Wav {
        path: p.clone(),
        source,
    };
    let mut reader = hound::WavReader::open(path).map_err(wrap)?;
    let spec = reader.spec();
    let n = spec.channels as usize;
    if n == 0 {
        return Err(AudioFileError::Unsupported {
            path: p,
            why: "the file has no channels".into(),
        });
    }
    let bits = spec.bits_per_sample;
    let supported = match spec.sample_format {
        hound::SampleFormat::Float => bits == 32,
        hound::SampleFormat::Int => (8..=32).contains(&bits),
    };
    if !supported {
        return Err(AudioFileError::Unsupported {
            path: p,
            why: format!("{bits}-bit {:?} samples are not supported; allowed: 8 to 32-bit integer or 32-bit float", spec.sample_format),
        });
    }
    // The header's length is only a claim: reserve no more than the file holds.
    let file_frames =
        std::fs::metadata(path).map_or(0, |m| m.len()) / (n as u64 * (bits as u64 / 8).max(1));
    let frames = (reader.duration() as u64).min(file_frames) as usize;
    let mut channels = vec![Vec::with_capacity(frames); n];
    match spec.sample_format {
        hound::SampleFormat::Float => {
            for (i, s) in reader.samples::<f32>().enumerate() {
                channels[i % n].push(s.map_err(wrap)?);
            }
        }
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (bits - 1)) as f32;
            for (i, s) in reader.samples::<i32>().enumerate() {
                channels[i % n].push(s.map_err(wrap)? as f32 * scale);
            }
        }
    }
    let frames = channels.iter().map(Vec::len).min().unwrap_or(0);
    channels.iter_mut().for_each(|c| c.truncate(frames));
    Ok(Audio {
        sample_rate: spec.sample_rate,
        channels,
    })
}

/// A small deterministic generator for dither, so renders are reproducible.
struct Dither(u32);

impl Dither {
    fn uniform(&mut self) -> f32 {
        // xorshift32
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 as f32 / u32::MAX as f32) - 0.5
    }
    /// Triangular noise of ±1 LSB peak.
    fn tpdf(&mut self) -> f32 {
        self.uniform() + self.uniform()
    }
}

/// Write planar audio as interleaved WAV in the given format.
pub fn write_wav(path: &Path, audio: &Audio, format: SampleFormat) -> Result<(), AudioFileError> {
    let p = path.display().to_string();
    let wrap = |source| AudioFileError::Wav {
        path: p.clone(),
        source,
    };
    let (bits, sample_format) = match format {
        SampleFormat::Int16 => (16, hound::SampleFormat::Int),
        SampleFormat::Int24 => (24, hound::SampleFormat::Int),
        SampleFormat::Float32 => (32, hound::SampleFormat::Float),
    };
    let spec = hound::WavSpec {
        channels: audio.channels.len() as u16,
        sample_rate: audio.sample_rate,
        bits_per_sample: bits,
        sample_format,
    };
    let mut w = hound::WavWriter::create(path, spec).map_err(wrap)?;
    let mut dither = Dither(0x9E37_79B9);
    for i in 0..audio.frames() {
        for ch in &audio.channels {
            let x = ch[i];
            match format {
                SampleFormat::Float32 => w.write_sample(x).map_err(wrap)?,
                SampleFormat::Int16 => {
                    let v = (x * 32768.0 + dither.tpdf())
                        .round()
                        .clamp(-32768.0, 32767.0);
                    w.write_sample(v as i16).map_err(wrap)?
                }
                SampleFormat::Int24 => {
                    let v = (x * 8_388_608.0).round().clamp(-8_388_608.0, 8_388_607.0);
                    w.write_sample(v as i32).map_err(wrap)?
                }
            }
        }
    }
    w.finalize().map_err(wrap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_every_format() {
        let dir = tempfile::tempdir().unwrap();
        let sig: Vec<f32> = (0..1000).map(|i| (i as f32 * 0.05).sin() * 0.5).collect();
        let audio = Audio {
            sample_rate: 44_100,
            channels: vec![sig.clone(), sig.iter().map(|x| -x).collect()],
        };
        for (fmt, tol) in [
            (SampleFormat::Int16, 1e-4),
            (SampleFormat::Int24, 1e-6),
            (SampleFormat::Float32, 0.0),
        ] {
            let path = dir.path().join("x.wav");
            write_wav(&path, &audio, fmt).unwrap();
            let back = read_wav(&path).unwrap();
            assert_eq!(back.sample_rate, 44_100);
            assert_eq!(back.channels.len(), 2);
            let err = back.channels[1]
                .iter()
                .zip(&audio.channels[1])
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(err <= tol, "{fmt:?}: {err}");
        }
    }

    #[test]
    fn missing_file_names_the_path() {
        let e = read_wav(Path::new("/nonexistent/x.wav")).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/x.wav"));
    }
}
