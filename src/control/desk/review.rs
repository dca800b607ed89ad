//! The desk's revisions, review notes and A/B: their requests carried out
//! against the live mix, and what they answer.
//!
//! | request | answers |
//! |---|---|
//! | save | `/revision/saved NAME FILE` |
//! | recall, undo | `/revision/recalled NAME UNKNOWN`, `/revision/undone` (paths the session lacks are counted, and named in the log) |
//! | list | `/revision/count N`, then `/revision NAME SAVED NOTE` each (oldest first) and `/revision/broken NAME ERROR` for files that cannot be read |
//! | show | `/revision NAME SAVED NOTE`, `/revision/contents VALUES LANES POINTS MARKERS SCENES` |
//! | diff | `/revision/diff/change STRIP TEXT JSON` each, then `/revision/diff/done FROM TO COUNT` |
//! | delete | `/revision/deleted NAME` |
//! | A/B | `/revision/ab/state off [WHY]` or `bouncing A B` or `playing A B SIDE` (also to every client when the bounces are ready) |
//! | note add | `/note/added ID AT AUTHOR TEXT` |
//! | note list | `/note/count N`, then `/note ID AT AUTHOR TIME DONE TEXT` each |
//! | note done | `/note/done ID DONE` |

use super::{Desk, Done};
use crate::control::model::{Change, Key, Mix, Origin};
use crate::control::request::{Answer, Arg};
use crate::engine::EngineHandle;
use crate::notes::{self, Note};
use crate::params::{MonitorField, Owner, Param, ParamId};
use crate::revisions::ab::{Bounced, Side, State};
use crate::revisions::{self, diff, Request, Revision};
use crate::scenes::file::rfc3339;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// What is wrong with a session's revision and notes files, each with its
/// file and line. They stop nothing: `check` lists them, the daemon logs
/// them, a broken revision is refused when asked for and broken notes are
/// read-only.
pub fn review_problems(revisions: &revisions::Revisions, notes: &notes::Notes) -> Vec<String> {
    let mut out: Vec<String> = (revisions.problems().iter())
        .map(|e| format!("{e} (this revision cannot be recalled until it is fixed)"))
        .collect();
    out.extend(
        notes
            .problems()
            .map(|e| format!("{e}\n(the notes are read-only until this file is fixed)")),
    );
    out
}

/// Milliseconds since 1970, now.
fn wall_clock() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn text(s: &str) -> Arg {
    Arg::Text(s.to_string())
}

/// The monitor's switch between the mix and its reference slot.
const LISTEN: ParamId = ParamId::new(Owner::Monitor, Param::Monitor(MonitorField::Reference));

impl Desk {
    /// The mix as it is now, as a revision named `name`.
    fn now_as(&self, name: &str, note: &str, mix: &Mix) -> Revision {
        revisions::capture(
            name,
            note,
            wall_clock(),
            mix,
            &self.automation,
            &self.transport,
            &self.scenes,
        )
    }

    pub(super) fn revision(
        &mut self,
        request: Request,
        mix: &mut Mix,
        handle: &mut EngineHandle,
    ) -> Done {
        let mut done = Done::default();
        let result = match request {
            Request::Save { name, note, force } => {
                if note.chars().count() > revisions::file::MAX_NOTE {
                    Err(format!(
                        "a revision's note has at most {} characters",
                        revisions::file::MAX_NOTE
                    ))
                } else {
                    let r = self.now_as(&name, &note, mix);
                    self.revisions.save(&r, force).map(|path| {
                        log::info!("revision `{name}` saved to {}", path.display());
                        vec![Answer::new(
                            "/revision/saved",
                            vec![Arg::Text(name), text(&path.display().to_string())],
                        )]
                    })
                }
            }
            Request::Recall(name) => self.revisions.get(&name).map(|r| {
                self.automation.finish(mix, handle);
                let before = self.now_as("undo", "", mix);
                let n = self.apply(&r, mix, handle, &mut done);
                self.revisions.keep_for_undo(before);
                vec![Answer::new(
                    "/revision/recalled",
                    vec![Arg::Text(name), Arg::Number(n as f64)],
                )]
            }),
            Request::Undo => self.revisions.undo().map(|before| {
                self.apply(&before, mix, handle, &mut done);
                vec![Answer::new("/revision/undone", vec![])]
            }),
            Request::List => Ok(self.list_answers()),
            Request::Show(name) => self.revisions.get(&name).map(|r| show_answers(&r)),
            Request::Diff { from, to } => self.diff_answers(&from, to.as_deref(), mix),
            Request::Delete(name) => self.revisions.delete(&name).map(|path| {
                log::info!("revision `{name}` deleted ({})", path.display());
                vec![Answer::new("/revision/deleted", vec![Arg::Text(name)])]
            }),
            Request::Ab { a, b } => self.start_ab(&a, &b, mix, handle, &mut done),
            Request::AbSelect(side) => self.ab.select(side).map(|state| {
                if let Some(r) = self.ab.reference() {
                    handle.set_reference(r);
                }
                vec![ab_answer(&state)]
            }),
            Request::AbOff => {
                self.stop_ab(mix, &mut done);
                Ok(vec![ab_answer(&State::Off)])
            }
        };
        match result {
            Ok(answers) => done.answers.extend(answers),
            Err(e) => done.error = Some(e),
        }
        done
    }

