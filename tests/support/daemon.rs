//! The daemon as a child process, for end-to-end tests.
#![allow(dead_code)]

use std::net::UdpSocket;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Daemon(pub Child);

impl Daemon {
    /// `mixbridge run --config CONFIG`, on the JACK server named `jack` if given.
    pub fn start(config: &Path, jack: Option<&str>) -> Daemon {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mixbridge"));
        cmd.args(["run", "--config", config.to_str().unwrap()])
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if let Some(name) = jack {
            cmd.env("JACK_DEFAULT_SERVER", name);
        }
        Daemon(cmd.spawn().expect("the daemon starts"))
    }

    pub fn pid(&self) -> u32 {
        self.0.id()
    }

    pub fn signal(&self, sig: libc::c_int) {
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(self.0.id() as libc::pid_t, sig) };
    }

    /// Whether it is still running.
    pub fn alive(&mut self) -> bool {
        self.0.try_wait().unwrap().is_none()
    }

    pub fn wait_exit(&mut self) -> std::process::ExitStatus {
        let t = Instant::now();
        loop {
            if let Some(s) = self.0.try_wait().unwrap() {
                return s;
            }
            assert!(
                t.elapsed() < Duration::from_secs(10),
                "the daemon did not exit"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Its resident memory, in KiB (from /proc).
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS in /proc/PID/status")
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Write `DIR/config.yaml` for the dummy backend on the session folder
/// `DIR/session`, with OSC on `port`; returns its path.
pub fn dummy_config(dir: &Path, port: u16) -> std::path::PathBuf {
    let config = dir.join("config.yaml");
    std::fs::write(
        &config,
        format!("audio: {{ backend: dummy, buffer_frames: 256 }}\nsession: session\nstate_dir: state\nosc: {{ listen: 127.0.0.1:{port} }}\n"),
    )
    .unwrap();
    config
}

/// A UDP port free at the moment of asking.
pub fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
