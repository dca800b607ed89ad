//! `mixbridge run`: the daemon's control thread.
//!
//! One event loop owns the mix model. Everything else talks to it by
//! messages: the OSC receive thread (datagrams), the signal thread (terminate,
//! reload), the audio backend (device lost), and a 20 Hz ticker that flushes
//! the engine queue, saves state when due, pets the watchdog and retries a
//! lost device. Every change goes model → engine; the model is saved to the
//! state directory and restored at start.

use super::desk::{self, Desk, TransportView};
use super::model::{session_colours, session_names, Change, Key, Mix, Origin};
use super::reference::References;
use super::request::Request;
use super::surfaces::{self, MidiSurfaces};
use crate::audio::{self, AudioEvent, AudioSpec, Running};
use crate::config::{Config, Wiring};
use crate::engine::{self, EngineHandle, Topology};
use crate::midi::open::Opened;
use crate::midi::{Action, Input, TransportAction};
use crate::osc::{self, Datagram, OscStats};
use crate::params::{AutomationMode, MonitorField, Param};
use crate::service::{self, Notifier, Signal, Watchdog};
use crate::session::{self, Session};
use crate::sources::{self, FileSources, Loaded};
use crate::state::{Debounce, LoadOutcome, MixState, StateStore};
use crate::transport;
use crate::yaml::{Errors, Located};
use crossbeam_channel::{at, bounded, never, select, tick, Receiver, Sender};
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How often the control loop wakes when nothing else happens.
const TICK: Duration = Duration::from_millis(50);
/// Device recovery: first retry after this, doubling up to [`RETRY_MAX`].
const RETRY_MIN: Duration = Duration::from_millis(500);
const RETRY_MAX: Duration = Duration::from_secs(10);
/// How often the status line (systemd STATUS=, and the log on change) is refreshed.
const STATUS_EVERY: Duration = Duration::from_secs(2);
/// How often meters are read from the audio side for the surfaces.
const METER_EVERY: Duration = Duration::from_micros(33_333);

/// The audio side as it stands: running, or waiting to retry.
enum AudioState {
    Running(Running),
    Down {
        since: Instant,
        retry_at: Instant,
        backoff: Duration,
    },
}

pub struct Daemon {
    config_path: Option<PathBuf>,
    config: Config,
    session: Session,
    wiring: Wiring,
    mix: Mix,
    handle: EngineHandle,
    audio: AudioState,
    audio_tx: Sender<AudioEvent>,
    audio_rx: Receiver<AudioEvent>,
    store: StateStore,
    debounce: Debounce,
    notifier: Notifier,
    watchdog: Watchdog,
    osc: Option<Endpoint<osc::Server>>,
    x32: Option<Endpoint<osc::x32::Server>>,
    midi: Option<MidiSurfaces>,
    /// The transport, automation and scenes.
    desk: Desk,
    /// The monitor's reference track.
    references: References,
    /// The master's integrated loudness as last read (the reference's match).
    mix_lufs: f32,
    /// The session's file sources, at `sources_rate` (0 until loaded).
    sources: FileSources,
    sources_rate: u32,
    /// The load under way, if any: its number and rate. A load that
    /// finishes after a newer one was started is dropped.
    loading: Option<(u64, u32)>,
    loads_started: u64,
    /// The files of the last load that could not be used.
    sources_failed: usize,
    loaded_tx: Sender<(u64, Loaded)>,
    loaded_rx: Receiver<(u64, Loaded)>,
    next_desk: Instant,
    /// The transport as surfaces were last told, and when.
    told: Option<(TransportView, Instant)>,
    next_meters: Instant,
    last_status: String,
    /// A rate the audio server imposed, overriding the session's.
    imposed_rate: Option<u32>,
    /// READY=1 has been sent.
    ready: bool,
}

