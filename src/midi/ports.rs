//! midir ports: found by name pattern, re-scanned, reconnected.
//!
//! One thread owns every midir object. It re-scans the system's ports about
//! once a second: a unit whose ports appear is connected and announced
//! ([`PortEvent::Connected`], so the control loop sends it the whole state);
//! a unit whose port disappears is disconnected and announced once, then
//! waited for. A unit can instead be a pair of virtual ports the daemon
//! creates, for software clients. Bytes to send reach the thread over a
//! bounded queue, so a slow MIDI cable never holds up the control loop:
//! what does not fit is dropped and counted.
//!
//! Input arrives on midir's own threads (ALSA's reader, or JACK's process
//! callback). The callback copies a message into a [`Packet`] (no heap for
//! anything but SysEx) and offers it to the control loop's bounded queue
//! without waiting; a full queue drops and counts.

use crate::name_pattern;
use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender};
use midir::{Ignore, MidiInput, MidiInputConnection, MidiOutput, MidiOutputConnection};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often the system's ports are listed.
pub const RESCAN: Duration = Duration::from_secs(1);
/// Messages from all surfaces waiting for the control loop.
pub const INPUT_QUEUE: usize = 4096;
/// Messages waiting to be written to the ports.
pub const OUTPUT_QUEUE: usize = 8192;

/// Where one unit of a surface lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Ports found by name pattern (`*`, `?`, case-insensitive). Either
    /// direction may be absent: an input-only controller, say.
    Patterns {
        input: Option<String>,
        output: Option<String>,
    },
    /// Ports the daemon creates under this name.
    Virtual(String),
}

/// One MIDI message's bytes; short ones without a heap allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet {
    Short { len: u8, bytes: [u8; 3] },
    Long(Vec<u8>),
}

impl Packet {
    pub fn new(bytes: &[u8]) -> Packet {
        if bytes.len() <= 3 {
            let mut b = [0; 3];
            b[..bytes.len()].copy_from_slice(bytes);
            Packet::Short {
                len: bytes.len() as u8,
                bytes: b,
            }
        } else {
            Packet::Long(bytes.to_vec())
        }
    }

    pub fn as_slice(&self) -> &[u8] {
        match self {
            Packet::Short { len, bytes } => &bytes[..usize::from(*len)],
            Packet::Long(v) => v,
        }
    }
}

/// What the port thread tells the control loop. `surface` indexes the
/// endpoints' surfaces as given to [`Ports::start`]; `unit` the surface's
/// units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortEvent {
    Message {
        surface: usize,
        unit: usize,
        packet: Packet,
    },
    /// Every configured port of the unit is connected (again).
    Connected {
        surface: usize,
        unit: usize,
        ports: String,
    },
    /// A port of the unit went away.
    Disconnected { surface: usize, unit: usize },
}

/// Counters of the MIDI ports, shared with the port thread and callbacks.
#[derive(Debug, Default)]
pub struct PortStats {
    /// Incoming messages dropped because the control loop's queue was full.
    pub input_dropped: AtomicU64,
    /// Outgoing messages dropped because the port thread's queue was full.
    pub output_dropped: AtomicU64,
    /// Writes the MIDI system refused.
    pub send_failures: AtomicU64,
}

enum Command {
    Send {
        surface: usize,
        unit: usize,
        bytes: Vec<u8>,
    },
    Stop,
}

/// The running port thread.
pub struct Ports {
    commands: Sender<Command>,
    events: Receiver<PortEvent>,
    stats: Arc<PortStats>,
    thread: Option<JoinHandle<()>>,
}

