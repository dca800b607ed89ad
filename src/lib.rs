//! mixbridge: a headless mixing console for Linux rack machines.
//!
//! See `ARCHITECTURE.md` for the map of the code and its invariants.

pub mod audio;
pub mod audio_file;
pub mod cli;
pub mod engine;
pub mod params;
pub mod render;
pub mod report;
pub mod session;
pub mod units;
pub mod yaml;
