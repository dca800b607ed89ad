//! `mixbridge meter FILE... [--target NAME] [--report json]`: read each
//! file, meter it and render the report.

use std::path::PathBuf;

use super::{target, target_names, LoudnessReport, Target, UnsupportedAudio, TARGETS};
use crate::audio_file::{self, AudioFileError};

#[derive(Debug, thiserror::Error)]
pub enum MeterError {
    #[error("unknown target `{name}`; allowed: {allowed}")]
    UnknownTarget { name: String, allowed: String },
    #[error("no files to meter")]
    NoFiles,
    /// The message names the file.
    #[error(transparent)]
    Read(#[from] AudioFileError),
    #[error("{path}: {why}")]
    Unsupported { path: String, why: UnsupportedAudio },
}

/// The target called `name`, or every target when `None`.
pub fn select_targets(name: Option<&str>) -> Result<Vec<&'static Target>, MeterError> {
    Ok(match name {
        Some(name) => vec![target(name).ok_or_else(|| MeterError::UnknownTarget {
            name: name.into(),
            allowed: target_names(),
        })?],
        None => TARGETS.iter().collect(),
    })
}

/// What [`meter_files`] made of its files.
#[derive(Debug)]
pub struct Metered {
    /// The reports of the files that could be metered.
    pub output: String,
    /// One error, naming its file, per file that could not.
    pub failed: Vec<MeterError>,
}

/// The reports of `paths`, checked against `target` (every target when
/// `None`), as text or as JSON (`{"files": [{"file": PATH, ...report}]}`).
/// A file that cannot be read or metered is left out of the reports and
/// listed in [`Metered::failed`]; the others are still metered.
pub fn meter_files(
    paths: &[PathBuf],
    target_name: Option<&str>,
    json: bool,
) -> Result<Metered, MeterError> {
    let targets = select_targets(target_name)?;
    if paths.is_empty() {
        return Err(MeterError::NoFiles);
    }
    let mut files = Vec::with_capacity(paths.len());
    let mut text = String::new();
    let mut failed = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        let report = audio_file::read(path)
            .map_err(MeterError::from)
            .and_then(|audio| {
                LoudnessReport::from_audio(&audio).map_err(|why| MeterError::Unsupported {
                    path: shown.clone(),
                    why,
                })
            });
        let report = match report {
            Ok(r) => r,
            Err(e) => {
                failed.push(e);
                continue;
            }
        };
        if json {
            let mut v = report.to_json(&targets);
            v["file"] = shown.into();
            files.push(v);
        } else {
            if !text.is_empty() {
                text.push('\n');
            }
            text += &format!("{shown}\n{}", report.render_text(&targets));
        }
    }
    let output = if json {
        serde_json::to_string_pretty(&serde_json::json!({ "files": files })).unwrap_or_default()
    } else {
        text
    };
    Ok(Metered { output, failed })
}
