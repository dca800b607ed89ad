//! The control side: the mix model and the daemon's event loop.

pub mod daemon;
pub mod model;
