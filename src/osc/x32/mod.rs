//! The Behringer X32 / M32 and X-Air OSC protocol, so that apps made for
//! those consoles (Mixing Station, X32-Mix, X-Air Edit, TouchOSC and Open
//! Stage Control templates) drive this one.
//!
//! A second server beside the native one, on its own UDP port, with the
//! same receive thread, allow-list and non-blocking sender. It speaks the
//! model through the same one writer: every change an X32 app makes is a
//! [`crate::control::model::Change`] with [`Origin::X32`] committed by the
//! daemon like any other, so native OSC clients, MIDI surfaces and the
//! other X32 apps all see it, and the app that made it is not echoed.
//!
//! - [`laws`]: the protocol's value laws (fader, frequency, gain, Q...) as
//!   arguments and as node text;
//! - [`table`]: the X32 address space as data, bound to the console's;
//! - [`node`]: `/node` and `/` text;
//! - [`meters`]: the `/meters/N` blobs;
//! - [`Server`]: clients, subscriptions and what each is owed.
//!
//! [`Origin::X32`]: crate::control::model::Origin::X32

pub mod laws;
pub mod meters;
pub mod node;
mod server;
pub mod table;
#[doc(hidden)]
pub mod testing;

pub use server::{
    max_clients, Server, CONSOLE_NAME, MAX_MESSAGES_PER_FLUSH, MAX_METER_SETS, TIMEOUT,
};
