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

/// The names of [`OscStats::counters`] under a prefix.
macro_rules! counter_names {
    ($p:literal) => {
        [
            concat!($p, "/received"),
            concat!($p, "/rejected_sources"),
            concat!($p, "/malformed"),
            concat!($p, "/unknown_addresses"),
            concat!($p, "/rejected_values"),
            concat!($p, "/dropped"),
            concat!($p, "/withheld_answers"),
            concat!($p, "/refused_subscriptions"),
            concat!($p, "/sent"),
            concat!($p, "/send_failures"),
        ]
    };
}

impl OscStats {
    /// The counters as `/status` reports them: under `osc/` for the native
    /// server, `x32/` for the X32 one.
    pub fn counters(&self, x32: bool) -> Vec<(&'static str, f64)> {
        const OSC: [&str; 10] = counter_names!("osc");
        const X32: [&str; 10] = counter_names!("x32");
        let values = [
            &self.received,
            &self.rejected_sources,
            &self.malformed,
            &self.unknown_addresses,
            &self.rejected_values,
            &self.dropped,
            &self.withheld_answers,
            &self.refused_subscriptions,
            &self.sent,
            &self.send_failures,
        ];
        let names = if x32 { X32 } else { OSC };
        names
            .into_iter()
            .zip(values.map(|c| c.load(Relaxed) as f64))
            .collect()
    }
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
