//! A Mackie Control surface: a main unit and its extenders, eight strips
//! each, showing a bank of consecutive tracks.
//!
//! Faders are closed-loop: every position the surface sends is echoed back
//! at once (the servo needs it), and while a fader is touched the console
//! sends it nothing else; on release it gets the current value once.
//! Everything else the surface shows (fader positions moved by others,
//! rings, LEDs, scribble strips) is owed per control and paced
//! (`midi::pacing`), read from the model when sent.

use super::display::{self, Lcd};
use super::monitor;
use super::note;
use super::options::{Device, Options};
use super::protocol::{self as p, RingMode, CELL, LINE, STRIPS};
use crate::control::desk::TransportView;
use crate::control::model::{Change, Key, Mix, Origin};
use crate::control::MeterSnapshot;
use crate::midi::calibration::Calibration;
use crate::midi::feedback::Feedback;
use crate::midi::{Action, Input, Message, Outgoing, Surface, SurfaceStats, TransportAction};
use crate::params::{
    fader_law, AutomationMode, Form, Owner, Param, ParamId, ParamRef, SendField, Spec, Taper,
};
use crate::units::{Decibels, FaderPos};
use std::time::{Duration, Instant};

/// Faders and rings: at most one position per control this often.
const FEEDBACK_EVERY: Duration = Duration::from_millis(20);
/// A moved control's value stays on the lower line this long.
const VALUE_SHOWN: Duration = Duration::from_millis(1500);
/// Meters are resent this often while there is signal (the device decays).
const METER_EVERY: Duration = Duration::from_millis(100);
/// V-Pot step per tick: pan (of -1..1), send level (of fader travel), a
/// plug-in page's parameter (of its normalized travel; whole-step
/// parameters move one step a tick).
const PAN_STEP: f32 = 0.02;
const SEND_STEP: f32 = 0.01;
const PLUGIN_STEP: f32 = 0.01;

/// What the V-Pots control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VpotMode {
    Pan,
    Send(u16),
    /// A page of the mapping's `plugin` list.
    Plugin(usize),
}

/// One thing the device shows, owed when it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Control {
    /// By global strip index (unit × 8 + strip).
    Fader(usize),
    Ring(usize),
    Led(usize, u8),
    Master,
    Lcd(usize),
    Colours(usize),
    Assignment,
    Timecode,
}

pub struct Mackie {
    name: String,
    origin: Origin,
    device: Device,
    units: usize,
    tracks: usize,
    buses: usize,
    /// The mix has a monitor section (its buttons, see `monitor.rs`).
    monitor: bool,
    calibration: Option<Calibration>,
    /// The track shown on the first strip.
    bank: usize,
    vpot: VpotMode,
    /// The parameters of the plug-in pages, in the mapping's order.
    plugin: Vec<Param>,
    selected: Option<usize>,
    /// Fader touch by global strip; the master's last.
    touched: Vec<bool>,
    io: Feedback<Control>,
    lcds: Vec<Lcd>,
    /// Until when a strip's lower cell shows the value just moved, and what.
    showing: Vec<Option<(Instant, ParamId)>>,
    /// Per strip: last meter segment sent and when.
    meters: Vec<(u8, Option<Instant>)>,
    /// Global buttons held down (lit while held).
    held: Vec<u8>,
    /// The transport, as last told.
    transport: Option<TransportView>,
    /// The timecode display shows bars and beats (else SMPTE).
    beats: bool,
    /// What the timecode display shows now, leftmost first.
    timecode: [u8; p::TIMECODE_DIGITS],
    /// A review note the transport passed, on the main unit's display.
    note: Option<note::Shown>,
}

impl Mackie {
    pub fn new(options: Options, origin: Origin, mix: &Mix) -> Result<Mackie, String> {
        if options.extenders > 3 {
            return Err(format!(
                "`extenders` is {}; allowed: 0 to 3",
                options.extenders
            ));
        }
        let calibration = options
            .fader_calibration
            .as_deref()
            .map(|points| Calibration::new(points, 16383.0))
            .transpose()
            .map_err(|e| format!("`fader_calibration`: {e}"))?;
        let plugin = options
            .plugin
            .iter()
            .map(|path| plugin_param(mix, path))
            .collect::<Result<_, _>>()?;
        let units = 1 + usize::from(options.extenders);
        let strips = units * STRIPS;
        let layout = mix.registry().layout();
        Ok(Mackie {
            name: options.name,
            origin,
            device: options.device,
            units,
            tracks: layout.tracks,
            buses: layout.buses.len(),
            monitor: mix.registry().has_monitor(),
            calibration,
            bank: 0,
            vpot: VpotMode::Pan,
            plugin,
            selected: None,
            touched: vec![false; strips + 1],
            io: Feedback::new(origin, FEEDBACK_EVERY),
            lcds: (0..units).map(|_| Lcd::new()).collect(),
            showing: vec![None; strips],
            meters: vec![(0, None); strips],
            held: Vec::new(),
            transport: None,
            beats: true,
            timecode: [0xFF; p::TIMECODE_DIGITS],
            note: None,
        })
    }

    fn strips(&self) -> usize {
        self.units * STRIPS
    }

    /// The SysEx device id of a unit.
    fn device_id(&self, unit: usize) -> u8 {
        let main = unit == 0;
        match (self.device, main) {
            (Device::Logic, true) => 0x10,
            (Device::Logic, false) => 0x11,
            (_, true) => 0x14,
            (_, false) => 0x15,
        }
    }

    /// The track a strip shows, if any.
    fn track(&self, strip: usize) -> Option<u16> {
        let t = self.bank + strip;
        (strip < self.strips() && t < self.tracks).then_some(t as u16)
    }

    /// The strip showing a track, if it is in the bank.
    fn strip_of(&self, track: u16) -> Option<usize> {
        let t = usize::from(track);
        (t >= self.bank && t - self.bank < self.strips()).then(|| t - self.bank)
    }

    /// The parameter a strip's V-Pot controls.
    fn vpot_param(&self, strip: usize) -> Option<ParamId> {
        let t = self.track(strip)?;
        Some(match self.vpot {
            VpotMode::Pan => ParamId::track(t, Param::Pan),
            VpotMode::Send(bus) => ParamId::track(
                t,
                Param::Send {
                    bus,
                    field: SendField::Level,
                },
            ),
            VpotMode::Plugin(page) => ParamId::track(t, self.plugin[page]),
        })
    }

    fn emit(&mut self, unit: usize, bytes: Vec<u8>) {
        self.io.emit(unit, bytes);
    }

    fn emit_message(&mut self, unit: usize, m: Message<'_>) {
        self.emit(unit, m.to_bytes());
    }