/// A UDP socket, its receive thread and the protocol that serves it: the
/// native OSC server, or the X32 one beside it.
struct Endpoint<S: Outbox> {
    socket: UdpSocket,
    rx: Receiver<Datagram>,
    server: S,
    stats: Arc<OscStats>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// What a protocol has to send.
trait Outbox {
    fn take_outbox(&mut self) -> Vec<osc::server::Outgoing>;
}

impl Outbox for osc::Server {
    fn take_outbox(&mut self) -> Vec<osc::server::Outgoing> {
        osc::Server::take_outbox(self)
    }
}

impl Outbox for osc::x32::Server {
    fn take_outbox(&mut self) -> Vec<osc::server::Outgoing> {
        osc::x32::Server::take_outbox(self)
    }
}

impl<S: Outbox> Endpoint<S> {
    /// Listen on `listen` for the sources `allow` lets in; `None` (said in
    /// the log) if the socket or its thread cannot be had.
    fn open(
        what: &str,
        listen: std::net::SocketAddr,
        allow: &crate::config::OscConfig,
        server: impl FnOnce(Arc<OscStats>) -> S,
    ) -> Option<Endpoint<S>> {
        let socket = match UdpSocket::bind(listen) {
            Ok(s) => s,
            Err(e) => {
                log::error!("{what}: cannot listen on {listen}: {e}; running without it");
                return None;
            }
        };
        let (tx, rx) = bounded(osc::QUEUE);
        let stats = Arc::new(OscStats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let allow = allow.clone();
        let thread = osc::spawn_receiver(
            socket.try_clone().ok()?,
            move |ip| allow.allows(ip),
            stats.clone(),
            tx,
            stop.clone(),
        )
        .ok()?;
        log::info!(
            "{what}: listening on udp {}",
            socket
                .local_addr()
                .map(|a| a.to_string())
                .unwrap_or_default()
        );
        Some(Endpoint {
            socket,
            rx,
            server: server(stats.clone()),
            stats,
            stop,
            thread: Some(thread),
        })
    }

    fn send(&mut self) {
        let out = self.server.take_outbox();
        osc::send::send_all(&self.socket, out, &self.stats);
    }
}

impl<S: Outbox> Drop for Endpoint<S> {
    fn drop(&mut self) {
        self.stop.store(true, Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Run the daemon until SIGTERM/SIGINT. Start-up errors (a bad config or
/// session) are returned; everything after start-up is logged and survived.
pub fn run(config_path: Option<&Path>) -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::load(config_path)?;
    service::init_logging(config.log_level);
    match &config.file {
        Some(f) => log::info!("config: {}", f.display()),
        None => log::info!("config: built-in defaults (no file found)"),
    }
    let (sig_tx, sig_rx) = bounded(16);
    // Held for the daemon's lifetime: dropping it stops the signal thread.
    let _signals = service::spawn_signal_thread(sig_tx)?;
    let mut daemon = Daemon::start(config_path.map(Path::to_path_buf), config)?;
    daemon.run_loop(sig_rx);
    Ok(())
}

impl Daemon {
    fn start(
        config_path: Option<PathBuf>,
        config: Config,
    ) -> Result<Daemon, Box<dyn std::error::Error>> {
        let session = load_session(&config)?;
        let wiring = config.wiring(&session)?;
        log::info!(
            "session: {} ({} tracks, {} buses)",
            session.file.display(),
            session.tracks.len(),
            session.buses.len()
        );
        let mut mix = Mix::from_session(&session).with_monitor(config.monitor.is_some());
        let store = StateStore::new(&config.state_dir);
        log::info!("state: {}", config.state_dir.display());
        restore(&mut mix, &store, &session);
        let opened = surfaces::load(&config.surfaces, config.file.as_deref(), &mix)?;
        let desk = Desk::load(&session, &mix, config.automation)?;
        log_review_problems(&desk);
        let sources = FileSources::plan(&session);
        let (loaded_tx, loaded_rx) = bounded(4);

        // Replaced by the engine of the first audio start.
        let (_, handle) = engine::new(topology(&session, &wiring, &sources), &[]);
        let (audio_tx, audio_rx) = bounded(16);
        let mut d = Daemon {
            osc: None,
            x32: None,
            midi: None,
            desk,
            references: References::new(&session.dir),
            mix_lufs: f32::NEG_INFINITY,
            sources_rate: 0,
            sources,
            loading: None,
            loads_started: 0,
            sources_failed: 0,
            loaded_tx,
            loaded_rx,
            next_desk: Instant::now(),
            told: None,
            next_meters: Instant::now(),
            config_path,
            session,
            wiring,
            mix,
            handle,
            audio: AudioState::Down {
                since: Instant::now(),
                retry_at: Instant::now(),
                backoff: RETRY_MIN,
            },
            audio_tx,
            audio_rx,
            store,
            debounce: Debounce::default(),
            watchdog: Watchdog::new(
                Notifier::from_env()
                    .watchdog_interval()
                    .unwrap_or(Duration::from_secs(1)),
            ),
            notifier: Notifier::from_env(),
            last_status: String::new(),
            imposed_rate: None,
            ready: false,
            config,
        };
        d.osc = d.start_osc();
        d.x32 = d.start_x32();
        d.midi = start_midi(opened);
        d.start_audio();
        Ok(d)
    }

    fn audio_spec(&self) -> AudioSpec {
        let a = &self.config.audio;
        AudioSpec {
            backend: a.backend,
            device: a.device.clone(),
            sample_rate: self.sample_rate(),
            buffer_frames: a.buffer_frames,
            inputs: self.wiring.inputs_used(),
            output_map: self.wiring.output_map(),
            test_signal: a.test_signal.clone(),
        }
    }

    /// The rate the engine runs at: the session's, unless the audio server
    /// imposes its own.
    fn sample_rate(&self) -> u32 {
        self.imposed_rate.unwrap_or(self.session.sample_rate)
    }

    fn engine_topology(&self) -> Topology {
        Topology {
            sample_rate: self.sample_rate() as f32,
            ..topology(&self.session, &self.wiring, &self.sources)
        }
    }

    /// Load the file sources at the engine's rate unless they are, or are
    /// being loaded, at that rate. Audio at another rate is not played
    /// meanwhile (it would play at the wrong pitch).
    fn ensure_sources(&mut self) {
        let rate = self.sample_rate();
        if self.sources_rate == rate || self.loading.is_some_and(|(_, r)| r == rate) {
            return;
        }
        if self.sources_rate != 0 {
            self.sources = FileSources::plan(&self.session);
            self.sources_rate = 0;
        }
        self.load_sources();
    }

    /// Start loading the session's file sources at the engine's rate on a
    /// thread of their own; [`Daemon::on_loaded`] swaps them in.
    fn load_sources(&mut self) {
        let rate = self.sample_rate();
        let files = self.session.files().len();
        if files == 0 {
            self.loading = None;
            self.sources_rate = rate;
            return;
        }
        let tx = self.loaded_tx.clone();
        let number = self.loads_started + 1;
        match sources::load_in_background(&self.session, rate, move |l| {
            let _ = tx.send((number, l));
        }) {
            Ok(()) => {
                self.loads_started = number;
                self.loading = Some((number, rate));
                log::info!("file sources: loading {files} files at {rate} Hz");
            }
            Err(e) => log::error!(
                "file sources: cannot start loading: {e}; file-sourced tracks stay silent"
            ),
        }
    }

    /// File sources loaded: play them, unless a newer load was asked for.
    fn on_loaded(&mut self, number: u64, l: Loaded) {
        if self.loading != Some((number, l.rate)) {
            return;
        }
        self.loading = None;
        self.sources_failed = l.errors.len();
        for e in &l.errors {
            log::error!("file sources: {e}; its track stays silent");
        }
        log::info!(
            "file sources: ready: {} of {} files, {:.1} s long, loaded in {:.2} s",
            l.files - l.errors.len(),
            l.files,
            l.sources.longest() as f64 / f64::from(l.rate),
            l.took.as_secs_f64()
        );
        self.sources = l.sources;
        self.sources_rate = l.rate;
        self.handle
            .set_media(self.sources.media(self.wiring.inputs_used()));
        self.give_ab_sources();
    }

    /// The A/B of revisions bounces from the sources the engine plays.
    fn give_ab_sources(&mut self) {
        if self.sources_rate == self.sample_rate() && self.loading.is_none() {
            let (session, sources) = (&self.session, &self.sources);
            self.desk
                .ab
                .set_sources(session, sources, self.sources_rate);
        }
    }

    /// A new engine handle: file sources, lanes and the transport's state
    /// (where the old engine was left) go to it.
    fn attach(&mut self, handle: Option<EngineHandle>) {
        let at = self.handle.clock().read();
        if let Some(h) = handle {
            self.handle = h;
        }
        self.handle
            .set_media(self.sources.media(self.wiring.inputs_used()));
        let rate = self.sample_rate();
        self.desk.attach(rate, at, &self.mix, &mut self.handle);
        self.references.attach(&self.mix, rate, &mut self.handle);
        self.give_ab_sources();
        if let Some(pair) = self.desk.ab.reference() {
            self.handle.set_reference(pair);
        }
    }

    /// Build a fresh engine at the model's values and start the backend on it.
    fn start_audio(&mut self) {
        if self.session.sample_rate != self.config.audio.sample_rate {
            log::warn!(
                "the session runs at {} Hz; the config asks for {} Hz: using the session's rate",
                self.session.sample_rate,
                self.config.audio.sample_rate
            );
        }
        self.ensure_sources();
        let (engine, handle) = engine::new(self.engine_topology(), &self.mix.values());
        self.attach(Some(handle));
        match audio::start(&self.audio_spec(), engine, self.audio_tx.clone()) {
            Ok(running) if running.info.sample_rate != self.sample_rate() => {
                // The server runs at another rate (JACK, PipeWire): every
                // filter and time constant must be designed for it.
                log::warn!(
                    "audio: the server runs at {} Hz, not {} Hz; running the mix at {} Hz",
                    running.info.sample_rate,
                    self.sample_rate(),
                    running.info.sample_rate
                );
                self.imposed_rate = Some(running.info.sample_rate);
                drop(running);
                self.start_audio();
            }
            Ok(running) => {
                let i = &running.info;
                log::info!(
                    "audio: {} device \"{}\", {} Hz, {} frames per buffer, input-to-output latency {} frames ({:.2} ms){}",
                    i.backend,
                    i.device,
                    i.sample_rate,
                    i.buffer_frames,
                    i.latency_frames,
                    i.latency_frames as f64 * 1000.0 / i.sample_rate as f64,
                    if i.realtime { ", real-time priority" } else { "" }
                );
                if !i.realtime {
                    log::warn!("audio: no real-time priority (grant rtprio to the user or run the systemd unit); expect dropouts under load");
                }
                if let AudioState::Down { since, backoff, .. } = &self.audio {
                    if *backoff > RETRY_MIN {
                        log::info!("audio: back after {:.1} s", since.elapsed().as_secs_f32());
                    }
                }
                self.audio = AudioState::Running(running);
                if !self.ready {
                    // Ready means mixing: sent once, when audio first runs.
                    self.notifier.ready();
                    self.ready = true;
                }
            }
            Err(e) => {
                let (since, backoff, first) = match &self.audio {
                    AudioState::Down { since, backoff, .. } => {
                        (*since, *backoff, *backoff == RETRY_MIN)
                    }
                    AudioState::Running(_) => (Instant::now(), RETRY_MIN, true),
                };
                // Said once per outage; the retries are only traced.
                if first {
                    log::warn!(
                        "audio: {e}; retrying with backoff up to {} s",
                        RETRY_MAX.as_secs()
                    );
                } else {
                    log::debug!("audio: {e}; next try in {:.1} s", backoff.as_secs_f32());
                }
                self.audio = AudioState::Down {
                    since,
                    retry_at: Instant::now() + backoff,
                    backoff: (backoff * 2).min(RETRY_MAX),
                };
            }
        }
    }

    fn start_osc(&self) -> Option<Endpoint<osc::Server>> {
        let c = &self.config.osc;
        Endpoint::open("OSC", c.listen, c, |stats| {
            osc::Server::new(self.mix.registry(), c, stats)
        })
    }

    /// The X32-protocol server, if the config asks for it.
    fn start_x32(&self) -> Option<Endpoint<osc::x32::Server>> {
        let c = &self.config.osc;
        let x = c.x32?;
        let what = match x.flavour {
            crate::config::X32Flavour::X32 => "X32 OSC",
            crate::config::X32Flavour::XAir => "X-Air OSC",
        };
        Endpoint::open(what, x.listen, c, |stats| osc::x32::Server::new(&x, stats))
    }

    fn run_loop(&mut self, signals: Receiver<Signal>) {
        let ticker = tick(TICK);
        let mut last_status = Instant::now() - STATUS_EVERY;
        loop {
            let osc_rx = self
                .osc
                .as_ref()
                .map(|o| o.rx.clone())
                .unwrap_or_else(never);
            let x32_rx = self
                .x32
                .as_ref()
                .map(|o| o.rx.clone())
                .unwrap_or_else(never);
            let midi_rx = self
                .midi
                .as_ref()
                .map(MidiSurfaces::events)
                .unwrap_or_else(never);
            let reference_rx = self.references.events();
            let bounced_rx = self.desk.ab.events();
            let due = [
                self.osc.as_ref().and_then(|o| o.server.next_due()),
                self.x32.as_ref().and_then(|o| o.server.next_due()),
                self.midi.as_ref().and_then(MidiSurfaces::next_due),
            ]
            .into_iter()
            .flatten()
            .fold(self.next_meters.min(self.next_desk), Instant::min);
            select! {
                recv(signals) -> s => match s {
                    Ok(Signal::Terminate) | Err(_) => break,
                    Ok(Signal::Reload) => self.reload(),
                },
                recv(osc_rx) -> d => if let Ok(d) = d { self.on_datagram(d) },
                recv(x32_rx) -> d => if let Ok(d) = d { self.on_x32_datagram(d) },
                recv(midi_rx) -> e => if let Ok(e) = e {
                    if let Some(m) = &mut self.midi {
                        let input = m.on_event(&mut self.mix, e, Instant::now());
                        self.apply(input);
                    }
                },
                recv(self.audio_rx) -> e => if let Ok(e) = e { self.on_audio_event(e) },
                recv(self.loaded_rx) -> l => if let Ok((n, l)) = l { self.on_loaded(n, l) },
                recv(reference_rx) -> r => if let Ok(r) = r {
                    self.references.on_loaded(r, self.mix_lufs, &mut self.handle)
                },
                recv(bounced_rx) -> b => if let Ok(b) = b { self.on_bounced(b) },
                recv(ticker) -> _ => {
                    self.on_tick();
                    if last_status.elapsed() >= STATUS_EVERY {
                        last_status = Instant::now();
                        self.report_status();
                    }
                }
                recv(at(due)) -> _ => {}
            }
            self.serve_surfaces(Instant::now());
        }
        self.shutdown();
    }

    fn on_datagram(&mut self, d: Datagram) {
        let Some(o) = &mut self.osc else { return };
        let changes = o
            .server
            .receive(&mut self.mix, d.from, &d.bytes, Instant::now());
        let requests = o.server.take_requests();
        o.send();
        self.commit(&changes);
        for (from, mut r) in requests {
            if let Request::Note(crate::notes::Request::Add { author, .. }) = &mut r {
                author.get_or_insert_with(|| self.config.osc.author_of(from));
            }
            let what = format!("{r:?}");
            let done = self.desk_request(r);
            if let Some(o) = &mut self.osc {
                let error = done.error.map(|e| (what.as_str(), e));
                o.server.answer_request(from, &done.answers, error);
                o.send();
            }
            self.commit(&done.changes);
            self.next_desk = Instant::now();
        }
    }

    /// An X32 app's datagram: its changes are committed like any other.
    fn on_x32_datagram(&mut self, d: Datagram) {
        let Some(x) = &mut self.x32 else { return };
        let changes = x
            .server
            .receive(&mut self.mix, d.from, &d.bytes, Instant::now());
        x.send();
        self.commit(&changes);
    }

    /// Send applied changes on: to the engine, the state file, automation
    /// and every surface. Automation playback is already in the engine and
    /// is not mix state: it goes to the surfaces only.
    fn commit(&mut self, changes: &[Change]) {
        if changes.is_empty() {
            return;
        }
        let now = Instant::now();
        let mut made = false;
        for c in changes.iter().filter(|c| c.origin != Origin::Automation) {
            made = true;
            if let Key::Param(id) = c.key {
                if let Some(v) = self.mix.get(id) {
                    self.handle.set(id, v);
                }
                if let Param::Monitor(MonitorField::Reference | MonitorField::ReferenceFile) =
                    id.param
                {
                    self.references.want(&self.mix, self.sample_rate());
                }
            }
        }
        if made {
            self.debounce.mark(now);
            self.desk
                .automation
                .moved(&self.mix, &mut self.handle, changes, now);
        }
        if let Some(o) = &mut self.osc {
            o.server.changed(changes);
        }
        if let Some(x) = &mut self.x32 {
            x.server.changed(changes);
        }
        if let Some(m) = &mut self.midi {
            m.changed(&self.mix, changes);
        }
    }

    /// What a surface made of its input: commit its changes, carry out its
    /// actions.
    fn apply(&mut self, input: Input) {
        self.commit(&input.changes);
        for a in input.actions {
            let Some(r) = request_of(&a) else {
                log::warn!("surface asked for {a:?}: no such automation mode");
                continue;
            };
            let done = self.desk_request(r);
            if let Some(e) = done.error {
                log::info!("surface asked for {a:?}: {e}");
            }
            self.commit(&done.changes);
            self.next_desk = Instant::now();
        }
    }

    /// Carry out a request at the desk.
    fn desk_request(&mut self, r: Request) -> desk::Done {
        let done = self
            .desk
            .request(r, &mut self.mix, &mut self.handle, Instant::now());
        self.lend_reference();
        done
    }

    /// While an A/B of revisions plays, the engine's reference slot holds
    /// its pair (the desk put it there): the reference file waits. Called
    /// right after anything that may start or end an A/B, before anything
    /// else can send the file.
    fn lend_reference(&mut self) {
        self.references
            .lend(self.desk.ab.playing(), &mut self.handle);
    }

    /// A bounce of the A/B finished: once both are, the monitor plays them;
    /// every client is told.
    fn on_bounced(&mut self, b: crate::revisions::ab::Bounced) {
        let done = self.desk.on_bounced(b, &mut self.mix, &mut self.handle);
        self.lend_reference();
        self.commit(&done.changes);
        if let Some(o) = &mut self.osc {
            o.server.broadcast(&done.answers);
        }
        self.next_desk = Instant::now();
    }

    /// End an A/B of revisions: the monitor listens as it did before.
    fn end_ab(&mut self) {
        let mut done = desk::Done::default();
        self.desk.stop_ab(&mut self.mix, &mut done);
        self.lend_reference();
        self.commit(&done.changes);
    }

    /// Automation playback and scene fades that are due; the transport to
    /// every surface when it changed, and its position while it plays.
    fn serve_desk(&mut self, now: Instant) {
        if now < self.next_desk {
            return;
        }
        let changes = self.desk.tick(&mut self.mix, &mut self.handle, now);
        self.commit(&changes);
        let view = self.desk.view(&self.mix, &mut self.handle, now);
        let due = match &self.told {
            None => true,
            Some((told, at)) => {
                !told.same_state(&view)
                    || (view.playing && now >= *at + desk::POSITION_EVERY)
                    || (!view.playing && told.seconds != view.seconds)
            }
        };
        if due {
            self.told = Some((view, now));
            if let Some(o) = &mut self.osc {
                o.server.broadcast(&desk::position_answers(&view));
            }
            if let Some(m) = &mut self.midi {
                m.transport(&view);
            }
        }
        for n in self.desk.passing_notes(view.seconds, view.playing) {
            if let Some(o) = &mut self.osc {
                o.server.broadcast(&[desk::note_answer("/note/passed", &n)]);
            }
            if let Some(m) = &mut self.midi {
                m.note(&n, now);
            }
        }
        self.lend_reference();
        self.next_desk = self.desk.next_due(view.playing, now);
    }

    /// Meters and feedback that are due.
    fn serve_surfaces(&mut self, now: Instant) {
        self.serve_desk(now);
        if now >= self.next_meters {
            let snapshot = self.handle.meters().take();
            self.mix_lufs = snapshot.loudness.integrated;
            self.references.follow(self.mix_lufs, &mut self.handle);
            if let Some(o) = &mut self.osc {
                o.server.meters(&snapshot);
            }
            if let Some(x) = self.x32.as_mut().filter(|x| x.server.wants_meters()) {
                x.server.meters(&snapshot);
            }
            if let Some(m) = &mut self.midi {
                m.meters(&snapshot);
            }
            self.next_meters = (self.next_meters + METER_EVERY).max(now);
        }
        if let Some(o) = &mut self.osc {
            o.server.poll(&mut self.mix, now);
            o.send();
        }
        if let Some(x) = &mut self.x32 {
            x.server.poll(&self.mix, now);
            x.send();
        }
        if let Some(m) = &mut self.midi {
            let input = m.poll(&mut self.mix, now);
            self.apply(input);
        }
    }

    fn on_audio_event(&mut self, e: AudioEvent) {
        match e {
            AudioEvent::Lost(why) => {
                if matches!(self.audio, AudioState::Running(_)) {
                    log::error!("audio: device lost ({why}); the mix keeps running here and resumes when the device returns");
                    // Dropping `Running` stops and frees the streams.
                    self.audio = AudioState::Down {
                        since: Instant::now(),
                        retry_at: Instant::now() + RETRY_MIN,
                        backoff: RETRY_MIN,
                    };
                }
            }
        }
    }

    fn on_tick(&mut self) {
        let now = Instant::now();
        self.handle.flush();
        if self.debounce.due(now) {
            self.save();
        }
        let (callbacks, recovering) = match &self.audio {
            AudioState::Running(r) => (r.stats.snapshot().callbacks, false),
            AudioState::Down { retry_at, .. } => {
                if now >= *retry_at {
                    self.start_audio();
                }
                (0, true)
            }
        };
        let clock = self.handle.clock().read();
        let report = self.desk.automation.last_report();
        let desk_status = [
            ("transport/playing", f64::from(u8::from(clock.playing))),
            (
                "transport/position",
                clock.position as f64 / f64::from(self.sample_rate()),
            ),
            (
                "automation/lanes",
                self.desk.automation.lanes().len() as f64,
            ),
            ("automation/last_pass_recorded", report.recorded as f64),
            ("automation/last_pass_kept", report.kept as f64),
            (
                "sources/loading",
                f64::from(u8::from(self.loading.is_some())),
            ),
            ("sources/failed", self.sources_failed as f64),
        ];
        if let Some(o) = &mut self.osc {
            let audio = match &self.audio {
                AudioState::Running(r) => Some(r.stats.snapshot()),
                AudioState::Down { .. } => None,
            };
            o.server.set_status(
                [
                    ("audio/running", audio.is_some() as u8 as f64),
                    (
                        "audio/callbacks",
                        audio.as_ref().map_or(0, |a| a.callbacks) as f64,
                    ),
                    ("audio/xruns", audio.as_ref().map_or(0, |a| a.xruns) as f64),
                ]
                .into_iter()
                .chain(desk_status)
                .chain(midi_status(self.midi.as_ref()))
                .chain(
                    self.references
                        .status()
                        .into_iter()
                        .filter(|_| self.config.monitor.is_some()),
                )
                .chain(self.x32.iter().flat_map(|x| x.server.counters()))
                .collect(),
            );
        }
        if self.watchdog.feed(now, callbacks, recovering) {
            self.notifier.watchdog();
        }
    }

    fn report_status(&mut self) {
        let status = match &self.audio {
            AudioState::Running(r) => {
                let s = r.stats.snapshot();
                format!(
                    "{} \"{}\" {} Hz/{}: {} xruns, {} bridge underruns, latency {} frames",
                    r.info.backend,
                    r.info.device,
                    r.info.sample_rate,
                    r.info.buffer_frames,
                    s.xruns,
                    s.bridge_underruns,
                    s.latency_frames
                )
            }
            AudioState::Down { since, .. } => format!(
                "audio device down for {} s, retrying",
                since.elapsed().as_secs()
            ),
        };
        if status != self.last_status {
            self.notifier.status(&status);
            if let AudioState::Running(r) = &self.audio {
                if r.stats.snapshot().xruns > 0 {
                    log::warn!("audio: {status}");
                }
            }
            self.last_status = status;
        }
    }

    fn save(&mut self) {
        let state = MixState {
            session: session_id(&self.session),
            values: self.mix.by_path(),
            names: self.mix.names_by_path(),
            colours: self.mix.colours_by_path(),
        };
        match self.store.save(&state) {
            Ok(()) => self.debounce.saved(),
            Err(e) => log::error!(
                "state: cannot save to {}: {e}",
                self.config.state_dir.display()
            ),
        }
    }

    /// SIGHUP: re-read config and session; apply them only if both are good.
    fn reload(&mut self) {
        self.notifier.reloading();
        log::info!("reload requested");
        let loaded = Config::load(self.config_path.as_deref()).and_then(|c| {
            let s = load_session(&c)?;
            let w = c.wiring(&s)?;
            // Mappings, lanes, scenes and markers are checked against the
            // new session before anything applies.
            let mix = Mix::from_session(&s).with_monitor(c.monitor.is_some());
            surfaces::load(&c.surfaces, c.file.as_deref(), &mix)?;
            let desk = Desk::load(&s, &mix, c.automation)?;
            Ok((c, s, w, desk))
        });
        match loaded {
            Err(errors) => {
                for e in &errors.0 {
                    log::error!("reload: {e}");
                }
                log::error!("reload failed; still running on the previous config and session");
            }
            Ok((config, session, wiring, desk)) => self.apply_reload(config, session, wiring, desk),
        }
        if self.ready {
            self.notifier.ready();
        }
    }

    fn apply_reload(&mut self, config: Config, session: Session, wiring: Wiring, desk: Desk) {
        let audio_changed = config.audio != self.config.audio
            || session.sample_rate != self.session.sample_rate
            || wiring != self.wiring;
        let osc_changed = config.osc != self.config.osc;
        // What is being written is saved before the lanes are read again;
        // an A/B ends (its bounces were of the old session).
        self.desk.finish(&self.mix, &mut self.handle);
        self.end_ab();
        log_review_problems(&desk);
        self.desk = desk;
        let plan = FileSources::plan(&session);
        let new_topology = topology(&session, &wiring, &plan);
        let old_topology = topology(&self.session, &self.wiring, &self.sources);
        // The files are read again (they may have been replaced on disk);
        // until then the old audio plays where the files are the same ones.
        if session.files() != self.session.files() {
            self.sources = plan;
        }
        if new_topology != old_topology {
            // New structure: a new model at the new session's values, with
            // every live value that still exists carried over.
            let live = self.mix.by_path();
            let names = self.mix.names_by_path();
            let colours = self.mix.colours_by_path();
            let mut mix = Mix::from_session(&session).with_monitor(config.monitor.is_some());
            mix.restore(&live);
            mix.restore_names(&names);
            mix.restore_colours(&colours);
            apply_edited(&mut mix, &self.session, &session);
            self.mix = mix;
            if let Some(o) = &mut self.osc {
                o.server.set_layout(self.mix.registry());
            }
            self.handle.rebuild(
                Topology {
                    sample_rate: self.sample_rate() as f32,
                    ..new_topology
                },
                &self.mix.values(),
            );
        } else {
            // Same structure: only values edited in the file apply; live
            // moves of everything else are kept.
            let changes = apply_edited(&mut self.mix, &self.session, &session);
            self.commit(&changes);
        }
        if session.dir != self.session.dir {
            self.references = References::new(&session.dir);
        }
        self.wiring = wiring;
        self.session = session;
        self.config = config;
        self.attach(None);
        self.load_sources();
        if audio_changed {
            self.imposed_rate = None;
            log::info!("reload: audio settings changed; restarting the audio device");
            self.audio = AudioState::Down {
                since: Instant::now(),
                retry_at: Instant::now(),
                backoff: RETRY_MIN,
            };
            self.start_audio();
        }
        if osc_changed {
            self.osc = None;
            self.x32 = None;
            self.osc = self.start_osc();
            self.x32 = self.start_x32();
        }
        self.reload_midi();
        self.debounce.mark(Instant::now());
        log::info!("reload done");
    }

    fn shutdown(&mut self) {
        self.notifier.stopping();
        log::info!("stopping: saving state");
        self.desk.finish(&self.mix, &mut self.handle);
        self.end_ab();
        self.save();
        self.audio = AudioState::Down {
            since: Instant::now(),
            retry_at: Instant::now(),
            backoff: RETRY_MIN,
        };
        self.osc = None;
        self.x32 = None;
        self.midi = None;
    }

    /// Rebuild the surfaces from their (re-read) mappings for the current
    /// mix, keeping the ports that did not change.
    fn reload_midi(&mut self) {
        let opened = match surfaces::load(
            &self.config.surfaces,
            self.config.file.as_deref(),
            &self.mix,
        ) {
            Ok(o) => o,
            Err(e) => {
                // Checked before the reload applied; only a file edited in
                // between gets here.
                log::error!("reload: {e}; keeping the surfaces as they were");
                return;
            }
        };
        self.midi = match self.midi.take() {
            Some(m) if !opened.is_empty() => m
                .replace(opened, &self.mix)
                .map_err(|e| log::error!("MIDI: cannot restart the port thread: {e}"))
                .ok(),
            _ => start_midi(opened),
        };
    }
}

/// Start the port thread for the surfaces, if there are any.
fn start_midi(opened: Vec<Opened>) -> Option<MidiSurfaces> {
    if opened.is_empty() {
        return None;
    }
    MidiSurfaces::start(opened)
        .map_err(|e| {
            log::error!("MIDI: cannot start the port thread: {e}; running without surfaces")
        })
        .ok()
}

/// The MIDI counters for `/status`.
fn midi_status(midi: Option<&MidiSurfaces>) -> Vec<(&'static str, f64)> {
    let Some(m) = midi else { return Vec::new() };
    let (s, in_dropped, out_dropped) = m.stats();
    vec![
        ("midi/received", s.received as f64),
        ("midi/malformed", s.malformed as f64),
        ("midi/unmapped", s.unmapped as f64),
        ("midi/sent", s.sent as f64),
        ("midi/input_dropped", in_dropped as f64),
        ("midi/output_dropped", out_dropped as f64),
    ]
}

/// Apply to `mix` the values and names whose entries in the session file
/// changed between `old` and `new`; returns what changed.
fn apply_edited(mix: &mut Mix, old: &Session, new: &Session) -> Vec<Change> {
    let change = |key| Change {
        key,
        origin: Origin::Session,
    };
    let before: std::collections::BTreeMap<_, _> = old.values().into_iter().collect();
    let mut changes: Vec<Change> = new
        .values()
        .into_iter()
        .filter(|(id, v)| before.get(id) != Some(v))
        .filter_map(|(id, v)| mix.set(id, v).map(|_| change(Key::Param(id))))
        .collect();
    let old_names: Vec<_> = session_names(old).collect();
    for (owner, name) in session_names(new) {
        if !old_names.contains(&(owner, name.clone())) && mix.set_name(owner, &name) {
            changes.push(change(Key::Name(owner)));
        }
    }
    let old_colours: Vec<_> = session_colours(old).collect();
    for (owner, colour) in session_colours(new) {
        if !old_colours.contains(&(owner, colour)) && mix.set_colour(owner, colour) {
            changes.push(change(Key::Colour(owner)));
        }
    }
    changes
}

/// Broken revision and notes files stop nothing; they are said once.
fn log_review_problems(desk: &Desk) {
    for p in desk.review_problems() {
        log::error!("{p}");
    }
}

/// The identity the state file keeps, so another session's state is not applied.
pub(crate) fn session_id(session: &Session) -> String {
    session.file.display().to_string()
}

/// Restore the last saved mix of this session, if there is one.
pub(crate) fn restore(mix: &mut Mix, store: &StateStore, session: &Session) {
    match store.load() {
        LoadOutcome::Fresh { set_aside } => {
            log_set_aside(&set_aside);
            log::info!("state: none saved yet; starting from the session file");
        }
        LoadOutcome::Loaded {
            state,
            from_previous,
            set_aside,
        } => {
            log_set_aside(&set_aside);
            if from_previous {
                log::warn!("state: restored the previous generation");
            }
            if state.session != session_id(session) {
                log::warn!(
                    "state: saved for session {}, not this one; starting from the session file",
                    state.session
                );
                return;
            }
            let stale = mix.restore(&state.values);
            mix.restore_names(&state.names);
            mix.restore_colours(&state.colours);
            if !stale.is_empty() {
                log::warn!(
                    "state: {} saved values no longer exist in the session",
                    stale.len()
                );
            }
            log::info!(
                "state: restored {} values",
                state.values.len() - stale.len()
            );
        }
    }
}

fn log_set_aside(set_aside: &[crate::state::SetAside]) {
    for s in set_aside {
        match &s.moved_to {
            Some(to) => log::warn!(
                "state: {} set aside as {} ({})",
                s.file.display(),
                to.display(),
                s.why
            ),
            None => log::warn!("state: {} unusable ({})", s.file.display(), s.why),
        }
    }
}

/// The engine topology of a session wired to this machine: tracks read
/// their interface inputs, or else their files, which are engine inputs
/// after the interface's.
pub fn topology(session: &Session, wiring: &Wiring, files: &FileSources) -> Topology {
    let first = wiring.inputs_used();
    let topology = session.topology(|i| {
        let chs = wiring.tracks.get(i).map(Vec::as_slice).unwrap_or(&[]);
        if chs.is_empty() {
            let file = files.tracks.get(i).copied().unwrap_or([None, None]);
            return file.map(|c| c.map(|c| first + c));
        }
        let ch = |k: usize| chs.get(k).map(|&c| usize::from(c) - 1);
        [ch(0), ch(1)]
    });
    Topology {
        monitor: wiring.monitor.clone(),
        ..topology
    }
}

/// The session of `config`. On a first start, when the config names no
/// session and there is none at the default place, the default session is
/// written there and loaded.
fn load_session(config: &Config) -> Result<Session, Errors> {
    let file = config.session.join(session::FILE_NAME);
    if !config.session_given && !config.session.is_file() && !file.exists() {
        let made = session::create_default(&config.session).map_err(|e| {
            Located::whole(&file, format!("cannot create the default session: {e}"))
        })?;
        log::info!(
            "session: none yet; wrote the default session (8 mono tracks on inputs 1-8, a reverb and a delay bus) to {}; edit it and reload",
            made.display()
        );
    }
    Session::load(&config.session)
}

/// What a MIDI surface's action asks of the desk.
fn request_of(a: &Action) -> Option<Request> {
    use crate::revisions::Request as Revisions;
    use transport::Request as T;
    Some(match a {
        Action::Transport(t) => Request::Transport(match t {
            TransportAction::Play => T::Play,
            TransportAction::Stop => T::Stop,
            TransportAction::Record => T::Record(None),
            TransportAction::Rewind => T::Rewind,
            TransportAction::FastForward => T::FastForward,
            TransportAction::Loop => T::Looping(None),
            TransportAction::PreviousMarker => T::PreviousMarker,
            TransportAction::NextMarker => T::NextMarker,
            TransportAction::AddMarker => T::AddMarker(None),
            TransportAction::Locate(s) => T::Locate(*s),
        }),
        Action::AutomationMode(m) => Request::StripMode {
            mode: AutomationMode::from_name(m)?,
            owners: Vec::new(),
        },
        Action::Scene { name, save: true } => Request::SceneSave(name.clone()),
        Action::Scene { name, save: false } => Request::SceneRecall {
            name: name.clone(),
            fade: Duration::ZERO,
        },
        Action::Revision(name) => Request::Revision(Revisions::Recall(name.clone())),
        Action::Ab(a, b) => Request::Revision(Revisions::Ab {
            a: a.clone(),
            b: b.clone(),
        }),
        Action::AbToggle => Request::Revision(Revisions::AbSelect(None)),
        Action::AbOff => Request::Revision(Revisions::AbOff),
    })
}
