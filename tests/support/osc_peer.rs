//! Drives `osc_peer.py`, an independent OSC client (python-osc), from tests:
//! what the daemon is sent and what it answers never pass through our own
//! encoder or decoder.
#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

/// An OSC argument, by its type tag.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    F(f32),
    D(f64),
    I(i32),
    S(&'a str),
    T,
    F0,
}

impl Arg<'_> {
    fn json(&self) -> Value {
        match *self {
            Arg::F(v) => json!(["f", float(v as f64)]),
            Arg::D(v) => json!(["d", float(v)]),
            Arg::I(v) => json!(["i", v]),
            Arg::S(v) => json!(["s", v]),
            Arg::T => json!(["T"]),
            Arg::F0 => json!(["F"]),
        }
    }
}

/// A float for JSON, which has no NaN or infinities: those go as strings.
fn float(v: f64) -> Value {
    if v.is_finite() {
        json!(v)
    } else {
        json!(v.to_string())
    }
}

/// A message the peer received.
#[derive(Debug, Clone)]
pub struct Msg {
    pub addr: String,
    pub args: Vec<Value>,
    /// Receive time, seconds on the peer's monotonic clock.
    pub t: f64,
    /// Which datagram it came in (1, 2, ...) and that datagram's size.
    pub datagram: u64,
    pub size: usize,
}

impl Msg {
    pub fn float(&self) -> f32 {
        self.args[0].as_f64().unwrap_or_else(|| panic!("{self:?}")) as f32
    }
    pub fn string(&self) -> &str {
        self.args[0].as_str().unwrap_or_else(|| panic!("{self:?}"))
    }
    fn from(v: &Value) -> Msg {
        Msg {
            addr: v["addr"].as_str().unwrap().to_string(),
            args: v["args"].as_array().unwrap().clone(),
            t: v["t"].as_f64().unwrap(),
            datagram: v["datagram"].as_u64().unwrap(),
            size: v["size"].as_u64().unwrap() as usize,
        }
    }
}

pub struct Peer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// The peer's own UDP port.
    pub port: u16,
    /// The daemon's OSC port.
    pub to: u16,
}

/// Whether python-osc is there to test with.
pub fn available() -> bool {
    Command::new("python3")
        .args(["-c", "import pythonosc"])
        .status()
        .is_ok_and(|s| s.success())
}

impl Peer {
    /// A client of a daemon that is starting on port `to`: returns once
    /// the daemon answers a query.
    pub fn when_answering(to: u16) -> Peer {
        let mut p = Peer::start(to);
        let t = std::time::Instant::now();
        loop {
            p.send("/track/1/gain", &[]);
            if p.wait("/track/1/gain", Duration::from_millis(200))
                .is_some()
            {
                return p;
            }
            assert!(
                t.elapsed() < Duration::from_secs(20),
                "the daemon never answered"
            );
        }
    }

    /// A client on 127.0.0.1 that talks to the daemon on port `to`.
    pub fn start(to: u16) -> Peer {
        Peer::start_on("127.0.0.1", to)
    }

    /// A client bound to `ip` (any 127.x.y.z works on Linux loopback).
    pub fn start_on(ip: &str, to: u16) -> Peer {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/osc_peer.py");
        let mut child = Command::new("python3")
            .args([script, ip])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the OSC peer");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let hello: Value = serde_json::from_str(&line).expect("the peer says its port");
        Peer {
            child,
            stdin,
            stdout,
            port: hello["port"].as_u64().unwrap() as u16,
            to,
        }
    }

    fn call(&mut self, cmd: Value) -> Value {
        writeln!(self.stdin, "{cmd}").unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("peer said {line:?}: {e}"))
    }

    pub fn send(&mut self, addr: &str, args: &[Arg]) {
        let args: Vec<Value> = args.iter().map(Arg::json).collect();
        self.call(json!({"op": "send", "to": self.to, "addr": addr, "args": args}));
    }

    pub fn bundle(&mut self, msgs: &[(&str, &[Arg])]) {
        let msgs: Vec<Value> = msgs
            .iter()
            .map(|(a, args)| json!({"addr": a, "args": args.iter().map(Arg::json).collect::<Vec<_>>()}))
            .collect();
        self.call(json!({"op": "bundle", "to": self.to, "msgs": msgs}));
    }

    pub fn raw(&mut self, bytes: &[u8]) {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        self.call(json!({"op": "raw", "to": self.to, "hex": hex}));
    }

    /// `n` float sets of `addr` from `from` to `until`, as fast as possible.
    pub fn burst(&mut self, addr: &str, from: f32, until: f32, n: usize) {
        self.call(json!({"op": "burst", "to": self.to, "addr": addr, "from": from, "until": until, "n": n}));
    }

    /// Everything received since the last drain.
    pub fn drain(&mut self) -> Vec<Msg> {
        let v = self.call(json!({"op": "drain"}));
        v["msgs"]
            .as_array()
            .unwrap()
            .iter()
            .map(Msg::from)
            .collect()
    }

    /// The first message on `addr` not yet drained, waiting up to `timeout`.
    pub fn wait(&mut self, addr: &str, timeout: Duration) -> Option<Msg> {
        let v = self.call(json!({"op": "wait", "addr": addr, "timeout": timeout.as_secs_f64()}));
        (!v["msg"].is_null()).then(|| Msg::from(&v["msg"]))
    }

    /// Send a query and wait for its answer.
    pub fn query(&mut self, addr: &str) -> Msg {
        self.drain();
        self.send(addr, &[]);
        self.wait(addr, Duration::from_secs(2))
            .unwrap_or_else(|| panic!("no answer to a query of {addr}"))
    }

    /// The daemon's `/status` counters by name (`midi/malformed`, ...).
    pub fn status(&mut self) -> std::collections::BTreeMap<String, f64> {
        // A sender that is not a client gets only a few answers per datagram.
        self.send("/subscribe", &[]);
        self.wait("/subscribed", Duration::from_secs(2))
            .expect("subscribed");
        std::thread::sleep(Duration::from_millis(200));
        self.drain();
        self.send("/status", &[]);
        // `osc/clients` is the last counter of the answer.
        let last = self
            .wait("/status/osc/clients", Duration::from_secs(2))
            .expect("an answer to /status");
        std::thread::sleep(Duration::from_millis(50));
        let mut all = self.drain();
        all.push(last);
        all.into_iter()
            .filter_map(|m| {
                let name = m.addr.strip_prefix("/status/")?.to_string();
                Some((name, m.args.first()?.as_f64()?))
            })
            .collect()
    }

    /// The peer's clock now, comparable with [`Msg::t`].
    pub fn now(&mut self) -> f64 {
        self.call(json!({"op": "now"}))["now"].as_f64().unwrap()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = writeln!(self.stdin, "{}", json!({"op": "quit"}));
        let _ = self.child.wait();
    }
}
