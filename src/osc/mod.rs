//! OSC over UDP: the network control path.
//!
//! A receive thread owns the socket, drops datagrams from sources outside the
//! allow-list (counted), and hands the rest to the control loop as bytes. The
//! control loop decodes and applies them to the mix model ([`apply`]), so a
//! malformed packet costs a counter, never a panic or a stall.
//!
//! This is the first slice of the OSC server: set and query any parameter
//! path with int, float, double or bool arguments, bundles applied in order.
//! Address patterns, subscriptions and feedback arrive with the OSC issue.

use crate::control::model::Mix;
use crate::params::ParamId;
use crossbeam_channel::{Sender, TrySendError};
use rosc::{OscMessage, OscPacket, OscType};
use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

/// Largest datagram read; anything longer is truncated and fails to decode.
pub const MAX_DATAGRAM: usize = 65_536;

/// One datagram from an allowed source.
#[derive(Debug)]
pub struct Datagram {
    pub bytes: Vec<u8>,
    pub from: SocketAddr,
}

/// Counters shared by the receive thread and the control loop.
#[derive(Debug, Default)]
pub struct OscStats {
    pub received: AtomicU64,
    pub rejected_sources: AtomicU64,
    pub malformed: AtomicU64,
    pub unknown_addresses: AtomicU64,
    /// Datagrams dropped because the control loop's queue was full.
    pub dropped: AtomicU64,
}

/// Datagrams waiting for the control loop at most; past this they are
/// dropped and counted, so a flood cannot grow memory.
pub const QUEUE: usize = 4096;

/// Decides which sources may talk to the console.
pub trait Allow: Send + 'static {
    fn allows(&self, ip: IpAddr) -> bool;
}

impl<F: Fn(IpAddr) -> bool + Send + 'static> Allow for F {
    fn allows(&self, ip: IpAddr) -> bool {
        self(ip)
    }
}

/// Start the receive thread on `socket` (give it a channel bounded at
/// [`QUEUE`]); it stops within a quarter second of
/// `stop` being set, or when the control loop drops its receiver.
pub fn spawn_receiver(
    socket: UdpSocket,
    allow: impl Allow,
    stats: Arc<OscStats>,
    tx: Sender<Datagram>,
    stop: Arc<AtomicBool>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    socket.set_read_timeout(Some(Duration::from_millis(250)))?;
    std::thread::Builder::new()
        .name("osc-rx".into())
        .spawn(move || {
            let mut buf = vec![0u8; MAX_DATAGRAM];
            while !stop.load(Relaxed) {
                let (n, from) = match socket.recv_from(&mut buf) {
                    Ok(x) => x,
                    Err(e)
                        if matches!(
                            e.kind(),
                            ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                        ) =>
                    {
                        continue
                    }
                    Err(e) => {
                        // ICMP errors from earlier replies surface here on Linux; not fatal.
                        log::debug!("OSC receive: {e}");
                        continue;
                    }
                };
                stats.received.fetch_add(1, Relaxed);
                if !allow.allows(from.ip()) {
                    stats.rejected_sources.fetch_add(1, Relaxed);
                    continue;
                }
                match tx.try_send(Datagram {
                    bytes: buf[..n].to_vec(),
                    from,
                }) {
                    Ok(()) => {}
                    Err(TrySendError::Full(_)) => {
                        stats.dropped.fetch_add(1, Relaxed);
                    }
                    Err(TrySendError::Disconnected(_)) => return,
                }
            }
        })
}

/// What one datagram did to the mix.
#[derive(Debug, Default, PartialEq)]
pub struct Outcome {
    /// Parameters that changed, with their new values, in order.
    pub changes: Vec<(ParamId, f32)>,
    /// Replies to the sender (answers to queries).
    pub replies: Vec<OscMessage>,
    pub malformed: bool,
    pub unknown: usize,
}

