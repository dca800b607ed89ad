//! Turning a deserialised `config.yaml` into a [`Config`], checking every
//! value and collecting every problem with its position. Each faulty value
//! falls back to its default so the remaining ones are still checked; any
//! problem discards the whole config.

mod audio;
mod monitor;
mod osc;
mod routing;

use super::file::ConfigFile;
use super::places::{self, Env};
use super::{Config, PortPatterns, Routing, SurfaceConfig};
use crate::yaml::{Errors, Located, Origin};
use std::path::{Path, PathBuf};

pub(super) fn build(f: ConfigFile, src: Origin, env: &Env) -> Result<Config, Errors> {
    let mut errors = Vec::new();
    let dir = src.file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut c = Checker {
        src: &src,
        dir: &dir,
        home: env
            .home
            .as_ref()
            .map(PathBuf::from)
            .filter(|h| h.is_absolute()),
        errors: &mut errors,
        interface_outputs: None,
    };
    let audio = c.audio(&f);
    c.interface_outputs = audio.outputs;
    let state_dir = c
        .path(&["state_dir"], f.state_dir.as_deref())
        .unwrap_or_else(|| places::default_state_dir(env));
    let session = c
        .path(&["session"], f.session.as_deref())
        .unwrap_or_else(|| state_dir.join("session"));
    let log_level = c.log_level(f.log_level.as_deref());
    let routing = Routing {
        inputs: c.channel_map("inputs", &f.routing.inputs),
        outputs: c.channel_map("outputs", &f.routing.outputs),
    };
    c.shared_outputs(&routing.outputs);
    let monitor = c.monitor(&f, &routing.outputs);
    let osc = c.osc(&f);
    let surfaces = c.surfaces(&f);
    let automation = c.automation(&f);
    errors.sort_by_key(|e| (e.line, e.column));
    Errors::check(errors)?;
    Ok(Config {
        file: Some(src.file.clone()),
        audio,
        session,
        session_given: f.session.is_some(),
        state_dir,
        log_level,
        routing,
        osc,
        surfaces,
        automation,
        monitor,
        origin: Some(src),
    })
}

struct Checker<'a> {
    src: &'a Origin,
    /// The config file's folder, for relative paths.
    dir: &'a Path,
    /// For `~/` paths.
    home: Option<PathBuf>,
    errors: &'a mut Vec<Located>,
    /// `audio.outputs`: the interface's output channels, when the config says.
    interface_outputs: Option<u16>,
}

