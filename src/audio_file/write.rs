//! WAV out: a render's master in the format asked for, 16-bit with TPDF
//! dither, 24-bit, or 32-bit float.

use super::{Audio, AudioFileError};
use std::path::Path;

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
    let wrap = |source| AudioFileError::Write {
        path: path.display().to_string(),
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
    use super::super::read;
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
            let back = read(&path).unwrap();
            assert_eq!(back.sample_rate, 44_100);
            assert_eq!(back.channels.len(), 2);
            assert_eq!(back.frames(), 1000);
            let err = back.channels[1]
                .iter()
                .zip(&audio.channels[1])
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(err <= tol, "{fmt:?}: {err}");
        }
    }
}
