//! The `audio` section: backend, device, rate, buffer and test signal.

use super::Checker;
use crate::config::file::{ConfigFile, SignalFile};
use crate::config::{AudioConfig, Backend, TestSignal, BUFFER_FRAMES, SAMPLE_RATES};
use crate::units::SILENCE_DB;

impl Checker<'_> {
    pub(super) fn audio(&mut self, f: &ConfigFile) -> AudioConfig {
        let a = &f.audio;
        let default = AudioConfig::default();
        let backend = match a.backend.as_deref() {
            None => default.backend,
            Some(name) => Backend::from_name(name).unwrap_or_else(|| {
                let allowed: Vec<&str> = Backend::ALL.iter().map(|b| b.name()).collect();
                self.error(
                    &["audio", "backend"],
                    format!(
                        "unknown audio backend `{name}`; allowed: {}",
                        allowed.join(", ")
                    ),
                );
                default.backend
            }),
        };
        let device = a.device.clone();
        if device.as_deref().is_some_and(|d| d.trim().is_empty()) {
            self.error(
                &["audio", "device"],
                "the device pattern is empty; allowed: a device name, a pattern with * and ?, or no `device` for the default device".into(),
            );
        }
        let sample_rate = match a.sample_rate {
            None => default.sample_rate,
            Some(r) => match SAMPLE_RATES.iter().find(|s| i64::from(**s) == r) {
                Some(s) => *s,
                None => {
                    let allowed: Vec<String> = SAMPLE_RATES.iter().map(u32::to_string).collect();
                    self.error(
                        &["audio", "sample_rate"],
                        format!(
                            "sample_rate {r} is not supported; allowed: {}",
                            allowed.join(", ")
                        ),
                    );
                    default.sample_rate
                }
            },
        };
        let buffer_frames = match a.buffer_frames {
            None => default.buffer_frames,
            Some(n) => match u32::try_from(n).ok().filter(|n| BUFFER_FRAMES.contains(n)) {
                Some(n) => n,
                None => {
                    self.error(
                        &["audio", "buffer_frames"],
                        format!(
                            "buffer_frames {n} is out of range; allowed: {} to {} frames (any whole number)",
                            BUFFER_FRAMES.start(),
                            BUFFER_FRAMES.end()
                        ),
                    );
                    default.buffer_frames
                }
            },
        };
        let test_signal = match &a.test_signal {
            None => default.test_signal,
            Some(s) => self.test_signal(s, sample_rate),
        };
        let outputs = a.outputs.and_then(|n| {
            let ok = u16::try_from(n)
                .ok()
                .filter(|n| (1..=crate::config::MAX_CHANNEL).contains(n));
            if ok.is_none() {
                self.error(
                    &["audio", "outputs"],
                    format!(
                        "audio outputs {n}; allowed: the interface's output channels, 1 to {}, or no `outputs` (not checked)",
                        crate::config::MAX_CHANNEL
                    ),
                );
            }
            ok
        });
        AudioConfig {
            backend,
            device,
            sample_rate,
            buffer_frames,
            test_signal,
            outputs,
        }
    }

    fn test_signal(&mut self, s: &SignalFile, sample_rate: u32) -> TestSignal {
        let at = ["audio", "test_signal"];
        let level = |c: &mut Self, kind: &str, v: Option<f64>| -> f32 {
            match v {
                None => TestSignal::LEVEL_DB,
                Some(l) if l.is_finite() && (f64::from(SILENCE_DB)..=0.0).contains(&l) => l as f32,
                Some(l) => {
                    c.error(
                        &[&at[..], &[kind, "level_db"]].concat(),
                        format!(
                            "test signal level_db {l} is out of range; allowed: {SILENCE_DB} to 0 (dBFS)"
                        ),
                    );
                    TestSignal::LEVEL_DB
                }
            }
        };
        match s {
            SignalFile::Sine(sine) => {
                let level_db = level(self, "sine", sine.level_db);
                let nyquist = f64::from(sample_rate) / 2.0;
                let freq_hz = match sine.freq_hz {
                    None => TestSignal::SINE_FREQ_HZ,
                    Some(f) if f.is_finite() && f > 0.0 && f < nyquist => f as f32,
                    Some(f) => {
                        self.error(
                            &[&at[..], &["sine", "freq_hz"]].concat(),
                            format!(
                                "test signal freq_hz {f} is out of range; allowed: above 0 and below {nyquist} Hz (half of sample_rate {sample_rate})"
                            ),
                        );
                        TestSignal::SINE_FREQ_HZ
                    }
                };
                TestSignal::Sine { freq_hz, level_db }
            }
            SignalFile::PinkNoise(n) => TestSignal::PinkNoise {
                level_db: level(self, "pink_noise", n.level_db),
            },
            SignalFile::Silence => TestSignal::Silence,
            SignalFile::File(p) => {
                let path = self.resolve(&[&at[..], &["file"]].concat(), p);
                if let Err(e) = crate::audio_file::probe(&path) {
                    self.error(
                        &[&at[..], &["file"]].concat(),
                        format!(
                            "test signal file `{}` cannot be played ({}: {}); allowed: an audio file ({}), absolute or relative to the config file's folder",
                            p.display(),
                            path.display(),
                            e.reason(),
                            crate::audio_file::READABLE
                        ),
                    );
                }
                TestSignal::File(path)
            }
        }
    }
}
