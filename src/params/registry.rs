//! Which parameters exist for a given session layout.

use super::id::*;
use super::path::{ParamRef, PathError};
use super::spec::Spec;

/// The effect an effect bus runs (aux buses run none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusEffect {
    None,
    Reverb,
    Delay,
}

/// The shape of a session, as far as the address space cares.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    pub tracks: usize,
    pub buses: Vec<BusEffect>,
}

/// The address space of one session layout.
#[derive(Debug, Clone)]
pub struct Registry {
    layout: Layout,
    /// The machine has a monitor section (`monitor/...` exists).
    monitor: bool,
}

const EQ_FIELDS: [EqField; 5] = [
    EqField::Type,
    EqField::Freq,
    EqField::Gain,
    EqField::Q,
    EqField::On,
];
const GATE: [GateField; 6] = [
    GateField::Threshold,
    GateField::Range,
    GateField::Attack,
    GateField::Hold,
    GateField::Release,
    GateField::On,
];
const COMP: [CompField; 7] = [
    CompField::Threshold,
    CompField::Ratio,
    CompField::Attack,
    CompField::Release,
    CompField::Knee,
    CompField::Makeup,
    CompField::On,
];
const REVERB: [ReverbField; 5] = [
    ReverbField::Size,
    ReverbField::Decay,
    ReverbField::Predelay,
    ReverbField::Damping,
    ReverbField::Mix,
];
const DELAY: [DelayField; 7] = [
    DelayField::Time,
    DelayField::Note,
    DelayField::Feedback,
    DelayField::LowCut,
    DelayField::HighCut,
    DelayField::PingPong,
    DelayField::Mix,
];
const LIMITER: [LimiterField; 3] = [
    LimiterField::Ceiling,
    LimiterField::Release,
    LimiterField::On,
];
const DRIVE: [DriveField; 8] = [
    DriveField::On,
    DriveField::Type,
    DriveField::Amount,
    DriveField::Tone,
    DriveField::Output,
    DriveField::Mix,
    DriveField::Bits,
    DriveField::Downsample,
];
const MOD: [ModField; 9] = [
    ModField::On,
    ModField::Type,
    ModField::Rate,
    ModField::Note,
    ModField::Depth,
    ModField::Feedback,
    ModField::Delay,
    ModField::Stages,
    ModField::Mix,
];
const PITCH: [PitchField; 4] = [
    PitchField::On,
    PitchField::Semitones,
    PitchField::Cents,
    PitchField::Mix,
];
const SENDS: [SendField; 3] = [SendField::Level, SendField::Pre, SendField::On];

fn eq_params() -> impl Iterator<Item = Param> {
    (0..EQ_BANDS as u8).flat_map(|band| {
        EQ_FIELDS
            .into_iter()
            .map(move |field| Param::Eq { band, field })
    })
}

impl Registry {
    pub fn new(layout: Layout) -> Self {
        Registry {
            layout,
            monitor: false,
        }
    }

    /// The same address space with (or without) the monitor section's
    /// parameters, which exist when the machine's config has one.
    pub fn with_monitor(self, monitor: bool) -> Self {
        Registry { monitor, ..self }
    }

