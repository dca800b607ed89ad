//! Automation on the control side: which lanes the engine plays, the passes
//! written from surface moves, and the lane files.
//!
//! The engine reads lanes at the transport position (`engine::automation`);
//! this module decides, per lane, whether it reads, from the lane's mode
//! (its own, else its strip's) and the controls being touched. A move from
//! a surface while the transport plays is written into a pass; passes are
//! thinned, spliced into their lanes and saved when the transport stops
//! (or jumps), and each stop's passes can be undone together.
//!
//! Touch comes from the model (Mackie fader touch, OSC `/z` and `/touch`)
//! or, for controls that cannot report it, from activity: a control moved
//! within the last `release_after` counts as touched.
//!
//! A control in the hand wins over its lane: the surfaces are not fed the
//! lane under a touch, and a control held as playback starts writes what
//! it holds. Passes that open with playback begin at the frame it started
//! from (the clock's origin), however late the control loop saw the start.

pub mod file;
pub mod thin;
pub mod timeline;

use crate::control::model::{Change, Key, Mix, Origin};
use crate::engine::automation::{Lane, LaneCommand, LaneSetup, Playback, Point, Shape, EDGE};
use crate::engine::transport::TransportClock;
use crate::engine::EngineHandle;
use crate::params::{AutomationMode, Owner, Param, ParamId, Registry, Spec};
use crate::yaml::Errors;
use file::shape_of;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use timeline::{Now, Timeline};

/// A gap between two values written longer than this was a hold (surfaces
/// report a moving control every few milliseconds), in seconds.
const HOLD_GAP: f64 = 0.05;

/// Undo steps kept (each is one stop's passes).
pub const UNDO_DEPTH: usize = 32;

/// How automation behaves (from the config).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// A control that cannot report touch counts as released this long
    /// after its last move.
    pub release_after: Duration,
    /// How long a released control takes to glide back to its lane.
    pub glide: Duration,
    /// Thinning tolerance, a fraction of the control's travel.
    pub tolerance: f32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            release_after: Duration::from_millis(500),
            glide: Duration::from_millis(250),
            tolerance: thin::TOLERANCE,
        }
    }
}

/// Figures of the last committed stop, for the log and `/status`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PassReport {
    pub lanes: usize,
    pub recorded: usize,
    pub kept: usize,
}

/// What a pass records: the value itself, or an offset on the lane (trim).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Absolute,
    Offset,
}

/// One parameter's writing during this play.
#[derive(Debug, Default)]
struct Pass {
    closed: Vec<(Kind, Vec<Point>)>,
    open: Option<(Kind, Vec<Point>)>,
}

pub struct Automation {
    dir: PathBuf,
    settings: Settings,
    lanes: BTreeMap<ParamId, Arc<Lane>>,
    lane_modes: BTreeMap<ParamId, AutomationMode>,
    /// Each lane's index in the engine's playback.
    index: BTreeMap<ParamId, u32>,
    /// Lanes the engine reads now.
    reading: BTreeSet<ParamId>,
    offsets: BTreeMap<ParamId, f32>,
    passes: BTreeMap<ParamId, Pass>,
    last_move: BTreeMap<ParamId, Instant>,
    undo: Vec<Vec<(ParamId, Option<Arc<Lane>>)>>,
    timeline: Timeline,
    now: Now,
    /// Writing is enabled (the transport's record switch).
    record: bool,
    /// The time the surfaces were last shown the lanes at.
    fed_at: Option<f64>,
    /// Values the engine plays that the model is yet to be given.
    catch_up: Vec<(ParamId, f32)>,
    last_report: PassReport,
}

impl Automation {
    /// The lanes of the session in `session_dir`: all of them, or every
    /// problem found in their files.
    pub fn load(
        session_dir: &Path,
        registry: &Registry,
        settings: Settings,
    ) -> Result<Automation, Errors> {
        let dir = session_dir.join(file::FOLDER);
        let files = file::load_dir(&dir, registry)?;
        Ok(Automation::from_files(dir, settings, files))
    }

