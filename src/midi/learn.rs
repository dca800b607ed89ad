//! `mixbridge learn`: move a control, get the mapping line that binds it.
//!
//! Messages are grouped by control (kind, channel, number). When a control
//! has been still for a moment, what it sent decides the line: its kind,
//! and for a CC whether it is an absolute control, one half of a 14-bit
//! pair, NRPN, or a relative encoder (and which of the four encodings, told
//! by the values it sends around zero).

use super::message::Message;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// A control is reported once it has been still this long.
pub const QUIET: Duration = Duration::from_millis(700);

/// What identifies one physical control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Control {
    Cc { channel: u8, number: u8 },
    Note { channel: u8, note: u8 },
    PitchBend { channel: u8 },
    Program { channel: u8 },
    Nrpn { channel: u8, number: u16 },
}

#[derive(Debug, Default, Clone)]
struct Seen {
    values: Vec<u16>,
    last: Option<Instant>,
    presses: u32,
    releases: u32,
}

/// Per channel: the NRPN parameter selected by CC 99/98.
#[derive(Debug, Default, Clone, Copy)]
struct NrpnSelect {
    msb: Option<u8>,
    lsb: Option<u8>,
}

#[derive(Debug, Default)]
pub struct Learner {
    seen: BTreeMap<Control, Seen>,
    nrpn: [NrpnSelect; 16],
    /// CC numbers (per channel) seen as LSB halves: n + 32 of an active n.
    reported: Vec<Control>,
}

impl Learner {
    /// One incoming message; malformed bytes are ignored.
    pub fn feed(&mut self, bytes: &[u8], now: Instant) {
        let Ok(m) = Message::decode(bytes) else {
            return;
        };
        let (control, value) = match m {
            Message::ControlChange {
                channel,
                controller,
                value,
            } => match self.nrpn_control(channel, controller, value) {
                Some(NrpnPart::Select) => return,
                Some(NrpnPart::Data(number)) => {
                    (Control::Nrpn { channel, number }, u16::from(value))
                }
                None => (
                    Control::Cc {
                        channel,
                        number: controller,
                    },
                    u16::from(value),
                ),
            },
            Message::NoteOn { channel, note, .. } | Message::NoteOff { channel, note, .. } => {
                let c = Control::Note { channel, note };
                let s = self.seen.entry(c).or_default();
                if matches!(m, Message::NoteOn { .. }) {
                    s.presses += 1;
                } else {
                    s.releases += 1;
                }
                s.last = Some(now);
                return;
            }
            Message::PitchBend { channel, value } => (Control::PitchBend { channel }, value),
            Message::ProgramChange { channel, program } => {
                (Control::Program { channel }, u16::from(program))
            }
            _ => return,
        };
        let s = self.seen.entry(control).or_default();
        s.values.push(value);
        s.last = Some(now);
    }

    /// Lines for the controls that have gone quiet, each reported once
    /// until it moves again.
    pub fn lines(&mut self, now: Instant) -> Vec<String> {
        let quiet: Vec<Control> = self
            .seen
            .iter()
            .filter(|(_, s)| {
                s.last
                    .is_some_and(|t| now.saturating_duration_since(t) >= QUIET)
            })
            .map(|(c, _)| *c)
            .collect();
        let mut out = Vec::new();
        for c in quiet {
            let Some(s) = self.seen.remove(&c) else {
                continue;
            };
            if let Control::Cc { channel, number } = c {
                // The LSB half of a 14-bit pair is reported with its MSB.
                if (32..64).contains(&number)
                    && self.reported.contains(&Control::Cc {
                        channel,
                        number: number - 32,
                    })
                {
                    continue;
                }
                let lsb = Control::Cc {
                    channel,
                    number: number + 32,
                };
                if number < 32 && self.seen.remove(&lsb).is_some() {
                    self.reported.push(c);
                    out.push(format!(
                        "- {{ cc14: {number}, channel: {}, target: \"track/{{strip}}/fader\" }}",
                        channel + 1
                    ));
                    continue;
                }
            }
            self.reported.retain(|r| *r != c);
            out.push(line(c, &s));
        }
        out
    }

    fn nrpn_control(&mut self, channel: u8, controller: u8, value: u8) -> Option<NrpnPart> {
        let sel = &mut self.nrpn[usize::from(channel & 0x0F)];
        match controller {
            99 => sel.msb = Some(value),
            98 => sel.lsb = Some(value),
            6 | 38 | 96 | 97 => {
                let (Some(m), Some(l)) = (sel.msb, sel.lsb) else {
                    return None;
                };
                if controller == 38 {
                    return Some(NrpnPart::Select);
                }
                return Some(NrpnPart::Data((u16::from(m) << 7) | u16::from(l)));
            }
            _ => return None,
        }
        Some(NrpnPart::Select)
    }
}

enum NrpnPart {
    /// Part of the selection (or the LSB of data): folded into the control.
    Select,
    Data(u16),
}

