//! A generic surface: messages in through its mapping's bindings, model
//! values back out as the same kind of message.
//!
//! Multi-message controls are assembled here: a 14-bit CC applies on its
//! MSB (with the LSB taken as 0) and again, refined, on its LSB, so devices
//! that never send the LSB still work; NRPN follows CC 99/98 (parameter),
//! 6/38 (data) and 96/97 (increment, decrement) per channel.

use super::binding::*;
use super::takeover::Catch;
use crate::control::model::{Change, Key, Mix, Origin};
use crate::control::MeterSnapshot;
use crate::midi::feedback::Feedback;
use crate::midi::message::{join14, split14};
use crate::midi::{Input, Message, Outgoing, Surface, SurfaceStats};
use crate::params::{ParamId, ParamRef};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// At most one value per control this often.
const FEEDBACK_EVERY: Duration = Duration::from_millis(20);

/// (binding index, strip): one physical control.
type Slot = (usize, usize);

/// Per channel: NRPN selection and data MSB; per (channel, cc): 14-bit MSB.
#[derive(Debug, Default, Clone)]
struct Assembly {
    nrpn: [(Option<u8>, Option<u8>, u8); 16],
    msb: BTreeMap<(u8, u8), u8>,
}

pub struct GenericSurface {
    mapping: Mapping,
    origin: Origin,
    registry: crate::params::Registry,
    bank: usize,
    shift: bool,
    catches: BTreeMap<Slot, Catch>,
    io: Feedback<Slot>,
    assembly: Assembly,
}

/// A control's reading from one message.
enum Reading {
    /// Absolute, 0..=1 of the travel.
    At(f32),
    /// Relative ticks.
    Ticks(i32),
    /// A button pressed (`true`) or released.
    Button(bool),
}

impl GenericSurface {
    pub fn new(mapping: Mapping, origin: Origin, mix: &Mix) -> GenericSurface {
        GenericSurface {
            registry: mix.registry().clone(),
            mapping,
            origin,
            bank: 0,
            shift: false,
            catches: BTreeMap::new(),
            io: Feedback::new(origin, FEEDBACK_EVERY),
            assembly: Assembly::default(),
        }
    }

    fn tracks(&self) -> usize {
        self.registry.layout().tracks
    }

    /// The parameter a control moves in the current bank, if it exists.
    fn target(&self, (b, strip): Slot) -> Option<ParamRef> {
        let binding = &self.mapping.bindings[b];
        let track = if binding.per_strip() {
            self.bank + strip
        } else {
            0
        };
        self.registry.resolve(&binding.path(track)?).ok()
    }

    /// Whether a binding listens now: its layer is the current one (the
    /// shift button itself always listens, or it could not be released).
    fn active(&self, b: &Binding) -> bool {
        b.shift == self.shift || b.does == Does::Action(BindAction::Shift)
    }

    /// Which binding and strip a message is for, and what it says.
    fn route(&mut self, m: Message<'_>) -> Option<(Slot, Reading)> {
        let (channel, kind, number, reading) = match m {
            Message::ControlChange {
                channel,
                controller,
                value,
            } => return self.route_cc(channel, controller, value),
            Message::PitchBend { channel, value } => {
                (channel, Kind::PitchBend, 0, Raw::Value(value))
            }
            Message::NoteOn { channel, note, .. } => {
                (channel, Kind::Note, u16::from(note), Raw::Press(true))
            }
            Message::NoteOff { channel, note, .. } => {
                (channel, Kind::Note, u16::from(note), Raw::Press(false))
            }
            Message::ProgramChange { channel, program } => {
                (channel, Kind::Program, u16::from(program), Raw::Press(true))
            }
            _ => return None,
        };
        self.find(channel, |k| k == kind, number, reading)
    }

