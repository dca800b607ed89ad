//! OSC over UDP: tablets and scripts control the console and see it.
//!
//! Three parts, so that the protocol logic can be tested and fuzzed without
//! a network:
//! - [`receiver`]: a thread reads the socket, applies the allow-list and
//!   queues datagrams (bounded; a flood is dropped and counted);
//! - [`Server`]: on the control thread, turns datagrams into model changes
//!   and replies, keeps the clients, and decides what feedback each is owed
//!   and when (coalesced, rate-limited, in datagram-sized bundles);
//! - [`send`]: puts the server's datagrams on the socket without ever waiting.
//!
//! The address space is the console's parameter paths ([`space`]), matched
//! with OSC 1.0 patterns ([`pattern`]). The protocol is documented on
//! [`server`].
//!
//! [`x32`] is a second server, for apps made for Behringer X32 and X-Air
//! consoles: the same receive thread, allow-list and sender on a socket of
//! its own, speaking the X32 address space mapped onto this one.

pub mod args;
mod clients;
mod feedback;
mod packer;
pub mod pattern;
pub mod receiver;
pub mod requests;
pub mod review;
pub mod send;
pub mod server;
pub mod space;
pub mod x32;

pub use clients::{MAX_SUBSCRIBERS, METER_RATES};
pub use packer::MAX_PAYLOAD;
pub use receiver::{spawn_receiver, Allow, Datagram, OscStats, MAX_DATAGRAM, QUEUE};
pub use server::{Server, MIN_INTERVAL};
