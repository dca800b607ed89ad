//! MIDI surfaces end to end: the daemon as a process on a real JACK server
//! (dummy driver), surfaces played by independent JACK MIDI clients, OSC
//! over real UDP, the output measured by a JACK tester.
//!
//! - a generic fader box: its moves are heard, OSC changes reach it as
//!   feedback, junk is counted and survived;
//! - virtual ports for software clients;
//! - an emulated Mackie Control: handshake, full state, touch, move, servo
//!   echo, no fader writes while touched, release, bank, buttons, every
//!   byte checked; unplugged and plugged back in, it gets the whole state.
#![cfg(all(feature = "jack", feature = "jack-midi"))]

mod common;
#[path = "support/jack_daemon.rs"]
mod jack_daemon;
#[path = "support/jack.rs"]
mod jack_harness;
#[path = "support/midi_peer.rs"]
mod midi_peer;
#[path = "support/osc_peer.rs"]
mod osc_peer;
#[path = "support/daemon.rs"]
mod process;

use jack_daemon::*;
use jack_harness::*;
use midi_peer::{wait_for_connection, MidiPeer};
use osc_peer::Arg;
use process::Daemon;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

/// A session of `tracks`, a config with OSC, and the surfaces' YAML
/// (entries of the config's `surfaces:` list) with mapping files written
/// beside the config.
fn setup_with(tracks: &str, surfaces: &str, mappings: &[(&str, &str)]) -> Setup {
    let s = setup(tracks);
    for (name, text) in mappings {
        std::fs::write(s.dir.path().join(name), text).unwrap();
    }
    let text = format!("{}surfaces:\n{surfaces}", s.text);
    std::fs::write(&s.config, &text).unwrap();
    Setup { text, ..s }
}