/// Decode a datagram and apply it to the mix.
pub fn apply(mix: &mut Mix, bytes: &[u8]) -> Outcome {
    let mut out = Outcome::default();
    match rosc::decoder::decode_udp(bytes) {
        Ok((_, packet)) => apply_packet(mix, packet, &mut out),
        Err(_) => out.malformed = true,
    }
    out
}

fn apply_packet(mix: &mut Mix, packet: OscPacket, out: &mut Outcome) {
    match packet {
        OscPacket::Bundle(b) => {
            for p in b.content {
                apply_packet(mix, p, out);
            }
        }
        OscPacket::Message(m) => apply_message(mix, m, out),
    }
}

/// The number in an argument, as tablet apps send it (floats even for
/// switches; ints; doubles; booleans).
fn number(arg: &OscType) -> Option<f32> {
    match *arg {
        OscType::Float(f) => Some(f),
        OscType::Double(d) => Some(d as f32),
        OscType::Int(i) => Some(i as f32),
        OscType::Long(l) => Some(l as f32),
        OscType::Bool(b) => Some(if b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

fn apply_message(mix: &mut Mix, m: OscMessage, out: &mut Outcome) {
    match m.args.first() {
        None => match mix.get_path(&m.addr) {
            Ok(v) => out.replies.push(OscMessage {
                addr: m.addr,
                args: vec![OscType::Float(v)],
            }),
            Err(_) => out.unknown += 1,
        },
        Some(arg) => match number(arg).filter(|v| !v.is_nan()) {
            Some(v) => match mix.set_path(&m.addr, v) {
                Ok(Some(change)) => out.changes.push(change),
                Ok(None) => {}
                Err(_) => out.unknown += 1,
            },
            None => out.malformed = true,
        },
    }
}

/// Encode a reply; `None` only for messages rosc cannot encode.
pub fn encode(m: OscMessage) -> Option<Vec<u8>> {
    rosc::encoder::encode(&OscPacket::Message(m)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::Param;
    use crate::session::Session;

    fn mix() -> Mix {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/session");
        Mix::from_session(&Session::load(&dir).unwrap())
    }

    fn msg(addr: &str, args: Vec<OscType>) -> Vec<u8> {
        encode(OscMessage {
            addr: addr.into(),
            args,
        })
        .unwrap()
    }

    #[test]
    fn sets_with_every_numeric_type_and_answers_queries() {
        let mut m = mix();
        for (arg, want) in [
            (OscType::Float(-6.0), -6.0),
            (OscType::Int(-3), -3.0),
            (OscType::Double(-1.5), -1.5),
        ] {
            let o = apply(&mut m, &msg("/track/1/gain", vec![arg]));
            assert_eq!(o.changes, vec![(ParamId::track(0, Param::Gain), want)]);
        }
        let o = apply(&mut m, &msg("/track/1/mute", vec![OscType::Bool(true)]));
        assert_eq!(o.changes, vec![(ParamId::track(0, Param::Mute), 1.0)]);
        let o = apply(&mut m, &msg("/track/1/fader", vec![]));
        let OscType::Float(f) = o.replies[0].args[0] else {
            panic!()
        };
        assert!(
            (f - crate::params::fader_law::from_db(crate::units::Decibels(-1.5)).0).abs() < 1e-6
        );
    }

    #[test]
    fn bad_input_is_counted_not_applied() {
        let mut m = mix();
        assert!(apply(&mut m, b"garbage").malformed);
        assert!(
            apply(
                &mut m,
                &msg("/track/1/gain", vec![OscType::String("x".into())])
            )
            .malformed
        );
        assert!(
            apply(
                &mut m,
                &msg("/track/1/gain", vec![OscType::Float(f32::NAN)])
            )
            .malformed
        );
        assert_eq!(
            apply(&mut m, &msg("/track/77/gain", vec![OscType::Float(0.0)])).unknown,
            1
        );
        assert_eq!(m.get(ParamId::track(0, Param::Gain)), Some(-2.0));
    }
}
