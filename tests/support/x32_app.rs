//! Drives `x32_app.py`: X32 and X-Air client libraries from PyPI
//! (behringer-mixer, xair-api) talking to the daemon's X32 server.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// Which library plays the app.
#[derive(Debug, Clone, Copy)]
pub enum Library {
    BehringerMixer,
    XairApi,
}

impl Library {
    fn name(self) -> &'static str {
        match self {
            Library::BehringerMixer => "behringer-mixer",
            Library::XairApi => "xair-api",
        }
    }

    fn module(self) -> &'static str {
        match self {
            Library::BehringerMixer => "behringer_mixer",
            Library::XairApi => "xair_api",
        }
    }

    /// Whether it is installed (`.ci/setup` installs both).
    pub fn available(self) -> bool {
        Command::new("python3")
            .args(["-c", &format!("import {}", self.module())])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

pub struct App {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// What the app said when it started (xair-api: the `/xinfo` answer).
    pub hello: Value,
}

impl App {
    /// The app for console `kind` (X32, XR18) on the daemon's X32 port.
    pub fn start(library: Library, kind: &str, port: u16) -> App {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/x32_app.py");
        let mut child = Command::new("python3")
            .args([script, library.name(), kind, &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the X32 app");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let hello: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the app did not start ({line:?}): {e}"));
        App {
            child,
            stdin,
            stdout,
            hello,
        }
    }

    pub fn call(&mut self, cmd: Value) -> Value {
        writeln!(self.stdin, "{cmd}").unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("app said {line:?} to {cmd}: {e}"))
    }

    /// behringer-mixer's value of a library key (`/ch/1/mix_fader`).
    pub fn state(&mut self, key: &str) -> Value {
        self.call(json!({"op": "state", "key": key}))["value"].clone()
    }

    /// behringer-mixer sets `key`; returns once it reads `value` back.
    pub fn set(&mut self, key: &str, value: Value) {
        let back = self.call(json!({"op": "set", "key": key, "value": value}));
        assert_eq!(back["value"], value, "{key} read back");
    }

    /// Wait for an update of `key` to `value`; the last value seen.
    pub fn wait(&mut self, key: &str, value: Value, secs: f64) -> (bool, Value) {
        let v = self.call(json!({"op": "wait", "key": key, "value": value, "timeout": secs}));
        (v["found"].as_bool().unwrap_or(false), v["value"].clone())
    }

    /// Assert that the app is told `key` is `value` within a few seconds.
    pub fn saw(&mut self, key: &str, value: Value) {
        let (found, last) = self.wait(key, value.clone(), 5.0);
        assert!(found, "{key}: want {value}, last seen {last}");
    }

    /// xair-api: an attribute path's value.
    pub fn get_path(&mut self, path: &str) -> Value {
        self.call(json!({"op": "get", "path": path}))["value"].clone()
    }

    pub fn set_path(&mut self, path: &str, value: Value) {
        self.call(json!({"op": "set", "path": path, "value": value}));
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "{}", json!({"op": "quit"}));
        let t = std::time::Instant::now();
        while t.elapsed() < std::time::Duration::from_secs(2) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
