//! The mix model: the value of every parameter of the current session, the
//! names of its strips, and which controls are being touched. The control
//! thread is its only writer; the engine, the state file and every surface
//! are fed from it.
//!
//! Every change carries its [`Origin`], so that feedback reaches every
//! surface except the one that made it (unless it asks for its echo).

use crate::params::{Owner, ParamId, ParamRef, PathError, Registry, Spec};
use crate::session::{Colour, Session};
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;

/// Longest strip name kept, in characters; longer names are cut.
pub const MAX_NAME: usize = 64;

/// Every parameter value of one session, in the units of its [`Spec`].
#[derive(Debug, Clone)]
pub struct Mix {
    registry: Registry,
    values: BTreeMap<ParamId, f32>,
    names: BTreeMap<Owner, String>,
    colours: BTreeMap<Owner, Colour>,
    touches: BTreeSet<(ParamId, Origin)>,
}

/// Who made a change or holds a touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    /// An OSC sender, by its source address.
    Osc(SocketAddr),
    /// A MIDI surface, by its index in the config.
    Surface(u16),
    /// The session file or the saved state (start, reload), or a recalled scene.
    Session,
    /// Automation playback: the engine already plays these values, so they
    /// go to the surfaces only.
    Automation,
    /// A client of the X32-protocol server, by its source address.
    X32(SocketAddr),
}

impl Origin {
    /// Whether a person moved it from a surface or an app (what automation
    /// records), as opposed to a file, a scene or automation itself.
    pub fn is_surface(self) -> bool {
        matches!(self, Origin::Osc(_) | Origin::Surface(_) | Origin::X32(_))
    }
}

/// What changed: a parameter's value, a strip's name or its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    Param(ParamId),
    Name(Owner),
    Colour(Owner),
}

