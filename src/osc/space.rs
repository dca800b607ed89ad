//! The OSC address space of one session: every address a client may set,
//! query or match with a pattern, as a tree of path segments.
//!
//! Built once per session layout from the parameter registry, so OSC speaks
//! exactly the paths the rest of the console does. A pattern is matched
//! segment by segment down the tree, so `/track/*/mute` costs a walk over the
//! track nodes, not over every address of the console.

use super::pattern::{self, PatternError, Segment};
use crate::params::{Owner, ParamRef, Registry};

/// The read-only loudness values of the master, in the order of their names.
pub const LOUDNESS: [&str; 5] = ["momentary", "shortterm", "integrated", "range", "truepeak"];

/// What an address refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A parameter, in the form of that address (plain or fader).
    Param(ParamRef),
    /// The name of a track or bus.
    Name(Owner),
    /// The colour of a track or bus (a name of [`crate::session::Colour`]).
    Colour(Owner),
    /// A master loudness value (an index into [`LOUDNESS`]); read-only.
    Loudness(usize),
}

#[derive(Debug, Default, Clone)]
struct Node {
    /// Sorted by name.
    children: Vec<(Box<str>, usize)>,
    target: Option<Target>,
}

#[derive(Debug, Clone)]
pub struct AddressSpace {
    nodes: Vec<Node>,
}

impl AddressSpace {
    pub fn new(registry: &Registry) -> AddressSpace {
        let mut space = AddressSpace {
            nodes: vec![Node::default()],
        };
        for id in registry.all() {
            let plain = ParamRef::plain(id);
            space.insert(&plain.to_string(), Target::Param(plain));
            if let Some(fader) = ParamRef::fader(id) {
                space.insert(&fader.to_string(), Target::Param(fader));
            }
        }
        let layout = registry.layout();
        let strips = (0..layout.tracks as u16)
            .map(Owner::Track)
            .chain((0..layout.buses.len() as u16).map(Owner::Bus));
        for owner in strips {
            space.insert(&format!("{owner}/name"), Target::Name(owner));
            space.insert(&format!("{owner}/colour"), Target::Colour(owner));
        }
        for (i, name) in LOUDNESS.iter().enumerate() {
            space.insert(&format!("master/loudness/{name}"), Target::Loudness(i));
        }
        for node in &mut space.nodes {
            node.children.sort();
        }
        space
    }

    fn insert(&mut self, path: &str, target: Target) {
        let mut at = 0;
        for seg in path.split('/') {
            at = match self.nodes[at].children.iter().find(|(n, _)| &**n == seg) {
                Some(&(_, child)) => child,
                None => {
                    let child = self.nodes.len();
                    self.nodes.push(Node::default());
                    self.nodes[at].children.push((seg.into(), child));
                    child
                }
            };
        }
        self.nodes[at].target = Some(target);
    }

    /// Every target an address or address pattern names, in address order.
    pub fn resolve(&self, address: &str) -> Result<Vec<Target>, PatternError> {
        let segments = pattern::parse(address)?;
        let mut out = Vec::new();
        self.walk(0, &segments, &mut out);
        Ok(out)
    }

    fn walk(&self, at: usize, rest: &[Segment], out: &mut Vec<Target>) {
        let node = &self.nodes[at];
        let Some((seg, rest)) = rest.split_first() else {
            out.extend(node.target);
            return;
        };
        match seg.literal() {
            Some(name) => {
                if let Ok(i) = node.children.binary_search_by(|(n, _)| (**n).cmp(name)) {
                    self.walk(node.children[i].1, rest, out);
                }
            }
            None => {
                for (name, child) in &node.children {
                    if seg.matches(name) {
                        self.walk(*child, rest, out);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{BusEffect, Form, Layout, Param, ParamId};

    fn space() -> AddressSpace {
        AddressSpace::new(&Registry::new(Layout {
            tracks: 12,
            buses: vec![BusEffect::Reverb, BusEffect::Delay, BusEffect::None],
        }))
    }

    fn param(path: &str) -> Target {
        Target::Param(ParamRef::parse(path).unwrap())
    }

    #[test]
    fn exact_addresses_and_patterns() {
        let s = space();
        assert_eq!(
            s.resolve("/track/3/gain").unwrap(),
            vec![param("track/3/gain")]
        );
        assert_eq!(s.resolve("/track/13/gain").unwrap(), vec![]);
        assert_eq!(s.resolve("/track/1/nothing").unwrap(), vec![]);
        let mutes = s.resolve("/track/*/mute").unwrap();
        assert_eq!(mutes.len(), 12);
        assert_eq!(
            s.resolve("/track/{1,2}/{gain,fader}").unwrap().len(),
            4,
            "both forms of two faders"
        );
        assert_eq!(s.resolve("/track/1[0-2]/solo").unwrap().len(), 3);
        assert_eq!(s.resolve("/track/?/eq/[!1]/gain").unwrap().len(), 9 * 3);
        assert_eq!(
            s.resolve("/bus/*/reverb/decay").unwrap(),
            vec![param("bus/1/reverb/decay")],
            "only the reverb bus has a reverb"
        );
        assert_eq!(
            s.resolve("/track/2/send/3/fader").unwrap(),
            vec![Target::Param(ParamRef {
                id: ParamId::track(
                    1,
                    Param::Send {
                        bus: 2,
                        field: crate::params::SendField::Level
                    }
                ),
                form: Form::Fader
            })]
        );
        assert_eq!(
            s.resolve("/bus/2/name").unwrap(),
            vec![Target::Name(Owner::Bus(1))]
        );
        assert_eq!(
            s.resolve("/track/1/colour").unwrap(),
            vec![Target::Colour(Owner::Track(0))]
        );
        assert_eq!(
            s.resolve("/master/loudness/*").unwrap().len(),
            LOUDNESS.len()
        );
        assert!(s.resolve("/track/[1/gain").is_err());
    }

    #[test]
    fn every_registry_path_resolves_to_itself() {
        let registry = Registry::new(Layout {
            tracks: 3,
            buses: vec![BusEffect::Delay],
        });
        let s = AddressSpace::new(&registry);
        for id in registry.all() {
            let p = ParamRef::plain(id);
            assert_eq!(s.resolve(&format!("/{p}")).unwrap(), vec![Target::Param(p)]);
        }
    }
}
