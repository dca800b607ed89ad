//! The Mackie Control protocol (MCU, X-Touch, extenders, Icon-class
//! devices in Mackie mode): the device's bytes in [`protocol`], its
//! scribble strips in `display`, the surface itself in [`Mackie`], its
//! monitor-section buttons in [`monitor`], review notes passed on its
//! display in `note`.

mod display;
pub mod monitor;
mod note;
mod options;
pub mod protocol;
mod surface;

pub use options::{Device, Options};
pub use surface::Mackie;
