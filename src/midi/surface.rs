//! What every MIDI surface protocol offers the control loop.
//!
//! A surface is protocol logic only: bytes in, model changes and bytes out.
//! It never sees a port, a thread or the engine, so it is tested and fuzzed
//! without MIDI hardware; `midi::ports` moves its bytes and the daemon calls
//! it. A surface may span several port pairs ("units": a Mackie main unit
//! and its extenders); unit 0 is the main one.

use crate::control::desk::TransportView;
use crate::control::model::{Change, Mix};
use crate::control::MeterSnapshot;
use std::time::Instant;

/// Bytes for one unit of a surface: one whole MIDI message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub unit: usize,
    pub bytes: Vec<u8>,
}

/// A request a surface cannot carry out itself: it goes to the daemon.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Transport(TransportAction),
    /// Set the automation mode of the strips' tracks (`off`, `read`, ...).
    AutomationMode(String),
    /// Recall (or save) a scene by name.
    Scene {
        name: String,
        save: bool,
    },
    /// Recall a revision by name.
    Revision(String),
    /// Start an A/B of two revisions on the monitor.
    Ab(String, String),
    /// Switch the A/B to the other revision.
    AbToggle,
    /// End the A/B.
    AbOff,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TransportAction {
    Play,
    Stop,
    Record,
    Rewind,
    FastForward,
    Loop,
    PreviousMarker,
    NextMarker,
    AddMarker,
    /// Move to a position, in seconds (MIDI Machine Control locate).
    Locate(f64),
}

/// What a surface made of its input.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Input {
    /// Applied to the model already; the daemon commits them.
    pub changes: Vec<Change>,
    pub actions: Vec<Action>,
}

impl Input {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.actions.is_empty()
    }

    pub fn extend(&mut self, other: Input) {
        self.changes.extend(other.changes);
        self.actions.extend(other.actions);
    }
}

/// Counters every surface keeps, for `/status` and the log.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SurfaceStats {
    /// Messages received (well-formed or not).
    pub received: u64,
    /// Bytes that were not one MIDI message: dropped.
    pub malformed: u64,
    /// Well-formed messages no binding or protocol rule uses: dropped.
    pub unmapped: u64,
    /// Messages queued for the device.
    pub sent: u64,
}

/// One surface's protocol state. The control loop owns it and calls it only
/// from the control thread.
pub trait Surface: Send {
    /// The mapping's name, for logs.
    fn name(&self) -> &str;

    /// How many port pairs the surface uses (1, or 1 + extenders).
    fn units(&self) -> usize;

    /// One MIDI message from a unit. Malformed or unused bytes are counted
    /// and dropped; nothing here may panic on any input.
    fn receive(&mut self, mix: &mut Mix, unit: usize, bytes: &[u8], now: Instant) -> Input;

    /// A unit's ports (re)appeared: queue its handshake and the whole
    /// current state.
    fn connected(&mut self, mix: &Mix, unit: usize, now: Instant);

    /// A unit's ports went away: release what it held (touches).
    fn disconnected(&mut self, mix: &mut Mix, unit: usize);

    /// Changes committed by anyone, this surface included (each carries its
    /// origin), after they were applied to `mix`.
    fn changed(&mut self, mix: &Mix, changes: &[Change]);

    /// Fresh meter readings, about 30 times a second.
    fn meters(&mut self, meters: &MeterSnapshot);

    /// The transport changed, or its position moved (about 10 times a
    /// second while playing). Surfaces without transport displays ignore it.
    fn transport(&mut self, _view: &TransportView) {}

    /// The transport passed a review note: surfaces with a display show
    /// it for a while; others ignore it.
    fn note(&mut self, _author: &str, _text: &str, _now: Instant) {}

    /// Timed work: feedback that is due, touches that time out.
    fn poll(&mut self, mix: &mut Mix, now: Instant) -> Input;

    /// When `poll` next has work, if ever.
    fn next_due(&self) -> Option<Instant>;

    /// Messages to send, in order.
    fn take_outbox(&mut self) -> Vec<Outgoing>;

    fn stats(&self) -> SurfaceStats;
}