    fn route_cc(&mut self, channel: u8, cc: u8, value: u8) -> Option<(Slot, Reading)> {
        let ch = usize::from(channel & 0x0F);
        let nrpn = |n: &(Option<u8>, Option<u8>, u8)| match (n.0, n.1) {
            (Some(m), Some(l)) => Some(join14(m, l)),
            _ => None,
        };
        match cc {
            99 => self.assembly.nrpn[ch].0 = Some(value),
            98 => self.assembly.nrpn[ch].1 = Some(value),
            6 | 38 | 96 | 97 if nrpn(&self.assembly.nrpn[ch]).is_some() => {
                let number = nrpn(&self.assembly.nrpn[ch])?;
                let raw = match cc {
                    6 => {
                        self.assembly.nrpn[ch].2 = value;
                        Raw::Nrpn {
                            msb: value,
                            lsb: None,
                        }
                    }
                    38 => Raw::Nrpn {
                        msb: self.assembly.nrpn[ch].2,
                        lsb: Some(value),
                    },
                    96 => Raw::Step(1),
                    _ => Raw::Step(-1),
                };
                return self.find(channel, |k| matches!(k, Kind::Nrpn { .. }), number, raw);
            }
            _ => {}
        }
        if matches!(cc, 98 | 99) {
            return None;
        }
        // A plain CC binding on this number wins over a 14-bit reading.
        if let Some(r) = self.find(channel, |k| k == Kind::Cc, u16::from(cc), Raw::Byte(value)) {
            return Some(r);
        }
        if cc < 32 {
            self.assembly.msb.insert((channel, cc), value);
            return self.find(
                channel,
                |k| k == Kind::Cc14,
                u16::from(cc),
                Raw::Value(join14(value, 0)),
            );
        }
        if (32..64).contains(&cc) {
            let msb = *self.assembly.msb.get(&(channel, cc - 32))?;
            return self.find(
                channel,
                |k| k == Kind::Cc14,
                u16::from(cc - 32),
                Raw::Value(join14(msb, value)),
            );
        }
        None
    }

    fn find(
        &self,
        channel: u8,
        kind: impl Fn(Kind) -> bool,
        number: u16,
        raw: Raw,
    ) -> Option<(Slot, Reading)> {
        for (i, b) in self.mapping.bindings.iter().enumerate() {
            if !kind(b.kind) || !self.active(b) {
                continue;
            }
            let Some(strip) = b
                .controls
                .iter()
                .position(|&(c, n)| c == channel && n == number)
            else {
                continue;
            };
            let reading = match raw {
                Raw::Byte(v) => match (b.encoder, b.mode) {
                    (Some(e), _) => Reading::Ticks(e.ticks(v)),
                    (None, Some(_)) => Reading::Button(v > 63),
                    (None, None) => Reading::At(f32::from(v) / 127.0),
                },
                Raw::Value(v) => Reading::At(f32::from(v) / b.kind.max()),
                Raw::Nrpn { msb, lsb } => match (b.kind, b.encoder) {
                    (_, Some(e)) => Reading::Ticks(e.ticks(msb)),
                    (Kind::Nrpn { fourteen: true }, _) => {
                        Reading::At(f32::from(join14(msb, lsb.unwrap_or(0))) / 16383.0)
                    }
                    _ if lsb.is_some() => return None,
                    _ => Reading::At(f32::from(msb) / 127.0),
                },
                Raw::Step(s) => Reading::Ticks(s),
                Raw::Press(p) => Reading::Button(p),
            };
            return Some(((i, strip), reading));
        }
        None
    }

    fn apply(
        &mut self,
        mix: &mut Mix,
        slot: Slot,
        reading: Reading,
        now: Instant,
        input: &mut Input,
    ) {
        let b = &self.mapping.bindings[slot.0];
        if let Does::Action(a) = &b.does {
            let pressed = matches!(reading, Reading::Button(true) | Reading::At(_))
                && !matches!(reading, Reading::At(v) if v == 0.0);
            let a = a.clone();
            self.action(mix, a, pressed, input);
            return;
        }
        let Some(target) = self.target(slot) else {
            return;
        };
        let b = &self.mapping.bindings[slot.0];
        let scale = b.scale(target);
        let Some(current) = mix.get(target.id) else {
            return;
        };
        let position = scale.to_position(current);
        let next = match reading {
            Reading::At(d) => {
                let mode = b.takeover;
                let catch = self.catches.entry(slot).or_default();
                match catch.moved(mode, d, position) {
                    Some(p) => p,
                    None => return,
                }
            }
            Reading::Ticks(t) => {
                let ticks = (t.unsigned_abs() as f32).powf(b.acceleration) * t.signum() as f32;
                (position + ticks * b.step).clamp(0.0, 1.0)
            }
            Reading::Button(pressed) => match (b.mode.unwrap_or(NoteMode::Momentary), pressed) {
                (NoteMode::Toggle, true) => {
                    if position > 0.5 {
                        0.0
                    } else {
                        1.0
                    }
                }
                (NoteMode::Toggle, false) => return,
                (NoteMode::Momentary, p) => {
                    if p {
                        1.0
                    } else {
                        0.0
                    }
                }
            },
        };
        let kind = b.kind;
        let plain = scale.to_plain(next);
        if !matches!(kind, Kind::Note | Kind::Program) && b.mode.is_none() {
            self.io.activity.moved(mix, target.id, now);
        }
        if mix.set(target.id, plain).is_some() {
            input.changes.push(Change {
                key: Key::Param(target.id),
                origin: self.origin,
            });
        }
    }