    /// Owe the device everything of one unit.
    fn owe_unit(&mut self, unit: usize) {
        for n in 0..STRIPS {
            let g = unit * STRIPS + n;
            self.io.owed.mark_now(Control::Fader(g));
            self.io.owed.mark_now(Control::Ring(g));
            for base in [p::REC, p::SOLO, p::MUTE, p::SELECT] {
                self.io.owed.mark_now(Control::Led(unit, base + n as u8));
            }
        }
        self.io.owed.mark_now(Control::Lcd(unit));
        if self.device == Device::Xtouch {
            self.io.owed.mark_now(Control::Colours(unit));
        }
        if unit == 0 {
            self.io.owed.mark_now(Control::Master);
            self.io.owed.mark_now(Control::Assignment);
            self.timecode = [0xFF; p::TIMECODE_DIGITS];
            self.io.owed.mark_now(Control::Timecode);
            for note in global_leds() {
                self.io.owed.mark_now(Control::Led(0, note));
            }
            for note in monitor::LEDS.into_iter().filter(|_| self.monitor) {
                self.io.owed.mark_now(Control::Led(0, note));
            }
        }
    }

    /// Owe every strip (the bank or the V-Pot assignment changed).
    fn owe_strips(&mut self) {
        for g in 0..self.strips() {
            self.io.owed.mark_now(Control::Fader(g));
            self.io.owed.mark_now(Control::Ring(g));
            let (unit, n) = (g / STRIPS, (g % STRIPS) as u8);
            for base in [p::REC, p::SOLO, p::MUTE, p::SELECT] {
                self.io.owed.mark_now(Control::Led(unit, base + n));
            }
        }
        for u in 0..self.units {
            self.io.owed.mark_now(Control::Lcd(u));
            if self.device == Device::Xtouch {
                self.io.owed.mark_now(Control::Colours(u));
            }
        }
        self.io.owed.mark_now(Control::Assignment);
    }

    /// Move the bank so that `first` is the first track shown (clamped to
    /// the session's tracks); touches on tracks that leave are released.
    fn bank_to(&mut self, mix: &mut Mix, first: isize) {
        let first = first.clamp(0, self.tracks.saturating_sub(1) as isize) as usize;
        if first == self.bank {
            return;
        }
        for g in 0..self.strips() {
            if std::mem::take(&mut self.touched[g]) {
                if let Some(t) = self.track(g) {
                    mix.touch(ParamId::track(t, Param::Gain), self.origin, false);
                }
            }
        }
        self.io.activity.release_all(mix);
        self.showing.iter_mut().for_each(|s| *s = None);
        self.bank = first;
        self.owe_strips();
    }

    fn set(&mut self, mix: &mut Mix, id: ParamId, v: f32, input: &mut Input) {
        if mix.set(id, v).is_some() {
            input.changes.push(Change {
                key: Key::Param(id),
                origin: self.origin,
            });
        }
    }

    /// A fader position from the device, as a console fader position.
    fn device_to_fader(&self, v: u16) -> FaderPos {
        let d = f32::from(v.min(16383)) / 16383.0;
        match &self.calibration {
            Some(c) => c.to_fader(d),
            None => FaderPos(d),
        }
    }

    /// A level as the device's fader position.
    fn device_position(&self, db: f32) -> u16 {
        let pos = fader_law::from_db(Decibels(db));
        let d = match &self.calibration {
            Some(c) => c.to_device(pos),
            None => pos.0,
        };
        (d.clamp(0.0, 1.0) * 16383.0).round() as u16
    }

    fn fader_moved(
        &mut self,
        mix: &mut Mix,
        strip: Option<usize>,
        value: u16,
        now: Instant,
        input: &mut Input,
    ) {
        let id = match strip {
            Some(g) => match self.track(g) {
                Some(t) => ParamId::track(t, Param::Gain),
                None => return,
            },
            None => ParamId::master(Param::Gain),
        };
        let touch_slot = strip.unwrap_or(self.strips());
        if !self.touched[touch_slot] {
            // A fader without touch sense: touched while it moves.
            self.io.activity.moved(mix, id, now);
        }
        let db = fader_law::to_db(self.device_to_fader(value)).0;
        self.set(mix, id, db, input);
        if let Some(g) = strip {
            self.show(g, id, now);
        }
    }

    /// Show a strip's moved value on its lower cell for a while.
    fn show(&mut self, strip: usize, id: ParamId, now: Instant) {
        self.showing[strip] = Some((now + VALUE_SHOWN, id));
        self.io.owed.mark(Control::Lcd(strip / STRIPS));
    }

    fn touch(&mut self, mix: &mut Mix, strip: Option<usize>, on: bool) {
        let id = match strip {
            Some(g) => match self.track(g) {
                Some(t) => ParamId::track(t, Param::Gain),
                None => return,
            },
            None => ParamId::master(Param::Gain),
        };
        let slot = strip.unwrap_or(self.strips());
        self.touched[slot] = on;
        mix.touch(id, self.origin, on);
        if !on {
            self.io.owed.mark_now(match strip {
                Some(g) => Control::Fader(g),
                None => Control::Master,
            });
        }
    }

    fn strip_button(&mut self, mix: &mut Mix, unit: usize, note: u8, input: &mut Input) {
        let (base, n) = (note & !7, usize::from(note & 7));
        let g = unit * STRIPS + n;
        let Some(t) = self.track(g) else { return };
        match base {
            p::SOLO | p::MUTE => {
                let param = if base == p::SOLO {
                    Param::Solo
                } else {
                    Param::Mute
                };
                let id = ParamId::track(t, param);
                let v = mix.get(id).unwrap_or(0.0);
                self.set(mix, id, if v > 0.5 { 0.0 } else { 1.0 }, input);
            }
            p::SELECT => {
                let before = self.selected;
                self.selected = if before == Some(usize::from(t)) {
                    None
                } else {
                    Some(usize::from(t))
                };
                for s in [before, self.selected].into_iter().flatten() {
                    if let Some(g) = self.strip_of(s as u16) {
                        self.io
                            .owed
                            .mark(Control::Led(g / STRIPS, p::SELECT + (g % STRIPS) as u8));
                    }
                }
            }
            p::VPOT_PUSH => {
                if let Some(id) = self.vpot_param(g) {
                    self.set(mix, id, Spec::of(id.param).default, input);
                }
            }
            _ => self.io.stats.unmapped += 1,
        }
    }

