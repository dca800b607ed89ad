//! The control side: the mix model and the daemon's event loop.
//!
//! Surfaces (OSC, MIDI) see the console through this module: the model, the
//! changes it makes, and the meter readings the control loop takes from the
//! audio side. They never touch the engine.

pub mod daemon;
pub mod desk;
pub mod model;
pub mod reference;
pub mod request;
pub mod surfaces;

/// Meter readings as the control loop hands them to surfaces.
pub use crate::engine::{LoudnessReading, MeterSnapshot, StripReading};
