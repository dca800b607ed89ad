//! A first start on a fresh machine: no config file, empty XDG folders, no
//! session. The daemon writes the default session where the state lives,
//! serves OSC on 9000 at once, stops on SIGTERM with exit code 0, and starts
//! again on what it saved. As root (the system service's places, under
//! /var/lib and /etc, seen through a private mount namespace so that the
//! machine's own are never touched) and as an ordinary user (under $HOME).

#[path = "support/osc_peer.rs"]
mod peer;

use peer::{Arg, Peer};
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const PORT: u16 = 9000;
const WAIT: Duration = Duration::from_secs(20);

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// The daemon, started by `command`, with its log read line by line.
struct Run {
    child: Child,
    log: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Run {
    fn start(mut command: Command) -> Run {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the daemon starts");
        let (tx, log) = mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("daemon: {line}");
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Run {
            child,
            log,
            seen: Vec::new(),
        }
    }

    /// The first log line containing `text`.
    fn wait_log(&mut self, text: &str) -> String {
        if let Some(l) = self.seen.iter().find(|l| l.contains(text)) {
            return l.clone();
        }
        loop {
            let line = self
                .log
                .recv_timeout(WAIT)
                .unwrap_or_else(|_| panic!("no log line with {text:?}; saw {:#?}", self.seen));
            self.seen.push(line.clone());
            if line.contains(text) {
                return line;
            }
        }
    }

    /// SIGTERM; the exit code, and every line the daemon logged.
    fn stop(mut self) -> (Option<i32>, Vec<String>) {
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let status = self.child.wait().unwrap();
        self.seen.extend(self.log.try_iter());
        (status.code(), std::mem::take(&mut self.seen))
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A folder nobody but its owner could enter before: opened to everyone.
fn open_dir(path: &Path) -> PathBuf {
    std::fs::create_dir_all(path).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.to_path_buf()
}

/// Two starts by `command()`: the first makes the session file (`shown`
/// as the daemon sees it, `session_file` here) and takes a move over OSC,
/// the second restores the move from the state.
fn first_then_second_start(command: impl Fn() -> Command, shown: &Path, session_file: &Path) {
    let mut first = Run::start(command());
    let wrote = first.wait_log("wrote the default session");
    assert!(wrote.contains(&shown.display().to_string()), "{wrote}");
    first.wait_log("OSC: listening on udp 0.0.0.0:9000");
    let mut tablet = Peer::when_answering(PORT);
    assert_eq!(tablet.query("/track/1/name").string(), "In 1");
    assert_eq!(tablet.query("/track/8/name").string(), "In 8");
    assert_eq!(tablet.query("/bus/2/name").string(), "Echo");
    tablet.send("/track/3/gain", &[Arg::F(-7.5)]);
    assert_eq!(tablet.query("/track/3/gain").float(), -7.5);
    let (code, log) = first.stop();
    assert_eq!(code, Some(0), "{log:#?}");
    let text = std::fs::read_to_string(session_file).unwrap();
    assert_eq!(text, mixbridge::session::DEFAULT_SESSION);

    let mut second = Run::start(command());
    second.wait_log("OSC: listening");
    let mut tablet = Peer::when_answering(PORT);
    assert_eq!(tablet.query("/track/3/gain").float(), -7.5);
    let (code, log) = second.stop();
    assert_eq!(code, Some(0), "{log:#?}");
    assert!(
        !log.iter().any(|l| l.contains("wrote the default session")),
        "{log:#?}"
    );
    assert_eq!(std::fs::read_to_string(session_file).unwrap(), text);
}

/// The daemon's binary, where an unprivileged user can run it (a test's
/// build folder may sit in a private temporary folder).
fn binary_in(dir: &Path) -> PathBuf {
    let bin = open_dir(&dir.join("bin")).join("mixbridge");
    std::fs::copy(env!("CARGO_BIN_EXE_mixbridge"), &bin).unwrap();
    bin
}

/// `program` with nothing of this machine's environment but a PATH, a home
/// and empty XDG folders.
fn bare(program: &str, home: &Path) -> Command {
    for d in ["empty-config", "empty-state"] {
        std::fs::create_dir_all(home.join(d)).unwrap();
    }
    let mut c = Command::new(program);
    c.env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("empty-config"))
        .env("XDG_STATE_HOME", home.join("empty-state"))
        .env("RUST_LOG", "info");
    c
}

#[test]
fn first_start_as_root_and_as_a_user() {
    if !peer::available() {
        eprintln!("python-osc is not installed (.ci/setup installs it); skipping");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    open_dir(dir.path());
    let bin = binary_in(dir.path());

    if is_root() {
        // /var/lib/mixbridge and /etc/mixbridge as this test's own empty
        // folders, in a mount namespace of the daemon's alone.
        let state = open_dir(&dir.path().join("var-lib-mixbridge"));
        let etc = open_dir(&dir.path().join("etc-mixbridge"));
        let home = open_dir(&dir.path().join("root-home"));
        std::fs::create_dir_all("/var/lib/mixbridge").unwrap();
        let script = r#"mount --bind "$1" /var/lib/mixbridge && { [ ! -d /etc/mixbridge ] || mount --bind "$2" /etc/mixbridge; } && exec "$3" run"#;
        let command = || {
            let mut c = bare("unshare", &home);
            c.args(["--mount", "sh", "-c", script, "sh"])
                .arg(&state)
                .arg(&etc)
                .arg(&bin);
            c
        };
        first_then_second_start(
            command,
            Path::new("/var/lib/mixbridge/session/session.yaml"),
            &state.join("session/session.yaml"),
        );
        let saved = std::fs::read_dir(&state).unwrap().count();
        assert!(
            saved >= 2,
            "the session and the state file are in /var/lib/mixbridge"
        );
    } else {
        eprintln!("not root: the system service's first start is not tried");
    }

    // An ordinary user: the state in $XDG_STATE_HOME/mixbridge.
    let home = open_dir(&dir.path().join("user-home"));
    if is_root() {
        let nobody = 65534;
        for d in ["", "empty-config", "empty-state"] {
            std::fs::create_dir_all(home.join(d)).unwrap();
            std::os::unix::fs::chown(home.join(d), Some(nobody), Some(nobody)).unwrap();
        }
        let command = || {
            let mut c = bare("setpriv", &home);
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
                .arg(&bin)
                .arg("run");
            c
        };
        let file = home.join("empty-state/mixbridge/session/session.yaml");
        first_then_second_start(command, &file, &file);
    } else {
        let command = || {
            let mut c = bare(bin.to_str().unwrap(), &home);
            c.arg("run");
            c
        };
        let file = home.join("empty-state/mixbridge/session/session.yaml");
        first_then_second_start(command, &file, &file);
    }
}
