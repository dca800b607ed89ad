//! The daemon as a process on a real JACK server (dummy driver): a test
//! client plays a tone into its input and captures its output.
//!
//! - the tone comes out at the session's level;
//! - a gain change over OSC (real UDP) changes the output, and a query
//!   answers it;
//! - SIGHUP with a broken config is reported and changes nothing; SIGHUP
//!   after an edit of the session file applies the edited value;
//! - the JACK server is killed and restarted: the daemon resumes on the same
//!   mix without being restarted;
//! - SIGTERM saves and exits 0; started again, the daemon restores the mix;
//! - moves from an independent OSC client (pattern, bundle, touch) are heard.
#![cfg(feature = "jack")]

mod common;
#[path = "support/jack_daemon.rs"]
mod jack_daemon;
#[path = "support/jack.rs"]
mod jack_harness;
#[path = "support/osc_peer.rs"]
mod osc_peer;
#[path = "support/daemon.rs"]
mod process;
use jack_daemon::*;
use jack_harness::*;
use process::Daemon;
use rosc::{OscMessage, OscPacket, OscType};
use std::net::UdpSocket;
use std::time::Duration;

fn osc(socket: &UdpSocket, to: &str, addr: &str, args: Vec<OscType>) -> Option<f32> {
    let bytes = rosc::encoder::encode(&OscPacket::Message(OscMessage {
        addr: addr.into(),
        args: args.clone(),
    }))
    .unwrap();
    socket.send_to(&bytes, to).unwrap();
    if !args.is_empty() {
        return None;
    }
    let mut buf = [0u8; 1024];
    let (n, _) = socket.recv_from(&mut buf).expect("a reply to the query");
    match rosc::decoder::decode_udp(&buf[..n]).unwrap().1 {
        OscPacket::Message(m) => match m.args.first() {
            Some(OscType::Float(f)) => Some(*f),
            other => panic!("unexpected reply {other:?}"),
        },
        p => panic!("unexpected reply {p:?}"),
    }
}

#[test]
fn daemon_mixes_survives_jack_restarts_and_keeps_its_state() {
    if !jackd_installed() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut server = Server::start(256);
    let Setup {
        dir,
        port,
        config,
        text: good,
    } = setup("  - { name: Mic, source: { input: 1 } }\nmix:\n  track/1/gain: 0\n");
    let to = format!("127.0.0.1:{port}");
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();

    let mut daemon = Daemon::start(&config, Some(&server.name));
    let mut tester = connect(&daemon, Duration::from_secs(15));
    let centre = TONE_DB + CENTRE_DB;
    assert_level(&mut tester, centre, "at start");

    // A gain change through the control path.
    osc(&client, &to, "/track/1/gain", vec![OscType::Float(-6.0)]);
    std::thread::sleep(Duration::from_millis(300));
    assert_level(&mut tester, centre - 6.0, "after /track/1/gain -6");
    assert_eq!(osc(&client, &to, "/track/1/gain", vec![]), Some(-6.0));

    // SIGHUP with a broken config: reported, nothing changes.
    std::fs::write(&config, "audio: { backend: nonsense }\n").unwrap();
    daemon.signal(libc::SIGHUP);
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        daemon.0.try_wait().unwrap().is_none(),
        "the daemon survives a bad reload"
    );
    assert_level(&mut tester, centre - 6.0, "after a failed reload");
    assert_eq!(osc(&client, &to, "/track/1/gain", vec![]), Some(-6.0));
    std::fs::write(&config, &good).unwrap();

    // SIGHUP after an edit of the session file: the edited value applies.
    std::fs::write(
        dir.path().join("session/session.yaml"),
        "sample_rate: 48000\ntracks:\n  - { name: Mic, source: { input: 1 } }\nmix:\n  track/1/gain: -12\n",
    )
    .unwrap();
    daemon.signal(libc::SIGHUP);
    std::thread::sleep(Duration::from_millis(500));
    assert_level(
        &mut tester,
        centre - 12.0,
        "after reloading an edited session",
    );

    // The JACK server dies and comes back: the daemon resumes by itself.
    drop(tester);
    server.crash();
    std::thread::sleep(Duration::from_millis(1500));
    server.restart();
    let mut tester = connect(&daemon, Duration::from_secs(20));
    assert_level(
        &mut tester,
        centre - 12.0,
        "after the JACK server restarted",
    );

    // SIGTERM saves and exits 0; a new daemon restores the mix.
    drop(tester);
    daemon.signal(libc::SIGTERM);
    assert!(daemon.wait_exit().success(), "SIGTERM exits 0");
    assert!(
        dir.path().join("state/state.yaml").exists(),
        "state saved on shutdown"
    );
    let daemon = Daemon::start(&config, Some(&server.name));
    let mut tester = connect(&daemon, Duration::from_secs(15));
    assert_level(&mut tester, centre - 12.0, "after a restart of the daemon");
    drop(tester);
}

/// The OSC path end to end with an independent client (python-osc): a
/// pattern, a bundle and a touch-and-move from a "tablet" are heard in the
/// JACK output, and a second subscribed client is told.
#[test]
fn osc_moves_from_an_independent_client_are_heard() {
    if !jackd_installed() || !osc_peer::available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let server = Server::start(256);
    let Setup {
        dir: _dir,
        port,
        config,
        ..
    } = setup(
        "  - { name: Mic, source: { input: 1 } }\n  - { name: Spare, source: { input: 2 } }\n",
    );
    let daemon = Daemon::start(&config, Some(&server.name));
    let mut tester = connect(&daemon, Duration::from_secs(15));
    let centre = TONE_DB + CENTRE_DB;
    assert_level(&mut tester, centre, "at start");

    let mut tablet = osc_peer::Peer::start(port);
    let mut other = osc_peer::Peer::start(port);
    other.send("/subscribe", &[osc_peer::Arg::S("db")]);
    assert!(other.wait("/subscribed", Duration::from_secs(3)).is_some());

    // A pattern: every fader to -10 dB (0.5 on the fader law).
    tablet.send("/track/*/fader", &[osc_peer::Arg::F(0.5)]);
    std::thread::sleep(Duration::from_millis(300));
    assert_level(&mut tester, centre - 10.0, "after /track/*/fader 0.5");

    // A bundle: the last value wins.
    tablet.bundle(&[
        ("/track/1/gain", &[osc_peer::Arg::F(0.0)]),
        ("/track/1/gain", &[osc_peer::Arg::F(-4.0)]),
    ]);
    std::thread::sleep(Duration::from_millis(300));
    assert_level(&mut tester, centre - 4.0, "after a bundle ending on -4 dB");

    // Touch, move, release, as a TouchOSC fader does.
    other.drain();
    tablet.send("/track/1/fader/z", &[osc_peer::Arg::F(1.0)]);
    tablet.send("/track/1/fader", &[osc_peer::Arg::F(0.25)]);
    tablet.send("/track/1/fader/z", &[osc_peer::Arg::F(0.0)]);
    std::thread::sleep(Duration::from_millis(300));
    assert_level(&mut tester, centre - 30.0, "after a touch move to 0.25");
    let told = other
        .wait("/track/1/gain", Duration::from_secs(3))
        .expect("the other client is told");
    assert!((told.float() + 30.0).abs() < 1e-3, "{}", told.float());
    drop(tester);
}
