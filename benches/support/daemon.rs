//! The running daemon as the daemon benches see it: a child process killed
//! on drop, its resident memory, and its `/status` counters over OSC.
#![allow(dead_code)]

use rosc::{OscMessage, OscPacket, OscType};
use std::net::UdpSocket;
use std::process::Child;

pub struct Daemon(pub Child);

impl Daemon {
    /// `mixbridge run --config CONFIG`, quiet.
    pub fn run(config: &std::path::Path) -> Daemon {
        Daemon(
            std::process::Command::new(env!("CARGO_BIN_EXE_mixbridge"))
                .args(["run", "--config", config.to_str().unwrap()])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap(),
        )
    }
}

/// Call `send(k)` for k = 0, 1, ... at `rate` per second for `seconds`,
/// then wait half a second for the daemon to catch up; returns how many
/// were sent.
pub fn paced(rate: u64, seconds: f64, mut send: impl FnMut(u64)) -> u64 {
    let start = std::time::Instant::now();
    let total = (rate as f64 * seconds) as u64;
    let mut sent = 0u64;
    while sent < total {
        let due = (start.elapsed().as_secs_f64() * rate as f64) as u64;
        while sent < due.min(total) {
            send(sent);
            sent += 1;
        }
        std::thread::sleep(std::time::Duration::from_micros(500));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    sent
}

/// A loopback UDP port free at the moment of asking.
pub fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn encode(addr: &str, args: Vec<OscType>) -> Vec<u8> {
    rosc::encoder::encode(&OscPacket::Message(OscMessage {
        addr: addr.into(),
        args,
    }))
    .unwrap()
}

/// Every message of a datagram, bundles opened.
pub fn messages(bytes: &[u8]) -> Vec<OscMessage> {
    fn flat(p: OscPacket, out: &mut Vec<OscMessage>) {
        match p {
            OscPacket::Message(m) => out.push(m),
            OscPacket::Bundle(b) => b.content.into_iter().for_each(|p| flat(p, out)),
        }
    }
    let mut out = Vec::new();
    if let Ok((_, p)) = rosc::decoder::decode_udp(bytes) {
        flat(p, &mut out);
    }
    out
}

pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// The daemon's `/status` counters, asked from `sock` (which must have a
/// read timeout).
pub fn status(sock: &UdpSocket, to: &str) -> std::collections::BTreeMap<String, f64> {
    while sock.recv(&mut [0u8; 65536]).is_ok() {}
    sock.send_to(&encode("/status", vec![]), to).unwrap();
    let mut out = std::collections::BTreeMap::new();
    let mut buf = vec![0u8; 65536];
    while let Ok(n) = sock.recv(&mut buf) {
        for m in messages(&buf[..n]) {
            if let (Some(name), Some(OscType::Double(v))) =
                (m.addr.strip_prefix("/status/"), m.args.first())
            {
                out.insert(name.to_string(), *v);
            }
        }
        if out.contains_key("osc/clients") {
            break;
        }
    }
    out
}

/// Ask for `/status` until the daemon at `to` answers, for at most `within`.
pub fn wait_until_serving(sock: &UdpSocket, to: &str, within: std::time::Duration) {
    let t = std::time::Instant::now();
    while status(sock, to).is_empty() {
        assert!(t.elapsed() < within, "the daemon never answered");
    }
}

/// Write `session/session.yaml` under `dir`: `tracks` mono tracks fed by
/// inputs 1.., then `extra` (buses, a mix section).
pub fn write_session(dir: &std::path::Path, tracks: usize, extra: &str) {
    let session = dir.join("session");
    std::fs::create_dir(&session).unwrap();
    let mut yaml = String::from("sample_rate: 48000\ntracks:\n");
    for t in 1..=tracks {
        yaml += &format!("  - {{ name: T{t}, source: {{ input: {t} }} }}\n");
    }
    yaml += extra;
    std::fs::write(session.join("session.yaml"), yaml).unwrap();
}
