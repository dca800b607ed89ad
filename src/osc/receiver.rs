//! The receive thread: owns the socket's reading side, drops datagrams from
//! sources outside the allow-list (counted), and hands the rest to the
//! control loop as bytes through a bounded queue.

use crossbeam_channel::{Sender, TrySendError};
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
    /// Datagrams that are not OSC, or bundles nested too deep.
    pub malformed: AtomicU64,
    pub unknown_addresses: AtomicU64,
    /// Messages refused for their arguments (NaN, wrong type, read-only...).
    pub rejected_values: AtomicU64,
    /// Answers not sent to a source that is not a client (over its budget).
    pub withheld_answers: AtomicU64,
    /// Datagrams dropped because the control loop's queue was full.
    pub dropped: AtomicU64,
    pub subscriptions: AtomicU64,
    pub refused_subscriptions: AtomicU64,
    /// Datagrams sent (replies, feedback, meters).
    pub sent: AtomicU64,
    /// Datagrams the socket would not take at once (dropped, never waited for).
    pub send_failures: AtomicU64,
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
