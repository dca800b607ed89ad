//! MIDI control surfaces: fader boxes with generic YAML mappings, and Mackie
//! Control devices.
//!
//! Split like the OSC side, so that protocol logic runs without hardware:
//! - [`message`]: MIDI 1.0 bytes ⇄ messages;
//! - [`surface`]: the protocol interface the control loop drives (bytes in,
//!   model changes and bytes out), with [`pacing`] and [`activity`] shared
//!   by every protocol;
//! - [`mapping`]: generic surfaces: YAML mapping files and their router;
//! - [`mackie`]: the Mackie Control protocol;
//! - [`ports`]: midir ports found by name pattern, re-scanned, reconnected;
//!   the only part that touches the system.

pub mod activity;
pub mod calibration;
pub mod feedback;
pub mod learn;
pub mod mackie;
pub mod mapping;
pub mod message;
pub mod mmc;
pub mod open;
pub mod pacing;
pub mod ports;
pub mod surface;
#[cfg(test)]
pub(crate) mod testing;

pub use message::{DecodeError, Message};
pub use surface::{Action, Input, Outgoing, Surface, SurfaceStats, TransportAction};
