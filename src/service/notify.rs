//! sd_notify(3), spoken directly.
//!
//! The protocol is one datagram of `KEY=VALUE` lines to the unix socket named
//! by `NOTIFY_SOCKET` (a path, or `@name` for the abstract namespace), so it
//! needs no libsystemd and no crate. The environment is read once, at
//! construction; when the daemon is not started by systemd with
//! `Type=notify` there is no socket and every call does nothing, so callers
//! never have to ask whether they run under systemd.
//!
//! `RELOADING=1` carries `MONOTONIC_USEC=` (CLOCK_MONOTONIC at the time of
//! the reload), as systemd 253 and later expect it for `Type=notify-reload`;
//! older managers ignore the extra field. After a reload, whether it worked
//! or not, the caller sends [`Notifier::ready`] again to end the reload.

use std::ffi::{OsStr, OsString};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Sends service state to systemd; a no-op when `NOTIFY_SOCKET` is unset.
#[derive(Debug)]
pub struct Notifier {
    target: Option<Target>,
    watchdog_timeout: Option<Duration>,
    /// A failed send is warned about once, not at every watchdog pet.
    warned: AtomicBool,
}

#[derive(Debug)]
struct Target {
    socket: UnixDatagram,
    addr: SocketAddr,
}

impl Notifier {
    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from the
    /// process environment.
    pub fn from_env() -> Self {
        Self::from_vars(|name| std::env::var_os(name))
    }

    /// As [`Notifier::from_env`], with the variables looked up by `var`
    /// (tests, or a caller that has already taken them out of the
    /// environment).
    pub fn from_vars(var: impl Fn(&str) -> Option<OsString>) -> Self {
        let target = var("NOTIFY_SOCKET").and_then(|path| match Target::open(&path) {
            Ok(target) => Some(target),
            Err(e) => {
                log::warn!(
                    "NOTIFY_SOCKET={}: {e}; not notifying systemd",
                    path.to_string_lossy()
                );
                None
            }
        });
        let watchdog_timeout = target.as_ref().and_then(|_| {
            watchdog_timeout(
                var("WATCHDOG_USEC").as_deref(),
                var("WATCHDOG_PID").as_deref(),
            )
        });
        Notifier {
            target,
            watchdog_timeout,
            warned: AtomicBool::new(false),
        }
    }

    /// `READY=1`: start-up (or a reload) is complete and audio runs.
    pub fn ready(&self) {
        self.send("READY=1");
    }

    /// `RELOADING=1` with `MONOTONIC_USEC=`: a reload has begun; end it with
    /// [`Notifier::ready`].
    pub fn reloading(&self) {
        if self.target.is_some() {
            self.send(&format!("RELOADING=1\nMONOTONIC_USEC={}", monotonic_usec()));
        }
    }

    /// `STOPPING=1`: shutdown has begun.
    pub fn stopping(&self) {
        self.send("STOPPING=1");
    }

    /// `STATUS=text`, shown by `systemctl status`. Line breaks would start
    /// new protocol fields, so they become spaces.
    pub fn status(&self, text: &str) {
        if self.target.is_some() {
            let line: String = text
                .chars()
                .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
                .collect();
            self.send(&format!("STATUS={line}"));
        }
    }

    /// `WATCHDOG=1`: the service is alive. Whether it is, is
    /// [`crate::service::Watchdog`]'s decision.
    pub fn watchdog(&self) {
        self.send("WATCHDOG=1");
    }

    /// How often to send `WATCHDOG=1`: half the `WatchdogSec=` timeout, as
    /// sd_watchdog_enabled(3) advises. `None` when systemd runs no watchdog
    /// for this process.
    pub fn watchdog_interval(&self) -> Option<Duration> {
        self.watchdog_timeout.map(|t| t / 2)
    }

    fn send(&self, message: &str) {
        let Some(target) = &self.target else {
            return;
        };
        if let Err(e) = target.socket.send_to_addr(message.as_bytes(), &target.addr) {
            if !self.warned.swap(true, Ordering::Relaxed) {
                log::warn!("cannot notify systemd: {e}");
            }
        }
    }
}

impl Target {
    fn open(path: &OsStr) -> std::io::Result<Target> {
        let bytes = path.as_bytes();
        let addr = match bytes.first() {
            Some(b'/') => SocketAddr::from_pathname(path)?,
            Some(b'@') => SocketAddr::from_abstract_name(&bytes[1..])?,
            _ => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::Unsupported,
                    "only unix socket paths and @abstract names are supported",
                ))
            }
        };
        Ok(Target {
            socket: UnixDatagram::unbound()?,
            addr,
        })
    }
}

/// The watchdog timeout systemd set for this process, if any: `WATCHDOG_USEC`
/// must be a positive number and `WATCHDOG_PID`, when present, must be ours
/// (the variables may have been inherited from a parent that was the one
/// watched).
fn watchdog_timeout(usec: Option<&OsStr>, pid: Option<&OsStr>) -> Option<Duration> {
    if let Some(pid) = pid {
        let pid: u32 = pid.to_str()?.parse().ok()?;
        if pid != std::process::id() {
            return None;
        }
    }
    let usec: u64 = usec?.to_str()?.parse().ok()?;
    (usec > 0).then(|| Duration::from_micros(usec))
}

/// CLOCK_MONOTONIC in microseconds, the clock systemd compares reload times
/// on. `Instant` reads the same clock but does not expose its value.
fn monotonic_usec() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC always exists
    // on Linux, so the call cannot fail.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000 + ts.tv_nsec as u64 / 1_000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(s: &str) -> Option<&OsStr> {
        Some(OsStr::new(s))
    }

    #[test]
    fn watchdog_timeout_follows_sd_watchdog_enabled() {
        let me = std::process::id().to_string();
        let other = (std::process::id() + 1).to_string();
        let cases: &[(Option<&OsStr>, Option<&OsStr>, Option<Duration>)] = &[
            (None, None, None),
            (os("10000000"), None, Some(Duration::from_secs(10))),
            (os("10000000"), os(&me), Some(Duration::from_secs(10))),
            (os("10000000"), os(&other), None),
            (os("10000000"), os("x"), None),
            (os("0"), None, None),
            (os("-5"), None, None),
            (os("10s"), None, None),
            (os(""), None, None),
        ];
        for (usec, pid, expected) in cases {
            assert_eq!(
                watchdog_timeout(*usec, *pid),
                *expected,
                "WATCHDOG_USEC={usec:?} WATCHDOG_PID={pid:?}"
            );
        }
    }
}
