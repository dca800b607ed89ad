//! The `routing` section on its own; names are checked against a session
//! later, in [`crate::config::Config::wiring`].

use super::Checker;
use crate::config::file::Channels;
use crate::config::{MASTER, MAX_CHANNEL};
use std::collections::BTreeMap;

impl Checker<'_> {
    /// `routing.inputs` or `routing.outputs`: names to at most two channels
    /// that exist.
    pub(super) fn channel_map(
        &mut self,
        section: &str,
        map: &BTreeMap<String, Channels>,
    ) -> BTreeMap<String, Vec<u16>> {
        let (what, like) = if section == "inputs" {
            ("input", "a track's inputs")
        } else {
            ("output", "an output pair")
        };
        let (max, why) = match self.interface_outputs.filter(|_| what == "output") {
            Some(n) => (n, format!("audio.outputs says the interface has {n}")),
            None => (MAX_CHANNEL, "interface channels count from 1".to_string()),
        };
        let mut out = BTreeMap::new();
        for (name, chans) in map {
            let at = ["routing", section, name.as_str()];
            if name.trim().is_empty() {
                self.errors.push(self.src.at_key(
                    &at,
                    format!(
                        "a routing {what} with an empty name; allowed: a track name{}",
                        if what == "output" {
                            " or `master`".to_string()
                        } else {
                            String::new()
                        }
                    ),
                ));
            }
            let mut list = Vec::with_capacity(chans.0.len());
            for (i, &c) in chans.0.iter().enumerate() {
                let i = i.to_string();
                let item = [&at[..], &[i.as_str()]].concat();
                match u16::try_from(c).ok().filter(|c| (1..=max).contains(c)) {
                    Some(c) => list.push(c),
                    None => self.error(
                        &item,
                        format!("`{name}`: {what} {c} does not exist; allowed: 1 to {max} ({why})"),
                    ),
                }
            }
            if chans.0.len() > 2 {
                self.error(
                    &at,
                    format!(
                        "`{name}`: {} {what}s listed; allowed: {like} as one channel, a stereo pair like [3, 4], or [] for none",
                        chans.0.len()
                    ),
                );
            }
            if what == "output" && list.len() == 2 && list[0] == list[1] {
                self.error(
                    &at,
                    format!(
                        "`{name}`: both sides on output {}; allowed: two different outputs like [3, 4], or one",
                        list[0]
                    ),
                );
            }
            out.insert(name.clone(), list);
        }
        out
    }

    /// No two entries of `routing.outputs` may drive the same output; the
    /// later one in the file is reported.
    pub(super) fn shared_outputs(&mut self, outputs: &BTreeMap<String, Vec<u16>>) {
        let mut in_order: Vec<(&String, &Vec<u16>)> = outputs.iter().collect();
        in_order.sort_by_key(|(name, _)| self.src.map.key(&["routing", "outputs", name]));
        for (i, (name, list)) in in_order.iter().enumerate() {
            let earlier = in_order[..i]
                .iter()
                .find_map(|(other, l)| l.iter().find(|c| list.contains(c)).map(|c| (other, c)));
            if let Some((other, c)) = earlier {
                self.error(
                    &["routing", "outputs", name],
                    format!(
                        "`{name}` and `{other}` both use output {c}; allowed: outputs no other bus or the {MASTER} uses"
                    ),
                );
            }
        }
    }
}
