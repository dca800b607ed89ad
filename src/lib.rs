//! mixbridge: a headless mixing console for Linux rack machines.
//!
//! See `ARCHITECTURE.md` for the map of the code and its invariants.

pub mod atomic_file;
pub mod audio;
pub mod audio_file;
pub mod automation;
pub mod bounce;
pub mod cli;
pub mod config;
pub mod control;
pub mod engine;
pub mod memory;
pub mod midi;
pub mod name_pattern;
pub mod notes;
pub mod osc;
pub mod params;
pub mod render;
pub mod report;
pub mod revisions;
pub mod scenes;
pub mod service;
pub mod session;
pub mod sources;
pub mod state;
pub mod transport;
pub mod units;
pub mod yaml;
