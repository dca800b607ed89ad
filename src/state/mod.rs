//! The persisted mix state: every parameter value of the running session,
//! kept in the state directory so that a box that loses power comes back
//! exactly as it was left.
//!
//! The state is written often and read once, at start, possibly after the
//! worst moment to lose power. So writes are atomic and keep the previous
//! generation ([`StateStore::save`]); reading never fails start-up: a file
//! that is damaged, cut short or from another version is set aside and the
//! previous generation is used ([`StateStore::load`]); and nothing is ever
//! overwritten that has not been checked first.
//!
//! Use from the daemon's control loop:
//! - at start, [`StateStore::load`]; if it gives a state whose `session` is
//!   the session being run, apply its values over the session's `mix`; log
//!   or print the [`LoadOutcome`]'s `set_aside` files (they are also logged
//!   as warnings here);
//! - on every change of the mix, [`Debounce::mark`]; when
//!   [`Debounce::due`] (wait no later than [`Debounce::deadline`]) and at
//!   shutdown, [`StateStore::save`] the whole state, then
//!   [`Debounce::saved`] or, if it failed, log it and [`Debounce::failed`].
//!
//! A save costs two fsyncs (milliseconds on an SD card); it is the control
//! thread's to make, never the audio thread's.

mod crc32;
mod debounce;
mod format;
mod store;

pub use debounce::{Debounce, DEBOUNCE, MAX_DELAY};
pub use format::VERSION;
pub use store::StateStore;

use std::collections::BTreeMap;
use std::path::PathBuf;

/// Every parameter value of one session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MixState {
    /// Which session the values belong to (its canonical path).
    pub session: String,
    /// Parameter path (as in the session's `mix:`, without the leading
    /// slash) → plain value in the units of its `Spec`.
    pub values: BTreeMap<String, f32>,
    /// Strip name path (`track/1/name`) → name, as renamed live.
    pub names: BTreeMap<String, String>,
    /// Strip colour path (`track/1/colour`) → colour name, as set live.
    pub colours: BTreeMap<String, String>,
}

/// What [`StateStore::load`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadOutcome {
    /// No usable state: start from the session as written.
    Fresh { set_aside: Vec<SetAside> },
    Loaded {
        state: MixState,
        /// The current generation did not load; this is the one before it.
        from_previous: bool,
        set_aside: Vec<SetAside>,
    },
}

/// A state file that did not load.
#[derive(Debug, Clone, PartialEq)]
pub struct SetAside {
    /// Where it was.
    pub file: PathBuf,
    /// Where it is now; `None` if it could not be moved (it was left where it was).
    pub moved_to: Option<PathBuf>,
    /// Why it did not load.
    pub why: String,
}

impl LoadOutcome {
    /// The state to restore, if any.
    pub fn state(&self) -> Option<&MixState> {
        match self {
            LoadOutcome::Fresh { .. } => None,
            LoadOutcome::Loaded { state, .. } => Some(state),
        }
    }

    /// The files that did not load, newest generation first.
    pub fn set_aside(&self) -> &[SetAside] {
        match self {
            LoadOutcome::Fresh { set_aside } | LoadOutcome::Loaded { set_aside, .. } => set_aside,
        }
    }
}
