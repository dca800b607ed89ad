//! The daemon's MIDI surfaces: the protocol state of each, and the port
//! thread that carries their bytes.
//!
//! The control loop hands every port event, committed change, meter reading
//! and timer here; what the surfaces make of them comes back as an
//! [`Input`] (changes already applied to the model, to be committed, and
//! actions for the daemon) and as bytes queued on the ports.

use super::model::{Change, Mix};
use super::MeterSnapshot;
use crate::config::SurfaceConfig;
use crate::midi::open::{mapping_dirs, open, Opened};
use crate::midi::ports::{Endpoint, PortEvent, Ports};
use crate::midi::{Input, Surface, SurfaceStats};
use crate::yaml::Errors;
use crossbeam_channel::Receiver;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

/// The MIDI client name the daemon's ports appear under.
pub const CLIENT: &str = "mixbridge";

pub struct MidiSurfaces {
    surfaces: Vec<Box<dyn Surface>>,
    endpoints: Vec<Vec<Endpoint>>,
    /// (surface, unit) whose ports are connected.
    up: BTreeSet<(usize, usize)>,
    ports: Ports,
}

/// Every configured surface's protocol, built for `mix`; every mapping
/// problem of every surface if any is wrong.
pub fn load(
    configs: &[SurfaceConfig],
    config_file: Option<&Path>,
    mix: &Mix,
) -> Result<Vec<Opened>, Errors> {
    let dirs = mapping_dirs(config_file);
    let base = config_file.and_then(Path::parent);
    let mut opened = Vec::new();
    let mut errors = Vec::new();
    for (i, c) in configs.iter().enumerate() {
        match open(c, i, mix, base, &dirs) {
            Ok(o) => opened.push(o),
            Err(e) => errors.extend(e.0),
        }
    }
    Errors::check(errors).map(|()| opened)
}

impl MidiSurfaces {
    /// Start the ports of the loaded surfaces.
    pub fn start(opened: Vec<Opened>) -> std::io::Result<MidiSurfaces> {
        let (surfaces, endpoints): (Vec<_>, Vec<_>) =
            opened.into_iter().map(|o| (o.surface, o.endpoints)).unzip();
        let ports = Ports::start(CLIENT, endpoints.clone())?;
        for s in &surfaces {
            log::info!("MIDI: surface \"{}\": waiting for its ports", s.name());
        }
        Ok(MidiSurfaces {
            surfaces,
            endpoints,
            up: BTreeSet::new(),
            ports,
        })
    }

    /// Swap in surfaces reloaded from their mappings. Ports whose endpoints
    /// did not change stay connected, and their units get the whole state
    /// from the new surfaces.
    pub fn replace(self, opened: Vec<Opened>, mix: &Mix) -> std::io::Result<MidiSurfaces> {
        let same = opened.len() == self.endpoints.len()
            && opened
                .iter()
                .zip(&self.endpoints)
                .all(|(o, e)| o.endpoints == *e);
        if !same {
            drop(self);
            return MidiSurfaces::start(opened);
        }
        let mut s = self;
        s.surfaces = opened.into_iter().map(|o| o.surface).collect();
        let now = Instant::now();
        for &(i, u) in &s.up {
            s.surfaces[i].connected(mix, u, now);
        }
        s.flush();
        Ok(s)
    }

    pub fn events(&self) -> Receiver<PortEvent> {
        self.ports.events().clone()
    }

    pub fn on_event(&mut self, mix: &mut Mix, event: PortEvent, now: Instant) -> Input {
        let mut input = Input::default();
        match event {
            PortEvent::Message {
                surface,
                unit,
                packet,
            } => {
                if let Some(a) = crate::midi::mmc::decode(packet.as_slice()) {
                    // MIDI Machine Control, from whatever is on the port.
                    input.actions.push(crate::midi::Action::Transport(a));
                } else if let Some(s) = self.surfaces.get_mut(surface) {
                    input = s.receive(mix, unit, packet.as_slice(), now);
                }
            }
            PortEvent::Connected { surface, unit, .. } => {
                if let Some(s) = self.surfaces.get_mut(surface) {
                    self.up.insert((surface, unit));
                    s.connected(mix, unit, now);
                }
            }
            PortEvent::Disconnected { surface, unit } => {
                if let Some(s) = self.surfaces.get_mut(surface) {
                    self.up.remove(&(surface, unit));
                    s.disconnected(mix, unit);
                }
            }
        }
        self.flush();
        input
    }

    /// Changes committed by anyone.
    pub fn changed(&mut self, mix: &Mix, changes: &[Change]) {
        for s in &mut self.surfaces {
            s.changed(mix, changes);
        }
    }

    pub fn transport(&mut self, view: &super::desk::TransportView) {
        for s in &mut self.surfaces {
            s.transport(view);
        }
        self.flush();
    }

    /// The transport passed a review note.
    pub fn note(&mut self, note: &crate::notes::Note, now: Instant) {
        for s in &mut self.surfaces {
            s.note(&note.author, &note.text, now);
        }
        self.flush();
    }

    pub fn meters(&mut self, meters: &MeterSnapshot) {
        for s in &mut self.surfaces {
            s.meters(meters);
        }
    }

    /// Feedback and timeouts that are due.
    pub fn poll(&mut self, mix: &mut Mix, now: Instant) -> Input {
        let mut input = Input::default();
        for s in &mut self.surfaces {
            input.extend(s.poll(mix, now));
        }
        self.flush();
        input
    }

    pub fn next_due(&self) -> Option<Instant> {
        self.surfaces.iter().filter_map(|s| s.next_due()).min()
    }

    /// Every surface's counters added up, with the ports' drops.
    pub fn stats(&self) -> (SurfaceStats, u64, u64) {
        let mut total = SurfaceStats::default();
        for s in &self.surfaces {
            let x = s.stats();
            total.received += x.received;
            total.malformed += x.malformed;
            total.unmapped += x.unmapped;
            total.sent += x.sent;
        }
        let p = self.ports.stats();
        (
            total,
            p.input_dropped.load(Relaxed),
            p.output_dropped.load(Relaxed),
        )
    }

    /// Queue the surfaces' messages on their ports (units not connected
    /// drop theirs: they get the whole state when they connect).
    fn flush(&mut self) {
        for (i, s) in self.surfaces.iter_mut().enumerate() {
            for o in s.take_outbox() {
                if self.up.contains(&(i, o.unit)) {
                    self.ports.send(i, o.unit, o.bytes);
                }
            }
        }
    }
}