    fn action(&mut self, mix: &mut Mix, a: BindAction, pressed: bool, input: &mut Input) {
        if a == BindAction::Shift {
            if self.shift != pressed {
                self.shift = pressed;
                self.owe_all();
            }
            return;
        }
        if !pressed {
            return;
        }
        let strips = self.mapping.strips as isize;
        let bank = self.bank as isize;
        let to = match a {
            BindAction::BankLeft => bank - strips,
            BindAction::BankRight if bank + strips < self.tracks() as isize => bank + strips,
            BindAction::BankRight => bank,
            BindAction::StripLeft => bank - 1,
            BindAction::StripRight => bank + 1,
            BindAction::Daemon(d) => {
                input.actions.push(d);
                return;
            }
            BindAction::Shift => return,
        };
        let to = to.clamp(0, self.tracks().saturating_sub(1) as isize) as usize;
        if to != self.bank {
            self.bank = to;
            self.catches.clear();
            self.io.activity.release_all(mix);
            self.owe_all();
        }
    }

    fn owe_all(&mut self) {
        for (i, b) in self.mapping.bindings.iter().enumerate() {
            for s in 0..b.controls.len() {
                self.io.owed.mark_now((i, s));
            }
        }
    }

    /// The slots that show a parameter in the current bank.
    fn slots_of(&self, id: ParamId) -> Vec<Slot> {
        let mut out = Vec::new();
        for (i, b) in self.mapping.bindings.iter().enumerate() {
            for s in 0..b.controls.len() {
                if self.target((i, s)).is_some_and(|t| t.id == id) {
                    out.push((i, s));
                }
            }
        }
        out
    }

    /// The message(s) that show a control's current value.
    fn render(&mut self, mix: &Mix, slot: Slot) {
        let b = &self.mapping.bindings[slot.0];
        if !b.feedback || !self.active(b) || b.encoder.is_some() && b.kind != Kind::Cc {
            return;
        }
        let (channel, number) = b.controls[slot.1];
        let position = match self.target(slot) {
            Some(t) => match mix.get(t.id) {
                // An absolute control being moved is not fought; an
                // encoder's ring always shows where the value is.
                Some(v) if b.encoder.is_some() || !self.io.activity.holds(t.id) => {
                    b.scale(t).to_position(v)
                }
                _ => return,
            },
            // A strip past the last track: dark.
            None if matches!(b.does, Does::Target(_)) => 0.0,
            None => return,
        };
        let seven = (position * 127.0).round() as u8;
        let fourteen = (position * 16383.0).round() as u16;
        let cc = |controller: u16, value: u8| Message::ControlChange {
            channel,
            controller: controller as u8,
            value,
        };
        let messages: Vec<Message<'static>> = match b.kind {
            // An encoder's LED ring shows the absolute value.
            Kind::Cc if b.mode.is_some() => vec![cc(number, if position > 0.5 { 127 } else { 0 })],
            Kind::Cc => vec![cc(number, seven)],
            Kind::Cc14 => {
                let (msb, lsb) = split14(fourteen);
                vec![cc(number, msb), cc(number + 32, lsb)]
            }
            Kind::Nrpn { fourteen: wide } => {
                let (pm, pl) = split14(number);
                let mut v = vec![cc(99, pm), cc(98, pl)];
                if wide {
                    let (msb, lsb) = split14(fourteen);
                    v.extend([cc(6, msb), cc(38, lsb)]);
                } else {
                    v.push(cc(6, seven));
                }
                v
            }
            Kind::PitchBend => vec![Message::PitchBend {
                channel,
                value: fourteen,
            }],
            Kind::Note => vec![Message::NoteOn {
                channel,
                note: number as u8,
                velocity: if position > 0.5 { 127 } else { 0 },
            }],
            Kind::Program => vec![],
        };
        for m in messages {
            self.io.emit(0, m.to_bytes());
        }
    }
}