const BOX: &str = "\
name: Test box
strips: 2
bindings:
  - { cc: [0, 1], target: \"track/{strip}/fader\", takeover: jump }
  - { note: [16, 17], target: \"track/{strip}/mute\", mode: toggle }
";

/// The fader law's position of a level, as a 7-bit CC value.
fn cc_of(fader: f32) -> u8 {
    (fader * 127.0).round() as u8
}

/// A JACK server, the daemon on a two-track session with the test box
/// (`BOX`) on the ports of a device called `device`, and that device
/// plugged in.
fn box_rig(device: &str) -> (Server, Setup, MidiPeer, Daemon) {
    let server = Server::start(256);
    let s = setup_with(
        "  - { name: Mic, source: { input: 1 } }\n  - { name: Spare, source: { input: 2 } }\n",
        &format!("  - {{ mapping: box.yaml, input: \"{device}:out\", output: \"{device}:in\" }}\n"),
        &[("box.yaml", BOX)],
    );
    let peer = MidiPeer::plug(device);
    let daemon = Daemon::start(&s.config, Some(&server.name));
    (server, s, peer, daemon)
}

#[test]
fn a_fader_box_is_heard_and_shown_the_mix() {
    if !jackd_installed() || !osc_peer::available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (_server, s, device, daemon) = box_rig("fbox");
    let mut tester = connect(&daemon, Duration::from_secs(15));
    let centre = TONE_DB + CENTRE_DB;
    assert!(
        wait_for_connection("fbox:in", WAIT),
        "the daemon connects to the box"
    );

    // On connection, the whole state: both faders at 0 dB, mutes off.
    let unity = cc_of(0.75);
    let first = device
        .until(WAIT, |m| m == [0x90, 17, 0])
        .expect("the whole state on connection");
    for want in [
        [0xB0, 0, unity],
        [0xB0, 1, unity],
        [0x90, 16, 0],
        [0x90, 17, 0],
    ] {
        assert!(
            first.contains(&want.to_vec()),
            "{want:02x?} missing from {first:02x?}"
        );
    }

    // A fader move is heard, and not echoed while the fader moves (it is
    // sent back once when it rests).
    device.drain();
    device.send(&[0xB0, 0, 64]);
    let moving = device.collect(Duration::from_millis(250));
    assert!(
        !moving.contains(&vec![0xB0, 0, 64]),
        "no echo of the box's own move"
    );
    std::thread::sleep(Duration::from_millis(100));
    let db = mixbridge::params::fader_law::to_db(mixbridge::units::FaderPos(64.0 / 127.0)).0;
    assert_level(&mut tester, centre + db, "after CC 0 = 64");
    let mut osc = osc_peer::Peer::start(s.port);
    let q = osc.query("/track/1/fader");
    assert!((q.float() - 64.0 / 127.0).abs() < 1e-4, "{}", q.float());

    // An OSC change reaches the box.
    osc.send("/track/2/fader", &[Arg::F(0.25)]);
    assert!(
        device
            .until(WAIT, |m| m == [0xB0, 1, cc_of(0.25)])
            .is_some(),
        "the box is told of the OSC move"
    );

    // A toggle button mutes, and its LED follows.
    device.send(&[0x90, 16, 127]);
    device.send(&[0x80, 16, 0]);
    assert!(
        device.until(WAIT, |m| m == [0x90, 16, 127]).is_some(),
        "mute LED on"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert!(level(&mut tester) < -100.0, "muted");
    assert_eq!(osc.query("/track/1/mute").float(), 1.0);

    // Junk is counted and survived.
    for junk in [&[0x40, 1][..], &[0xF4], &[0xB0, 0x80, 1], &[0xF0, 1, 2]] {
        device.send(junk);
    }
    device.send(&[0x90, 16, 127]);
    assert!(
        device.until(WAIT, |m| m == [0x90, 16, 0]).is_some(),
        "unmuted after the junk"
    );
    let status = osc.status();
    assert!(status["midi/malformed"] >= 4.0, "{status:?}");
    drop(tester);
}

#[test]
fn virtual_ports_serve_software_clients() {
    if !jackd_installed() || !osc_peer::available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let server = Server::start(256);
    let s = setup_with(
        "  - { name: Mic, source: { input: 1 } }\n  - { name: Spare, source: { input: 2 } }\n",
        "  - { mapping: box.yaml, virtual: \"mixbridge box\" }\n",
        &[("box.yaml", BOX)],
    );
    let _daemon = Daemon::start(&s.config, Some(&server.name));
    let app = MidiPeer::plug("app");
    let (probe, _) =
        jack::Client::new("virtual-probe", jack::ClientOptions::NO_START_SERVER).unwrap();
    connect_ports(&probe, "app:out", "mixbridge-s1u1-in:mixbridge box");
    connect_ports(&probe, "mixbridge-s1u1-out:mixbridge box", "app:in");
    app.send(&[0xB0, 1, 32]);
    let mut osc = osc_peer::Peer::start(s.port);
    let t = std::time::Instant::now();
    while (osc.query("/track/2/fader").float() - 32.0 / 127.0).abs() > 1e-4 {
        assert!(t.elapsed() < WAIT, "the app's move never arrived");
        std::thread::sleep(Duration::from_millis(50));
    }
    osc.send("/track/1/mute", &[Arg::F(1.0)]);
    assert!(
        app.until(WAIT, |m| m == [0x90, 16, 127]).is_some(),
        "the app is told"
    );
}

/// SIGHUP re-reads mappings: a broken one is reported with its position and
/// the old one keeps working; a good one applies at once.
#[test]
fn mappings_reload_on_sighup_and_a_broken_one_changes_nothing() {
    if !jackd_installed() || !osc_peer::available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (_server, s, device, daemon) = box_rig("rbox");
    assert!(wait_for_connection("rbox:in", WAIT));
    let mut osc = osc_peer::Peer::start(s.port);
    let fader_is = |osc: &mut osc_peer::Peer, track: u8, cc: u8| {
        let t = std::time::Instant::now();
        while (osc.query(&format!("/track/{track}/fader")).float() - f32::from(cc) / 127.0).abs()
            > 1e-4
        {
            if t.elapsed() > WAIT {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        true
    };

    let mapping = s.dir.path().join("box.yaml");
    std::fs::write(
        &mapping,
        BOX.replace("takeover: jump", "takeover: sometimes"),
    )
    .unwrap();
    daemon.signal(libc::SIGHUP);
    std::thread::sleep(Duration::from_millis(700));
    device.send(&[0xB0, 0, 20]);
    assert!(fader_is(&mut osc, 1, 20), "the old mapping still works");

    // Faders now on CC 7 and 8.
    std::fs::write(&mapping, BOX.replace("cc: [0, 1]", "cc: [7, 8]")).unwrap();
    daemon.signal(libc::SIGHUP);
    std::thread::sleep(Duration::from_millis(700));
    device.send(&[0xB0, 8, 40]);
    assert!(fader_is(&mut osc, 2, 40), "the new mapping applies");
    device.send(&[0xB0, 0, 90]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(fader_is(&mut osc, 1, 20), "the old binding is gone");
}

/// A fader position on the console law as the 14-bit pitch-bend bytes of
/// strip `n` (no calibration: the plain MCU mapping).
fn fader_bytes(n: u8, pos: f32) -> Vec<u8> {
    let v = (pos * 16383.0).round() as u16;
    vec![0xE0 + n, (v & 0x7F) as u8, (v >> 7) as u8]
}

const HANDSHAKE: [u8; 7] = [0xF0, 0x00, 0x00, 0x66, 0x14, 0x00, 0xF7];

fn is_lcd(m: &[u8]) -> bool {
    m.starts_with(&[0xF0, 0x00, 0x00, 0x66, 0x14, 0x12])
}

/// The text a scribble-strip message writes, and where.
fn lcd_text(m: &[u8]) -> (u8, String) {
    (m[6], m[7..m.len() - 1].iter().map(|&b| b as char).collect())
}

/// An emulated Mackie Control on JACK MIDI, every byte checked: handshake,
/// the whole state, touch and move with the servo echo, no fader writes
/// while touched, one on release, buttons with their LEDs, an OSC change
/// reaching a fader, banking; then unplugged and plugged back in.
#[test]
fn an_emulated_mackie_surface_end_to_end() {
    if !jackd_installed() || !osc_peer::available() {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let server = Server::start(256);
    let mut tracks = String::from(
        "  - { name: Kick, source: { input: 1 } }\n  - { name: Snare, source: { input: 2 } }\n",
    );
    for t in 3..=10 {
        tracks += &format!("  - {{ name: T{t}, source: {{ input: {t} }} }}\n");
    }
    tracks += "mix:\n  track/2/gain: -10\n";
    let s = setup_with(
        &tracks,
        "  - { mapping: mackie-control, input: \"mcu:out\", output: \"mcu:in\" }\n",
        &[],
    );
    let device = MidiPeer::plug("mcu");
    let daemon = Daemon::start(&s.config, Some(&server.name));
    let mut tester = connect(&daemon, Duration::from_secs(15));
    let centre = TONE_DB + CENTRE_DB;

    // Handshake first, then the whole state.
    let (_, first) = device
        .first(WAIT, |_| true)
        .expect("the daemon wakes the surface");
    assert_eq!(first, HANDSHAKE);
    device.send(&[
        0xF0, 0x00, 0x00, 0x66, 0x14, 0x01, 1, 2, 3, 4, 5, 6, 7, 1, 2, 3, 4, 0xF7,
    ]);
    let state = device.collect(Duration::from_millis(1500));
    for want in [fader_bytes(0, 0.75), fader_bytes(1, 0.5)] {
        assert!(
            state.contains(&want),
            "{want:02x?} missing from {state:02x?}"
        );
    }
    let upper: String = state
        .iter()
        .filter(|m| is_lcd(m))
        .map(|m| lcd_text(m))
        .filter(|(at, _)| *at < 0x38)
        .map(|(_, t)| t)
        .collect();
    assert!(
        upper.contains("Kick") && upper.contains("Snare"),
        "{upper:?}"
    );
    for n in 0..8u8 {
        assert!(
            state.contains(&vec![0x90, 0x10 + n, 0x00]),
            "mute LED {n} off"
        );
    }

    // Touch, move: the servo echo comes back and the move is heard.
    device.send(&[0x90, 0x68, 0x7F]);
    let moved = fader_bytes(0, 0.5);
    device.send(&moved);
    assert!(device.until(WAIT, |m| m == moved).is_some(), "servo echo");
    std::thread::sleep(Duration::from_millis(300));
    assert_level(&mut tester, centre - 10.0, "fader 1 at -10 dB");
    let mut osc = osc_peer::Peer::start(s.port);
    assert!((osc.query("/track/1/fader").float() - 0.5).abs() < 1e-3);

    // While touched, nothing the surface did not send moves the motor.
    osc.send("/track/1/fader", &[Arg::F(0.25)]);
    let held = device.collect(Duration::from_millis(500));
    assert!(
        !held.iter().any(|m| m[0] == 0xE0),
        "a fader write while touched: {held:02x?}"
    );
    // On release, the current value once.
    device.send(&[0x90, 0x68, 0x00]);
    let after = device.collect(Duration::from_millis(500));
    let writes: Vec<_> = after.iter().filter(|m| m[0] == 0xE0).collect();
    assert_eq!(writes, vec![&fader_bytes(0, 0.25)], "{after:02x?}");

    // An OSC move of another strip drives its motor.
    osc.send("/track/2/fader", &[Arg::F(0.6)]);
    assert!(device.until(WAIT, |m| m == fader_bytes(1, 0.6)).is_some());

    // MUTE 1: pressed and released, the track mutes and the LED lights.
    device.send(&[0x90, 0x10, 0x7F]);
    device.send(&[0x90, 0x10, 0x00]);
    assert!(
        device.until(WAIT, |m| m == [0x90, 0x10, 0x7F]).is_some(),
        "mute LED"
    );
    assert_eq!(osc.query("/track/1/mute").float(), 1.0);

    // Bank right: strips show tracks 9 and 10, the rest are blank.
    osc.send("/track/9/fader", &[Arg::F(0.4)]);
    std::thread::sleep(Duration::from_millis(200));
    device.drain();
    device.send(&[0x90, 0x2F, 0x7F]);
    device.send(&[0x90, 0x2F, 0x00]);
    let banked = device.collect(Duration::from_millis(1000));
    assert!(banked.contains(&fader_bytes(0, 0.4)), "{banked:02x?}");
    assert!(
        banked.contains(&fader_bytes(2, 0.0)),
        "blank strip fader down"
    );
    let text: String = banked
        .iter()
        .filter(|m| is_lcd(m))
        .map(|m| lcd_text(m).1)
        .collect();
    assert!(text.contains("T9") && text.contains("T10"), "{text:?}");

    // Unplugged, a change, plugged back in: handshake and the whole state,
    // with the change, in the bank it was left in.
    device.unplug();
    std::thread::sleep(Duration::from_millis(1500));
    osc.send("/track/10/fader", &[Arg::F(0.7)]);
    let device = MidiPeer::plug("mcu");
    let (_, first) = device.first(WAIT, |_| true).expect("woken again");
    assert_eq!(first, HANDSHAKE);
    let state = device.collect(Duration::from_millis(1500));
    assert!(state.contains(&fader_bytes(1, 0.7)), "{state:02x?}");
    assert!(state.contains(&fader_bytes(0, 0.4)), "{state:02x?}");
    drop(tester);
}