    /// Bring a revision (or the mix before a recall) into the live mix;
    /// the number of its paths the session does not have.
    fn apply(
        &mut self,
        r: &Revision,
        mix: &mut Mix,
        handle: &mut EngineHandle,
        done: &mut Done,
    ) -> usize {
        let out = revisions::recall(
            r,
            mix,
            &mut self.automation,
            &mut self.transport,
            &mut self.scenes,
            handle,
        );
        if !out.unknown.is_empty() {
            log::warn!(
                "revision `{}`: {} paths this session does not have were left out: {}",
                r.name,
                out.unknown.len(),
                out.unknown.join(", ")
            );
        }
        if !out.unsaved.is_empty() {
            done.error = Some(format!(
                "revision `{}` is in the mix, but not all of it could be saved: {}",
                r.name,
                out.unsaved.join("; ")
            ));
        }
        done.changes.extend(out.changes);
        out.unknown.len()
    }

    fn list_answers(&self) -> Vec<Answer> {
        let all = self.revisions.list();
        let mut answers = vec![Answer::new(
            "/revision/count",
            vec![Arg::Number(all.len() as f64)],
        )];
        for l in all {
            answers.push(match &l.revision {
                Ok(r) => summary(r),
                Err(e) => Answer::new(
                    "/revision/broken",
                    vec![Arg::Text(l.name.clone()), text(&e.to_string())],
                ),
            });
        }
        answers
    }

    fn diff_answers(&self, from: &str, to: Option<&str>, mix: &Mix) -> Result<Vec<Answer>, String> {
        let a = self.revisions.get(from)?;
        let b = match to {
            Some(name) => self.revisions.get(name)?,
            None => self.now_as("now", "", mix),
        };
        let changes = diff::diff(&a, &b);
        let mut answers: Vec<Answer> = changes
            .iter()
            .map(|c| {
                let json = diff::change_json(c, &b);
                Answer::new(
                    "/revision/diff/change",
                    vec![
                        text(json["strip"].as_str().unwrap_or("")),
                        text(&c.text),
                        text(&json.to_string()),
                    ],
                )
            })
            .collect();
        answers.push(Answer::new(
            "/revision/diff/done",
            vec![
                text(&a.name),
                text(&b.name),
                Arg::Number(changes.len() as f64),
            ],
        ));
        Ok(answers)
    }

    fn start_ab(
        &mut self,
        a: &str,
        b: &str,
        mix: &mut Mix,
        handle: &mut EngineHandle,
        done: &mut Done,
    ) -> Result<Vec<Answer>, String> {
        if mix.get(LISTEN).is_none() {
            return Err("an A/B plays on the monitor section: give config.yaml a `monitor:` (see README, Monitor section)".into());
        }
        let (ra, rb) = (self.revisions.get(a)?, self.revisions.get(b)?);
        let state = self.ab.start(ra, rb, Side::A)?;
        self.listen(mix, handle, done);
        Ok(vec![ab_answer(&state)])
    }

    /// A bounce finished: once both are ready, the monitor plays the pair.
    /// What to tell every client.
    pub fn on_bounced(&mut self, b: Bounced, mix: &mut Mix, handle: &mut EngineHandle) -> Done {
        let mut done = Done::default();
        let (state, error) = self.ab.on_bounced(b);
        let mut answer = ab_answer(&state);
        if let Some(e) = error {
            log::error!("{e}");
            self.stop_ab(mix, &mut done);
            answer.args.push(text(&e));
        } else {
            self.listen(mix, handle, &mut done);
        }
        done.answers.push(answer);
        done
    }