/// The mapping line for one control and what it sent.
fn line(c: Control, s: &Seen) -> String {
    let ch = |channel: u8| channel + 1;
    match c {
        Control::Cc { channel, number } => match encoder(&s.values) {
            Some(e) => format!(
                "- {{ cc: {number}, channel: {}, encoder: {e}, target: \"track/{{strip}}/pan\" }}",
                ch(channel)
            ),
            None if is_switch(&s.values) => format!(
                "- {{ cc: {number}, channel: {}, target: \"track/{{strip}}/mute\" }}",
                ch(channel)
            ),
            None => format!(
                "- {{ cc: {number}, channel: {}, target: \"track/{{strip}}/fader\" }}",
                ch(channel)
            ),
        },
        Control::Note { channel, note } => {
            // A button that sends no release can only toggle.
            let mode = if s.releases == 0 {
                "toggle"
            } else {
                "momentary"
            };
            format!(
                "- {{ note: {note}, channel: {}, mode: {mode}, target: \"track/{{strip}}/mute\" }}",
                ch(channel)
            )
        }
        Control::PitchBend { channel } => format!(
            "- {{ pitchbend: {}, target: \"track/{{strip}}/fader\" }}",
            ch(channel)
        ),
        Control::Program { channel } => format!(
            "- {{ program: {}, channel: {}, action: {{ scene: NAME }} }}",
            s.values.last().copied().unwrap_or(0),
            ch(channel)
        ),
        Control::Nrpn { channel, number } => format!(
            "- {{ nrpn: {number}, channel: {}, bits: 7, target: \"track/{{strip}}/fader\" }}",
            ch(channel)
        ),
    }
}

/// Only the two ends of the range: a button sending CC.
fn is_switch(values: &[u16]) -> bool {
    values.iter().all(|&v| v == 0 || v == 127) && values.len() >= 2
}

/// The relative encoding the values fit, if they look relative: every value
/// a few ticks either side of the encoding's zero, in both directions.
fn encoder(values: &[u16]) -> Option<&'static str> {
    const NEAR: u16 = 15;
    let all = |f: &dyn Fn(u16) -> bool| values.iter().all(|&v| f(v));
    let any = |f: &dyn Fn(u16) -> bool| values.iter().any(|&v| f(v));
    let low = |v: u16| (1..=NEAR).contains(&v);
    if values.len() < 3 {
        return None;
    }
    if all(&|v| low(v) || (65..=64 + NEAR).contains(&v)) && any(&low) && any(&|v| v > 64) {
        // 65 means one tick down here; if the knob turns the wrong way,
        // the device uses the inverted form.
        return Some("sign-magnitude");
    }
    if all(&|v| low(v) || (128 - NEAR..=127).contains(&v)) && any(&low) && any(&|v| v > 64) {
        return Some("twos-complement");
    }
    if all(&|v| (64 - NEAR..=64 + NEAR).contains(&v) && v != 64)
        && any(&|v| v < 64)
        && any(&|v| v > 64)
    {
        return Some("offset-64");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feed messages 10 ms apart, then wait; the lines printed.
    fn learn(messages: &[&[u8]]) -> Vec<String> {
        let t0 = Instant::now();
        let mut l = Learner::default();
        for (i, m) in messages.iter().enumerate() {
            l.feed(m, t0 + Duration::from_millis(10 * i as u64));
        }
        assert!(l.lines(t0).is_empty(), "nothing before the control rests");
        l.lines(t0 + Duration::from_secs(10))
    }

    #[test]
    fn each_kind_gives_its_line() {
        let cases: &[(&[&[u8]], &str)] = &[
            (
                &[&[0xB0, 7, 10], &[0xB0, 7, 40], &[0xB0, 7, 90]],
                "- { cc: 7, channel: 1, target: \"track/{strip}/fader\" }",
            ),
            (
                &[
                    &[0xB2, 0, 10],
                    &[0xB2, 32, 5],
                    &[0xB2, 0, 11],
                    &[0xB2, 32, 90],
                ],
                "- { cc14: 0, channel: 3, target: \"track/{strip}/fader\" }",
            ),
            (
                &[
                    &[0xB0, 16, 1],
                    &[0xB0, 16, 2],
                    &[0xB0, 16, 65],
                    &[0xB0, 16, 66],
                ],
                "- { cc: 16, channel: 1, encoder: sign-magnitude, target: \"track/{strip}/pan\" }",
            ),
            (
                &[&[0xB0, 16, 1], &[0xB0, 16, 127], &[0xB0, 16, 126]],
                "- { cc: 16, channel: 1, encoder: twos-complement, target: \"track/{strip}/pan\" }",
            ),
            (
                &[&[0xB0, 16, 65], &[0xB0, 16, 66], &[0xB0, 16, 63]],
                "- { cc: 16, channel: 1, encoder: offset-64, target: \"track/{strip}/pan\" }",
            ),
            (
                &[&[0xB0, 48, 127], &[0xB0, 48, 0]],
                "- { cc: 48, channel: 1, target: \"track/{strip}/mute\" }",
            ),
            (
                &[&[0x90, 48, 127], &[0x80, 48, 0]],
                "- { note: 48, channel: 1, mode: momentary, target: \"track/{strip}/mute\" }",
            ),
            (
                &[&[0x90, 48, 127], &[0x90, 48, 127]],
                "- { note: 48, channel: 1, mode: toggle, target: \"track/{strip}/mute\" }",
            ),
            (
                &[&[0xE1, 0, 64], &[0xE1, 0, 70]],
                "- { pitchbend: 2, target: \"track/{strip}/fader\" }",
            ),
            (
                &[&[0xC0, 4]],
                "- { program: 4, channel: 1, action: { scene: NAME } }",
            ),
            (
                &[
                    &[0xB0, 99, 1],
                    &[0xB0, 98, 2],
                    &[0xB0, 6, 50],
                    &[0xB0, 6, 60],
                ],
                "- { nrpn: 130, channel: 1, bits: 7, target: \"track/{strip}/fader\" }",
            ),
        ];
        for (messages, want) in cases {
            assert_eq!(learn(messages), vec![want.to_string()], "{messages:02x?}");
        }
    }

    #[test]
    fn junk_is_ignored_and_two_controls_give_two_lines() {
        let lines = learn(&[
            &[0x40],
            &[0xB0, 1, 5],
            &[0xB0, 2, 9],
            &[0xB0, 1, 6],
            &[0xF0],
        ]);
        assert_eq!(lines.len(), 2, "{lines:?}");
    }
}
