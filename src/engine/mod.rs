//! The mixing engine: tracks, buses and master, processed block by block.
//!
//! This module knows nothing of protocols, file formats or audio backends. It
//! takes parameter changes as typed [`crate::params::ParamId`]s through a
//! wait-free queue and processes planar `f32` buffers.

pub mod denormal;
pub mod dsp;
pub mod loudness;
pub mod smoothing;
