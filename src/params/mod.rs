//! The address space: every parameter of the console has one typed identity
//! ([`ParamId`]), one path string, and one [`Spec`] (unit, range, default,
//! taper). OSC, MIDI mappings, automation, scenes and the session file all go
//! through this module and nothing else, so that a parameter means the same
//! thing everywhere.
//!
//! Values are plain `f32` in the parameter's own unit (dB, Hz, ms, ratio, 0/1
//! for switches, the index for a choice). The `fader` form of a level is the
//! same parameter seen through the console fader law ([`fader_law`]).

pub mod fader_law;
mod id;
pub mod monitor;
mod path;
mod registry;
mod spec;

pub use id::{
    CompField, DelayField, DriveField, EqField, GateField, LimiterField, ModField, Owner, Param,
    ParamId, PitchField, ReverbField, SendField, EQ_BANDS,
};
pub use monitor::{Check, MonitorField, SoloMode};
pub use path::{Form, ParamRef, PathError};
pub use registry::{BusEffect, Layout, Registry};
pub use spec::{AutomationMode, DriveType, EqType, ModType, NoteValue, Spec, Taper, Unit};