    /// Lanes given whole (a revision's), kept in the lane folder `dir`.
    pub fn from_files(dir: PathBuf, settings: Settings, files: Vec<file::LaneFile>) -> Automation {
        let clock = TransportClock::default();
        let mut timeline = Timeline::new(48_000, &clock);
        let now = timeline.read(&clock, Instant::now());
        let mut a = Automation {
            dir,
            settings,
            lanes: BTreeMap::new(),
            lane_modes: BTreeMap::new(),
            index: BTreeMap::new(),
            reading: BTreeSet::new(),
            offsets: BTreeMap::new(),
            passes: BTreeMap::new(),
            last_move: BTreeMap::new(),
            undo: Vec::new(),
            timeline,
            now,
            record: true,
            fed_at: None,
            catch_up: Vec::new(),
            last_report: PassReport::default(),
        };
        a.take_files(files);
        a
    }

    fn take_files(&mut self, files: Vec<file::LaneFile>) {
        self.lanes.clear();
        self.lane_modes.clear();
        for f in files {
            if let Some(m) = f.mode {
                self.lane_modes.insert(f.id, m);
            }
            if !f.lane.is_empty() {
                self.lanes.insert(f.id, Arc::new(f.lane));
            }
        }
    }

    /// Every lane with a mode of its own or points, as its file holds it.
    pub fn files(&self) -> Vec<file::LaneFile> {
        let ids: BTreeSet<ParamId> = self
            .lanes
            .keys()
            .chain(self.lane_modes.keys())
            .copied()
            .collect();
        ids.into_iter()
            .map(|id| file::LaneFile {
                id,
                mode: self.lane_modes.get(&id).copied(),
                lane: self.lanes.get(&id).map_or_else(
                    || Lane::new(shape_of(id), Vec::new()),
                    |l| l.as_ref().clone(),
                ),
            })
            .collect()
    }

    /// Replace every lane (a revision recalled): what is being written is
    /// committed first, every lane file is rewritten or removed, the undo
    /// history of passes is dropped (it undoes into other lanes) and the
    /// engine plays the new lanes.
    pub fn replace(
        &mut self,
        files: Vec<file::LaneFile>,
        mix: &Mix,
        handle: &mut EngineHandle,
    ) -> std::io::Result<()> {
        self.commit(mix, handle);
        let keep: BTreeSet<ParamId> = files.iter().map(|f| f.id).collect();
        let gone: Vec<ParamId> = self
            .lanes
            .keys()
            .chain(self.lane_modes.keys())
            .filter(|id| !keep.contains(id))
            .copied()
            .collect();
        let mut result = Ok(());
        for id in gone {
            if let Err(e) = crate::atomic_file::remove(&file::path_of(&self.dir, id)) {
                result = Err(e);
            }
        }
        for f in &files {
            if let Err(e) = file::save(&self.dir, f.id, f.mode, &f.lane) {
                result = Err(e);
            }
        }
        self.take_files(files);
        self.undo.clear();
        handle.set_playback(self.playback(mix));
        result
    }

    /// Follow the clock of a new engine running at `sample_rate`, and give
    /// it the lanes.
    pub fn attach(&mut self, sample_rate: u32, mix: &Mix, handle: &mut EngineHandle) {
        self.timeline = Timeline::new(sample_rate, handle.clock());
        self.now = self.timeline.read(handle.clock(), Instant::now());
        handle.set_playback(self.playback(mix));
    }

    /// Where the transport is now (passes opened or committed as it moved).
    pub fn position(&mut self, mix: &Mix, handle: &mut EngineHandle, now: Instant) -> Now {
        self.sync(mix, handle, now);
        self.now
    }

    /// Commit every pass being written (shutdown, reload).
    pub fn finish(&mut self, mix: &Mix, handle: &mut EngineHandle) {
        self.close_all(mix);
        self.commit(mix, handle);
    }

    /// Every lane, by parameter.
    pub fn lanes(&self) -> &BTreeMap<ParamId, Arc<Lane>> {
        &self.lanes
    }

    pub fn last_report(&self) -> PassReport {
        self.last_report
    }

    pub fn record(&self) -> bool {
        self.record
    }

    /// Enable or disable writing; disabling ends the passes being written.
    pub fn set_record(&mut self, on: bool, mix: &Mix, handle: &mut EngineHandle) {
        if !on && self.record {
            self.commit(mix, handle);
        }
        self.record = on;
        self.sync_reading(mix, handle);
    }