/// One applied change, to be sent on to the engine and the surfaces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    pub key: Key,
    pub origin: Origin,
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
        for (id, v) in session.values() {
            values.insert(id, v);
        }
        let names = session_names(session).collect();
        let colours = session_colours(session).collect();
        Mix {
            registry,
            values,
            names,
            colours,
            touches: BTreeSet::new(),
        }
    }

    /// A mix of `layout` at default values, strips named "Track 1", "Bus 1"
    /// and so on: for surfaces' tests and fuzzing, which need no session.
    pub fn from_layout(layout: crate::params::Layout) -> Mix {
        let registry = Registry::new(layout);
        let values = registry
            .all()
            .into_iter()
            .map(|id| (id, Spec::of(id.param).default))
            .collect();
        let l = registry.layout();
        let tracks = (0..l.tracks).map(|i| (Owner::Track(i as u16), format!("Track {}", i + 1)));
        let buses = (0..l.buses.len()).map(|i| (Owner::Bus(i as u16), format!("Bus {}", i + 1)));
        Mix {
            names: tracks.chain(buses).collect(),
            colours: BTreeMap::new(),
            registry,
            values,
            touches: BTreeSet::new(),
        }
    }

    /// The same mix with the monitor section's parameters (at their
    /// defaults), or without them: they exist when the machine's config
    /// has a monitor section.
    pub fn with_monitor(mut self, monitor: bool) -> Mix {
        self.registry = self.registry.with_monitor(monitor);
        self.values.retain(|id, _| id.owner != Owner::Monitor);
        for id in self.registry.params_of(Owner::Monitor) {
            self.values
                .insert(ParamId::new(Owner::Monitor, id), Spec::of(id).default);
        }
        self
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

    /// The name of a track or bus.
    pub fn name(&self, owner: Owner) -> Option<&str> {
        self.names.get(&owner).map(String::as_str)
    }

    /// The colour a track or bus is shown in (white unless the session or
    /// a surface says).
    pub fn colour(&self, owner: Owner) -> Colour {
        self.colours.get(&owner).copied().unwrap_or_default()
    }

    /// Give a track or bus another colour; returns whether anything changed.
    pub fn set_colour(&mut self, owner: Owner, colour: Colour) -> bool {
        if !self.names.contains_key(&owner) || self.colour(owner) == colour {
            return false;
        }
        self.colours.insert(owner, colour);
        true
    }

    /// Colours by path (`track/1/colour`), for the state file.
    pub fn colours_by_path(&self) -> BTreeMap<String, String> {
        self.colours
            .iter()
            .map(|(o, c)| (format!("{o}/colour"), c.name().to_string()))
            .collect()
    }

    /// Apply saved colours by path; unknown paths and colours are ignored.
    pub fn restore_colours(&mut self, saved: &BTreeMap<String, String>) {
        let owners: Vec<Owner> = self.names.keys().copied().collect();
        for owner in owners {
            if let Some(c) = saved
                .get(&format!("{owner}/colour"))
                .and_then(|c| Colour::from_name(c))
            {
                self.set_colour(owner, c);
            }
        }
    }

    /// Rename a track or bus (control characters dropped, cut at
    /// [`MAX_NAME`]); returns whether anything changed.
    pub fn set_name(&mut self, owner: Owner, name: &str) -> bool {
        let Some(slot) = self.names.get_mut(&owner) else {
            return false;
        };
        let clean: String = name
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_NAME)
            .collect();
        if *slot == clean {
            return false;
        }
        *slot = clean;
        true
    }

    /// Every strip that has a name, in a stable order.
    pub fn named(&self) -> impl Iterator<Item = Owner> + '_ {
        self.names.keys().copied()
    }

    /// Mark a control as touched (`on`) or released by `origin`; returns
    /// whether that changed anything.
    pub fn touch(&mut self, id: ParamId, origin: Origin, on: bool) -> bool {
        if on {
            self.registry.check(id, "").is_ok() && self.touches.insert((id, origin))
        } else {
            self.touches.remove(&(id, origin))
        }
    }

    /// Whether anyone is touching the control.
    pub fn touched(&self, id: ParamId) -> bool {
        self.touches
            .range((id, MIN_ORIGIN)..)
            .next()
            .is_some_and(|(t, _)| *t == id)
    }

    /// Every control someone is touching (each once).
    pub fn touched_controls(&self) -> impl Iterator<Item = ParamId> + '_ {
        let mut last = None;
        self.touches
            .iter()
            .filter_map(move |(id, _)| (last.replace(*id) != Some(*id)).then_some(*id))
    }

    /// Whether `origin` is touching the control.
    pub fn touched_by(&self, id: ParamId, origin: Origin) -> bool {
        self.touches.contains(&(id, origin))
    }

    /// Whether any OSC sender on host `ip` is touching the control.
    pub fn touched_from_host(&self, id: ParamId, ip: std::net::IpAddr) -> bool {
        self.touches
            .iter()
            .any(|(t, o)| *t == id && matches!(o, Origin::Osc(a) if a.ip() == ip))
    }

    /// Release every touch `origin` holds (it went away); returns the
    /// controls released.
    pub fn release_all(&mut self, origin: Origin) -> Vec<ParamId> {
        let held: Vec<(ParamId, Origin)> = self
            .touches
            .iter()
            .filter(|(_, o)| *o == origin)
            .copied()
            .collect();
        for t in &held {
            self.touches.remove(t);
        }
        held.into_iter().map(|(id, _)| id).collect()
    }

    /// Names by path (`track/1/name`), for the state file.
    pub fn names_by_path(&self) -> BTreeMap<String, String> {
        self.names
            .iter()
            .map(|(o, n)| (format!("{o}/name"), n.clone()))
            .collect()
    }

    /// Apply saved names by path; unknown paths are ignored.
    pub fn restore_names(&mut self, saved: &BTreeMap<String, String>) {
        let owners: Vec<Owner> = self.names.keys().copied().collect();
        for owner in owners {
            if let Some(n) = saved.get(&format!("{owner}/name")) {
                self.set_name(owner, n);
            }
        }
    }

    /// Every value, for building an engine graph.
    pub fn values(&self) -> Vec<(ParamId, f32)> {
        self.values.iter().map(|(k, v)| (*k, *v)).collect()
    }

    /// Every value by path, for the state file (a control held only while
    /// pressed, the talkback, is not kept).
    pub fn by_path(&self) -> BTreeMap<String, f32> {
        self.values
            .iter()
            .filter(|(k, _)| k.param.persistent())
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

/// The names a session file gives its tracks and buses.
pub fn session_names(session: &Session) -> impl Iterator<Item = (Owner, String)> + '_ {
    let tracks = session.tracks.iter().enumerate();
    let buses = session.buses.iter().enumerate();
    tracks
        .map(|(i, t)| (Owner::Track(i as u16), t.name.clone()))
        .chain(buses.map(|(i, b)| (Owner::Bus(i as u16), b.name.clone())))
}