/// A message's value before the binding says how to read it.
#[derive(Clone, Copy)]
enum Raw {
    Byte(u8),
    Value(u16),
    Nrpn { msb: u8, lsb: Option<u8> },
    Step(i32),
    Press(bool),
}

impl Surface for GenericSurface {
    fn name(&self) -> &str {
        &self.mapping.name
    }

    fn units(&self) -> usize {
        1
    }

    fn receive(&mut self, mix: &mut Mix, _unit: usize, bytes: &[u8], now: Instant) -> Input {
        self.io.stats.received += 1;
        let mut input = Input::default();
        let Ok(m) = Message::decode(bytes) else {
            self.io.stats.malformed += 1;
            return input;
        };
        // NRPN parameter selection (and a 7-bit NRPN's unused data LSB) is
        // part of a message, not a message of its own.
        let part = match m {
            Message::ControlChange {
                channel,
                controller,
                ..
            } => {
                let (msb, lsb, _) = self.assembly.nrpn[usize::from(channel & 0x0F)];
                matches!(controller, 98 | 99)
                    || (controller == 38 && msb.is_some() && lsb.is_some())
            }
            _ => false,
        };
        match self.route(m) {
            Some((slot, reading)) => self.apply(mix, slot, reading, now, &mut input),
            None if part => {}
            None => self.io.stats.unmapped += 1,
        }
        input
    }

    fn connected(&mut self, _mix: &Mix, _unit: usize, _now: Instant) {
        self.owe_all();
    }

    fn disconnected(&mut self, mix: &mut Mix, _unit: usize) {
        self.io.activity.release_all(mix);
        self.shift = false;
    }

    fn changed(&mut self, _mix: &Mix, changes: &[Change]) {
        for c in changes {
            let Key::Param(id) = c.key else { continue };
            let own = c.origin == self.origin;
            for slot in self.slots_of(id) {
                let b = &self.mapping.bindings[slot.0];
                // The control shows our own moves already, except buttons
                // (their LED) and encoders (their ring).
                if own && !(b.kind == Kind::Note || b.mode.is_some() || b.encoder.is_some()) {
                    continue;
                }
                if !own {
                    self.catches.entry(slot).or_default().lose();
                }
                self.io.owed.mark(slot);
            }
        }
    }

    fn meters(&mut self, _meters: &MeterSnapshot) {}

    fn poll(&mut self, mix: &mut Mix, now: Instant) -> Input {
        for id in self.io.activity.expire(mix, now) {
            for slot in self.slots_of(id) {
                self.io.owed.mark_now(slot);
            }
        }
        for slot in self.io.owed.take_due(now) {
            self.render(mix, slot);
        }
        self.io.owed.prune(now);
        Input::default()
    }

    fn next_due(&self) -> Option<Instant> {
        self.io.next_due()
    }

    fn take_outbox(&mut self) -> Vec<Outgoing> {
        self.io.take()
    }

