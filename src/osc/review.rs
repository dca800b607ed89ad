//! OSC addresses for revisions, their A/B and review notes, parsed into
//! [`Request`]s for the daemon's desk (which answers, see
//! `control::desk`'s review module).
//!
//! | address | arguments | |
//! |---|---|---|
//! | `/revision/save` | `NAME [NOTE [FORCE]]` | FORCE 1 replaces a revision of that name |
//! | `/revision/recall`, `/show`, `/delete` | `NAME` | a recall is one undo step |
//! | `/revision/undo`, `/revision/list` | | |
//! | `/revision/diff` | `FROM [TO]` | TO left out: the mix now |
//! | `/revision/ab` | `A B` | bounce both, then play A on the monitor |
//! | `/revision/ab/select` | `A` or `B` (or 0/1) | |
//! | `/revision/ab/toggle` | none, or 1 (0 is a button's release) | the other one |
//! | `/revision/ab/off` | | back to the mix |
//! | `/note/add` | `TEXT [POSITION [AUTHOR]]` | POSITION: seconds, `"BAR\|BEAT[\|TICK]"` or `"[H:]MM:SS"`; the transport's when left out |
//! | `/note/list` | | |
//! | `/note/done` | `ID [1\|0]` | |

use super::args::number;
use super::requests::Parsed;
use crate::control::request::Request;
use crate::notes::Request as N;
use crate::revisions::ab::Side;
use crate::revisions::Request as R;
use rosc::OscType;

/// What a `/revision/...` or `/note/...` address asks; `None` for other
/// addresses.
pub fn parse(addr: &str, args: &[OscType], tempo: f32) -> Option<Parsed> {
    let text = |i: usize| match args.get(i) {
        Some(OscType::String(s)) => Some(s.clone()),
        _ => None,
    };
    let num = |i: usize| args.get(i).and_then(number).filter(|v| !v.is_nan());
    let name = || {
        text(0)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| "expected the revision's name as a string".to_string())
    };
    let revision = |r: R| Ok(Request::Revision(r));
    let r: Result<Request, String> = match addr {
        "/revision/save" => name().map(|n| {
            Request::Revision(R::Save {
                name: n,
                note: text(1).unwrap_or_default(),
                force: num(2).is_some_and(|f| f > 0.5),
            })
        }),
        "/revision/recall" => name().map(|n| Request::Revision(R::Recall(n))),
        "/revision/show" => name().map(|n| Request::Revision(R::Show(n))),
        "/revision/delete" => name().map(|n| Request::Revision(R::Delete(n))),
        "/revision/undo" => revision(R::Undo),
        "/revision/list" => revision(R::List),
        "/revision/diff" => name().map(|from| {
            Request::Revision(R::Diff {
                from,
                to: text(1).filter(|s| !s.is_empty()),
            })
        }),
        "/revision/ab" => match (text(0), text(1)) {
            (Some(a), Some(b)) => revision(R::Ab { a, b }),
            _ => Err("expected two revision names, A and B".into()),
        },
        "/revision/ab/select" => {
            let side = match (text(0).as_deref(), num(0)) {
                (Some("A" | "a"), _) => Some(Side::A),
                (Some("B" | "b"), _) => Some(Side::B),
                (None, Some(0.0)) => Some(Side::A),
                (None, Some(1.0)) => Some(Side::B),
                _ => None,
            };
            side.map(|s| Request::Revision(R::AbSelect(Some(s))))
                .ok_or_else(|| "expected A or B (or 0 or 1)".to_string())
        }
        "/revision/ab/toggle" if num(0).is_some_and(|v| v <= 0.5) => return Some(Parsed::Released),
        "/revision/ab/toggle" => revision(R::AbSelect(None)),
        "/revision/ab/off" => revision(R::AbOff),
        "/note/add" => note_add(args, tempo),
        "/note/list" => Ok(Request::Note(N::List)),
        "/note/done" => match num(0) {
            Some(id) if id >= 1.0 && id.fract() == 0.0 && id <= f64::from(u32::MAX) => {
                Ok(Request::Note(N::Done {
                    id: id as u32,
                    done: num(1).is_none_or(|v| v > 0.5),
                }))
            }
            _ => Err("expected a note's number (1 or more) and 1 or 0".into()),
        },
        _ if addr.starts_with("/revision/") || addr.starts_with("/note/") => Err(
            "no such address; allowed: /revision/{save,recall,undo,list,show,diff,delete,ab,ab/select,ab/toggle,ab/off}, /note/{add,list,done}".to_string()
        ),
        _ => return None,
    };
    Some(Parsed::from(r))
}

