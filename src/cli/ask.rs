//! Asking the running daemon over its OSC port on this machine: the verbs
//! that act on the mix (`scene`, `revision`, `note`) never touch its files
//! behind its back, they send the same requests a tablet sends and print
//! the answers.
//!
//! The command line subscribes for the time of its request, so that it is
//! a client and gets every answer (a source that is not one gets at most
//! `osc::server::STRANGER_ANSWERS`), and unsubscribes when done. Values fed
//! back meanwhile are passed over: only the request's answers are kept.

use crate::config::Config;
use rosc::{OscMessage, OscPacket, OscType};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The arguments of a verb that asks the daemon: what to ask (`W`, its
/// subcommands) and the config that says where it listens.
#[derive(clap::Args)]
pub struct Verb<W: clap::Subcommand> {
    #[command(subcommand)]
    pub what: W,
    /// The config file whose OSC port the daemon listens on.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
}

/// How long to wait for the daemon's whole answer, unless told.
const ANSWER_WITHIN: Duration = Duration::from_secs(3);

/// The daemon of a config, as the command line talks to it.
pub struct Daemon {
    socket: UdpSocket,
    to: SocketAddr,
    within: Duration,
    /// Where `to` came from, for the error when nobody answers.
    port_from: String,
}

/// Why a request got no (whole) answer.
#[derive(Debug)]
pub enum Failed {
    /// The daemon refused it, saying why.
    Refused(String),
    /// No answer, or not all of it, in time.
    Silent(String),
}

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failed::Refused(why) | Failed::Silent(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for Failed {}

impl Daemon {
    /// The daemon listening on the OSC port of the config at `config` (or
    /// the one found as `run` finds it).
    pub fn of(config: Option<&Path>) -> Result<Daemon, Box<dyn std::error::Error>> {
        let config = Config::load(config)?;
        let mut to = config.osc.listen;
        if to.ip().is_unspecified() {
            to.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
        }
        let socket = UdpSocket::bind(SocketAddr::new(to.ip(), 0))?;
        socket.set_read_timeout(Some(Duration::from_millis(100)))?;
        let port_from = match &config.origin {
            Some(o) => format!("osc.listen of {}", o.file.display()),
            None => "the built-in default; no config file found".to_string(),
        };
        let d = Daemon {
            socket,
            to,
            within: ANSWER_WITHIN,
            port_from,
        };
        d.send("/subscribe", vec![])?;
        Ok(d)
    }

    /// Wait up to `within` for answers (work that takes a while).
    pub fn waiting(mut self, within: Duration) -> Daemon {
        self.within = within;
        self
    }

    fn send(&self, addr: &str, args: Vec<OscType>) -> std::io::Result<()> {
        let packet = rosc::encoder::encode(&OscPacket::Message(OscMessage {
            addr: addr.into(),
            args,
        }))
        .map_err(|e| std::io::Error::other(format!("{e:?}")))?;
        self.socket.send_to(&packet, self.to).map(|_| ())
    }

    /// Send `addr args` and collect the answers below `answers` (an address
    /// prefix) until `complete` says they are all there.
    pub fn ask(
        &self,
        addr: &str,
        args: Vec<OscType>,
        answers: &str,
        complete: impl Fn(&[OscMessage]) -> bool,
    ) -> Result<Vec<OscMessage>, Failed> {
        self.send(addr, args)
            .map_err(|e| Failed::Silent(format!("cannot send to udp {}: {e}", self.to)))?;
        let started = Instant::now();
        let mut buf = vec![0u8; 65_536];
        let mut got: Vec<OscMessage> = Vec::new();
        while started.elapsed() < self.within {
            let Ok((n, _)) = self.socket.recv_from(&mut buf) else {
                continue;
            };
            let Ok((_, p)) = rosc::decoder::decode_udp(&buf[..n]) else {
                continue;
            };
            for m in messages(p) {
                match (m.addr.as_str(), m.args.as_slice()) {
                    // Too many subscribers: asked as a stranger all the same.
                    ("/error", [OscType::String(a), _]) if a == "/subscribe" => {}
                    ("/error", [_, OscType::String(why)]) => {
                        return Err(Failed::Refused(why.clone()))
                    }
                    (a, _) if a == answers || a.starts_with(&format!("{answers}/")) => got.push(m),
                    _ => {}
                }
            }
            if complete(&got) {
                return Ok(got);
            }
        }
        Err(Failed::Silent(if got.is_empty() {
            format!(
                "no answer from a daemon at udp {} ({}): is it running? \
                 `--config FILE` names the config whose osc.listen it serves",
                self.to, self.port_from
            )
        } else {
            format!(
                "the daemon at udp {} answered only in part ({} messages)",
                self.to,
                got.len()
            )
        }))
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.send("/unsubscribe", vec![]);
    }
}

/// Whether a message with address `addr` is among `got`.
pub fn has(got: &[OscMessage], addr: &str) -> bool {
    got.iter().any(|m| m.addr == addr)
}

/// Whether `got` holds a count at `count` (its first argument) and that
/// many messages at the addresses `each`.
pub fn counted(got: &[OscMessage], count: &str, each: &[&str]) -> bool {
    let n = got.iter().find(|m| m.addr == count).map(|m| number(m, 0));
    let have = got
        .iter()
        .filter(|m| each.contains(&m.addr.as_str()))
        .count();
    n.is_some_and(|n| have as f64 >= n)
}

/// The `i`-th argument of `m` as text ("" when it is not text).
pub fn text(m: &OscMessage, i: usize) -> &str {
    match m.args.get(i) {
        Some(OscType::String(s)) => s,
        _ => "",
    }
}

/// The `i`-th argument of `m` as a number (NaN when it is not one).
pub fn number(m: &OscMessage, i: usize) -> f64 {
    m.args
        .get(i)
        .and_then(crate::osc::args::number)
        .unwrap_or(f64::NAN)
}

/// An OSC string.
pub fn string(s: &str) -> OscType {
    OscType::String(s.to_string())
}

fn messages(p: OscPacket) -> Vec<OscMessage> {
    match p {
        OscPacket::Message(m) => vec![m],
        OscPacket::Bundle(b) => b.content.into_iter().flat_map(messages).collect(),
    }
}