    fn stats(&self) -> SurfaceStats {
        self.io.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::midi::mapping::{parse, MappingFile};
    use crate::midi::testing::{mix, Rig};
    use crate::midi::Action;
    use crate::params::{Param, Spec};

    const MAPPING: &str = r#"
name: test
strips: 2
bindings:
  - { cc: [0, 1], target: "track/{strip}/fader", takeover: jump }
  - { cc14: 2, target: "master/fader", takeover: jump }
  - { nrpn: 300, bits: 14, target: "track/1/hpf/freq", takeover: jump }
  - { nrpn: 5, target: "track/2/pan", takeover: jump }
  - { pitchbend: [3, 4], target: "track/{strip}/send/1/fader", takeover: jump }
  - { note: [48, 49], target: "track/{strip}/mute", mode: toggle }
  - { note: 50, target: "track/1/solo" }
  - { cc: [16, 17], encoder: sign-magnitude, step: 0.05, target: "track/{strip}/pan" }
  - { cc: [16, 17], layer: shift, encoder: offset-64, step: 0.1, target: "track/{strip}/trim" }
  - { cc: 30, mode: toggle, target: "track/5/polarity" }
  - { note: 60, action: shift }
  - { note: 61, action: bank-right }
  - { note: 62, action: bank-left }
  - { note: 63, action: strip-right }
  - { program: 3, action: { scene: Verse } }
  - { program: 4, action: { revision: v2 } }
  - { program: 5, action: { ab: [v2, v3] } }
  - { note: 70, action: ab-toggle }
  - { note: 71, action: ab-off }
"#;

    fn rig(text: &str) -> Rig<GenericSurface> {
        let MappingFile::Generic(m) = parse(std::path::Path::new("t.yaml"), text).unwrap() else {
            panic!("not generic")
        };
        Rig::new(mix(5), |mx| GenericSurface::new(m, Origin::Surface(1), mx))
    }

    /// Messages in, then the values they set (in each path's form) and the
    /// exact messages sent back once everything owed is out.
    type Step<'a> = (&'a [&'a [u8]], &'a [(&'a str, f32)], &'a [&'a [u8]]);

    fn run(r: &mut Rig<GenericSurface>, steps: &[Step]) {
        for (send, values, back) in steps {
            let mut out = Vec::new();
            for m in *send {
                out.extend(r.input(0, m));
            }
            out.extend(r.settle());
            for (path, want) in *values {
                let got = r.mix.get_path(path).unwrap();
                assert!(
                    (got - want).abs() < 1e-4,
                    "{send:02x?}: {path} = {got}, want {want}"
                );
            }
            let out: Vec<Vec<u8>> = out.into_iter().map(|(_, b)| b).collect();
            let back: Vec<Vec<u8>> = back.iter().map(|b| b.to_vec()).collect();
            assert_eq!(out, back, "after {send:02x?}");
        }
    }

    #[test]
    fn absolute_controls_move_their_targets() {
        let mut r = rig(MAPPING);
        r.connect();
        let hpf = Spec::of(Param::HpfFreq).from_normalized(8192.0 / 16383.0);
        let hpf_fine = Spec::of(Param::HpfFreq).from_normalized(8255.0 / 16383.0);
        run(
            &mut r,
            &[
                // 7-bit CC: applied, not echoed while the fader moves.
                (&[&[0xB0, 0, 64]], &[("track/1/fader", 64.0 / 127.0)], &[]),
                // 14-bit CC: the MSB applies, the LSB refines.
                (
                    &[&[0xB0, 2, 64]],
                    &[("master/fader", 8192.0 / 16383.0)],
                    &[],
                ),
                (
                    &[&[0xB0, 34, 127]],
                    &[("master/fader", 8319.0 / 16383.0)],
                    &[],
                ),
                // NRPN 14-bit: parameter 300 = 2 × 128 + 44.
                (
                    &[&[0xB0, 99, 2], &[0xB0, 98, 44], &[0xB0, 6, 64]],
                    &[("track/1/hpf/freq", hpf)],
                    &[],
                ),
                (&[&[0xB0, 38, 63]], &[("track/1/hpf/freq", hpf_fine)], &[]),
                // NRPN 7-bit, and its increment.
                // (The pan encoder of strip 2 shows the new pan on its ring.)
                (
                    &[&[0xB0, 99, 0], &[0xB0, 98, 5], &[0xB0, 6, 0]],
                    &[("track/2/pan", -1.0)],
                    &[&[0xB0, 17, 0]],
                ),
                // Pitch bend on channel 3 is strip 1.
                (
                    &[&[0xE2, 0, 64]],
                    &[("track/1/send/1/fader", 8192.0 / 16383.0)],
                    &[],
                ),
            ],
        );
        assert_eq!(r.surface.stats().unmapped, 0);
    }

    #[test]
    fn buttons_and_encoders_move_their_targets_and_show_them() {
        let mut r = rig(MAPPING);
        r.connect();
        run(
            &mut r,
            &[
                // A toggle button and its LED.
                (
                    &[&[0x90, 48, 127], &[0x80, 48, 0]],
                    &[("track/1/mute", 1.0)],
                    &[&[0x90, 48, 127]],
                ),
                (
                    &[&[0x90, 48, 100]],
                    &[("track/1/mute", 0.0)],
                    &[&[0x90, 48, 0]],
                ),
                // A momentary button.
                (
                    &[&[0x90, 50, 127]],
                    &[("track/1/solo", 1.0)],
                    &[&[0x90, 50, 127]],
                ),
                (
                    &[&[0x80, 50, 0]],
                    &[("track/1/solo", 0.0)],
                    &[&[0x90, 50, 0]],
                ),
                // A CC button in toggle mode, with its LED as a CC.
                (
                    &[&[0xB0, 30, 127], &[0xB0, 30, 0]],
                    &[("track/5/polarity", 1.0)],
                    &[&[0xB0, 30, 127]],
                ),
                // An encoder: 3 ticks of 0.05 of the travel (-1..1) up; its ring
                // is told the new position.
                (
                    &[&[0xB0, 16, 3]],
                    &[("track/1/pan", 0.3)],
                    &[&[0xB0, 16, 83]],
                ),
                (
                    &[&[0xB0, 16, 0x42]],
                    &[("track/1/pan", 0.1)],
                    &[&[0xB0, 16, 70]],
                ),
            ],
        );
        assert_eq!(r.surface.stats().unmapped, 0);
    }

    #[test]
    fn shift_layers_banks_and_actions() {
        let mut r = rig(MAPPING);
        r.connect();
        // Shift held: the knobs trim (offset-64) instead of panning.
        r.input(0, &[0x90, 60, 127]);
        run(
            &mut r,
            &[(
                &[&[0xB0, 16, 65]],
                &[("track/1/trim", 4.8), ("track/1/pan", 0.0)],
                &[&[0xB0, 16, 76]],
            )],
        );
        r.input(0, &[0x80, 60, 0]);
        r.settle();
        run(
            &mut r,
            &[(
                &[&[0xB0, 16, 0x01]],
                &[("track/1/pan", 0.1), ("track/1/trim", 4.8)],
                &[&[0xB0, 16, 70]],
            )],
        );
        // Bank right: the faders move tracks 3 and 4, and show them.
        r.elsewhere("track/3/fader", 0.25);
        let out = [r.input(0, &[0x90, 61, 127]), r.settle()].concat();
        assert!(
            out.contains(&(0, vec![0xB0, 0, 32])),
            "track 3 on fader 1: {out:02x?}"
        );
        assert!(
            out.contains(&(0, vec![0xB0, 1, 95])),
            "track 4 at 0 dB on fader 2"
        );
        r.input(0, &[0xB0, 1, 127]);
        assert_eq!(r.mix.get_path("track/4/fader").unwrap(), 1.0);
        // Again: track 5 on strip 1, strip 2 dark; no further.
        let out = [r.input(0, &[0x90, 61, 127]), r.settle()].concat();
        assert!(out.contains(&(0, vec![0xB0, 1, 0])), "{out:02x?}");
        assert!(r.input(0, &[0x90, 61, 127]).is_empty());
        r.input(0, &[0x90, 62, 127]);
        r.input(0, &[0x90, 62, 127]);
        r.input(0, &[0x90, 63, 127]);
        r.input(0, &[0xB0, 0, 0]);
        assert_eq!(
            r.mix.get_path("track/2/fader").unwrap(),
            0.0,
            "strip-right from bank 1"
        );
        // Program changes 3 to 5: a scene, a revision, an A/B for the
        // daemon; buttons switch the A/B and end it.
        for m in [
            &[0xC0, 3][..],
            &[0xC0, 4],
            &[0xC0, 5],
            &[0x90, 70, 127],
            &[0x90, 71, 127],
        ] {
            r.input(0, m);
        }
        assert_eq!(
            r.actions,
            vec![
                Action::Scene {
                    name: "Verse".into(),
                    save: false
                },
                Action::Revision("v2".into()),
                Action::Ab("v2".into(), "v3".into()),
                Action::AbToggle,
                Action::AbOff,
            ]
        );
    }

    #[test]
    fn feedback_speaks_each_kind_and_never_fights_a_moving_control() {
        let mut r = rig(MAPPING);
        r.connect();
        let fb = |r: &mut Rig<GenericSurface>, path: &str, v: f32| -> Vec<Vec<u8>> {
            let out = [r.elsewhere(path, v), r.settle()].concat();
            out.into_iter().map(|(_, b)| b).collect()
        };
        assert_eq!(fb(&mut r, "track/2/fader", 0.5), vec![vec![0xB0, 1, 64]]);
        assert_eq!(
            fb(&mut r, "master/fader", 0.5),
            vec![vec![0xB0, 2, 64], vec![0xB0, 34, 0]]
        );
        assert_eq!(
            fb(&mut r, "track/2/pan", 1.0),
            vec![
                vec![0xB0, 99, 0],
                vec![0xB0, 98, 5],
                vec![0xB0, 6, 127],
                vec![0xB0, 17, 127]
            ]
        );
        assert_eq!(
            fb(&mut r, "track/2/send/1/fader", 1.0),
            vec![vec![0xE3, 0x7F, 0x7F]]
        );
        assert_eq!(fb(&mut r, "track/2/mute", 1.0), vec![vec![0x90, 49, 127]]);
        // While fader 1 moves, nothing is sent to it; at rest, the value once.
        r.input(0, &[0xB0, 0, 10]);
        assert!(fb(&mut r, "track/1/fader", 0.5).is_empty());
        let out: Vec<Vec<u8>> = r.wait(600).into_iter().map(|(_, b)| b).collect();
        assert_eq!(out, vec![vec![0xB0, 0, 64]]);
        // A burst of changes is paced: at most one per control per 20 ms.
        let mut sent = 0;
        for k in 0..50 {
            sent += r.elsewhere("track/2/fader", k as f32 / 100.0).len();
        }
        sent += r.settle().len();
        assert!(
            (2..=5).contains(&sent),
            "{sent} messages for 50 changes in 50 ms"
        );
    }

    #[test]
    fn pickup_and_scale_takeover_on_the_surface() {
        let text = MAPPING.replace(
            "target: \"track/{strip}/fader\", takeover: jump",
            "target: \"track/{strip}/fader\", takeover: pickup",
        );
        let mut r = rig(&text);
        r.connect();
        r.elsewhere("track/1/fader", 0.5);
        for v in [10u8, 30, 50] {
            r.input(0, &[0xB0, 0, v]);
            assert_eq!(
                r.mix.get_path("track/1/fader").unwrap(),
                0.5,
                "below the value: nothing"
            );
        }
        r.input(0, &[0xB0, 0, 70]);
        assert!(
            (r.mix.get_path("track/1/fader").unwrap() - 70.0 / 127.0).abs() < 1e-5,
            "crossed: follows"
        );
        // Moved elsewhere: caught again only when met.
        r.elsewhere("track/1/fader", 0.1);
        r.input(0, &[0xB0, 0, 80]);
        assert_eq!(r.mix.get_path("track/1/fader").unwrap(), 0.1);
    }

    #[test]
    fn junk_is_counted_and_dropped() {
        let mut r = rig(MAPPING);
        r.connect();
        for junk in [&[0xB0, 0x80, 1][..], &[0xF0], &[], &[0x05]] {
            assert!(r.input(0, junk).is_empty());
        }
        r.input(0, &[0xB5, 0, 1]);
        r.input(0, &[0x91, 48, 127]);
        let s = r.surface.stats();
        assert_eq!((s.malformed, s.unmapped), (4, 2));
    }

    /// A mapping reaches the monitor section like any path: its fader, a
    /// toggled dim with its LED, a talkback held while the note is, and a
    /// button flipping between two speaker sets.
    #[test]
    fn a_mapping_drives_the_monitor() {
        let text = "name: Monitor box\nstrips: 1\nbindings:\n  - { cc: 7, target: monitor/fader, takeover: jump }\n  - { note: 60, target: monitor/dim, mode: toggle }\n  - { note: 61, target: monitor/talkback }\n  - { note: 62, target: monitor/speakers, range: [1, 2], mode: toggle }\n";
        let MappingFile::Generic(m) = parse(std::path::Path::new("t.yaml"), text).unwrap() else {
            panic!("not generic")
        };
        let mut r = Rig::new(mix(1).with_monitor(true), |mx| {
            GenericSurface::new(m, Origin::Surface(1), mx)
        });
        r.connect();
        run(
            &mut r,
            &[
                (&[&[0xB0, 7, 127]], &[("monitor/fader", 1.0)], &[]),
                (
                    &[&[0x90, 60, 127], &[0x90, 60, 0]],
                    &[("monitor/dim", 1.0)],
                    &[&[0x90, 60, 127]],
                ),
                (
                    &[&[0x90, 61, 127]],
                    &[("monitor/talkback", 1.0)],
                    &[&[0x90, 61, 127]],
                ),
                (
                    &[&[0x90, 61, 0]],
                    &[("monitor/talkback", 0.0)],
                    &[&[0x90, 61, 0]],
                ),
                (
                    &[&[0x90, 62, 127], &[0x90, 62, 0]],
                    &[("monitor/speakers", 2.0)],
                    &[&[0x90, 62, 127]],
                ),
                (
                    &[&[0x90, 62, 127], &[0x90, 62, 0]],
                    &[("monitor/speakers", 1.0)],
                    &[&[0x90, 62, 0]],
                ),
            ],
        );
    }
}
