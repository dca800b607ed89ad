//! OSC addresses for the transport, automation and scenes, parsed into
//! [`Request`]s for the daemon's desk.
//!
//! | address | arguments | |
//! |---|---|---|
//! | `/transport/play`, `/stop`, `/rewind`, `/forward` | none, or 1 (0 is a button's release: ignored) | |
//! | `/transport/record`, `/transport/loop` | none (toggle) or 1/0 | record = automation writing enabled |
//! | `/transport/loop` | `START END` (seconds) | set the loop range and loop |
//! | `/transport/locate`, `/transport/position` | seconds, or `"BAR\|BEAT[\|TICK]"`, `"[H:]MM:SS"` | a query with no argument (also of `/transport/playing`, `/transport/bars`) answers the position and state |
//! | `/transport/marker/add` | `[NAME]` | at the position |
//! | `/transport/marker/next`, `/previous` | | |
//! | `/transport/marker/goto`, `/delete` | `NAME` or number | |
//! | `/transport/marker/list` | | |
//! | `/transport/marker/rename` | `NAME_OR_NUMBER NEW_NAME` | |
//! | `PATH/automation` | mode, or `strip` | a lane's own mode (`/track/1/gain/automation touch`) |
//! | `/automation/undo` | | the last pass |
//! | `/scene/save`, `/delete` | `NAME` | |
//! | `/scene/recall` | `NAME [FADE_S]` | |
//! | `/scene/list`, `/scene/undo` | | |
//! | `/scene/safe` | `[STRIP_OR_GROUP 1\|0]` | |
//! | `/revision/...`, `/note/...` | | see [`super::review`] |

use super::args::number;
use crate::control::model::Mix;
use crate::control::request::Request;
use crate::params::{AutomationMode, Form, Owner, Param, ParamId};
use crate::transport::{self, Request as T};
use rosc::OscType;
use std::time::Duration;

/// What an address asks.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Not one of these addresses.
    NotOurs,
    /// A button's release: nothing to do.
    Released,
    Request(Request),
    /// Why the arguments are wrong.
    Refused(String),
}

