//! The mix model: the value of every parameter of the current session. The
//! control thread is its only writer; the engine, the state file and (later)
//! every surface are fed from it.

use crate::params::{ParamId, ParamRef, PathError, Registry, Spec};
use crate::session::Session;
use std::collections::BTreeMap;

/// Every parameter value of one session, in the units of its [`Spec`].
#[derive(Debug, Clone)]
pub struct Mix {
    registry: Registry,
    values: BTreeMap<ParamId, f32>,
}

/// Why a value was not applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SetError {
    #[error(transparent)]
    Path(#[from] PathError),
    #[error("`{0}`: the value is not a number")]
    NotANumber(String),
}

impl Mix {
    /// The session's mix: defaults, then its `mix` section and tempo.
    pub fn from_session(session: &Session) -> Mix {
        let registry = Registry::new(session.layout());
        let mut values: BTreeMap<ParamId, f32> = registry
            .all()
            .into_iter()
            .map(|id| (id, Spec::of(id.param).default))
            .collect();
        for (id, v) in crate::render::session_values(session) {
            values.insert(id, v);
        }
        Mix { registry, values }
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn get(&self, id: ParamId) -> Option<f32> {
        self.values.get(&id).copied()
    }

    /// Set a parameter by typed identity: clamped into range; returns the
    /// value stored if it changed anything.
    pub fn set(&mut self, id: ParamId, value: f32) -> Option<f32> {
        let v = Spec::of(id.param).clamp(value)?;
        let slot = self.values.get_mut(&id)?;
        if *slot == v {
            return None;
        }
        *slot = v;
        Some(v)
    }

    /// Set a parameter by path, in the path's form (`fader` paths normalized).
    pub fn set_path(&mut self, path: &str, value: f32) -> Result<Option<(ParamId, f32)>, SetError> {
        if value.is_nan() {
            return Err(SetError::NotANumber(path.to_string()));
        }
        let r = self.registry.resolve(path)?;
        Ok(self.set(r.id, r.to_plain(value)).map(|v| (r.id, v)))
    }

    /// The value on a path, in the path's form.
    pub fn get_path(&self, path: &str) -> Result<f32, SetError> {
        let r: ParamRef = self.registry.resolve(path)?;
        Ok(r.from_plain(self.values[&r.id]))
    }

    /// Every value, for building an engine graph.
    pub fn values(&self) -> Vec<(ParamId, f32)> {
        self.values.iter().map(|(k, v)| (*k, *v)).collect()
    }

    /// Every value by path, for the state file.
    pub fn by_path(&self) -> BTreeMap<String, f32> {
        self.values
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect()
    }

    /// Apply saved values by path; returns the paths that no longer exist.
    pub fn restore(&mut self, saved: &BTreeMap<String, f32>) -> Vec<String> {
        let mut stale = Vec::new();
        for (path, &v) in saved {
            match self.registry.resolve(path) {
                Ok(r) => {
                    self.set(r.id, v);
                }
                Err(_) => stale.push(path.clone()),
            }
        }
        stale
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Param;

    fn mix() -> Mix {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/session");
        Mix::from_session(&Session::load(&dir).unwrap())
    }

    #[test]
    fn session_values_and_defaults() {
        let m = mix();
        assert_eq!(m.get(ParamId::track(0, Param::Gain)), Some(-2.0));
        assert_eq!(m.get(ParamId::track(4, Param::Trim)), Some(0.0));
        assert!((m.get_path("track/2/fader").unwrap() - 0.7).abs() < 1e-5);
    }

    #[test]
    fn set_clamps_and_reports_changes() {
        let mut m = mix();
        assert_eq!(
            m.set_path("track/1/gain", 30.0).unwrap(),
            Some((ParamId::track(0, Param::Gain), 10.0))
        );
        assert_eq!(
            m.set_path("track/1/gain", 30.0).unwrap(),
            None,
            "no change, nothing to send"
        );
        assert!(m.set_path("track/9/gain", 0.0).is_err());
        assert!(m.set_path("track/1/gain", f32::NAN).is_err());
    }

    #[test]
    fn restore_round_trips_and_reports_stale_paths() {
        let mut a = mix();
        a.set_path("bus/1/reverb/decay", 3.5).unwrap();
        let mut saved = a.by_path();
        saved.insert("track/99/gain".into(), 1.0);
        let mut b = mix();
        assert_eq!(b.restore(&saved), vec!["track/99/gain".to_string()]);
        assert_eq!(b.values(), a.values());
    }
}