    /// The mode that applies to a parameter's lane.
    pub fn mode(&self, mix: &Mix, id: ParamId) -> AutomationMode {
        if !id.param.automatable() || id.owner == Owner::Transport {
            return AutomationMode::Off;
        }
        if let Some(m) = self.lane_modes.get(&id) {
            return *m;
        }
        mix.get(ParamId::new(id.owner, Param::Automation))
            .map_or(AutomationMode::Off, AutomationMode::from_index)
    }

    /// Give a lane its own mode (`None`: follow its strip). Saved at once.
    pub fn set_lane_mode(
        &mut self,
        id: ParamId,
        mode: Option<AutomationMode>,
        mix: &Mix,
        handle: &mut EngineHandle,
    ) -> std::io::Result<()> {
        match mode {
            Some(m) => self.lane_modes.insert(id, m),
            None => self.lane_modes.remove(&id),
        };
        let empty = Lane::new(shape_of(id), Vec::new());
        let lane = self.lanes.get(&id).map_or(&empty, |l| l.as_ref());
        file::save(&self.dir, id, mode, lane)?;
        self.sync_reading(mix, handle);
        Ok(())
    }

    /// The engine playback for the current lanes (sent to a new engine,
    /// and after every change of lanes).
    pub fn playback(&mut self, mix: &Mix) -> Playback {
        self.fed_at = None;
        self.index.clear();
        self.reading.clear();
        let mut setups = Vec::with_capacity(self.lanes.len());
        let ids: Vec<ParamId> = self.lanes.keys().copied().collect();
        for id in ids {
            let reading = self.wants_read(mix, id);
            if reading {
                self.reading.insert(id);
            }
            self.index.insert(id, setups.len() as u32);
            setups.push(LaneSetup {
                id,
                lane: self.lanes[&id].clone(),
                reading,
                offset: self.offsets.get(&id).copied().unwrap_or(0.0),
            });
        }
        Playback::new(setups)
    }

    /// Whether the engine should play a lane now.
    fn wants_read(&self, mix: &Mix, id: ParamId) -> bool {
        if !self.lanes.contains_key(&id) {
            return false;
        }
        let writing = self
            .passes
            .get(&id)
            .is_some_and(|p| matches!(p.open, Some((Kind::Absolute, _))));
        match self.mode(mix, id) {
            AutomationMode::Off => false,
            AutomationMode::Read | AutomationMode::Trim => !writing,
            AutomationMode::Touch | AutomationMode::Latch => !writing,
            AutomationMode::Write => !(self.now.playing && self.record),
        }
    }

    /// Tell the engine about every lane whose reading changed (after a
    /// mode change, a touch, a release).
    pub fn sync_reading(&mut self, mix: &Mix, handle: &mut EngineHandle) {
        let glide = self.settings.glide.as_secs_f32();
        let ids: Vec<ParamId> = self.index.keys().copied().collect();
        for id in ids {
            let want = self.wants_read(mix, id);
            if want == self.reading.contains(&id) {
                continue;
            }
            let index = self.index[&id];
            self.fed_at = None;
            if want {
                self.reading.insert(id);
                let from = mix.get(id).unwrap_or(f32::NAN);
                handle.lane(LaneCommand::Read { index, from, glide });
            } else {
                self.reading.remove(&id);
                handle.lane(LaneCommand::Release { index });
            }
        }
    }

    /// Read the transport; a start opens write passes, a stop or a jump
    /// commits the passes written.
    fn sync(&mut self, mix: &Mix, handle: &mut EngineHandle, now: Instant) {
        let n = self.timeline.read(handle.clock(), now);
        let was = self.now;
        self.now = n;
        if n.stopped || (n.jumped && was.playing) {
            // Passes end where the transport was last seen playing.
            self.now.time = was.time.max(0.0);
            self.close_all(mix);
            self.commit(mix, handle);
            self.now = n;
        }
        if n.started || (n.jumped && n.playing) {
            // Passes that start with playback (write mode, a control in the
            // hand) begin where it began, not where it was seen.
            self.now.time = n.origin.min(n.time);
            let mut held = self.open_write_passes(mix, now);
            held.extend(self.open_touched(mix, handle));
            self.now = n;
            self.hand_over(held, mix, handle);
        }
    }

    /// Stop reading the lanes of the passes just opened, and give the
    /// engine what the hands hold: it may have played a lane over a control
    /// in the hand before its pass opened.
    fn hand_over(&mut self, held: Vec<(ParamId, f32)>, mix: &Mix, handle: &mut EngineHandle) {
        self.sync_reading(mix, handle);
        for (id, v) in held {
            handle.set(id, v);
        }
    }

