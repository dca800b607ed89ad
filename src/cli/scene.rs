//! `mixbridge scene list|save|recall|delete|undo`: scenes of the running
//! daemon, asked over its OSC port on this machine (the daemon owns the
//! mix, so scenes are saved and recalled there, never behind its back).

use crate::config::Config;
use rosc::{OscMessage, OscPacket, OscType};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// How long to wait for the daemon's answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(2);

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    what: What,
    /// The config file whose OSC port the daemon listens on.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
enum What {
    /// List the scenes, oldest first, with when each was saved.
    List,
    /// Save the mix as a scene (replacing one of that name).
    Save { name: String },
    /// Recall a scene, optionally crossfading over some seconds.
    Recall {
        name: String,
        #[arg(long, default_value_t = 0.0)]
        fade: f32,
    },
    /// Delete a scene.
    Delete { name: String },
    /// Undo the last recall.
    Undo,
}

pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let config = Config::load(args.config.as_deref())?;
    let mut to = config.osc.listen;
    if to.ip().is_unspecified() {
        to.set_ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    let (addr, args, done) = match &args.what {
        What::List => ("/scene/list", vec![], "/scene/count"),
        What::Save { name } => ("/scene/save", vec![text(name)], "/scene/saved"),
        What::Recall { name, fade } => (
            "/scene/recall",
            vec![text(name), OscType::Float(*fade)],
            "/scene/recalled",
        ),
        What::Delete { name } => ("/scene/delete", vec![text(name)], "/scene/deleted"),
        What::Undo => ("/scene/undo", vec![], "/scene/undone"),
    };
    let socket = UdpSocket::bind(SocketAddr::new(to.ip(), 0))?;
    socket.set_read_timeout(Some(Duration::from_millis(200)))?;
    let packet = rosc::encoder::encode(&OscPacket::Message(OscMessage {
        addr: addr.into(),
        args,
    }))?;
    socket.send_to(&packet, to)?;
    // Answers come in a datagram or a few; read until they stop.
    let started = Instant::now();
    let mut buf = [0u8; 65_536];
    let mut answered = false;
    while started.elapsed() < ANSWER_WITHIN {
        let Ok((n, _)) = socket.recv_from(&mut buf) else {
            if answered {
                break;
            }
            continue;
        };
        let Ok((_, p)) = rosc::decoder::decode_udp(&buf[..n]) else {
            continue;
        };
        for m in messages(p) {
            match (m.addr.as_str(), m.args.as_slice()) {
                ("/error", [_, OscType::String(why)]) => {
                    eprintln!("mixbridge: {why}");
                    return Ok(ExitCode::FAILURE);
                }
                ("/scene", [OscType::String(name), OscType::String(saved)]) => {
                    println!("{saved}  {name}");
                }
                (a, _) if a == done => answered = true,
                _ => {}
            }
        }
    }
    if !answered {
        eprintln!("mixbridge: no answer from a daemon at udp {to} (is it running?)");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn text(s: &str) -> OscType {
    OscType::String(s.to_string())
}

fn messages(p: OscPacket) -> Vec<OscMessage> {
    match p {
        OscPacket::Message(m) => vec![m],
        OscPacket::Bundle(b) => b.content.into_iter().flat_map(messages).collect(),
    }
}
