//! mixbridge: a headless mixing console for Linux rack machines.
//!
//! See `ARCHITECTURE.md` for the map of the code and its invariants.

pub mod audio_file;
pub mod engine;
pub mod params;
pub mod report;
pub mod units;
