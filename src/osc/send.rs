//! Sending without waiting: the control loop must never block on a client.
//!
//! The socket is shared with the receive thread, which reads it with a
//! timeout, so it cannot be switched to non-blocking mode as a whole; each
//! send asks for it instead (`MSG_DONTWAIT`). A datagram the kernel will not
//! take at once is dropped and counted. UDP has no per-peer flow control,
//! and a datagram stops counting against the sender once it is handed on
//! (loopback orphans it at once), so a slow or dead client costs nothing
//! more than the datagrams sent to it (`a_hung_client_does_not_hold_up_the_others`).

use super::server::Outgoing;
use super::OscStats;
use socket2::{SockAddr, SockRef};
use std::net::UdpSocket;
use std::sync::atomic::Ordering::Relaxed;

/// Send every datagram once, never waiting.
pub fn send_all(socket: &UdpSocket, datagrams: Vec<Outgoing>, stats: &OscStats) {
    let sock = SockRef::from(socket);
    for Outgoing { to, bytes } in datagrams {
        match sock.send_to_with_flags(&bytes, &SockAddr::from(to), libc::MSG_DONTWAIT) {
            Ok(_) => stats.sent.fetch_add(1, Relaxed),
            Err(e) => {
                log::debug!("OSC: send to {to}: {e}");
                stats.send_failures.fetch_add(1, Relaxed)
            }
        };
    }
}
