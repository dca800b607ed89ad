//! Logging set-up, in child processes because a process has one logger:
//! the configured level, RUST_LOG overriding it, and stderr versus the
//! journal chosen by JOURNAL_STREAM.

use log::LevelFilter;
use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixDatagram;
use std::process::{Command, Output, Stdio};

const CHILD: &str = "MIXBRIDGE_LOGGING_CHILD";
const TEST: &str = "logging_goes_where_and_as_much_as_asked";

fn child() {
    mixbridge::service::init_logging(LevelFilter::Warn);
    log::error!("marker-error");
    log::warn!("marker-warn");
    log::info!("marker-info");
    log::debug!("marker-debug");
    // Only the first call installs a logger.
    mixbridge::service::init_logging(LevelFilter::Trace);
    log::trace!("marker-trace");
}

fn run_child(env: &[(&str, &str)], stderr: Stdio) -> Output {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env_remove("RUST_LOG")
        .env_remove("JOURNAL_STREAM")
        .stdout(Stdio::null())
        .stderr(stderr);
    for (k, v) in env {
        command.env(k, v);
    }
    let output = command.output().expect("run child");
    assert!(output.status.success(), "child failed: {output:?}");
    output
}

fn markers(text: &str) -> Vec<&str> {
    ["error", "warn", "info", "debug", "trace"]
        .into_iter()
        .filter(|m| text.contains(&format!("marker-{m}")))
        .collect()
}

#[test]
fn logging_goes_where_and_as_much_as_asked() {
    if std::env::var_os(CHILD).is_some() {
        child();
        return;
    }

    let err = |o: Output| String::from_utf8(o.stderr).unwrap();

    let plain = err(run_child(&[], Stdio::piped()));
    assert_eq!(markers(&plain), ["error", "warn"], "{plain}");

    let debug = err(run_child(&[("RUST_LOG", "debug")], Stdio::piped()));
    assert_eq!(
        markers(&debug),
        ["error", "warn", "info", "debug"],
        "{debug}"
    );

    let quiet = err(run_child(&[("RUST_LOG", "error")], Stdio::piped()));
    assert_eq!(markers(&quiet), ["error"], "{quiet}");

    // An inherited JOURNAL_STREAM that names some other file is not the journal.
    let elsewhere = err(run_child(&[("JOURNAL_STREAM", "1:2")], Stdio::piped()));
    assert_eq!(markers(&elsewhere), ["error", "warn"], "{elsewhere}");

    // JOURNAL_STREAM naming the child's actual stderr selects the journal.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stderr");
    let file = File::create(&path).unwrap();
    let meta = file.metadata().unwrap();
    let stream = format!("{}:{}", meta.dev(), meta.ino());
    run_child(&[("JOURNAL_STREAM", &stream)], Stdio::from(file));
    let written = std::fs::read_to_string(&path).unwrap();
    let journald = UnixDatagram::unbound()
        .and_then(|s| s.send_to(&[], "/run/systemd/journal/socket"))
        .is_ok();
    if journald {
        assert_eq!(markers(&written), [] as [&str; 0], "{written}");
    } else {
        // No journald on this machine: the journal was chosen, could not be
        // reached, and the logger said so and fell back to stderr.
        assert!(
            written.contains("journal socket failed"),
            "no fallback warning: {written}"
        );
        assert_eq!(markers(&written), ["error", "warn"], "{written}");
    }
}