impl Ports {
    /// Start looking for the surfaces' units: `surfaces[s][u]` is unit `u`
    /// of surface `s`. `client` names the daemon's MIDI client.
    pub fn start(client: &str, surfaces: Vec<Vec<Endpoint>>) -> std::io::Result<Ports> {
        let (commands, command_rx) = bounded(OUTPUT_QUEUE);
        let (event_tx, events) = bounded(INPUT_QUEUE);
        let stats = Arc::new(PortStats::default());
        let mut thread = PortThread {
            client: client.to_string(),
            units: surfaces
                .into_iter()
                .enumerate()
                .flat_map(|(s, units)| {
                    units
                        .into_iter()
                        .enumerate()
                        .map(move |(u, endpoint)| Unit {
                            surface: s,
                            unit: u,
                            endpoint,
                            input: None,
                            output: None,
                            up: false,
                        })
                })
                .collect(),
            events: event_tx,
            stats: stats.clone(),
            listers: None,
            said_unavailable: false,
        };
        let handle = std::thread::Builder::new()
            .name("midi-ports".into())
            .spawn(move || thread.run(command_rx))?;
        Ok(Ports {
            commands,
            events,
            stats,
            thread: Some(handle),
        })
    }

    /// Events for the control loop's `select!`.
    pub fn events(&self) -> &Receiver<PortEvent> {
        &self.events
    }

    /// Queue one message for a unit; never waits (a full queue drops it).
    pub fn send(&self, surface: usize, unit: usize, bytes: Vec<u8>) {
        let c = Command::Send {
            surface,
            unit,
            bytes,
        };
        if self.commands.try_send(c).is_err() {
            self.stats.output_dropped.fetch_add(1, Relaxed);
        }
    }

    pub fn stats(&self) -> &PortStats {
        &self.stats
    }
}