    fn global_button(&mut self, mix: &mut Mix, note: u8, input: &mut Input) {
        let strips = self.strips() as isize;
        let bank = self.bank as isize;
        let transport = |a| Some(Action::Transport(a));
        let action = match note {
            p::BANK_LEFT => {
                self.bank_to(mix, bank - strips);
                None
            }
            p::BANK_RIGHT => {
                // Whole pages: the last one may be partly blank.
                if bank + strips < self.tracks as isize {
                    self.bank_to(mix, bank + strips);
                }
                None
            }
            p::CHANNEL_LEFT => {
                self.bank_to(mix, bank - 1);
                None
            }
            p::CHANNEL_RIGHT => {
                self.bank_to(mix, bank + 1);
                None
            }
            p::ASSIGN_PAN => {
                self.vpot = VpotMode::Pan;
                self.owe_strips();
                None
            }
            p::ASSIGN_SEND if self.buses > 0 => {
                self.vpot = match self.vpot {
                    VpotMode::Send(b) => VpotMode::Send((b + 1) % self.buses as u16),
                    _ => VpotMode::Send(0),
                };
                self.owe_strips();
                None
            }
            p::ASSIGN_PLUGIN if !self.plugin.is_empty() => {
                self.vpot = match self.vpot {
                    VpotMode::Plugin(page) => VpotMode::Plugin((page + 1) % self.plugin.len()),
                    _ => VpotMode::Plugin(0),
                };
                self.owe_strips();
                None
            }
            p::PLAY => transport(TransportAction::Play),
            p::STOP => transport(TransportAction::Stop),
            p::RECORD => transport(TransportAction::Record),
            p::REWIND => transport(TransportAction::Rewind),
            p::FAST_FORWARD => transport(TransportAction::FastForward),
            p::CYCLE => transport(TransportAction::Loop),
            p::MARKER => transport(TransportAction::AddMarker),
            p::READ | p::WRITE | p::TRIM | p::TOUCH | p::LATCH => {
                // The selected track's mode, or every track's.
                let mode = [
                    AutomationMode::Read,
                    AutomationMode::Write,
                    AutomationMode::Trim,
                    AutomationMode::Touch,
                    AutomationMode::Latch,
                ][usize::from(note - p::READ)];
                let tracks: Vec<u16> = match self.selected {
                    Some(t) => vec![t as u16],
                    None => (0..self.tracks as u16).collect(),
                };
                for t in tracks {
                    let id = ParamId::track(t, Param::Automation);
                    self.set(mix, id, mode as usize as f32, input);
                }
                self.owe_modes();
                None
            }
            p::SMPTE_BEATS => {
                self.beats = !self.beats;
                self.io.owed.mark(Control::Timecode);
                self.io.owed.mark(Control::Led(0, p::SMPTE_LED));
                self.io.owed.mark(Control::Led(0, p::BEATS_LED));
                None
            }
            _ => {
                self.io.stats.unmapped += 1;
                return;
            }
        };
        input.actions.extend(action);
    }

    fn vpot_turned(
        &mut self,
        mix: &mut Mix,
        strip: usize,
        ticks: i32,
        now: Instant,
        input: &mut Input,
    ) {
        let Some(id) = self.vpot_param(strip) else {
            return;
        };
        let Some(v) = mix.get(id) else { return };
        self.io.activity.moved(mix, id, now);
        let next = match self.vpot {
            VpotMode::Pan => v + ticks as f32 * PAN_STEP,
            VpotMode::Send(_) => {
                let pos = fader_law::from_db(Decibels(v)).0 + ticks as f32 * SEND_STEP;
                fader_law::to_db(FaderPos(pos.clamp(0.0, 1.0))).0
            }
            VpotMode::Plugin(_) => {
                let spec = Spec::of(id.param);
                if spec.taper == Taper::Stepped {
                    (v + ticks as f32).clamp(spec.min, spec.max)
                } else {
                    spec.from_normalized(spec.to_normalized(v) + ticks as f32 * PLUGIN_STEP)
                }
            }
        };
        self.set(mix, id, next, input);
        self.io.owed.mark(Control::Ring(strip));
        self.show(strip, id, now);
    }

    /// The bytes that show one control as the model has it now.
    fn render(&mut self, mix: &Mix, c: Control, now: Instant) {
        match c {
            Control::Fader(g) => {
                let id = self.track(g).map(|t| ParamId::track(t, Param::Gain));
                if self.touched[g] || id.is_some_and(|id| self.io.activity.holds(id)) {
                    return;
                }
                let v = match self.track(g) {
                    Some(t) => self
                        .device_position(mix.get(ParamId::track(t, Param::Gain)).unwrap_or(-144.0)),
                    None => 0,
                };
                let m = Message::PitchBend {
                    channel: (g % STRIPS) as u8,
                    value: v,
                };
                self.emit_message(g / STRIPS, m);
            }
            Control::Master => {
                let held = self.io.activity.holds(ParamId::master(Param::Gain));
                if self.touched[self.strips()] || held {
                    return;
                }
                let v =
                    self.device_position(mix.get(ParamId::master(Param::Gain)).unwrap_or(-144.0));
                self.emit_message(
                    0,
                    Message::PitchBend {
                        channel: 8,
                        value: v,
                    },
                );
            }
            Control::Ring(g) => {
                let value = match self.vpot_param(g).and_then(|id| mix.get(id)) {
                    None => 0,
                    Some(v) => match self.vpot {
                        VpotMode::Pan => {
                            let pos = ((v + 1.0) / 2.0 * 10.0).round() as u8 + 1;
                            p::ring(RingMode::Dot, pos, v.abs() < 1e-3)
                        }
                        VpotMode::Send(_) => {
                            let pos = (fader_law::from_db(Decibels(v)).0 * 11.0).round() as u8;
                            p::ring(RingMode::Wrap, pos, false)
                        }
                        VpotMode::Plugin(page) => {
                            let spec = Spec::of(self.plugin[page]);
                            let n = spec.to_normalized(v);
                            if spec.min < 0.0 && spec.max > 0.0 {
                                // Bipolar: a dot, centre lit at zero.
                                let pos = (n * 10.0).round() as u8 + 1;
                                p::ring(RingMode::Dot, pos, v.abs() < 1e-3)
                            } else {
                                p::ring(RingMode::Wrap, (n * 11.0).round() as u8, false)
                            }
                        }
                    },
                };
                let m = Message::ControlChange {
                    channel: 0,
                    controller: p::VPOT_RING + (g % STRIPS) as u8,
                    value,
                };
                self.emit_message(g / STRIPS, m);
            }
            Control::Led(unit, note) => {
                let lit = self.led(mix, unit, note);
                let m = Message::NoteOn {
                    channel: 0,
                    note,
                    velocity: if lit { 0x7F } else { 0x00 },
                };
                self.emit_message(unit, m);
            }
            Control::Lcd(unit) => {
                let text = self.lcd_text(mix, unit, now);
                let id = self.device_id(unit);
                for (offset, bytes) in self.lcds[unit].update(&text) {
                    self.emit(unit, p::lcd(id, offset, &bytes));
                }
            }
            Control::Colours(unit) => {
                let mut c = [0u8; STRIPS];
                for (n, slot) in c.iter_mut().enumerate() {
                    // Blank strips dark, shown ones in their track's colour.
                    *slot = self
                        .track(unit * STRIPS + n)
                        .map_or(0, |t| p::colour_code(mix.colour(Owner::Track(t))));
                }
                let id = self.device_id(unit);
                self.emit(unit, p::colours(id, c));
            }
            Control::Timecode => {
                let text = self.timecode_text();
                for (i, ch) in text.chars().enumerate().take(p::TIMECODE_DIGITS) {
                    // A dot closes each group: after digits 3, 5 and 7.
                    let dot = self.transport.is_some() && matches!(i, 2 | 4 | 6);
                    let code = p::seven_segment(ch, dot);
                    if self.timecode[i] == code {
                        continue;
                    }
                    self.timecode[i] = code;
                    let m = Message::ControlChange {
                        channel: 0,
                        controller: p::TIMECODE + (p::TIMECODE_DIGITS - 1 - i) as u8,
                        value: code,
                    };
                    self.emit_message(0, m);
                }
            }
            Control::Assignment => {
                let text = match self.vpot {
                    VpotMode::Pan => "PN".to_string(),
                    VpotMode::Send(b) => format!("S{}", (b + 1) % 10),
                    VpotMode::Plugin(page) => format!("P{}", (page + 1) % 10),
                };
                for (cc, ch) in p::ASSIGNMENT.iter().zip(text.chars()) {
                    let m = Message::ControlChange {
                        channel: 0,
                        controller: *cc,
                        value: p::seven_segment(ch, false),
                    };
                    self.emit_message(0, m);
                }
            }
        }
    }

