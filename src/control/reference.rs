//! The monitor's reference track on the daemon's side: which file of the
//! session's `references/` plays (`monitor/reference/file`), its loading off
//! the control loop, and the gain that matches it to the mix.
//!
//! The match is by integrated loudness (BS.1770): the reference plays at
//! the mix's integrated loudness minus its own. The mix's is the master's
//! running integrated loudness, the value `/master/loudness/integrated`
//! shows (gated, measured since the engine started): it is what the
//! engineer has been listening to, live inputs included, which no render
//! could measure. The gain follows it while the mix plays on (a new gain
//! whenever it has moved by [`FOLLOW_LU`]), and glides in the engine.
//! Until the mix has a loudness (nothing played yet) the reference plays
//! at its own level.

use super::model::Mix;
use crate::audio_file::AudioFileError;
use crate::engine::EngineHandle;
use crate::params::{MonitorField, Owner, Param, ParamId};
use crate::sources::reference::{self, Loaded};
use crossbeam_channel::{bounded, Receiver, Sender};
use std::path::{Path, PathBuf};

/// The match follows the mix's loudness in steps of this many LU.
pub const FOLLOW_LU: f32 = 0.1;
/// The match never turns a reference up or down by more than these, dB.
pub const MATCH_DB: (f32, f32) = (-40.0, 20.0);

/// The gain that plays a reference of `reference_lufs` at the mix's
/// `mix_lufs`; 0 dB while either has no loudness.
pub fn match_db(mix_lufs: f32, reference_lufs: f32) -> f32 {
    if mix_lufs.is_finite() && reference_lufs.is_finite() {
        (mix_lufs - reference_lufs).clamp(MATCH_DB.0, MATCH_DB.1)
    } else {
        0.0
    }
}

type Done = (u64, Result<Loaded, AudioFileError>);

pub struct References {
    session_dir: PathBuf,
    loaded: Option<Loaded>,
    /// The load under way: its number, file and rate.
    loading: Option<(u64, PathBuf, u32)>,
    loads: u64,
    /// The gain the engine plays the reference at, dB.
    applied: Option<f32>,
    /// The engine's reference slot is lent to an A/B of revisions: the
    /// file is not sent to it meanwhile.
    lent: bool,
    tx: Sender<Done>,
    rx: Receiver<Done>,
}

impl References {
    pub fn new(session_dir: &Path) -> References {
        let (tx, rx) = bounded(2);
        References {
            session_dir: session_dir.to_path_buf(),
            loaded: None,
            loading: None,
            loads: 0,
            applied: None,
            lent: false,
            tx,
            rx,
        }
    }

    /// Finished loads, for the control loop to hand to [`References::on_loaded`].
    pub fn events(&self) -> Receiver<Done> {
        self.rx.clone()
    }

    /// The file `monitor/reference/file` names now, if there is one.
    fn wanted(&self, mix: &Mix) -> Option<PathBuf> {
        let n = mix.get(ParamId::new(
            Owner::Monitor,
            Param::Monitor(MonitorField::ReferenceFile),
        ))?;
        let files = reference::list(&self.session_dir);
        files.get((n as usize).max(1) - 1).cloned()
    }

    /// Load the reference the mix names at `rate`, unless it is loaded or
    /// loading. Call at start, when `monitor/reference...` changes and when
    /// the engine's rate does.
    pub fn want(&mut self, mix: &Mix, rate: u32) {
        let Some(file) = self.wanted(mix) else {
            return;
        };
        let have = |f: &Path, r: u32| f == file && r == rate;
        if self.loaded.as_ref().is_some_and(|l| have(&l.file, l.rate))
            || self.loading.as_ref().is_some_and(|(_, f, r)| have(f, *r))
        {
            return;
        }
        let number = self.loads + 1;
        let tx = self.tx.clone();
        match reference::load_in_background(file.clone(), rate, move |r| {
            let _ = tx.send((number, r));
        }) {
            Ok(()) => {
                self.loads = number;
                self.loading = Some((number, file, rate));
            }
            Err(e) => log::error!("reference: cannot start loading {}: {e}", file.display()),
        }
    }

    /// A load finished: play it (unless a newer one was asked for).
    pub fn on_loaded(&mut self, (number, result): Done, mix_lufs: f32, handle: &mut EngineHandle) {
        if self.loading.as_ref().map(|(n, _, _)| *n) != Some(number) {
            return;
        }
        self.loading = None;
        match result {
            Ok(l) => {
                let gain = match_db(mix_lufs, l.integrated);
                log::info!(
                    "reference: {} ({:.1} s, {:.1} LUFS) plays at {gain:+.1} dB{}",
                    l.file.display(),
                    l.left.len() as f64 / f64::from(l.rate),
                    l.integrated,
                    if mix_lufs.is_finite() {
                        format!(" to match the mix at {mix_lufs:.1} LUFS")
                    } else {
                        " (the mix has no loudness yet)".to_string()
                    }
                );
                if !self.lent {
                    handle.set_reference(l.reference(gain));
                }
                self.applied = Some(gain);
                self.loaded = Some(l);
            }
            Err(e) => log::error!("reference: {e}; the reference stays silent"),
        }
    }

    /// Follow the mix's integrated loudness.
    pub fn follow(&mut self, mix_lufs: f32, handle: &mut EngineHandle) {
        let Some(l) = &self.loaded else { return };
        let gain = match_db(mix_lufs, l.integrated);
        if self.lent || self.applied.is_some_and(|a| (a - gain).abs() < FOLLOW_LU) {
            return;
        }
        handle.set_reference(l.reference(gain));
        self.applied = Some(gain);
    }

    /// Lend the engine's reference slot to an A/B of revisions (`true`),
    /// or take it back: the file (or silence) is sent to it again.
    pub fn lend(&mut self, lent: bool, handle: &mut EngineHandle) {
        if self.lent == lent {
            return;
        }
        self.lent = lent;
        if !lent {
            handle.set_reference(match &self.loaded {
                Some(l) => l.reference(self.applied.unwrap_or(0.0)),
                None => crate::engine::monitor::Reference::none(),
            });
        }
    }

    /// A new engine at `rate`: it gets the reference as last played if
    /// that was at its rate (else the one loaded for it, when ready).
    pub fn attach(&mut self, mix: &Mix, rate: u32, handle: &mut EngineHandle) {
        match &self.loaded {
            Some(l) if l.rate == rate && !self.lent => {
                handle.set_reference(l.reference(self.applied.unwrap_or(0.0)))
            }
            Some(l) if l.rate == rate => {}
            _ => self.want(mix, rate),
        }
    }

    /// For `/status`: whether a reference is loaded, and its gain.
    pub fn status(&self) -> [(&'static str, f64); 2] {
        [
            (
                "monitor/reference/loaded",
                f64::from(u8::from(self.loaded.is_some())),
            ),
            (
                "monitor/reference/gain",
                f64::from(self.applied.unwrap_or(0.0)),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_match_is_the_difference_of_integrated_loudness() {
        assert_eq!(match_db(-14.0, -9.5), -4.5);
        assert_eq!(match_db(-23.0, -30.0), 7.0);
        assert_eq!(match_db(f32::NEG_INFINITY, -9.0), 0.0);
        assert_eq!(match_db(-14.0, f32::NEG_INFINITY), 0.0);
        assert_eq!(match_db(-70.0, -5.0), MATCH_DB.0);
    }
}