    /// Whether a control is in the hand: touched, or moved within the
    /// release time (for controls that cannot report touch).
    fn in_hand(&self, mix: &Mix, id: ParamId, now: Instant) -> bool {
        mix.touched(id)
            || self
                .last_move
                .get(&id)
                .is_some_and(|t| now.saturating_duration_since(*t) < self.settings.release_after)
    }

    /// In write mode every lane of the strip is written from the start of
    /// playback. Returns the controls in the hand, with what they hold.
    fn open_write_passes(&mut self, mix: &Mix, now: Instant) -> Vec<(ParamId, f32)> {
        let mut held = Vec::new();
        if !self.record || !self.now.playing {
            return held;
        }
        let ids: Vec<ParamId> = self.lanes.keys().copied().collect();
        for id in ids {
            if self.mode(mix, id) != AutomationMode::Write {
                continue;
            }
            // A control in the hand writes what it holds, even if it was
            // grabbed a moment before the transport started. Otherwise,
            // where the engine was reading the lane, the pass starts from
            // what it plays there (the model catches up at the next tick).
            let value = if self.in_hand(mix, id, now) {
                mix.get(id).inspect(|v| held.push((id, *v)))
            } else {
                let played = self
                    .reading
                    .contains(&id)
                    .then(|| self.lanes[&id].value_at(self.now.time))
                    .flatten();
                played.inspect(|v| self.catch_up.push((id, *v)))
            };
            if let Some(v) = value.or_else(|| mix.get(id)) {
                self.write(id, Kind::Absolute, v);
            }
        }
        held
    }

    fn write(&mut self, id: ParamId, kind: Kind, value: f32) {
        let t = self.now.time;
        let pass = self.passes.entry(id).or_default();
        match &mut pass.open {
            Some((k, points)) if *k == kind => {
                if points.last().is_some_and(|p| p.time >= t) {
                    points.pop();
                }
                // A control still for a while held its value until just
                // before this move: the lane must not ramp across the wait.
                if let Some(&last) = points.last() {
                    if t - last.time > HOLD_GAP && last.value != value {
                        points.push(Point::new(t - EDGE, last.value));
                    }
                }
                points.push(Point::new(t, value));
            }
            _ => {
                if let Some(done) = pass.open.take() {
                    pass.closed.push(done);
                }
                pass.open = Some((kind, vec![Point::new(t, value)]));
            }
        }
    }

    /// Surface moves (already in the model): write them where a mode asks.
    pub fn moved(
        &mut self,
        mix: &Mix,
        handle: &mut EngineHandle,
        changes: &[Change],
        now: Instant,
    ) {
        self.sync(mix, handle, now);
        let mut any = changes
            .iter()
            .any(|c| matches!(c.key, Key::Param(id) if id.param == Param::Automation));
        for c in changes {
            let Key::Param(id) = c.key else { continue };
            if !c.origin.is_surface() {
                continue;
            }
            if !id.param.automatable() {
                continue;
            }
            self.last_move.insert(id, now);
            if !(self.now.playing && self.record) {
                continue;
            }
            any |= self.record_value(mix, handle, id);
        }
        if any {
            self.sync_reading(mix, handle);
        }
    }