impl Drop for Ports {
    fn drop(&mut self) {
        // The queue may be full; a blocking send is fine here, the thread
        // drains it.
        let _ = self.commands.send(Command::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Unit {
    surface: usize,
    unit: usize,
    endpoint: Endpoint,
    input: Option<(MidiInputConnection<()>, String)>,
    output: Option<(MidiOutputConnection, String)>,
    /// Announced as connected.
    up: bool,
}

impl Unit {
    fn label(&self) -> String {
        format!("surface {} unit {}", self.surface + 1, self.unit + 1)
    }

    fn complete(&self) -> bool {
        match &self.endpoint {
            Endpoint::Virtual(_) => self.input.is_some() && self.output.is_some(),
            Endpoint::Patterns { input, output } => {
                (input.is_none() || self.input.is_some())
                    && (output.is_none() || self.output.is_some())
            }
        }
    }
}

struct PortThread {
    client: String,
    units: Vec<Unit>,
    events: Sender<PortEvent>,
    stats: Arc<PortStats>,
    /// Kept open to list ports; `None` while the MIDI system is unavailable.
    listers: Option<(MidiInput, MidiOutput)>,
    said_unavailable: bool,
}

impl PortThread {
    fn run(&mut self, commands: Receiver<Command>) {
        let mut next_scan = Instant::now();
        loop {
            if Instant::now() >= next_scan {
                self.scan();
                next_scan = Instant::now() + RESCAN;
            }
            match commands.recv_timeout(next_scan.saturating_duration_since(Instant::now())) {
                Ok(Command::Send {
                    surface,
                    unit,
                    bytes,
                }) => self.send(surface, unit, &bytes),
                Ok(Command::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {}
            }
        }
    }

    fn send(&mut self, surface: usize, unit: usize, bytes: &[u8]) {
        let Some(u) = self
            .units
            .iter_mut()
            .find(|u| u.surface == surface && u.unit == unit)
        else {
            return;
        };
        if let Some((out, _)) = &mut u.output {
            if out.send(bytes).is_err() {
                self.stats.send_failures.fetch_add(1, Relaxed);
            }
        }
    }

    /// Open the listing clients if needed; says once when MIDI is missing.
    fn listers(&mut self) -> bool {
        if self.listers.is_some() {
            return true;
        }
        let opened = MidiInput::new(&format!("{}-scan-in", self.client))
            .and_then(|i| MidiOutput::new(&format!("{}-scan-out", self.client)).map(|o| (i, o)));
        match opened {
            Ok(l) => {
                if self.said_unavailable {
                    log::info!("MIDI: the MIDI system is available again");
                }
                self.said_unavailable = false;
                self.listers = Some(l);
                true
            }
            Err(e) => {
                if !self.said_unavailable {
                    log::warn!("MIDI: not available ({e}); running without surfaces until it is");
                    self.said_unavailable = true;
                }
                false
            }
        }
    }

    fn scan(&mut self) {
        if !self.listers() {
            return;
        }
        let Some((lin, lout)) = &self.listers else {
            return;
        };
        let inputs: Vec<(String, midir::MidiInputPort)> = lin
            .ports()
            .into_iter()
            .filter_map(|p| lin.port_name(&p).ok().map(|n| (n, p)))
            .collect();
        let outputs: Vec<(String, midir::MidiOutputPort)> = lout
            .ports()
            .into_iter()
            .filter_map(|p| lout.port_name(&p).ok().map(|n| (n, p)))
            .collect();
        let own = self.client.clone();
        let not_ours = |name: &str| !name.starts_with(&own);
        for u in &mut self.units {
            // Ports that vanished.
            let gone_in = u
                .input
                .as_ref()
                .is_some_and(|(_, n)| !inputs.iter().any(|(m, _)| m == n));
            let gone_out = u
                .output
                .as_ref()
                .is_some_and(|(_, n)| !outputs.iter().any(|(m, _)| m == n));
            if matches!(u.endpoint, Endpoint::Patterns { .. }) && (gone_in || gone_out) {
                u.input = None;
                u.output = None;
                if u.up {
                    u.up = false;
                    log::warn!(
                        "MIDI: {} went away; reconnecting when it returns",
                        u.label()
                    );
                    let _ = self.events.send(PortEvent::Disconnected {
                        surface: u.surface,
                        unit: u.unit,
                    });
                }
            }
            // The MIDI client names: `mixbridge-s1u1-in` and `-out`.
            let name = format!("{}-s{}u{}", own, u.surface + 1, u.unit + 1);
            match u.endpoint.clone() {
                Endpoint::Virtual(v) => {
                    if u.input.is_none() {
                        u.input = open_virtual_input(&name, &v, u, &self.events, &self.stats);
                    }
                    if u.output.is_none() {
                        u.output = open_virtual_output(&name, &v);
                    }
                }
                Endpoint::Patterns { input, output } => {
                    if let (Some(p), None) = (&input, &u.input) {
                        if let Some((n, port)) = inputs
                            .iter()
                            .find(|(n, _)| not_ours(n) && name_pattern::matches(p, n))
                        {
                            u.input = connect_input(&name, n, port, u, &self.events, &self.stats);
                        }
                    }
                    if let (Some(p), None) = (&output, &u.output) {
                        if let Some((n, port)) = outputs
                            .iter()
                            .find(|(n, _)| not_ours(n) && name_pattern::matches(p, n))
                        {
                            u.output = connect_output(&name, n, port);
                        }
                    }
                }
            }
            if !u.up && u.complete() {
                u.up = true;
                let ports = [
                    u.input.as_ref().map(|(_, n)| format!("in \"{n}\"")),
                    u.output.as_ref().map(|(_, n)| format!("out \"{n}\"")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
                log::info!("MIDI: {} connected ({ports})", u.label());
                let _ = self.events.send(PortEvent::Connected {
                    surface: u.surface,
                    unit: u.unit,
                    ports,
                });
            }
        }
    }
}

/// The callback midir runs for every incoming message: copy and offer.
fn forward(
    surface: usize,
    unit: usize,
    events: &Sender<PortEvent>,
    stats: &Arc<PortStats>,
) -> impl FnMut(u64, &[u8], &mut ()) + Send + 'static {
    let events = events.clone();
    let stats = stats.clone();
    move |_, bytes, _| {
        let e = PortEvent::Message {
            surface,
            unit,
            packet: Packet::new(bytes),
        };
        if events.try_send(e).is_err() {
            stats.input_dropped.fetch_add(1, Relaxed);
        }
    }
}

fn input_client(name: &str) -> Option<MidiInput> {
    let mut i = MidiInput::new(name).ok()?;
    // SysEx carries device replies; active sensing is only noise here.
    i.ignore(Ignore::ActiveSense);
    Some(i)
}

fn connect_input(
    name: &str,
    port_name: &str,
    port: &midir::MidiInputPort,
    u: &Unit,
    events: &Sender<PortEvent>,
    stats: &Arc<PortStats>,
) -> Option<(MidiInputConnection<()>, String)> {
    let conn = input_client(&format!("{name}-in"))?.connect(
        port,
        "in",
        forward(u.surface, u.unit, events, stats),
        (),
    );
    match conn {
        Ok(c) => Some((c, port_name.to_string())),
        Err(e) => {
            log::debug!("MIDI: cannot connect to \"{port_name}\": {e}");
            None
        }
    }
}

fn connect_output(
    name: &str,
    port_name: &str,
    port: &midir::MidiOutputPort,
) -> Option<(MidiOutputConnection, String)> {
    match MidiOutput::new(&format!("{name}-out"))
        .ok()?
        .connect(port, "out")
    {
        Ok(c) => Some((c, port_name.to_string())),
        Err(e) => {
            log::debug!("MIDI: cannot connect to \"{port_name}\": {e}");
            None
        }
    }
}

#[cfg(unix)]
fn open_virtual_input(
    name: &str,
    port: &str,
    u: &Unit,
    events: &Sender<PortEvent>,
    stats: &Arc<PortStats>,
) -> Option<(MidiInputConnection<()>, String)> {
    use midir::os::unix::VirtualInput;
    let c = input_client(&format!("{name}-in"))?
        .create_virtual(port, forward(u.surface, u.unit, events, stats), ())
        .map_err(|e| log::warn!("MIDI: cannot create virtual input \"{port}\": {e}"))
        .ok()?;
    Some((c, port.to_string()))
}

#[cfg(unix)]
fn open_virtual_output(name: &str, port: &str) -> Option<(MidiOutputConnection, String)> {
    use midir::os::unix::VirtualOutput;
    let c = MidiOutput::new(&format!("{name}-out"))
        .ok()?
        .create_virtual(port)
        .map_err(|e| log::warn!("MIDI: cannot create virtual output \"{port}\": {e}"))
        .ok()?;
    Some((c, port.to_string()))
}

/// Every MIDI port the system has, for `mixbridge devices`.
pub fn describe() -> String {
    let mut out = String::from("MIDI ports:\n");
    match (
        MidiInput::new("mixbridge-list"),
        MidiOutput::new("mixbridge-list"),
    ) {
        (Ok(i), Ok(o)) => {
            let ins: Vec<String> = i
                .ports()
                .iter()
                .filter_map(|p| i.port_name(p).ok())
                .collect();
            let outs: Vec<String> = o
                .ports()
                .iter()
                .filter_map(|p| o.port_name(p).ok())
                .collect();
            for (dir, names) in [("in ", ins), ("out", outs)] {
                if names.is_empty() {
                    out.push_str(&format!("  {dir}  (none)\n"));
                }
                for n in names {
                    out.push_str(&format!("  {dir}  {n}\n"));
                }
            }
        }
        (Err(e), _) | (_, Err(e)) => out.push_str(&format!("  not available: {e}\n")),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_keep_their_bytes() {
        for bytes in [
            &[][..],
            &[0xF8],
            &[0xC0, 1],
            &[0x90, 1, 2],
            &[0xF0, 1, 2, 0xF7],
        ] {
            assert_eq!(Packet::new(bytes).as_slice(), bytes);
        }
        assert!(matches!(Packet::new(&[0x90, 1, 2]), Packet::Short { .. }));
    }
}
