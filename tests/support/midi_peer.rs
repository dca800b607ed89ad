//! A MIDI device played by a test: an independent JACK client with one MIDI
//! output (what the device sends) and one MIDI input (what it receives).
//! Dropping it closes the client, so its ports vanish as an unplugged
//! USB device's do; starting one of the same name plugs it back in.
#![allow(dead_code)]

use crossbeam_channel::{unbounded, Receiver, Sender};
use std::time::{Duration, Instant};

struct Process {
    out: jack::Port<jack::MidiOut>,
    inp: jack::Port<jack::MidiIn>,
    to_send: Receiver<Vec<u8>>,
    received: Sender<(Instant, Vec<u8>)>,
}

impl jack::ProcessHandler for Process {
    fn process(&mut self, _: &jack::Client, ps: &jack::ProcessScope) -> jack::Control {
        for e in self.inp.iter(ps) {
            let _ = self.received.send((Instant::now(), e.bytes.to_vec()));
        }
        let mut w = self.out.writer(ps);
        // One message per frame keeps their order; the rest wait a period.
        let mut frame = 0;
        while frame < ps.n_frames() {
            let Ok(bytes) = self.to_send.try_recv() else {
                break;
            };
            let _ = w.write(&jack::RawMidi {
                time: frame,
                bytes: &bytes,
            });
            frame += 1;
        }
        jack::Control::Continue
    }
}

pub struct MidiPeer {
    pub name: String,
    client: Option<jack::AsyncClient<(), Process>>,
    tx: Sender<Vec<u8>>,
    rx: Receiver<(Instant, Vec<u8>)>,
}

impl MidiPeer {
    /// Plug in a device called `name` (ports `name:out` and `name:in`) on
    /// the JACK server `JACK_DEFAULT_SERVER` names.
    pub fn plug(name: &str) -> MidiPeer {
        let (client, _) =
            jack::Client::new(name, jack::ClientOptions::NO_START_SERVER).expect("JACK client");
        let out = client
            .register_port("out", jack::MidiOut::default())
            .unwrap();
        let inp = client.register_port("in", jack::MidiIn::default()).unwrap();
        let (tx, to_send) = unbounded();
        let (received, rx) = unbounded();
        let client = client
            .activate_async(
                (),
                Process {
                    out,
                    inp,
                    to_send,
                    received,
                },
            )
            .unwrap();
        MidiPeer {
            name: name.to_string(),
            client: Some(client),
            tx,
            rx,
        }
    }

    /// Pull the cable: the ports vanish.
    pub fn unplug(mut self) {
        if let Some(c) = self.client.take() {
            let _ = c.deactivate();
        }
    }

    pub fn send(&self, bytes: &[u8]) {
        self.tx.send(bytes.to_vec()).unwrap();
    }

    /// Everything received so far.
    pub fn drain(&self) -> Vec<Vec<u8>> {
        self.rx.try_iter().map(|(_, b)| b).collect()
    }

    /// Everything received within `d` from now.
    pub fn collect(&self, d: Duration) -> Vec<Vec<u8>> {
        let end = Instant::now() + d;
        let mut out = Vec::new();
        while let Ok((_, b)) = self.rx.recv_deadline(end) {
            out.push(b);
        }
        out
    }

    /// Messages received until one satisfies `done` (included), or `None`
    /// after `within`.
    pub fn until(
        &self,
        within: Duration,
        mut done: impl FnMut(&[u8]) -> bool,
    ) -> Option<Vec<Vec<u8>>> {
        let end = Instant::now() + within;
        let mut out = Vec::new();
        while let Ok((_, b)) = self.rx.recv_deadline(end) {
            let stop = done(&b);
            out.push(b);
            if stop {
                return Some(out);
            }
        }
        None
    }

    /// When the first message satisfying `done` arrives, and it.
    pub fn first(
        &self,
        within: Duration,
        mut done: impl FnMut(&[u8]) -> bool,
    ) -> Option<(Instant, Vec<u8>)> {
        let end = Instant::now() + within;
        while let Ok((t, b)) = self.rx.recv_deadline(end) {
            if done(&b) {
                return Some((t, b));
            }
        }
        None
    }
}

/// Wait until a port named `name` exists (the daemon connected to it or
/// created it); `false` after `within`.
pub fn wait_for_connection(port: &str, within: Duration) -> bool {
    let (probe, _) =
        jack::Client::new("mixbridge-midi-probe", jack::ClientOptions::NO_START_SERVER)
            .expect("probe");
    let end = Instant::now() + within;
    while Instant::now() < end {
        if let Some(p) = probe.port_by_name(port) {
            if p.connected_count().unwrap_or(0) > 0 {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}