/// The colours a session file gives its tracks.
pub fn session_colours(session: &Session) -> impl Iterator<Item = (Owner, Colour)> + '_ {
    let tracks = session.tracks.iter().enumerate();
    tracks.map(|(i, t)| (Owner::Track(i as u16), t.colour))
}

/// The smallest origin, for range scans over touches.
const MIN_ORIGIN: Origin = Origin::Osc(SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::UNSPECIFIED,
    0,
)));

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

    /// The monitor's values are kept in the state file like any other,
    /// except a held talkback; without a monitor they are stale paths.
    #[test]
    fn monitor_values_are_kept_but_not_a_held_talkback() {
        let mut a = mix().with_monitor(true);
        a.set_path("monitor/dim", 1.0).unwrap();
        a.set_path("monitor/check", 4.0).unwrap();
        a.set_path("monitor/talkback", 1.0).unwrap();
        let saved = a.by_path();
        assert_eq!(saved.get("monitor/dim"), Some(&1.0));
        assert!(!saved.contains_key("monitor/talkback"));
        let mut b = mix().with_monitor(true);
        assert!(b.restore(&saved).is_empty());
        assert_eq!(b.get_path("monitor/check").unwrap(), 4.0);
        assert_eq!(b.get_path("monitor/talkback").unwrap(), 0.0);
        let mut plain = mix();
        assert!(plain.restore(&saved).iter().any(|p| p == "monitor/dim"));
        assert!(mix()
            .with_monitor(true)
            .with_monitor(false)
            .get_path("monitor/dim")
            .is_err());
    }

    #[test]
    fn names_are_cleaned_cut_and_restored() {
        let mut a = mix();
        assert_eq!(a.name(Owner::Track(0)), Some("Kick"));
        assert!(a.set_name(Owner::Track(0), "Kick\nIn"));
        assert_eq!(a.name(Owner::Track(0)), Some("KickIn"));
        assert!(!a.set_name(Owner::Track(0), "KickIn"), "no change");
        assert!(!a.set_name(Owner::Track(40), "x"), "no such track");
        a.set_name(Owner::Bus(1), &"x".repeat(100));
        assert_eq!(a.name(Owner::Bus(1)).unwrap().len(), MAX_NAME);
        let mut b = mix();
        b.restore_names(&a.names_by_path());
        assert_eq!(b.name(Owner::Track(0)), Some("KickIn"));
    }

    #[test]
    fn colours_change_once_and_are_restored() {
        let mut a = mix();
        assert!(a.set_colour(Owner::Bus(0), Colour::Cyan));
        assert!(!a.set_colour(Owner::Bus(0), Colour::Cyan), "no change");
        assert!(
            !a.set_colour(Owner::Track(40), Colour::Red),
            "no such track"
        );
        assert!(a.set_colour(Owner::Track(1), Colour::Off));
        let mut saved = a.colours_by_path();
        saved.insert("track/1/colour".into(), "plaid".into());
        let mut b = mix();
        b.restore_colours(&saved);
        assert_eq!(b.colour(Owner::Bus(0)), Colour::Cyan);
        assert_eq!(b.colour(Owner::Track(1)), Colour::Off);
        assert_eq!(b.colour(Owner::Track(0)), a.colour(Owner::Track(0)));
    }

    #[test]
    fn touches_are_held_per_origin() {
        let mut m = mix();
        let fader = ParamId::track(0, Param::Gain);
        let pan = ParamId::track(0, Param::Pan);
        let a = Origin::Osc("127.0.0.1:9001".parse().unwrap());
        let b = Origin::Surface(0);
        assert!(m.touch(fader, a, true));
        assert!(!m.touch(fader, a, true), "already held");
        assert!(m.touch(fader, b, true));
        assert!(m.touched(fader) && !m.touched(pan));
        assert!(m.touched_by(fader, a));
        assert!(m.touch(fader, a, false));
        assert!(m.touched(fader), "b still holds it");
        m.touch(pan, b, true);
        let mut released = m.release_all(b);
        released.sort();
        assert_eq!(released, vec![fader, pan]);
        assert!(!m.touched(fader) && !m.touched(pan));
        assert!(
            !m.touch(ParamId::track(30, Param::Gain), a, true),
            "no such control"
        );
    }
}
