//! The service glue: what makes the daemon a well-behaved systemd service
//! without any of it reaching the engine or the audio thread.
//!
//! Four small parts, each usable on its own, all driven from the control
//! thread except the signal thread itself:
//!
//! - [`spawn_signal_thread`]: SIGTERM/SIGINT become [`Signal::Terminate`],
//!   SIGHUP becomes [`Signal::Reload`], sent on the control loop's
//!   crossbeam channel. The real signal handler only writes to a self-pipe
//!   (signal-hook); a plain thread turns that into messages, so nothing
//!   happens inside a handler and the control loop sees signals as ordinary
//!   events.
//! - [`Notifier`]: the sd_notify(3) protocol spoken directly on the datagram
//!   socket named by `NOTIFY_SOCKET` (no libsystemd). Every call is a no-op
//!   when the daemon is not run by systemd with `Type=notify`.
//! - [`Watchdog`]: the policy for `WATCHDOG=1`. systemd's watchdog must mean
//!   "audio is alive", not "the control loop is alive", so a pet is only
//!   due while the audio callback count moves or a device recovery is under
//!   way (a device that is gone is being handled, not hung).
//! - [`init_logging`]: `log` records go to the journal, with their levels as
//!   priorities, when stderr is the journal (`JOURNAL_STREAM`), and to
//!   stderr through env_logger otherwise. `RUST_LOG` overrides the level.
//!
//! How the control loop uses them:
//!
//! ```no_run
//! use mixbridge::service::{self, Notifier, Signal, Watchdog};
//! use std::time::{Duration, Instant};
//!
//! service::init_logging(log::LevelFilter::Info);
//! let (tx, rx) = crossbeam_channel::unbounded();
//! let _signals = service::spawn_signal_thread(tx).expect("signal thread");
//! let notifier = Notifier::from_env();
//! // ... open the audio device, start the streams ...
//! notifier.ready();
//! notifier.status("Scarlett 2i2 48000 Hz 128 frames, 0 xruns");
//! let mut watchdog = notifier.watchdog_interval().map(Watchdog::new);
//! let tick = crossbeam_channel::tick(Duration::from_millis(500));
//! # let callbacks = || 0u64; let recovering = || false;
//! loop {
//!     crossbeam_channel::select! {
//!         recv(rx) -> sig => match sig {
//!             Ok(Signal::Reload) => {
//!                 notifier.reloading();
//!                 // ... reload config, session, mappings ...
//!                 notifier.ready();
//!             }
//!             Ok(Signal::Terminate) | Err(_) => break,
//!         },
//!         recv(tick) -> _ => {
//!             if let Some(w) = watchdog.as_mut() {
//!                 if w.feed(Instant::now(), callbacks(), recovering()) {
//!                     notifier.watchdog();
//!                 }
//!             }
//!         }
//!     }
//! }
//! notifier.stopping();
//! // ... save state, stop the streams, exit 0 ...
//! ```

mod logging;
mod notify;
mod signals;
mod watchdog;

pub use logging::init_logging;
pub use notify::Notifier;
pub use signals::{spawn_signal_thread, Signal, SignalThread};
pub use watchdog::Watchdog;
