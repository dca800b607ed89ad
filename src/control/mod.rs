//! The control side: the mix model, the wiring of a session to this
//! machine, and the daemon's event loop.

pub mod daemon;
pub mod model;
pub mod wiring;