    /// The automation mode the mode buttons show: the selected track's,
    /// else the first shown track's.
    fn shown_mode(&self, mix: &Mix) -> Option<AutomationMode> {
        let t = self.selected.map(|t| t as u16).or_else(|| self.track(0))?;
        mix.get(ParamId::track(t, Param::Automation))
            .map(AutomationMode::from_index)
    }

    fn owe_modes(&mut self) {
        for n in [p::READ, p::WRITE, p::TRIM, p::TOUCH, p::LATCH] {
            self.io.owed.mark(Control::Led(0, n));
        }
    }

    /// The ten timecode digits, leftmost first: bars (3) beats (2)
    /// sub-division (2) ticks (3), or hours (3) minutes (2) seconds (2)
    /// frames (3).
    fn timecode_text(&self) -> String {
        let Some(v) = &self.transport else {
            return " ".repeat(p::TIMECODE_DIGITS);
        };
        if self.beats {
            let b = v.bars();
            format!(
                "{:>3}{:>2}{:>2}{:>3}",
                b.bar % 1000,
                b.beat,
                1,
                b.tick % 1000
            )
        } else {
            let (h, m, s, f) = crate::transport::smpte(v.seconds);
            format!("{:>3}{:02}{:02}{:03}", h % 1000, m, s, f)
        }
    }

    fn led(&self, mix: &Mix, unit: usize, note: u8) -> bool {
        if note < 0x20 {
            let g = unit * STRIPS + usize::from(note & 7);
            let Some(t) = self.track(g) else { return false };
            return match note & !7 {
                p::SOLO => mix.get(ParamId::track(t, Param::Solo)).unwrap_or(0.0) > 0.5,
                p::MUTE => mix.get(ParamId::track(t, Param::Mute)).unwrap_or(0.0) > 0.5,
                p::SELECT => self.selected == Some(usize::from(t)),
                _ => false,
            };
        }
        let t = self.transport.as_ref();
        let mode = |m| self.shown_mode(mix) == Some(m);
        match note {
            p::ASSIGN_PAN => self.vpot == VpotMode::Pan,
            p::ASSIGN_SEND => matches!(self.vpot, VpotMode::Send(_)),
            p::ASSIGN_PLUGIN => matches!(self.vpot, VpotMode::Plugin(_)),
            p::PLAY => t.is_some_and(|t| t.playing),
            p::STOP => t.is_some_and(|t| !t.playing),
            p::RECORD => t.is_some_and(|t| t.record),
            p::CYCLE => t.is_some_and(|t| t.looping),
            p::READ => mode(AutomationMode::Read),
            p::WRITE => mode(AutomationMode::Write),
            p::TRIM => mode(AutomationMode::Trim),
            p::TOUCH => mode(AutomationMode::Touch),
            p::LATCH => mode(AutomationMode::Latch),
            p::SMPTE_LED => !self.beats,
            p::BEATS_LED => self.beats,
            n => monitor::lit(mix, n).unwrap_or_else(|| self.held.contains(&n)),
        }
    }

    /// Both lines of a unit: names above; below, the V-Pot's value, or the
    /// value of a control that has just moved.
    fn lcd_text(&self, mix: &Mix, unit: usize, now: Instant) -> [u8; 2 * LINE] {
        if let Some(n) = self.note.as_ref().filter(|n| unit == 0 && n.showing(now)) {
            return n.text;
        }
        let mut text = [b' '; 2 * LINE];
        for n in 0..STRIPS {
            let g = unit * STRIPS + n;
            let Some(t) = self.track(g) else { continue };
            let name = mix.name(Owner::Track(t)).unwrap_or("");
            text[n * CELL..(n + 1) * CELL].copy_from_slice(&display::cell(name));
            let shown = match self.showing[g] {
                Some((until, id)) if now < until => Some(id),
                _ => self.vpot_param(g),
            };
            let value = shown
                .and_then(|id| Some((id, mix.get(id)?)))
                .map(|(id, v)| match id.param {
                    Param::Pan => display::pan(v),
                    p => display::value(p, v),
                });
            if let Some(v) = value {
                text[LINE + n * CELL..LINE + (n + 1) * CELL].copy_from_slice(&display::cell(&v));
            }
        }
        text
    }
}

/// A `plugin` entry of a mapping: a track parameter's path below `track/N/`.
fn plugin_param(mix: &Mix, path: &str) -> Result<Param, String> {
    let full = format!("track/1/{path}");
    let bad = |why: String| {
        format!("`plugin` entry `{path}`: {why}; allowed: a track parameter's path below track/N/, such as drive/amount, mod/depth or pitch/semitones")
    };
    let r = ParamRef::parse(&full).map_err(|e| bad(e.to_string()))?;
    if r.form != Form::Plain || !r.id.param.automatable() {
        return Err(bad("not a value a V-Pot can turn".into()));
    }
    if mix.registry().layout().tracks > 0 {
        mix.registry()
            .check(r.id, &full)
            .map_err(|e| bad(e.to_string()))?;
    }
    Ok(r.id.param)
}

/// The global buttons whose LEDs the surface drives.
fn global_leds() -> [u8; 17] {
    [
        p::SMPTE_LED,
        p::BEATS_LED,
        p::ASSIGN_SEND,
        p::ASSIGN_PAN,
        p::ASSIGN_PLUGIN,
        p::READ,
        p::WRITE,
        p::TRIM,
        p::TOUCH,
        p::LATCH,
        p::MARKER,
        p::CYCLE,
        p::REWIND,
        p::FAST_FORWARD,
        p::STOP,
        p::PLAY,
        p::RECORD,
    ]
}

impl Surface for Mackie {
    fn name(&self) -> &str {
        &self.name
    }

    fn units(&self) -> usize {
        self.units
    }

