//! The `monitor` section on its own: speaker sets, sub, phones and
//! talkback, each output on the interface and used once. Clashes with the
//! session's aux outputs are found later, in [`crate::config::Config::wiring`].

use super::Checker;
use crate::config::file::{Channels, ConfigFile, Crossover, MonitorFile};
use crate::config::monitor::{
    MonitorConfig, PhonesConfig, SpeakerSet, SubConfig, CROSSOVER_HZ, DELAY_MS, TRIM_DB,
};
use crate::config::MAX_CHANNEL;
use crate::params::monitor::MAX_SPEAKER_SETS;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

impl Checker<'_> {
    /// `monitor:`, checked against itself and `routing.outputs`.
    pub(super) fn monitor(
        &mut self,
        f: &ConfigFile,
        routing: &BTreeMap<String, Vec<u16>>,
    ) -> Option<MonitorConfig> {
        let m: &MonitorFile = f.monitor.as_ref()?;
        if m.speakers.is_empty() {
            self.error(
                &["monitor"],
                format!("the monitor has no speaker sets; allowed: 1 to {MAX_SPEAKER_SETS} sets under `speakers:`, like [{{ name: Mains, output: [1, 2] }}]"),
            );
        }
        let mut speakers = Vec::with_capacity(m.speakers.len());
        for (i, s) in m.speakers.iter().enumerate() {
            let k = i.to_string();
            let at = ["monitor", "speakers", k.as_str()];
            if i == MAX_SPEAKER_SETS {
                self.error(
                    &at,
                    format!("more than {MAX_SPEAKER_SETS} speaker sets; allowed: at most {MAX_SPEAKER_SETS} (`monitor/speakers` is 1 to {MAX_SPEAKER_SETS})"),
                );
            }
            let name = s.name.trim();
            if name.is_empty() {
                self.error(
                    &[&at[..], &["name"]].concat(),
                    "a speaker set with an empty name; allowed: a name like Mains".into(),
                );
            } else if m.speakers[..i].iter().any(|o| o.name.trim() == name) {
                self.error(
                    &[&at[..], &["name"]].concat(),
                    format!(
                        "two speaker sets are named `{name}`; allowed: a name of its own for each"
                    ),
                );
            }
            let what = format!("speaker set `{name}`");
            speakers.push(SpeakerSet {
                name: name.to_string(),
                outputs: self.outputs(&[&at[..], &["output"]].concat(), &what, &s.output, 1..=2),
                trim_db: self.number(
                    &[&at[..], &["trim"]].concat(),
                    "trim",
                    s.trim,
                    TRIM_DB,
                    "dB",
                ),
                delay_ms: self.number(
                    &[&at[..], &["delay"]].concat(),
                    "delay",
                    s.delay,
                    DELAY_MS,
                    "ms",
                ),
            });
        }
        let sub = m.sub.as_ref().map(|s| {
            let at = ["monitor", "sub"];
            let output = self.outputs(&["monitor", "sub", "output"], "the sub", &s.output, 1..=1);
            let crossover_hz = match &s.crossover {
                None => Some(80.0),
                Some(Crossover::Word(w)) if w == "off" => None,
                Some(Crossover::Hz(hz)) if CROSSOVER_HZ.contains(hz) => Some(*hz as f32),
                Some(c) => {
                    let given = match c {
                        Crossover::Hz(hz) => hz.to_string(),
                        Crossover::Word(w) => format!("`{w}`"),
                    };
                    self.error(
                        &["monitor", "sub", "crossover"],
                        format!(
                            "sub crossover {given}; allowed: {} to {} Hz, or off (a sub with a crossover of its own)",
                            CROSSOVER_HZ.start(),
                            CROSSOVER_HZ.end()
                        ),
                    );
                    None
                }
            };
            SubConfig {
                output: output.first().copied().unwrap_or(1),
                trim_db: self.number(&[&at[..], &["trim"]].concat(), "trim", s.trim, TRIM_DB, "dB"),
                delay_ms: self.number(&[&at[..], &["delay"]].concat(), "delay", s.delay, DELAY_MS, "ms"),
                crossover_hz,
            }
        });
        let phones = m.phones.as_ref().map(|p| PhonesConfig {
            outputs: self.outputs(
                &["monitor", "phones", "output"],
                "the phones",
                &p.output,
                1..=2,
            ),
            follow_cue: p.follow_cue.unwrap_or(true),
        });
        let talkback = m.talkback.as_ref().and_then(|t| {
            let c = u16::try_from(t.input).ok().filter(|c| (1..=MAX_CHANNEL).contains(c));
            if c.is_none() {
                self.error(
                    &["monitor", "talkback", "input"],
                    format!("talkback input {} does not exist; allowed: 1 to {MAX_CHANNEL} (interface inputs count from 1)", t.input),
                );
            }
            c
        });
        let config = MonitorConfig {
            speakers,
            sub,
            phones,
            talkback,
        };
        self.shared_monitor_outputs(&config, routing);
        Some(config)
    }

    /// A number in `range`, or its default (0) when not given.
    fn number(
        &mut self,
        at: &[&str],
        key: &str,
        v: Option<f64>,
        range: RangeInclusive<f64>,
        unit: &str,
    ) -> f32 {
        match v {
            None => 0.0,
            Some(v) if range.contains(&v) => v as f32,
            Some(v) => {
                self.error(
                    at,
                    format!(
                        "{key} {v} is out of range; allowed: {} to {} {unit}",
                        range.start(),
                        range.end()
                    ),
                );
                0.0
            }
        }
    }

    /// Interface outputs: `count` of them, each one the interface has.
    fn outputs(
        &mut self,
        at: &[&str],
        what: &str,
        chans: &Channels,
        count: RangeInclusive<usize>,
    ) -> Vec<u16> {
        let (max, why) = match self.interface_outputs {
            Some(n) => (n, format!("audio.outputs says the interface has {n}")),
            None => (MAX_CHANNEL, "interface channels count from 1".to_string()),
        };
        let mut list = Vec::with_capacity(chans.0.len());
        for (i, &c) in chans.0.iter().enumerate() {
            match u16::try_from(c).ok().filter(|c| (1..=max).contains(c)) {
                Some(c) => list.push(c),
                None => self.error(
                    &[at, &[i.to_string().as_str()]].concat(),
                    format!("{what}: output {c} does not exist; allowed: 1 to {max} ({why})"),
                ),
            }
        }
        if !count.contains(&chans.0.len()) {
            let like = if *count.end() == 1 {
                "one output like 7"
            } else {
                "a pair like [1, 2], or one output like 5 (one speaker plays the mono sum)"
            };
            self.error(
                at,
                format!("{what}: {} outputs listed; allowed: {like}", chans.0.len()),
            );
        }
        if list.len() == 2 && list[0] == list[1] {
            self.error(
                at,
                format!(
                    "{what}: both sides on output {}; allowed: two different outputs",
                    list[0]
                ),
            );
        }
        list
    }

    /// No two speaker sets, the sub and the phones on one output, nor on
    /// one that `routing.outputs` gives the master or a bus.
    fn shared_monitor_outputs(
        &mut self,
        config: &MonitorConfig,
        routing: &BTreeMap<String, Vec<u16>>,
    ) {
        let pairs = config.pairs();
        for (i, (pair, at)) in pairs.iter().enumerate() {
            let at: Vec<&str> = at.iter().map(String::as_str).collect();
            let earlier = pairs[..i].iter().find_map(|(other, _)| {
                pair.channels
                    .iter()
                    .find(|c| other.channels.contains(c))
                    .map(|c| (other.name.clone(), *c))
            });
            let routed = || {
                routing.iter().find_map(|(name, list)| {
                    pair.channels
                        .iter()
                        .find(|c| list.contains(c))
                        .map(|c| (format!("`{name}` (routing.outputs)"), *c))
                })
            };
            if let Some((other, c)) = earlier.or_else(routed) {
                self.error(
                    &at,
                    format!("{} and {other} both use output {c}; allowed: an output of its own for each speaker set, the sub and the phones", pair.name),
                );
            }
        }
    }
}