impl Checker<'_> {
    fn automation(&mut self, f: &ConfigFile) -> crate::automation::Settings {
        let default = crate::automation::Settings::default();
        let a = &f.automation;
        let ms = super::AUTOMATION_MS;
        let millis = |c: &mut Self, key: &str, v: Option<f64>, d: std::time::Duration| match v {
            None => d,
            Some(v) if ms.contains(&v) => std::time::Duration::from_secs_f64(v / 1000.0),
            Some(v) => {
                c.error(
                    &["automation", key],
                    format!(
                        "automation {key} {v} is out of range; allowed: {} to {} ms",
                        ms.start(),
                        ms.end()
                    ),
                );
                d
            }
        };
        let release_after = millis(
            self,
            "release_after_ms",
            a.release_after_ms,
            default.release_after,
        );
        let glide = millis(self, "glide_ms", a.glide_ms, default.glide);
        let range = super::AUTOMATION_TOLERANCE;
        let tolerance = match a.tolerance {
            None => default.tolerance,
            Some(t) if range.contains(&t) => t as f32,
            Some(t) => {
                self.error(
                    &["automation", "tolerance"],
                    format!("automation tolerance {t} is out of range; allowed: {} to {} (a fraction of a control's travel)", range.start(), range.end()),
                );
                default.tolerance
            }
        };
        crate::automation::Settings {
            release_after,
            glide,
            tolerance,
        }
    }

    fn error(&mut self, at: &[&str], message: String) {
        self.errors.push(self.src.at(at, message));
    }

    /// A path from the file made absolute: `~/...` in the home folder,
    /// relative paths against the config file's folder.
    fn resolve(&mut self, at: &[&str], p: &Path) -> PathBuf {
        let Ok(in_home) = p.strip_prefix("~") else {
            return self.dir.join(p);
        };
        match &self.home {
            Some(home) => home.join(in_home),
            None => {
                self.error(
                    at,
                    format!(
                        "`{}` starts with ~ but $HOME is not set; allowed: an absolute path, or one relative to the config file's folder",
                        p.display()
                    ),
                );
                self.dir.join(p)
            }
        }
    }

    /// A folder path from the file, made absolute.
    fn path(&mut self, at: &[&str], p: Option<&Path>) -> Option<PathBuf> {
        let p = p?;
        if p.as_os_str().is_empty() {
            self.error(
                at,
                format!(
                    "`{}` is empty; allowed: a folder path, absolute or relative to the config file's folder, or no `{}` for the default",
                    at[0], at[0]
                ),
            );
            return None;
        }
        Some(self.resolve(at, p))
    }

    fn log_level(&mut self, name: Option<&str>) -> log::LevelFilter {
        let Some(name) = name else {
            return log::LevelFilter::Info;
        };
        name.parse().unwrap_or_else(|_| {
            let allowed: Vec<String> = log::LevelFilter::iter()
                .map(|l| l.as_str().to_ascii_lowercase())
                .collect();
            self.error(
                &["log_level"],
                format!(
                    "unknown log_level `{name}`; allowed: {}",
                    allowed.join(", ")
                ),
            );
            log::LevelFilter::Info
        })
    }

    fn surfaces(&mut self, f: &ConfigFile) -> Vec<SurfaceConfig> {
        let mut out = Vec::with_capacity(f.surfaces.len());
        for (i, s) in f.surfaces.iter().enumerate() {
            let i = i.to_string();
            if s.mapping.trim().is_empty() {
                self.error(
                    &["surfaces", &i, "mapping"],
                    "the surface mapping is empty; allowed: a mapping name like mackie-control, or a path to a mapping file".into(),
                );
            }
            self.port_patterns(&["surfaces", &i], &s.input, &s.output);
            for (k, e) in s.extenders.iter().enumerate() {
                self.port_patterns(
                    &["surfaces", &i, "extenders", &k.to_string()],
                    &e.input,
                    &e.output,
                );
            }
            let has_patterns = s.input.is_some() || s.output.is_some();
            match &s.virtual_port {
                Some(v) if v.trim().is_empty() => self.error(
                    &["surfaces", &i, "virtual"],
                    "the virtual port name is empty; allowed: a name for the ports the daemon creates".into(),
                ),
                Some(_) if has_patterns || !s.extenders.is_empty() => self.error(
                    &["surfaces", &i, "virtual"],
                    "the surface has both port patterns and `virtual`; allowed: `input`/`output` patterns, or `virtual: NAME`, not both".into(),
                ),
                None if !has_patterns => self.error(
                    &["surfaces", &i],
                    "the surface has no ports; allowed: `input` and/or `output` port name patterns, or `virtual: NAME`".into(),
                ),
                _ => {}
            }
            out.push(SurfaceConfig {
                mapping: s.mapping.clone(),
                input: s.input.clone(),
                output: s.output.clone(),
                virtual_port: s.virtual_port.clone(),
                extenders: s
                    .extenders
                    .iter()
                    .map(|e| PortPatterns {
                        input: e.input.clone(),
                        output: e.output.clone(),
                    })
                    .collect(),
            });
        }
        out
    }

    fn port_patterns(&mut self, at: &[&str], input: &Option<String>, output: &Option<String>) {
        for (key, pattern) in [("input", input), ("output", output)] {
            if pattern.as_deref().is_some_and(|p| p.trim().is_empty()) {
                let mut path = at.to_vec();
                path.push(key);
                self.error(
                    &path,
                    format!("the surface {key} port pattern is empty; allowed: a MIDI port name or a pattern with * and ?"),
                );
            }
        }
    }
}