    fn receive(&mut self, mix: &mut Mix, unit: usize, bytes: &[u8], now: Instant) -> Input {
        self.io.stats.received += 1;
        let mut input = Input::default();
        let Ok(m) = Message::decode(bytes) else {
            self.io.stats.malformed += 1;
            return input;
        };
        if unit >= self.units {
            self.io.stats.unmapped += 1;
            return input;
        }
        match m {
            Message::PitchBend { channel, value } if channel < 8 => {
                let g = unit * STRIPS + usize::from(channel);
                self.fader_moved(mix, Some(g), value, now, &mut input);
                // The servo echo: the motor holds where the hand put it.
                self.emit(unit, bytes.to_vec());
            }
            Message::PitchBend { channel: 8, value } if unit == 0 => {
                self.fader_moved(mix, None, value, now, &mut input);
                self.emit(unit, bytes.to_vec());
            }
            Message::NoteOn { note, velocity, .. } | Message::NoteOff { note, velocity, .. } => {
                let pressed = matches!(m, Message::NoteOn { .. });
                match note {
                    n if (p::FADER_TOUCH..p::FADER_TOUCH + 8).contains(&n) => {
                        let g = unit * STRIPS + usize::from(n - p::FADER_TOUCH);
                        self.touch(mix, Some(g), pressed && velocity > 0x40);
                    }
                    p::MASTER_TOUCH if unit == 0 => {
                        self.touch(mix, None, pressed && velocity > 0x40)
                    }
                    n if n < 0x28 => {
                        if pressed {
                            self.strip_button(mix, unit, n, &mut input);
                        }
                    }
                    n if unit == 0 && monitor::handles(mix, n) => {
                        if let Some((id, v)) = monitor::button(mix, n, pressed) {
                            self.set(mix, id, v, &mut input);
                        }
                        self.io.owed.mark(Control::Led(0, n));
                    }
                    n if unit == 0 => {
                        if pressed {
                            self.held.push(n);
                            self.global_button(mix, n, &mut input);
                        } else {
                            self.held.retain(|h| *h != n);
                        }
                        if global_leds().contains(&n) {
                            self.io.owed.mark(Control::Led(0, n));
                        }
                    }
                    _ => self.io.stats.unmapped += 1,
                }
            }
            Message::ControlChange {
                controller, value, ..
            } if (p::VPOT_ROTATE..p::VPOT_ROTATE + 8).contains(&controller) => {
                let g = unit * STRIPS + usize::from(controller - p::VPOT_ROTATE);
                self.vpot_turned(mix, g, p::vpot_ticks(value), now, &mut input);
            }
            Message::SysEx(body) if p::is_device_reply(body) => {
                log::debug!("{}: unit {} answered the device query", self.name, unit + 1);
            }
            _ => self.io.stats.unmapped += 1,
        }
        input
    }

    fn connected(&mut self, _mix: &Mix, unit: usize, _now: Instant) {
        if unit >= self.units {
            return;
        }
        if self.device != Device::Icon {
            let q = p::device_query(self.device_id(unit));
            self.emit(unit, q);
        }
        for n in 0..STRIPS as u8 {
            let m = p::meter_mode(self.device_id(unit), n);
            self.emit(unit, m);
        }
        self.lcds[unit].forget();
        for (level, _) in &mut self.meters[unit * STRIPS..(unit + 1) * STRIPS] {
            *level = 0;
        }
        self.owe_unit(unit);
    }

    fn disconnected(&mut self, mix: &mut Mix, unit: usize) {
        for g in unit * STRIPS..((unit + 1) * STRIPS).min(self.strips()) {
            if std::mem::take(&mut self.touched[g]) {
                if let Some(t) = self.track(g) {
                    mix.touch(ParamId::track(t, Param::Gain), self.origin, false);
                }
            }
        }
        let master = self.strips();
        if unit == 0 && std::mem::take(&mut self.touched[master]) {
            mix.touch(ParamId::master(Param::Gain), self.origin, false);
        }
        self.held.clear();
    }

    fn changed(&mut self, _mix: &Mix, changes: &[Change]) {
        for c in changes {
            match c.key {
                Key::Param(id) => {
                    let own = c.origin == self.origin;
                    match id.owner {
                        Owner::Master if id.param == Param::Gain && !own => {
                            self.io.owed.mark(Control::Master)
                        }
                        Owner::Track(t) => {
                            let Some(g) = self.strip_of(t) else { continue };
                            let unit = g / STRIPS;
                            let n = (g % STRIPS) as u8;
                            match id.param {
                                // Our own fader moves were echoed already.
                                Param::Gain if !own => self.io.owed.mark(Control::Fader(g)),
                                Param::Mute => self.io.owed.mark(Control::Led(unit, p::MUTE + n)),
                                Param::Solo => self.io.owed.mark(Control::Led(unit, p::SOLO + n)),
                                Param::Automation => self.owe_modes(),
                                _ if Some(id) == self.vpot_param(g) => {
                                    self.io.owed.mark(Control::Ring(g));
                                    self.io.owed.mark(Control::Lcd(unit));
                                }
                                _ => {}
                            }
                            if self.showing[g].is_some_and(|(_, s)| s == id) {
                                self.io.owed.mark(Control::Lcd(unit));
                            }
                        }
                        Owner::Monitor => {
                            for n in monitor::leds_of(id.param) {
                                self.io.owed.mark(Control::Led(0, n));
                            }
                        }
                        _ => {}
                    }
                }
                Key::Name(Owner::Track(t)) => {
                    if let Some(g) = self.strip_of(t) {
                        self.io.owed.mark(Control::Lcd(g / STRIPS));
                    }
                }
                Key::Colour(Owner::Track(t)) => {
                    if let Some(g) = self.strip_of(t) {
                        self.io.owed.mark(Control::Colours(g / STRIPS));
                    }
                }
                Key::Name(_) | Key::Colour(_) => {}
            }
        }
    }

    fn note(&mut self, author: &str, text: &str, now: Instant) {
        self.note = Some(note::Shown::new(author, text, now));
        self.io.owed.mark_now(Control::Lcd(0));
    }

    fn transport(&mut self, view: &TransportView) {
        let before = self.transport.replace(*view);
        if before.is_none_or(|b| !b.same_state(view)) {
            for n in [p::PLAY, p::STOP, p::RECORD, p::CYCLE] {
                self.io.owed.mark(Control::Led(0, n));
            }
        }
        self.io.owed.mark(Control::Timecode);
    }

    fn meters(&mut self, meters: &MeterSnapshot) {
        let now = Instant::now();
        for g in 0..self.strips() {
            let level = self
                .track(g)
                .and_then(|t| meters.tracks.get(usize::from(t)))
                .map_or(0, |r| {
                    let peak = r.peak[0].max(r.peak[1]);
                    p::meter_level(crate::units::Gain(peak).to_db().0)
                });
            let (last, at) = self.meters[g];
            let due = at.is_none_or(|t| now.saturating_duration_since(t) >= METER_EVERY);
            // Resent while there is signal (the device decays by itself);
            // one zero when it stops.
            if (level > 0 && (due || level > last)) || (level == 0 && last > 0) {
                self.meters[g] = (level, Some(now));
                let m = Message::ChannelPressure {
                    channel: 0,
                    pressure: (((g % STRIPS) as u8) << 4) | level,
                };
                self.emit_message(g / STRIPS, m);
            }
        }
    }

