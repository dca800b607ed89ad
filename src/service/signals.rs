//! Signals as control-loop messages.
//!
//! A signal handler may do almost nothing safely, and the control loop
//! already waits on a crossbeam channel, so the handler (signal-hook's) only
//! writes to a self-pipe and a dedicated thread forwards each signal as a
//! [`Signal`]. Nothing else happens on that thread: deciding what a signal
//! means (save and exit, reload) is the control loop's job.

use crossbeam_channel::Sender;
use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::{Handle, Signals};
use std::io;
use std::thread::JoinHandle;

/// What a signal asks of the daemon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGTERM or SIGINT: save, stop the streams, exit 0.
    Terminate,
    /// SIGHUP: reload config, session and mappings.
    Reload,
}

/// The running signal thread. Dropping it stops forwarding and joins the
/// thread.
pub struct SignalThread {
    handle: Handle,
    thread: Option<JoinHandle<()>>,
}

/// Catches SIGTERM, SIGINT and SIGHUP from now on and forwards each one on
/// `tx`, in arrival order, from a thread named `signals`.
///
/// From this call on these signals no longer terminate the process: the
/// handler stays installed for the life of the process (signal-hook's rule),
/// so once the returned [`SignalThread`] is dropped they are ignored. The
/// thread ends by itself when every receiver of `tx` is gone. Several identical signals arriving before
/// the thread wakes may be merged into one, as the kernel does.
pub fn spawn_signal_thread(tx: Sender<Signal>) -> io::Result<SignalThread> {
    let mut signals = Signals::new([SIGTERM, SIGINT, SIGHUP])?;
    let handle = signals.handle();
    let thread = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for number in signals.forever() {
                let signal = if number == SIGHUP {
                    Signal::Reload
                } else {
                    Signal::Terminate
                };
                if tx.send(signal).is_err() {
                    break;
                }
            }
        })?;
    Ok(SignalThread {
        handle,
        thread: Some(thread),
    })
}

impl Drop for SignalThread {
    fn drop(&mut self) {
        self.handle.close();
        if let Some(thread) = self.thread.take() {
            // The thread only forwards; a panic there has nothing to clean up.
            let _ = thread.join();
        }
    }
}
