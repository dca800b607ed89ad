//! Requests that are not parameter values: the transport, automation,
//! scenes, revisions and review notes. Every surface makes them (OSC
//! addresses, Mackie buttons, mapping actions, MIDI Machine Control, the
//! command line through OSC) and the daemon's [`super::desk::Desk`]
//! carries them out, the same way for all.

use crate::params::{AutomationMode, Owner, ParamId};
use crate::transport;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Transport(transport::Request),
    /// Where the transport is (answered, not changed).
    Position,
    /// Set the automation mode of strips; none listed means every track.
    StripMode {
        mode: AutomationMode,
        owners: Vec<Owner>,
    },
    /// Give one lane its own mode, or (`None`) let it follow its strip.
    LaneMode {
        id: ParamId,
        mode: Option<AutomationMode>,
    },
    /// Undo the last pass written.
    AutomationUndo,
    SceneSave(String),
    SceneRecall {
        name: String,
        fade: Duration,
    },
    SceneDelete(String),
    SceneList,
    /// Undo the last recall.
    SceneUndo,
    /// Make a strip or group recall-safe (`Some`), or list them (`None`).
    SceneSafe(Option<(String, bool)>),
    Revision(crate::revisions::Request),
    Note(crate::notes::Request),
}

/// One value of an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Number(f64),
}

/// Something said back to whoever asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub address: String,
    pub args: Vec<Arg>,
}

impl Answer {
    pub fn new(address: &str, args: Vec<Arg>) -> Answer {
        Answer {
            address: address.to_string(),
            args,
        }
    }
}