    fn poll(&mut self, mix: &mut Mix, now: Instant) -> Input {
        for id in self.io.activity.expire(mix, now) {
            // The control rests: show it the console's value once.
            match id.owner {
                Owner::Master => self.io.owed.mark_now(Control::Master),
                Owner::Track(t) => {
                    if let Some(g) = self.strip_of(t) {
                        self.io.owed.mark_now(if id.param == Param::Gain {
                            Control::Fader(g)
                        } else {
                            Control::Ring(g)
                        });
                    }
                }
                _ => {}
            }
        }
        if self.note.as_ref().is_some_and(|n| !n.showing(now)) {
            self.note = None;
            self.io.owed.mark_now(Control::Lcd(0));
        }
        for g in 0..self.showing.len() {
            if self.showing[g].is_some_and(|(until, _)| now >= until) {
                self.showing[g] = None;
                self.io.owed.mark(Control::Lcd(g / STRIPS));
            }
        }
        for c in self.io.owed.take_due(now) {
            self.render(mix, c, now);
        }
        self.io.owed.prune(now);
        Input::default()
    }

    fn next_due(&self) -> Option<Instant> {
        let shows = self.showing.iter().flatten().map(|(t, _)| *t);
        let note = self.note.as_ref().map(|n| n.until);
        self.io
            .next_due()
            .into_iter()
            .chain(shows)
            .chain(note)
            .min()
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
    use crate::midi::testing::{mix, Rig};

    fn rig(tracks: usize, extenders: u8, device: Device) -> Rig<Mackie> {
        let options = Options {
            name: "test".into(),
            protocol: "mackie".into(),
            device,
            extenders,
            fader_calibration: None,
            plugin: vec![
                "drive/amount".into(),
                "pitch/semitones".into(),
                "mod/type".into(),
            ],
        };
        Rig::new(mix(tracks), |m| {
            Mackie::new(options, Origin::Surface(0), m).unwrap()
        })
    }

    /// The pitch-bend bytes of strip `n` at a level.
    fn fader(n: u8, db: f32) -> Vec<u8> {
        let v = (fader_law::from_db(Decibels(db)).0 * 16383.0).round() as u16;
        vec![0xE0 + n, (v & 0x7F) as u8, (v >> 7) as u8]
    }

    fn only(out: &[(usize, Vec<u8>)], status: u8) -> Vec<Vec<u8>> {
        out.iter()
            .filter(|(_, b)| b[0] == status)
            .map(|(_, b)| b.clone())
            .collect()
    }

    #[test]
    fn connection_sends_the_handshake_then_the_whole_state() {
        let mut r = rig(3, 0, Device::Mcu);
        let out: Vec<Vec<u8>> = r
            .connect()
            .into_iter()
            .map(|(u, b)| {
                assert_eq!(u, 0);
                b
            })
            .collect();
        let mut want: Vec<Vec<u8>> = vec![vec![0xF0, 0, 0, 0x66, 0x14, 0x00, 0xF7]];
        for n in 0..8 {
            want.push(vec![0xF0, 0, 0, 0x66, 0x14, 0x20, n, 0x07, 0xF7]);
        }
        for n in 0..8u8 {
            want.push(if n < 3 {
                fader(n, 0.0)
            } else {
                vec![0xE0 + n, 0, 0]
            });
        }
        for n in 0..8u8 {
            // Pan at centre: the dot in the middle and the centre LED.
            want.push(vec![0xB0, 0x30 + n, if n < 3 { 0x46 } else { 0x00 }]);
        }
        let mut leds: Vec<u8> = (0..0x20).collect();
        leds.extend([
            0x29, 0x2A, 0x2B, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x54, 0x56, 0x5B, 0x5C, 0x5D, 0x5E,
            0x5F, 0x71, 0x72,
        ]);
        leds.sort();
        for note in leds {
            // V-Pots on pan, tracks in read, the display in beats.
            let lit = [0x2A, 0x4A, 0x72].contains(&note);
            want.push(vec![0x90, note, if lit { 0x7F } else { 0x00 }]);
        }
        want.push(vec![0xE8, 127, 95]);
        let mut upper = b"Track1 Track2 Track3 ".to_vec();
        upper.resize(LINE, b' ');
        let mut lower = b"<C>    <C>    <C>    ".to_vec();
        lower.resize(LINE, b' ');
        want.push(p::lcd(0x14, 0x00, &upper));
        want.push(p::lcd(0x14, 0x38, &lower));
        want.push(vec![0xB0, 0x4A, 0x10]);
        want.push(vec![0xB0, 0x4B, 0x0E]);
        // The timecode display: blank until the transport is known.
        for cc in (0x40..=0x49).rev() {
            want.push(vec![0xB0, cc, 0x20]);
        }
        assert_eq!(out, want);
    }

    #[test]
    fn touch_move_echo_no_fighting_and_one_write_on_release() {
        let mut r = rig(3, 0, Device::Mcu);
        r.connect();
        assert!(r.input(0, &[0x90, 0x68, 0x7F]).is_empty());
        let out = r.input(0, &fader(0, -10.0));
        assert_eq!(
            only(&out, 0xE0),
            vec![fader(0, -10.0)],
            "the servo echo, once"
        );
        assert!((r.mix.get_path("track/1/gain").unwrap() + 10.0).abs() < 0.01);
        // The moved value shows on the lower line.
        assert!(
            out.iter().any(|(_, b)| b.windows(5).any(|w| w == b"-10.0")),
            "{out:02x?}"
        );
        let out = r.elsewhere("track/1/gain", -20.0);
        let out = [out, r.wait(200)].concat();
        assert!(
            only(&out, 0xE0).is_empty(),
            "no fader write while touched: {out:02x?}"
        );
        let out = [r.input(0, &[0x90, 0x68, 0x00]), r.settle()].concat();
        assert_eq!(only(&out, 0xE0), vec![fader(0, -20.0)]);
        assert!(!r.mix.touched(ParamId::track(0, Param::Gain)));
    }

    #[test]
    fn a_touchless_move_holds_the_fader_until_it_rests() {
        let mut r = rig(3, 0, Device::Mcu);
        r.connect();
        assert_eq!(
            only(&r.input(0, &fader(1, -6.0)), 0xE1),
            vec![fader(1, -6.0)]
        );
        assert!(r.mix.touched(ParamId::track(1, Param::Gain)));
        assert!(only(&r.elsewhere("track/2/gain", 3.0), 0xE1).is_empty());
        let out = r.wait(600);
        assert_eq!(only(&out, 0xE1), vec![fader(1, 3.0)], "sent once at rest");
    }

    #[test]
    fn vpots_move_pan_or_a_send_and_their_rings_follow() {
        let mut r = rig(3, 0, Device::Mcu);
        r.connect();
        let out = r.input(0, &[0xB0, 0x10, 0x45]);
        assert!((r.mix.get_path("track/1/pan").unwrap() + 0.1).abs() < 1e-5);
        // -0.1 of -1..1: position 5.5 rounds to 6, no centre LED.
        assert!(out.contains(&(0, vec![0xB0, 0x30, 0x06])), "{out:02x?}");
        r.input(0, &[0x90, 0x20, 0x7F]);
        assert_eq!(r.mix.get_path("track/1/pan").unwrap(), 0.0, "push resets");
        // SEND: bus 1, then bus 2, then bus 1 again; the display says which.
        for (bus, digit) in [(1, 0x31), (2, 0x32), (1, 0x31)] {
            let out = [
                r.input(0, &[0x90, 0x29, 0x7F]),
                r.input(0, &[0x90, 0x29, 0x00]),
                r.settle(),
            ]
            .concat();
            assert!(
                out.contains(&(0, vec![0xB0, 0x4A, 0x13])),
                "S for bus {bus}: {out:02x?}"
            );
            assert!(
                out.contains(&(0, vec![0xB0, 0x4B, digit])),
                "bus {bus}: {out:02x?}"
            );
        }
        let before = r.mix.get_path("track/2/send/1/fader").unwrap();
        let out = r.input(0, &[0xB0, 0x11, 0x03]);
        let after = r.mix.get_path("track/2/send/1/fader").unwrap();
        assert!((after - before - 0.03).abs() < 1e-4, "{before} -> {after}");
        let pos = (after * 11.0).round() as u8;
        assert!(
            out.contains(&(0, vec![0xB0, 0x31, 0x20 | pos])),
            "wrap ring: {out:02x?}"
        );
        let out = [r.input(0, &[0x90, 0x2A, 0x7F]), r.settle()].concat();
        assert!(
            out.contains(&(0, vec![0xB0, 0x4A, 0x10]))
                && out.contains(&(0, vec![0xB0, 0x4B, 0x0E]))
        );
    }

    #[test]
    fn plugin_pages_put_the_mappings_parameters_on_the_vpots() {
        let mut r = rig(3, 0, Device::Mcu);
        r.connect();
        let page = |r: &mut Rig<Mackie>, digit: char| {
            let out = [r.input(0, &[0x90, 0x2B, 0x7F]), r.settle()].concat();
            for (cc, c) in [(0x4A, 'P'), (0x4B, digit)] {
                let code = p::seven_segment(c, false);
                assert!(out.contains(&(0, vec![0xB0, cc, code])), "{c}: {out:02x?}");
            }
            assert!(out.contains(&(0, vec![0x90, 0x2B, 0x7F])), "PLUG-IN lit");
        };
        // Page 1, drive/amount (0..36 dB): 3 ticks are 3 % of its travel.
        page(&mut r, '1');
        r.input(0, &[0xB0, 0x10, 0x03]);
        let amount = r.mix.get_path("track/1/drive/amount").unwrap();
        assert!((amount - (12.0 + 0.03 * 36.0)).abs() < 1e-3, "{amount}");
        // Page 2, pitch/semitones: whole steps, a bipolar ring.
        page(&mut r, '2');
        let out = r.input(0, &[0xB0, 0x11, 0x02]);
        assert_eq!(r.mix.get_path("track/2/pitch/semitones").unwrap(), 2.0);
        // +2 of -12..12: position 10 * 14/24 + 1 = 6.8, rounds to 7.
        assert!(out.contains(&(0, vec![0xB0, 0x31, 0x07])), "{out:02x?}");
        r.input(0, &[0x90, 0x21, 0x7F]);
        assert_eq!(r.mix.get_path("track/2/pitch/semitones").unwrap(), 0.0);
        // Page 3, mod/type: one choice a tick, clamped at the ends.
        page(&mut r, '3');
        r.input(0, &[0xB0, 0x12, 0x01]);
        assert_eq!(r.mix.get_path("track/3/mod/type").unwrap(), 1.0);
        r.input(0, &[0xB0, 0x12, 0x09]);
        assert_eq!(r.mix.get_path("track/3/mod/type").unwrap(), 4.0);
        // And round to page 1 again.
        page(&mut r, '1');

        let bad = Options {
            name: "bad".into(),
            protocol: "mackie".into(),
            device: Device::Mcu,
            extenders: 0,
            fader_calibration: None,
            plugin: vec!["drive/amnt".into()],
        };
        let e = Mackie::new(bad, Origin::Surface(0), &mix(2)).err().unwrap();
        assert!(e.contains("`drive/amnt`") && e.contains("allowed"), "{e}");
    }

    #[test]
    fn mute_and_solo_toggle_with_their_leds() {
        let mut r = rig(3, 0, Device::Mcu);
        r.connect();
        for (press, path, led) in [(0x10, "track/1/mute", 0x10), (0x0A, "track/3/solo", 0x0A)] {
            let out = [
                r.input(0, &[0x90, press, 0x7F]),
                r.input(0, &[0x90, press, 0x00]),
            ]
            .concat();
            assert_eq!(r.mix.get_path(path).unwrap(), 1.0);
            assert!(out.contains(&(0, vec![0x90, led, 0x7F])), "{out:02x?}");
            let out = [r.input(0, &[0x90, press, 0x7F]), r.settle()].concat();
            assert_eq!(r.mix.get_path(path).unwrap(), 0.0);
            assert!(out.contains(&(0, vec![0x90, led, 0x00])));
        }
        let out = r.elsewhere("track/2/mute", 1.0);
        assert!(
            out.contains(&(0, vec![0x90, 0x11, 0x7F])),
            "a mute from elsewhere lights the LED"
        );
    }

    #[test]
    fn the_timecode_display_and_transport_leds_show_the_transport() {
        let mut r = rig(8, 0, Device::Mcu);
        r.connect();
        let view = TransportView {
            seconds: 9.25,
            playing: true,
            record: true,
            looping: false,
            tempo: 120.0,
        };
        r.surface.transport(&view);
        let out = r.settle();
        // Bar 5, beat 3, tick 480: "  5 3 1480" with dots after the groups,
        // rightmost digit on CC 0x40.
        let digit = |cc: u8, c: char, dot: bool| (0, vec![0xB0, cc, p::seven_segment(c, dot)]);
        for want in [
            digit(0x47, '5', true),
            digit(0x45, '3', true),
            digit(0x43, '1', true),
            digit(0x42, '4', false),
            digit(0x41, '8', false),
            digit(0x40, '0', false),
        ] {
            assert!(out.contains(&want), "{want:02x?} missing from {out:02x?}");
        }
        for (note, lit) in [
            (p::PLAY, true),
            (p::STOP, false),
            (p::RECORD, true),
            (p::CYCLE, false),
        ] {
            assert!(
                out.contains(&(0, vec![0x90, note, if lit { 0x7F } else { 0 }])),
                "LED {note:02x}"
            );
        }
        // SMPTE: 00:00:09, frame 7 at 30 fps; only the digits that change are sent.
        let out = [r.input(0, &[0x90, p::SMPTE_BEATS, 0x7F]), r.settle()].concat();
        assert!(
            out.contains(&digit(0x45, '0', true)) && out.contains(&digit(0x43, '9', true)),
            "{out:02x?}"
        );
        assert!(out.contains(&digit(0x40, '7', false)));
        assert!(out.contains(&(0, vec![0x90, p::SMPTE_LED, 0x7F])));
        assert!(
            !out.iter()
                .any(|(_, m)| m == &vec![0xB0, 0x49, p::seven_segment(' ', false)]),
            "unchanged digits are not resent"
        );
    }

    #[test]
    fn banks_span_the_extender_and_blank_what_is_past_the_last_track() {
        let mut r = rig(20, 1, Device::Xtouch);
        let out = r.connect();
        assert!(
            out.contains(&(1, vec![0xF0, 0, 0, 0x66, 0x15, 0x00, 0xF7])),
            "extender woken as XT"
        );
        assert!(out.contains(&(1, fader(7, 0.0))), "strip 16 shows track 16");
        r.elsewhere("track/17/gain", -30.0);
        r.mix
            .set_colour(Owner::Track(17), crate::session::Colour::Cyan);
        let out = [r.input(0, &[0x90, 0x2F, 0x7F]), r.settle()].concat();
        assert!(out.contains(&(0, fader(0, -30.0))), "track 17 on strip 1");
        assert!(out.contains(&(0, vec![0xE4, 0, 0])), "strip 5 blank");
        assert!(out.contains(&(1, vec![0xE7, 0, 0])), "strip 16 blank");
        assert!(
            out.contains(&(0, p::colours(0x14, [7, 6, 7, 7, 0, 0, 0, 0]))),
            "{out:02x?}"
        );
        assert!(
            r.input(0, &[0x90, 0x2F, 0x7F]).is_empty(),
            "no bank past the last track"
        );
        let out = [r.input(0, &[0x90, 0x30, 0x7F]), r.settle()].concat();
        assert!(
            out.contains(&(0, fader(1, -30.0))),
            "channel left: track 17 on strip 2"
        );
        r.input(0, &[0x90, 0x2E, 0x7F]);
        r.input(0, &[0x90, 0x2E, 0x7F]);
        let out = [r.input(0, &[0x90, 0x2E, 0x7F]), r.settle()].concat();
        assert!(out.is_empty(), "clamped at the first track");
        assert_eq!(r.surface.bank, 0);
    }

    #[test]
    fn scribble_strips_send_only_what_changed() {
        let mut r = rig(3, 0, Device::Mcu);
        r.connect();
        r.mix.set_name(Owner::Track(1), "Lead Vox");
        let c = Change {
            key: Key::Name(Owner::Track(1)),
            origin: Origin::Session,
        };
        r.surface.changed(&r.mix, &[c]);
        let out = r.settle();
        assert_eq!(out, vec![(0, p::lcd(0x14, 7, b"LeadVx"))]);
    }

    /// Both lines of each unit's display as the device shows them after
    /// the LCD writes in `out` (from blank).
    fn displays(units: usize, outs: &[&[(usize, Vec<u8>)]]) -> Vec<String> {
        let mut lcd = vec![vec![b' '; 2 * LINE]; units];
        for (unit, bytes) in outs.iter().flat_map(|o| o.iter()) {
            // F0 00 00 66 <device> 12 <offset> <text> F7
            if bytes.len() > 8 && bytes[0] == 0xF0 && bytes[5] == 0x12 {
                let at = usize::from(bytes[6]);
                let text = &bytes[7..bytes.len() - 1];
                lcd[*unit][at..at + text.len()].copy_from_slice(text);
            }
        }
        lcd.into_iter()
            .map(|l| String::from_utf8(l).unwrap())
            .collect()
    }

    /// A review note the transport passed takes the main unit's display
    /// for two seconds (extenders keep their strips), then the strips come
    /// back as they were.
    #[test]
    fn a_passed_note_shows_on_the_main_display_for_two_seconds() {
        let mut r = rig(12, 1, Device::Mcu);
        let first = r.connect();
        let strips = displays(2, &[&first]);
        assert!(strips[0].starts_with("Track1 Track2 "), "{:?}", strips[0]);
        let now = r.now;
        r.surface.note(
            "Producer",
            "vocal up in the chorus
(2nd time) — ボ",
            now,
        );
        let shown = r.settle();
        let during = displays(2, &[&first, &shown]);
        let want = format!("{:<112}", "Producer: vocal up in the chorus (2nd time) ? ?");
        assert_eq!(during[0], want);
        assert_eq!(during[1], strips[1], "the extender keeps its strips");
        let before_end = r.wait(1900);
        assert_eq!(displays(2, &[&first, &shown, &before_end])[0], want);
        let after = r.wait(200);
        assert_eq!(
            displays(2, &[&first, &shown, &before_end, &after]),
            strips,
            "the strips come back after 2 s"
        );
    }

    #[test]
    fn strip_colours_follow_colour_changes() {
        let mut r = rig(3, 0, Device::Xtouch);
        r.connect();
        r.mix
            .set_colour(Owner::Track(1), crate::session::Colour::Red);
        let c = Change {
            key: Key::Colour(Owner::Track(1)),
            origin: Origin::X32("127.0.0.1:5000".parse().unwrap()),
        };
        r.surface.changed(&r.mix, &[c]);
        let out = r.settle();
        assert_eq!(
            out,
            vec![(0, p::colours(0x14, [7, 1, 7, 0, 0, 0, 0, 0]))],
            "{out:02x?}"
        );
    }

    #[test]
    fn meters_follow_the_peak_and_stop_with_one_zero() {
        let mut r = rig(3, 0, Device::Mcu);
        r.connect();
        let snapshot = |peak: f32| MeterSnapshot {
            tracks: vec![
                crate::control::StripReading {
                    peak: [peak, peak * 0.5],
                    ..Default::default()
                };
                3
            ],
            buses: vec![],
            master: Default::default(),
            loudness: Default::default(),
        };
        r.surface.meters(&snapshot(0.5));
        let out = r.surface.take_outbox();
        let levels: Vec<Vec<u8>> = out.into_iter().map(|o| o.bytes).collect();
        assert_eq!(
            levels,
            vec![vec![0xD0, 0x08], vec![0xD0, 0x18], vec![0xD0, 0x28]]
        );
        r.surface.meters(&snapshot(0.0));
        assert_eq!(r.surface.take_outbox().len(), 3, "one zero each");
        r.surface.meters(&snapshot(0.0));
        assert!(r.surface.take_outbox().is_empty(), "then nothing");
    }

    #[test]
    fn junk_and_foreign_messages_are_counted_and_dropped() {
        let mut r = rig(3, 0, Device::Mcu);
        r.connect();
        for junk in [&[0x90, 0x80][..], &[], &[0xF0, 1], &[0x40]] {
            assert!(r.input(0, junk).is_empty());
        }
        r.input(0, &[0xC0, 1]);
        r.input(3, &[0x90, 0x10, 0x7F]);
        let s = r.surface.stats();
        assert_eq!((s.malformed, s.unmapped), (4, 2));
        // Transport buttons become actions for the daemon; automation
        // buttons set the tracks' modes.
        r.input(0, &[0x90, 0x5E, 0x7F]);
        r.input(0, &[0x90, 0x4D, 0x7F]);
        assert_eq!(r.actions, vec![Action::Transport(TransportAction::Play)]);
        assert_eq!(
            r.mix.get_path("track/1/automation").unwrap(),
            AutomationMode::Touch as usize as f32
        );
    }
}