    /// Release passes whose control was let go, and set the model to what
    /// the engine plays: the changes go to the surfaces (their motor faders
    /// follow), not back to the engine.
    pub fn tick(&mut self, mix: &mut Mix, handle: &mut EngineHandle, now: Instant) -> Vec<Change> {
        self.sync(mix, handle, now);
        let held = self.open_touched(mix, handle);
        if !held.is_empty() {
            self.hand_over(held, mix, handle);
        }
        let mut released = Vec::new();
        for (id, pass) in &self.passes {
            let Some((kind, _)) = &pass.open else {
                continue;
            };
            let holds = matches!(
                self.mode(mix, *id),
                AutomationMode::Latch | AutomationMode::Write
            ) && *kind == Kind::Absolute;
            if !holds && !self.in_hand(mix, *id, now) {
                released.push(*id);
            }
        }
        for id in released {
            self.release(id, mix, handle);
        }
        let mut changes = Vec::new();
        for (id, v) in std::mem::take(&mut self.catch_up) {
            if mix.set(id, v).is_some() {
                changes.push(Change {
                    key: Key::Param(id),
                    origin: Origin::Automation,
                });
            }
        }
        // While stopped, the surfaces are shown the lanes only where the
        // transport was put; a control moved by hand stays where it is
        // until playback (as it does in the engine).
        if !self.now.playing && self.fed_at == Some(self.now.time) {
            return changes;
        }
        self.fed_at = Some(self.now.time);
        // A control under the hand is never moved from under it.
        let fed: Vec<ParamId> = self
            .reading
            .iter()
            .copied()
            .filter(|id| !mix.touched(*id))
            .collect();
        for id in fed {
            let Some(lane) = self.lanes.get(&id) else {
                continue;
            };
            let Some(mut v) = lane.value_at(self.now.time) else {
                continue;
            };
            if lane.shape() == Shape::Linear {
                v += self.offsets.get(&id).copied().unwrap_or(0.0);
            }
            if mix.set(id, v).is_some() {
                changes.push(Change {
                    key: Key::Param(id),
                    origin: Origin::Automation,
                });
            }
        }
        changes
    }

    /// A control touched (before it moves) starts its pass where touch,
    /// latch and trim write: the value it holds is written from the touch.
    /// Returns the values written (the engine stops reading their lanes at
    /// the next [`Automation::sync_reading`]).
    fn open_touched(&mut self, mix: &Mix, handle: &mut EngineHandle) -> Vec<(ParamId, f32)> {
        if !(self.now.playing && self.record) {
            return Vec::new();
        }
        let touched: Vec<ParamId> = mix
            .touched_controls()
            .filter(|id| id.param.automatable())
            .filter(|id| self.passes.get(id).is_none_or(|p| p.open.is_none()))
            .collect();
        touched
            .into_iter()
            .filter(|&id| self.record_value(mix, handle, id))
            .filter_map(|id| Some((id, mix.get(id)?)))
            .collect()
    }

    /// Write a control's value where its mode writes: the value itself, or
    /// in trim its offset from the lane (which the engine adds at once).
    /// Returns whether the engine may have to stop reading the lane.
    fn record_value(&mut self, mix: &Mix, handle: &mut EngineHandle, id: ParamId) -> bool {
        let Some(v) = mix.get(id) else { return false };
        let mode = self.mode(mix, id);
        match (mode, self.lanes.get(&id)) {
            (AutomationMode::Off | AutomationMode::Read, _) => false,
            (AutomationMode::Trim, Some(lane)) if shape_of(id) == Shape::Linear => {
                let under = lane.value_at(self.now.time).unwrap_or(v);
                let offset = if v.is_finite() && under.is_finite() {
                    v - under
                } else {
                    0.0
                };
                self.write(id, Kind::Offset, offset);
                self.offsets.insert(id, offset);
                if let Some(&index) = self.index.get(&id) {
                    handle.lane(LaneCommand::Offset { index, offset });
                }
                false
            }
            _ => {
                self.write(id, Kind::Absolute, v);
                // The hand's value, not the lane's, is what the model shows.
                self.catch_up.retain(|(c, _)| *c != id);
                true
            }
        }
    }

    /// A touch pass ends: it glides back to the lane (touch) or its
    /// offset returns to zero (trim).
    fn release(&mut self, id: ParamId, mix: &Mix, handle: &mut EngineHandle) {
        let glide = self.settings.glide.as_secs_f64();
        let t = self.now.time;
        let Some(pass) = self.passes.get_mut(&id) else {
            return;
        };
        let Some((kind, mut points)) = pass.open.take() else {
            return;
        };
        let last = points.last().map_or(0.0, |p| p.value);
        if points.last().is_some_and(|p| p.time < t) {
            points.push(Point::new(t, last));
        }
        match kind {
            Kind::Absolute => {
                // The lane takes over again over the glide.
                if let Some(lane) = self.lanes.get(&id) {
                    if let Some(v) = lane.value_at(t + glide) {
                        points.push(Point::new(t + glide, v));
                    }
                }
            }
            Kind::Offset => {
                points.push(Point::new(t + glide, 0.0));
                self.offsets.remove(&id);
                if let Some(&index) = self.index.get(&id) {
                    handle.lane(LaneCommand::Offset { index, offset: 0.0 });
                }
            }
        }
        pass.closed.push((kind, points));
        self.sync_reading(mix, handle);
    }