    /// Whether `monitor/...` exists.
    pub fn has_monitor(&self) -> bool {
        self.monitor
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Every parameter of an owner, in a stable order.
    pub fn params_of(&self, owner: Owner) -> Vec<Param> {
        let mut v = Vec::new();
        match owner {
            Owner::Track(_) => {
                v.extend([
                    Param::Gain,
                    Param::Trim,
                    Param::Polarity,
                    Param::Pan,
                    Param::Width,
                    Param::Mute,
                    Param::Solo,
                    Param::HpfFreq,
                    Param::HpfOn,
                    Param::Automation,
                ]);
                v.extend(eq_params());
                v.extend(GATE.map(Param::Gate));
                v.extend(COMP.map(Param::Comp));
                v.extend(DRIVE.map(Param::Drive));
                v.extend(PITCH.map(Param::Pitch));
                v.extend(MOD.map(Param::Mod));
                for bus in 0..self.layout.buses.len() as u16 {
                    v.extend(SENDS.map(|field| Param::Send { bus, field }));
                }
            }
            Owner::Bus(b) => {
                v.extend([
                    Param::Gain,
                    Param::Pan,
                    Param::Width,
                    Param::Mute,
                    Param::Automation,
                ]);
                v.extend(eq_params());
                v.extend(COMP.map(Param::Comp));
                v.extend(DRIVE.map(Param::Drive));
                v.extend(MOD.map(Param::Mod));
                match self.layout.buses.get(b as usize) {
                    Some(BusEffect::Reverb) => v.extend(REVERB.map(Param::Reverb)),
                    Some(BusEffect::Delay) => v.extend(DELAY.map(Param::Delay)),
                    _ => {}
                }
            }
            Owner::Master => {
                v.extend([Param::Gain, Param::Mute, Param::Automation]);
                v.extend(eq_params());
                v.extend(COMP.map(Param::Comp));
                v.extend(LIMITER.map(Param::Limiter));
            }
            Owner::Transport => v.push(Param::Tempo),
            Owner::Monitor if self.monitor => v.extend(super::monitor::params(&self.layout.buses)),
            Owner::Monitor => {}
        }
        v
    }

    /// Every parameter of the session, in a stable order.
    pub fn all(&self) -> Vec<ParamId> {
        let owners = (0..self.layout.tracks as u16)
            .map(Owner::Track)
            .chain((0..self.layout.buses.len() as u16).map(Owner::Bus))
            .chain([Owner::Master, Owner::Transport])
            .chain(self.monitor.then_some(Owner::Monitor));
        owners
            .flat_map(|owner| {
                self.params_of(owner)
                    .into_iter()
                    .map(move |param| ParamId { owner, param })
            })
            .collect()
    }

    /// Whether the parameter exists in this layout.
    pub fn check(&self, id: ParamId, path: &str) -> Result<(), PathError> {
        let no_such = |what, index: u16, count| PathError::NoSuch {
            path: path.to_string(),
            what,
            index: index as usize + 1,
            count,
        };
        match id.owner {
            Owner::Track(n) if n as usize >= self.layout.tracks => {
                return Err(no_such("track", n, self.layout.tracks))
            }
            Owner::Bus(n) if n as usize >= self.layout.buses.len() => {
                return Err(no_such("bus", n, self.layout.buses.len()))
            }
            Owner::Monitor if !self.monitor => {
                return Err(PathError::NotHere {
                    path: path.to_string(),
                    why: "this machine has no monitor section (config.yaml has no `monitor:`)"
                        .to_string(),
                })
            }
            _ => {}
        }
        if let Param::Send { bus, .. } = id.param {
            if bus as usize >= self.layout.buses.len() {
                return Err(no_such("bus", bus, self.layout.buses.len()));
            }
        }
        if let Param::Eq { band, .. } = id.param {
            if band as usize >= EQ_BANDS {
                return Err(no_such("EQ band", band as u16, EQ_BANDS));
            }
        }
        if self.params_of(id.owner).contains(&id.param) {
            Ok(())
        } else {
            Err(PathError::NotHere {
                path: path.to_string(),
                why: format!("{:?} has no such parameter", id.owner).to_lowercase(),
            })
        }
    }

    /// Parse a path and check it exists in this layout.
    pub fn resolve(&self, path: &str) -> Result<ParamRef, PathError> {
        let r = ParamRef::parse(path)?;
        self.check(r.id, path)?;
        Ok(r)
    }

    pub fn spec(&self, id: ParamId) -> Spec {
        Spec::of(id.param)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg() -> Registry {
        Registry::new(Layout {
            tracks: 2,
            buses: vec![BusEffect::Reverb, BusEffect::None],
        })
    }

    #[test]
    fn every_listed_param_resolves_by_its_path() {
        let r = reg();
        let all = r.all();
        assert!(all.len() > 100);
        for id in all {
            let path = id.to_string();
            assert_eq!(r.resolve(&path).unwrap().id, id, "{path}");
        }
    }

    #[test]
    fn dangling_references_are_errors() {
        let r = reg();
        assert!(matches!(
            r.resolve("track/3/gain"),
            Err(PathError::NoSuch {
                index: 3,
                count: 2,
                ..
            })
        ));
        assert!(r.resolve("track/1/send/3/level").is_err());
        assert!(r.resolve("bus/2/reverb/decay").is_err());
        assert!(r.resolve("bus/1/reverb/decay").is_ok());
        assert!(r.resolve("track/1/eq/5/gain").is_err());
        assert!(r.resolve("master/limiter/ceiling").is_ok());
        assert!(r.resolve("track/1/limiter/ceiling").is_err());
        assert!(r.resolve("bus/1/drive/amount").is_ok());
        assert!(r.resolve("bus/2/mod/rate").is_ok());
        assert!(r.resolve("bus/1/pitch/semitones").is_err());
        assert!(r.resolve("master/drive/on").is_err());
        assert!(r.resolve("monitor/dim").is_err(), "no monitor section");
    }

    #[test]
    fn the_monitor_section_exists_when_configured() {
        let r = reg().with_monitor(true);
        assert!(r.resolve("monitor/dim").is_ok());
        assert!(r.resolve("monitor/fader").is_ok());
        // Talkback reaches aux buses only: bus 2 is one, bus 1 a reverb.
        assert!(r.resolve("monitor/talkback/bus/2").is_ok());
        assert!(r.resolve("monitor/talkback/bus/1").is_err());
        assert!(r.resolve("monitor/talkback/bus/3").is_err());
        let monitor: Vec<_> = r
            .all()
            .into_iter()
            .filter(|id| id.owner == Owner::Monitor)
            .collect();
        assert_eq!(monitor.len(), 20);
        assert!(monitor.iter().all(|id| !id.param.automatable()));
    }
}