/// `/note/add TEXT [POSITION [AUTHOR]]`.
fn note_add(args: &[OscType], tempo: f32) -> Result<Request, String> {
    let Some(OscType::String(text)) = args.first() else {
        return Err("expected the note's text as a string".into());
    };
    let at = match args.get(1) {
        None => None,
        Some(OscType::String(s)) if s.is_empty() => None,
        Some(OscType::String(s)) => {
            Some(crate::transport::parse_position(s, tempo).ok_or_else(|| {
                format!(
                    "`{s}` is not a position; allowed: seconds, \"BAR|BEAT[|TICK]\", \"[H:]MM:SS\""
                )
            })?)
        }
        Some(a) => Some(
            number(a)
                .filter(|s| s.is_finite() && *s >= 0.0)
                .ok_or("the position is seconds, 0 or more")?,
        ),
    };
    let author = match args.get(2) {
        Some(OscType::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    };
    Ok(Request::Note(N::Add {
        text: text.clone(),
        at,
        author,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> OscType {
        OscType::String(x.into())
    }

    fn req(addr: &str, args: &[OscType]) -> Request {
        match parse(addr, args, 120.0) {
            Some(Parsed::Request(r)) => r,
            other => panic!("{addr}: {other:?}"),
        }
    }

    #[test]
    fn addresses_make_requests() {
        assert_eq!(
            req("/revision/save", &[s("v2"), s("vocal up"), OscType::Int(1)]),
            Request::Revision(R::Save {
                name: "v2".into(),
                note: "vocal up".into(),
                force: true
            })
        );
        assert_eq!(
            req("/revision/diff", &[s("v1")]),
            Request::Revision(R::Diff {
                from: "v1".into(),
                to: None
            })
        );
        assert_eq!(
            req("/revision/ab/select", &[s("B")]),
            Request::Revision(R::AbSelect(Some(Side::B)))
        );
        assert_eq!(
            parse("/revision/ab/toggle", &[OscType::Float(0.0)], 120.0),
            Some(Parsed::Released)
        );
        assert_eq!(
            req("/note/add", &[s("less verb"), s("2|1"), s("Artist")]),
            Request::Note(N::Add {
                text: "less verb".into(),
                at: Some(2.0),
                author: Some("Artist".into())
            })
        );
        assert_eq!(
            req("/note/done", &[OscType::Int(3), OscType::Int(0)]),
            Request::Note(N::Done { id: 3, done: false })
        );
        assert_eq!(parse("/track/1/gain", &[], 120.0), None);
    }

    #[test]
    fn bad_arguments_say_what_is_expected() {
        for (addr, args) in [
            ("/revision/recall", vec![]),
            ("/revision/ab", vec![s("v1")]),
            ("/revision/ab/select", vec![s("C")]),
            ("/note/add", vec![OscType::Int(1)]),
            ("/note/add", vec![s("x"), s("soon")]),
            ("/note/done", vec![OscType::Float(1.5)]),
            ("/revision/frobnicate", vec![]),
        ] {
            match parse(addr, &args, 120.0) {
                Some(Parsed::Refused(why)) => assert!(!why.is_empty()),
                other => panic!("{addr}: {other:?}"),
            }
        }
    }
}
