//! Where `log` records go: the journal when run by systemd, stderr otherwise.
//!
//! systemd connects a service's stderr to the journal and says so in
//! `JOURNAL_STREAM=DEV:INODE` (systemd.exec(5)). Only when stderr really is
//! that stream do records go to the journal natively, keeping their level as
//! the journal priority (so `journalctl -p warning` works) and their module,
//! file and line as fields. Anywhere else, including a terminal, a pipe or a
//! service whose stderr was redirected, they go to stderr through
//! env_logger. The inherited variable alone proves nothing: a shell started
//! from a service has it too.
//!
//! The level comes from the config; `RUST_LOG` (env_logger syntax, e.g.
//! `debug` or `info,mixbridge::audio=trace`) overrides it in both cases.

use log::{LevelFilter, Log, Metadata, Record};
use std::ffi::OsStr;
use std::os::fd::AsFd;
use std::os::unix::fs::MetadataExt;
use systemd_journal_logger::JournalLog;

/// Libraries whose records are left out (`RUST_LOG` can turn them back on):
/// - libjack reports every failed connection attempt as an error; while the
///   daemon retries a lost server that would flood the log, and the daemon
///   says once, itself, that the device is gone;
/// - symphonia warns of a damaged file as it decodes it; the error that
///   names the file and what is wrong comes from us, once.
const QUIET: [(&str, LevelFilter); 2] = [
    ("jack::logging", LevelFilter::Off),
    ("symphonia", LevelFilter::Off),
];

/// Installs the process-wide logger at `level` (or `RUST_LOG`). Only the
/// first call in a process installs one; later calls change nothing.
pub fn init_logging(level: LevelFilter) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let journal_stream = std::env::var_os("JOURNAL_STREAM");
    if stderr_is_journal(journal_stream.as_deref(), stderr_identity()) {
        match JournalLog::new() {
            Ok(journal) => {
                let mut filter = env_filter::Builder::new();
                filter.filter_level(level);
                for (module, level) in QUIET {
                    filter.filter_module(module, level);
                }
                if let Some(spec) = &rust_log {
                    filter.parse(spec);
                }
                let logger = Filtered {
                    filter: filter.build(),
                    journal: journal.with_syslog_identifier("mixbridge".into()),
                };
                let max = logger.filter.filter();
                if log::set_boxed_logger(Box::new(logger)).is_ok() {
                    log::set_max_level(max);
                }
                return;
            }
            Err(e) => {
                init_stderr(level, rust_log.as_deref());
                log::warn!(
                    "stderr is the journal but the journal socket failed ({e}); logging to stderr"
                );
                return;
            }
        }
    }
    init_stderr(level, rust_log.as_deref());
}

fn init_stderr(level: LevelFilter, rust_log: Option<&str>) {
    let mut builder = env_logger::Builder::new();
    builder.filter_level(level);
    for (module, level) in QUIET {
        builder.filter_module(module, level);
    }
    if let Some(spec) = rust_log {
        builder.parse_filters(spec);
    }
    let _ = builder.try_init();
}

/// The journal logger with env_logger's filter in front of it.
struct Filtered {
    filter: env_filter::Filter,
    journal: JournalLog,
}

impl Log for Filtered {
    fn enabled(&self, metadata: &Metadata) -> bool {
        self.filter.enabled(metadata)
    }

    fn log(&self, record: &Record) {
        if self.filter.matches(record) {
            self.journal.log(record);
        }
    }

    fn flush(&self) {}
}

/// The device and inode numbers of this process's stderr.
fn stderr_identity() -> Option<(u64, u64)> {
    let fd = std::io::stderr().as_fd().try_clone_to_owned().ok()?;
    let meta = std::fs::File::from(fd).metadata().ok()?;
    Some((meta.dev(), meta.ino()))
}

/// Whether `JOURNAL_STREAM` (`DEV:INODE`, both decimal) names the file that
/// stderr is.
fn stderr_is_journal(journal_stream: Option<&OsStr>, stderr: Option<(u64, u64)>) -> bool {
    let parsed = journal_stream
        .and_then(OsStr::to_str)
        .and_then(|s| s.split_once(':'))
        .and_then(|(dev, ino)| Some((dev.parse::<u64>().ok()?, ino.parse::<u64>().ok()?)));
    matches!((parsed, stderr), (Some(named), Some(actual)) if named == actual)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// JOURNAL_STREAM, stderr's (device, inode), journal expected.
    type Case = (Option<&'static str>, Option<(u64, u64)>, bool);

    #[test]
    fn journal_only_when_journal_stream_names_stderr() {
        let cases: &[Case] = &[
            (Some("8:41529"), Some((8, 41529)), true),
            (Some("0:1"), Some((0, 1)), true),
            (None, Some((8, 41529)), false),
            (Some("8:41529"), None, false),
            (Some("8:41530"), Some((8, 41529)), false),
            (Some("9:41529"), Some((8, 41529)), false),
            (Some("41529:8"), Some((8, 41529)), false),
            (Some(""), Some((8, 41529)), false),
            (Some("8"), Some((8, 41529)), false),
            (Some("8:"), Some((8, 41529)), false),
            (Some("8:41529:1"), Some((8, 41529)), false),
            (Some(" 8:41529"), Some((8, 41529)), false),
            (Some("8:41529\n"), Some((8, 41529)), false),
            (Some("-8:41529"), Some((8, 41529)), false),
            (Some("x:y"), Some((8, 41529)), false),
        ];
        for &(stream, stderr, expected) in cases {
            assert_eq!(
                stderr_is_journal(stream.map(OsStr::new), stderr),
                expected,
                "JOURNAL_STREAM={stream:?}, stderr={stderr:?}"
            );
        }
    }

    #[test]
    fn stderr_identity_is_the_fstat_of_fd_2() {
        let (dev, ino) = stderr_identity().expect("the test process has a stderr");
        let via_proc = std::fs::metadata("/proc/self/fd/2").expect("/proc/self/fd/2");
        assert_eq!((dev, ino), (via_proc.dev(), via_proc.ino()));
    }
}