    /// End every open pass at the current time, holding its last value.
    fn close_all(&mut self, mix: &Mix) {
        let t = self.now.time;
        for (id, pass) in &mut self.passes {
            if let Some((kind, mut points)) = pass.open.take() {
                let last = points
                    .last()
                    .map_or(mix.get(*id).unwrap_or(0.0), |p| p.value);
                if points.last().is_some_and(|p| p.time < t) {
                    points.push(Point::new(t, last));
                }
                pass.closed.push((kind, points));
            }
        }
    }

    /// Splice the closed passes into their lanes, save them, and make them
    /// one undo step.
    fn commit(&mut self, mix: &Mix, handle: &mut EngineHandle) {
        self.close_all(mix);
        let passes = std::mem::take(&mut self.passes);
        self.offsets.clear();
        let mut step = Vec::new();
        let mut report = PassReport::default();
        for (id, pass) in passes {
            if pass.closed.is_empty() {
                continue;
            }
            let spec = Spec::of(id.param);
            let shape = shape_of(id);
            let old = self.lanes.get(&id).cloned();
            let mut lane = old
                .as_deref()
                .cloned()
                .unwrap_or_else(|| Lane::new(shape, Vec::new()));
            for (kind, points) in pass.closed {
                let (Some(first), Some(last)) = (points.first(), points.last()) else {
                    continue;
                };
                let (start, end) = (first.time, last.time);
                let absolute = match kind {
                    Kind::Absolute => points.clone(),
                    Kind::Offset => with_offsets(&lane, &points, &spec),
                };
                let kept = thin::thin(&absolute, shape, &spec, self.settings.tolerance);
                report.recorded += points.len();
                report.kept += kept.len();
                lane = lane.splice(start, end, &kept);
            }
            report.lanes += 1;
            if let Err(e) = file::save(&self.dir, id, self.lane_modes.get(&id).copied(), &lane) {
                log::error!(
                    "automation: cannot save the lane of {id:?} in {}: {e}",
                    self.dir.display()
                );
            }
            step.push((id, old));
            self.lanes.insert(id, Arc::new(lane));
        }
        if step.is_empty() {
            return;
        }
        log::info!(
            "automation: pass written: {} lanes, {} moves kept as {} breakpoints",
            report.lanes,
            report.recorded,
            report.kept
        );
        self.last_report = report;
        self.undo.push(step);
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
        handle.set_playback(self.playback(mix));
    }

    /// Put back the lanes of the last committed stop; false if there is none.
    pub fn undo(&mut self, mix: &Mix, handle: &mut EngineHandle, now: Instant) -> bool {
        self.sync(mix, handle, now);
        let Some(step) = self.undo.pop() else {
            return false;
        };
        for (id, old) in step {
            let empty = Lane::new(shape_of(id), Vec::new());
            let lane = old.as_deref().unwrap_or(&empty);
            if let Err(e) = file::save(&self.dir, id, self.lane_modes.get(&id).copied(), lane) {
                log::error!("automation: cannot save {}: {e}", self.dir.display());
            }
            match old {
                Some(l) => self.lanes.insert(id, l),
                None => self.lanes.remove(&id),
            };
        }
        handle.set_playback(self.playback(mix));
        true
    }
}

/// The absolute values of a trim pass: the lane under it plus the offsets,
/// at every breakpoint of either within the pass.
fn with_offsets(lane: &Lane, offsets: &[Point], spec: &Spec) -> Vec<Point> {
    let (Some(first), Some(last)) = (offsets.first(), offsets.last()) else {
        return Vec::new();
    };
    let trim = Lane::new(Shape::Linear, offsets.to_vec());
    let mut times: Vec<f64> = offsets.iter().map(|p| p.time).collect();
    times.extend(
        lane.points()
            .iter()
            .map(|p| p.time)
            .filter(|t| *t > first.time && *t < last.time),
    );
    times.sort_by(f64::total_cmp);
    times.dedup();
    times
        .into_iter()
        .filter_map(|t| {
            let v = lane.value_at(t)? + trim.value_at(t).unwrap_or(0.0);
            Some(Point::new(t, spec.clamp(v)?))
        })
        .collect()
}