    /// While the pair plays, the monitor listens to its reference slot,
    /// which holds the pair.
    fn listen(&mut self, mix: &mut Mix, handle: &mut EngineHandle, done: &mut Done) {
        let Some(reference) = self.ab.reference() else {
            return;
        };
        handle.set_reference(reference);
        if self.ab.resume.is_none() {
            self.ab.resume = mix.get(LISTEN);
        }
        set(mix, LISTEN, 1.0, done);
    }

    /// End the A/B: the monitor listens to what it did before.
    pub fn stop_ab(&mut self, mix: &mut Mix, done: &mut Done) {
        self.ab.stop();
        if let Some(v) = self.ab.resume.take() {
            set(mix, LISTEN, v, done);
        }
    }

    pub(super) fn note(
        &mut self,
        request: notes::Request,
        mix: &Mix,
        handle: &mut EngineHandle,
        now: Instant,
    ) -> Done {
        let mut done = Done::default();
        let result = match request {
            notes::Request::Add { text, at, author } => {
                let at = at.unwrap_or_else(|| self.position(mix, handle, now).0);
                let author = author.unwrap_or_else(|| "unknown".into());
                self.notes
                    .add(&text, at, &author, wall_clock())
                    .map(|n| vec![note_answer("/note/added", &n)])
            }
            notes::Request::List => {
                let list = self.notes.list();
                let mut answers = vec![Answer::new(
                    "/note/count",
                    vec![Arg::Number(list.len() as f64)],
                )];
                answers.extend(list.iter().map(|n| {
                    Answer::new(
                        "/note",
                        vec![
                            Arg::Number(f64::from(n.id)),
                            Arg::Number(n.at),
                            text(&n.author),
                            text(&rfc3339(n.time)),
                            Arg::Number(f64::from(u8::from(n.done))),
                            text(&n.text),
                        ],
                    )
                }));
                Ok(answers)
            }
            notes::Request::Done { id, done: d } => self.notes.set_done(id, d).map(|n| {
                vec![Answer::new(
                    "/note/done",
                    vec![
                        Arg::Number(f64::from(n.id)),
                        Arg::Number(f64::from(u8::from(n.done))),
                    ],
                )]
            }),
        };
        match result {
            Ok(answers) => done.answers = answers,
            Err(e) => done.error = Some(e),
        }
        done
    }

    /// The open notes the transport has passed since it was last asked.
    pub fn passing_notes(&mut self, seconds: f64, playing: bool) -> Vec<Note> {
        self.notes.passing(seconds, playing)
    }
}

fn set(mix: &mut Mix, id: ParamId, v: f32, done: &mut Done) {
    if mix.set(id, v).is_some() {
        done.changes.push(Change {
            key: Key::Param(id),
            origin: Origin::Session,
        });
    }
}

/// `/revision NAME SAVED NOTE`.
fn summary(r: &Revision) -> Answer {
    Answer::new(
        "/revision",
        vec![text(&r.name), text(&rfc3339(r.saved)), text(&r.note)],
    )
}

fn show_answers(r: &Revision) -> Vec<Answer> {
    let points: usize = r.lanes.iter().map(|l| l.lane.points().len()).sum();
    vec![
        summary(r),
        Answer::new(
            "/revision/contents",
            [
                r.values.len(),
                r.lanes.len(),
                points,
                r.markers.len(),
                r.scenes.len(),
            ]
            .into_iter()
            .map(|n| Arg::Number(n as f64))
            .collect(),
        ),
    ]
}

/// The A/B's state as clients are told it.
pub fn ab_answer(state: &State) -> Answer {
    let args = match state {
        State::Off => vec![text("off")],
        State::Bouncing { a, b } => vec![text("bouncing"), text(a), text(b)],
        State::Playing { a, b, side } => vec![
            text("playing"),
            text(a),
            text(b),
            text(if *side == Side::A { "A" } else { "B" }),
        ],
    };
    Answer::new("/revision/ab/state", args)
}

/// A note as clients are told it: `ID AT AUTHOR TEXT`.
pub fn note_answer(address: &str, n: &Note) -> Answer {
    Answer::new(
        address,
        vec![
            Arg::Number(f64::from(n.id)),
            Arg::Number(n.at),
            text(&n.author),
            text(&n.text),
        ],
    )
}
