//! Real signals, sent with kill(1) to a child process that runs the signal
//! thread and prints what it receives. The child is this test binary run
//! again with MIXBRIDGE_SIGNAL_CHILD set, so the signals never touch the
//! test harness itself.

use mixbridge::service::{spawn_signal_thread, Signal};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

const CHILD: &str = "MIXBRIDGE_SIGNAL_CHILD";
const TEST: &str = "signals_arrive_as_messages";

/// The child: forward signals, print each, stop after three.
fn child() {
    let (tx, rx) = crossbeam_channel::unbounded();
    let thread = spawn_signal_thread(tx).expect("signal thread");
    let mut out = std::io::stdout();
    writeln!(out, "child: ready").unwrap();
    out.flush().unwrap();
    for _ in 0..3 {
        // Bounded, so that a lost signal ends the child instead of hanging.
        let signal: Signal = rx
            .recv_timeout(Duration::from_secs(20))
            .expect("a signal within 20 s");
        writeln!(out, "child: {signal:?}").unwrap();
        out.flush().unwrap();
    }
    drop(thread);
    writeln!(out, "child: stopped").unwrap();
}

#[test]
fn signals_arrive_as_messages() {
    if std::env::var_os(CHILD).is_some() {
        child();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let mut process = Command::new(exe)
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn child");
    let pid = process.id().to_string();
    let mut lines = BufReader::new(process.stdout.take().unwrap())
        .lines()
        .map(|l| l.expect("read child output"))
        // libtest may print its "test ... " prefix on the same line.
        .filter_map(|l| l.find("child: ").map(|at| l[at..].to_string()));
    let mut next = || lines.next().unwrap_or_else(|| "(child ended)".into());

    assert_eq!(next(), "child: ready");
    for (flag, expected) in [
        ("-HUP", "child: Reload"),
        ("-INT", "child: Terminate"),
        ("-TERM", "child: Terminate"),
    ] {
        let status = Command::new("kill").args([flag, &pid]).status().unwrap();
        assert!(status.success(), "kill {flag} {pid}");
        // One at a time: the kernel merges identical pending signals.
        assert_eq!(next(), expected, "after kill {flag}");
    }
    assert_eq!(next(), "child: stopped");
    let status = process.wait().unwrap();
    assert!(
        status.success(),
        "the child exits by itself, not by a signal: {status:?}"
    );
}
