//! Loudness reports of finished audio, and their check against the loudness
//! and peak rules of delivery targets (streaming services, broadcast, CD,
//! vinyl). This is the body of `mixbridge meter` and of the report that
//! `mixbridge render` prints; it runs on the control side, never on the
//! audio thread.

mod command;
mod low_end;
mod render;
mod targets;

pub use command::{meter_files, select_targets, MeterError, Metered};
pub use low_end::{side_to_mid_db, LOW_END_HZ};
pub use targets::{
    target, target_names, Check, Finding, LoudnessRule, PeakRule, Target, STREAMING_TOLERANCE_LU,
    TARGETS,
};

use crate::audio_file::Audio;
use crate::engine::loudness::{Channel, LoudnessMeter};

/// The loudness figures of one programme. Levels are `f32::NEG_INFINITY`
/// where the meter has none (silence, or audio too short).
#[derive(Debug, Clone, PartialEq)]
pub struct LoudnessReport {
    /// Integrated loudness, LUFS.
    pub integrated: f32,
    /// Loudness range, LU.
    pub range: f32,
    /// LUFS.
    pub momentary_max: f32,
    /// LUFS.
    pub short_term_max: f32,
    /// dBTP.
    pub true_peak: f32,
    /// dBFS.
    pub sample_peak: f32,
    pub duration_s: f64,
    pub sample_rate: u32,
    pub channels: usize,
    /// Stereo files only: side against mid energy below [`LOW_END_HZ`], dB
    /// (see [`side_to_mid_db`]); `None` when not measured or no bass.
    pub low_end_side_db: Option<f32>,
}

/// Audio the meter cannot measure.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum UnsupportedAudio {
    #[error(
        "{0} channels; the meter reads mono, stereo, 5.0 (L R C Ls Rs) and 5.1 (L R C LFE Ls Rs)"
    )]
    Channels(usize),
    #[error("sample rate {0} Hz; the meter reads {min} to {max} Hz", min = LoudnessMeter::MIN_RATE, max = LoudnessMeter::MAX_RATE)]
    SampleRate(u32),
}

impl LoudnessReport {
    /// What `meter` has measured so far.
    pub fn from_meter(meter: &LoudnessMeter) -> Self {
        LoudnessReport {
            integrated: meter.integrated(),
            range: meter.loudness_range(),
            momentary_max: meter.momentary_max(),
            short_term_max: meter.short_term_max(),
            true_peak: meter.true_peak_dbtp(),
            sample_peak: meter.sample_peak_dbfs(),
            duration_s: meter.duration_s(),
            sample_rate: meter.sample_rate().round() as u32,
            channels: meter.channel_count(),
            low_end_side_db: None,
        }
    }

    /// Meter a whole file's audio. The layout follows the channel count
    /// (see [`Channel::layout`]).
    pub fn from_audio(audio: &Audio) -> Result<Self, UnsupportedAudio> {
        let layout = Channel::layout(audio.channels.len())
            .ok_or(UnsupportedAudio::Channels(audio.channels.len()))?;
        let rate = audio.sample_rate as f32;
        if !(LoudnessMeter::MIN_RATE..=LoudnessMeter::MAX_RATE).contains(&rate) {
            return Err(UnsupportedAudio::SampleRate(audio.sample_rate));
        }
        let mut meter = LoudnessMeter::new(rate, layout);
        let planes: Vec<&[f32]> = audio.channels.iter().map(Vec::as_slice).collect();
        meter.process(&planes);
        let mut report = Self::from_meter(&meter);
        if let [left, right] = planes[..] {
            report.low_end_side_db = side_to_mid_db(left, right, rate as f64);
        }
        Ok(report)
    }

    /// This report checked against each of `targets`.
    pub fn checks<'t>(&self, targets: &[&'t Target]) -> Vec<Check<'t>> {
        targets.iter().map(|t| t.check(self)).collect()
    }
}
