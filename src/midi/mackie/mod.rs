//! The Mackie Control protocol (MCU, X-Touch, extenders, Icon-class devices).

mod options;

pub use options::{Device, Options};