pub fn parse(addr: &str, args: &[OscType], mix: &Mix) -> Parsed {
    let text = |i: usize| match args.get(i) {
        Some(OscType::String(s)) => Some(s.clone()),
        _ => None,
    };
    let num = |i: usize| args.get(i).and_then(number).filter(|v| !v.is_nan());
    // A button sends 1 when pressed and 0 when let go.
    let pressed = || num(0).is_none_or(|v| v > 0.5);
    let switch = || num(0).map(|v| v > 0.5);
    let name = |what: &str| {
        text(0)
            .filter(|s| !s.is_empty())
            .ok_or(format!("expected the {what} as a string"))
    };
    let tempo = mix
        .get(ParamId::new(Owner::Transport, Param::Tempo))
        .unwrap_or(120.0);
    if let Some(p) = super::review::parse(addr, args, tempo) {
        return p;
    }
    let press = |r: T| Ok(Request::Transport(r));
    let r = match addr {
        "/transport/play" | "/transport/stop" | "/transport/rewind" | "/transport/forward"
        | "/transport/marker/next" | "/transport/marker/previous"
            if !pressed() =>
        {
            return Parsed::Released
        }
        "/transport/play" => press(T::Play),
        "/transport/stop" => press(T::Stop),
        "/transport/rewind" => press(T::Rewind),
        "/transport/forward" => press(T::FastForward),
        "/transport/record" => press(T::Record(switch())),
        "/transport/loop" if args.len() >= 2 => match (num(0), num(1)) {
            (Some(a), Some(b)) => press(T::LoopRange(a, b)),
            _ => Err("expected START END in seconds".into()),
        },
        "/transport/loop" => press(T::Looping(switch())),
        "/transport/playing" | "/transport/bars" if args.is_empty() => Ok(Request::Position),
        "/transport/locate" | "/transport/position" => match args.first() {
            None => Ok(Request::Position),
            Some(OscType::String(s)) => transport::parse_position(s, tempo)
                .map(|t| Request::Transport(T::Locate(t)))
                .ok_or_else(|| format!("`{s}` is not a position; allowed: seconds, \"BAR|BEAT[|TICK]\", \"[H:]MM:SS\"")),
            Some(_) => match num(0) {
                Some(s) if s.is_finite() && s >= 0.0 => press(T::Locate(s)),
                _ => Err("expected seconds (0 or more)".into()),
            },
        },
        "/transport/marker/add" => press(T::AddMarker(text(0))),
        "/transport/marker/next" => press(T::NextMarker),
        "/transport/marker/previous" => press(T::PreviousMarker),
        "/transport/marker/goto" | "/transport/marker/delete" => {
            let which = text(0).or_else(|| num(0).map(|n| format!("{n}")));
            match which {
                None => Err("expected a marker name or number".into()),
                Some(w) if addr.ends_with("goto") => press(T::GotoMarker(w)),
                Some(w) => press(T::DeleteMarker(w)),
            }
        }
        "/transport/marker/list" => press(T::ListMarkers),
        "/transport/marker/rename" => {
            let which = text(0).or_else(|| num(0).map(|n| format!("{n}")));
            match (which, text(1).filter(|n| !n.is_empty())) {
                (Some(w), Some(n)) => press(T::RenameMarker(w, n)),
                _ => Err("expected a marker (name or number) and its new name".into()),
            }
        }
        "/automation/undo" => Ok(Request::AutomationUndo),
        "/scene/save" => name("scene name").map(Request::SceneSave),
        "/scene/delete" => name("scene name").map(Request::SceneDelete),
        "/scene/recall" => name("scene name").and_then(|n| {
            let fade = match args.get(1) {
                None => 0.0,
                Some(_) => num(1).filter(|s| s.is_finite() && *s >= 0.0).ok_or("the fade is seconds, 0 or more")?,
            };
            Ok(Request::SceneRecall { name: n, fade: Duration::from_secs_f64(fade.min(3600.0)) })
        }),
        "/scene/list" => Ok(Request::SceneList),
        "/scene/undo" => Ok(Request::SceneUndo),
        "/scene/safe" if args.is_empty() => Ok(Request::SceneSafe(None)),
        "/scene/safe" => match (text(0), num(1)) {
            (Some(p), Some(on)) => Ok(Request::SceneSafe(Some((p, on > 0.5)))),
            _ => Err("expected a strip or group and 1 or 0".into()),
        },
        _ => return lane_mode(addr, args, mix).map_or(Parsed::NotOurs, Parsed::from),
    };
    Parsed::from(r)
}

impl From<Result<Request, String>> for Parsed {
    fn from(r: Result<Request, String>) -> Parsed {
        match r {
            Ok(r) => Parsed::Request(r),
            Err(e) => Parsed::Refused(e),
        }
    }
}

/// `PATH/automation MODE`: a lane's own mode.
fn lane_mode(addr: &str, args: &[OscType], mix: &Mix) -> Option<Result<Request, String>> {
    let path = addr.strip_suffix("/automation")?;
    let r = mix.registry().resolve(path).ok()?;
    if r.form != Form::Plain || !r.id.param.automatable() {
        return None;
    }
    Some(match args.first() {
        Some(OscType::String(m)) if m == "strip" => Ok(Request::LaneMode {
            id: r.id,
            mode: None,
        }),
        Some(OscType::String(m)) => AutomationMode::from_name(m)
            .map(|mode| Request::LaneMode {
                id: r.id,
                mode: Some(mode),
            })
            .ok_or_else(|| {
                format!(
                    "expected one of {}, or strip",
                    AutomationMode::NAMES.join(", ")
                )
            }),
        _ => Err(format!(
            "expected one of {}, or strip",
            AutomationMode::NAMES.join(", ")
        )),
    })
}
