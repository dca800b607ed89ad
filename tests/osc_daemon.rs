//! OSC end to end: the daemon as a process (dummy audio backend), real UDP on
//! loopback, and an independent client (python-osc, see
//! `support/osc_peer.py`) on the other side.

#[path = "support/osc_peer.rs"]
mod peer;
#[path = "support/daemon.rs"]
mod process;

use peer::{Arg, Peer};
use process::{free_port, Daemon};
use std::path::Path;
use std::time::Duration;

const SESSION: &str = "\
sample_rate: 48000
tempo: 120
tracks:
  - { name: Kick, source: { input: 1 } }
  - { name: Snare, source: { input: 2 } }
  - { name: Bass, source: { input: 3 } }
  - { name: Keys, channels: 2, source: { input: [4, 5] } }
  - { name: Vox, source: { input: 6 } }
  - { name: Gtr, source: { input: 7 } }
  - { name: Pad, source: { input: 8 } }
  - { name: Room, source: { input: 9 } }
buses:
  - { name: Verb, kind: fx, effect: reverb }
  - { name: Echo, kind: fx, effect: delay }
  - { name: Phones, kind: aux, output: [3, 4] }
";

/// A running console and the port it listens on.
struct Console {
    daemon: Daemon,
    port: u16,
    _dir: tempfile::TempDir,
}

/// Start the daemon with `osc_extra` added to its `osc:` section, and wait
/// until it answers.
fn console(osc_extra: &str) -> Option<Console> {
    if !peer::available() {
        eprintln!("python-osc is not installed (.ci/setup installs it); skipping");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("session/session.yaml"), SESSION);
    let port = free_port();
    let config = dir.path().join("config.yaml");
    write(
        &config,
        &format!(
            "audio: {{ backend: dummy, buffer_frames: 256 }}\nsession: session\nstate_dir: state\n\
             osc:\n  listen: 127.0.0.1:{port}\n{osc_extra}"
        ),
    );
    let daemon = Daemon::start(&config, None);
    Peer::when_answering(port);
    Some(Console {
        daemon,
        port,
        _dir: dir,
    })
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 1e-4
}

const SHORT: Duration = Duration::from_millis(400);
const LONG: Duration = Duration::from_secs(3);

#[test]
fn set_and_query_every_kind_of_parameter() {
    let Some(c) = console("") else { return };
    let mut p = Peer::start(c.port);
    // (address, what is sent, what a query answers)
    let table: &[(&str, Arg, f32)] = &[
        ("/track/1/gain", Arg::F(-6.0), -6.0),
        ("/track/1/gain", Arg::I(-3), -3.0),
        ("/track/1/gain", Arg::D(-1.5), -1.5),
        ("/track/1/gain", Arg::F(30.0), 10.0),
        ("/track/1/gain", Arg::F(f32::NEG_INFINITY), -144.0),
        ("/track/2/fader", Arg::F(0.5), 0.5),
        ("/track/2/gain", Arg::F(0.0), 0.0),
        ("/track/2/fader", Arg::F(0.75), 0.75),
        ("/track/3/trim", Arg::F(6.0), 6.0),
        ("/track/3/polarity", Arg::T, 1.0),
        ("/track/3/mute", Arg::T, 1.0),
        ("/track/3/mute", Arg::F0, 0.0),
        ("/track/3/solo", Arg::F(1.0), 1.0),
        ("/track/3/pan", Arg::F(-0.25), -0.25),
        ("/track/4/width", Arg::F(1.5), 1.5),
        ("/track/3/hpf/freq", Arg::F(120.0), 120.0),
        ("/track/3/hpf/on", Arg::I(1), 1.0),
        ("/track/3/eq/2/type", Arg::S("highshelf"), 2.0),
        ("/track/3/eq/2/freq", Arg::F(3000.0), 3000.0),
        ("/track/3/eq/2/gain", Arg::F(-4.0), -4.0),
        ("/track/3/eq/2/q", Arg::F(2.0), 2.0),
        ("/track/3/gate/threshold", Arg::F(-40.0), -40.0),
        ("/track/3/gate/hold", Arg::F(100.0), 100.0),
        ("/track/3/comp/ratio", Arg::F(4.0), 4.0),
        ("/track/3/comp/attack", Arg::F(5.0), 5.0),
        ("/track/3/comp/on", Arg::T, 1.0),
        ("/track/3/send/1/level", Arg::F(-12.0), -12.0),
        ("/track/3/send/2/fader", Arg::F(0.5), 0.5),
        ("/track/3/send/2/level", Arg::F(-10.0), -10.0),
        ("/track/3/send/3/pre", Arg::T, 1.0),
        ("/track/3/send/3/on", Arg::F0, 0.0),
        ("/bus/1/reverb/decay", Arg::F(2.5), 2.5),
        ("/bus/2/delay/note", Arg::S("1/8"), 8.0),
        ("/bus/2/delay/feedback", Arg::F(0.5), 0.5),
        ("/bus/3/fader", Arg::F(0.25), 0.25),
        ("/master/limiter/ceiling", Arg::F(-2.0), -2.0),
        ("/master/comp/threshold", Arg::F(-18.0), -18.0),
        ("/transport/tempo", Arg::F(96.0), 96.0),
        ("/track/3/drive/type", Arg::S("tube"), 1.0),
        ("/track/3/drive/amount", Arg::F(18.0), 18.0),
        ("/track/3/drive/on", Arg::T, 1.0),
        ("/track/4/mod/type", Arg::S("phaser"), 2.0),
        ("/track/4/mod/stages", Arg::F(8.0), 8.0),
        ("/track/4/mod/note", Arg::S("1/4"), 5.0),
        ("/track/2/pitch/semitones", Arg::I(-5), -5.0),
        ("/track/2/pitch/cents", Arg::F(12.5), 12.5),
        ("/bus/1/drive/output", Arg::F(-3.0), -3.0),
        ("/bus/2/mod/rate", Arg::F(2.0), 2.0),
    ];
    for &(addr, arg, want) in table {
        p.send(addr, &[arg]);
        let got = p.query(addr).float();
        assert!(close(got, want), "{addr} {arg:?}: got {got}, want {want}");
    }
    // Names are strings both ways.
    assert_eq!(p.query("/track/5/name").string(), "Vox");
    p.send("/track/5/name", &[Arg::S("Lead Vox")]);
    assert_eq!(p.query("/track/5/name").string(), "Lead Vox");
    // Read-only loudness answers a query.
    assert!(p.query("/master/loudness/integrated").float() <= 0.0);
    assert!(c.daemon.pid() > 0);
}

#[test]
fn refused_values_change_nothing_and_subscribers_hear_why() {
    let Some(c) = console("") else { return };
    let mut p = Peer::start(c.port);
    p.send("/subscribe", &[]);
    assert!(p.wait("/subscribed", LONG).is_some());
    p.send("/track/1/gain", &[Arg::F(-5.0)]);
    for bad in [
        vec![Arg::S("loud")],
        vec![Arg::F(f32::INFINITY)],
        vec![Arg::D(f64::NAN)],
    ] {
        p.drain();
        p.send("/track/1/gain", &bad);
        let e = p.wait("/error", LONG).expect("an /error for a subscriber");
        assert_eq!(e.args[0].as_str(), Some("/track/1/gain"), "{bad:?}");
        assert!(close(p.query("/track/1/gain").float(), -5.0), "{bad:?}");
    }
    p.drain();
    p.send("/track/1/drive/type", &[Arg::S("wah")]);
    let e = p
        .wait("/error", LONG)
        .expect("an /error for an unknown type");
    assert!(
        e.args[1]
            .as_str()
            .is_some_and(|s| s.contains("one of tape, tube, fuzz, bitcrush")),
        "{e:?}"
    );
    p.drain();
    p.send("/track/99/gain", &[Arg::F(0.0)]);
    let e = p
        .wait("/error", LONG)
        .expect("an /error for an unknown address");
    assert_eq!(e.args[1].as_str(), Some("no such address"));
    p.drain();
    p.send("/master/loudness/integrated", &[Arg::F(0.0)]);
    let e = p.wait("/error", LONG).expect("read-only");
    assert_eq!(e.args[1].as_str(), Some("read-only"));
}

#[test]
fn patterns_match_the_address_space_and_bundles_apply_in_order() {
    let Some(c) = console("") else { return };
    let mut p = Peer::start(c.port);
    p.send("/track/*/mute", &[Arg::T]);
    for t in 1..=8 {
        assert_eq!(
            p.query(&format!("/track/{t}/mute")).float(),
            1.0,
            "track {t}"
        );
    }
    p.send("/track/[1-3]/pan", &[Arg::F(-0.5)]);
    p.send("/track/[!1-3]/pan", &[Arg::F(0.5)]);
    p.send("/track/{5,7}/solo", &[Arg::T]);
    p.send("/track/?/eq/*/gain", &[Arg::F(3.0)]);
    for t in 1..=8 {
        let pan = p.query(&format!("/track/{t}/pan")).float();
        assert_eq!(pan, if t <= 3 { -0.5 } else { 0.5 }, "track {t} pan");
        let solo = p.query(&format!("/track/{t}/solo")).float();
        assert_eq!(
            solo,
            if t == 5 || t == 7 { 1.0 } else { 0.0 },
            "track {t} solo"
        );
        assert_eq!(p.query(&format!("/track/{t}/eq/4/gain")).float(), 3.0);
    }
    // A pattern query answers every match.
    p.drain();
    p.send("/track/*/mute", &[]);
    std::thread::sleep(SHORT);
    let answers = p.drain();
    assert_eq!(
        answers.iter().filter(|m| m.addr.ends_with("/mute")).count(),
        8
    );

    // A bundle applies in order: the last value of an address wins, and
    // every message of it applies.
    p.bundle(&[
        ("/track/1/gain", &[Arg::F(-10.0)]),
        ("/track/2/gain", &[Arg::F(-7.0)]),
        ("/track/1/gain", &[Arg::F(-20.0)]),
        ("/track/1/mute", &[Arg::F0]),
    ]);
    assert_eq!(p.query("/track/1/gain").float(), -20.0);
    assert_eq!(p.query("/track/2/gain").float(), -7.0);
    assert_eq!(p.query("/track/1/mute").float(), 0.0);
}

#[test]
fn two_clients_see_each_others_moves_but_not_their_own_echo() {
    let Some(c) = console("") else { return };
    let (mut a, mut b, mut db) = (
        Peer::start(c.port),
        Peer::start(c.port),
        Peer::start(c.port),
    );
    a.send("/subscribe", &[]);
    b.send("/subscribe", &[Arg::S("fader")]);
    db.send("/subscribe", &[Arg::S("db")]);
    // Each gets the whole state first: names and faders in its form.
    let name = b.wait("/track/4/name", LONG).expect("a dump on subscribe");
    assert_eq!(name.string(), "Keys");
    assert!(b.wait("/track/8/fader", LONG).is_some());
    assert!(db.wait("/track/8/gain", LONG).is_some());
    std::thread::sleep(SHORT);
    for p in [&mut a, &mut b, &mut db] {
        p.drain();
    }

    a.send("/track/1/fader", &[Arg::F(0.5)]);
    let seen = b.wait("/track/1/fader", LONG).expect("b sees a's move");
    assert!(close(seen.float(), 0.5));
    let seen = db.wait("/track/1/gain", LONG).expect("the dB client too");
    assert!(close(seen.float(), -10.0), "{}", seen.float());
    assert!(
        a.wait("/track/1/fader", SHORT).is_none(),
        "the mover gets no echo"
    );

    // Renaming reaches everyone else as well.
    b.send("/bus/1/name", &[Arg::S("Plate")]);
    assert_eq!(a.wait("/bus/1/name", LONG).unwrap().string(), "Plate");

    // A client that asks for its echo gets it.
    a.send("/subscribe", &[Arg::S("echo")]);
    a.drain();
    a.send("/track/2/pan", &[Arg::F(0.25)]);
    assert!(close(
        a.wait("/track/2/pan", LONG).expect("echo").float(),
        0.25
    ));
}

#[test]
fn touched_controls_get_no_feedback_until_released() {
    let Some(c) = console("") else { return };
    let (mut a, mut b) = (Peer::start(c.port), Peer::start(c.port));
    a.send("/subscribe", &[]);
    assert!(a.wait("/subscribed", LONG).is_some());
    std::thread::sleep(SHORT);
    a.drain();
    a.send("/track/1/fader/z", &[Arg::F(1.0)]);
    a.send("/track/2/fader/touch", &[Arg::I(1)]);
    b.send("/track/1/fader", &[Arg::F(0.3)]);
    b.send("/track/2/fader", &[Arg::F(0.4)]);
    b.send("/track/3/fader", &[Arg::F(0.6)]);
    assert!(
        a.wait("/track/3/fader", LONG).is_some(),
        "untouched ones arrive"
    );
    assert!(
        a.wait("/track/1/fader", SHORT).is_none(),
        "touched: held back"
    );
    assert!(
        a.wait("/track/2/fader", SHORT).is_none(),
        "touched: held back"
    );
    a.send("/track/1/fader/z", &[Arg::F(0.0)]);
    let m = a.wait("/track/1/fader", LONG).expect("sent on release");
    assert!(close(m.float(), 0.3));
    a.send("/track/2/fader/touch", &[Arg::I(0)]);
    assert!(close(a.wait("/track/2/fader", LONG).unwrap().float(), 0.4));
}

#[test]
fn subscriptions_expire_unless_renewed() {
    let Some(c) = console("  subscription_timeout: 1\n") else {
        return;
    };
    let (mut a, mut b) = (Peer::start(c.port), Peer::start(c.port));
    a.send("/subscribe", &[]);
    let ack = a.wait("/subscribed", LONG).unwrap();
    assert_eq!(ack.args[0].as_i64(), Some(1), "the timeout is announced");
    // Renewed every 400 ms for 2 s: still served.
    for _ in 0..5 {
        std::thread::sleep(SHORT);
        a.send("/subscribe", &[]);
    }
    a.drain();
    b.send("/track/1/pan", &[Arg::F(0.1)]);
    assert!(a.wait("/track/1/pan", LONG).is_some(), "renewed in time");
    // Silent for longer than the timeout: dropped.
    std::thread::sleep(Duration::from_millis(1600));
    a.drain();
    b.send("/track/1/pan", &[Arg::F(0.2)]);
    assert!(a.wait("/track/1/pan", SHORT * 2).is_none(), "expired");
    // Subscribing again brings it back, with a fresh dump.
    a.send("/subscribe", &[]);
    let m = a.wait("/track/1/pan", LONG).expect("dump on re-subscribe");
    assert!(close(m.float(), 0.2));
}

#[test]
fn a_fixed_client_from_the_config_gets_everything_without_asking() {
    if !peer::available() {
        return;
    }
    // The fixed client must exist before the daemon starts.
    let mut fixed = Peer::start(0);
    let Some(c) = console(&format!(
        "  clients: [ {{ address: 127.0.0.1:{}, form: db }} ]\n",
        fixed.port
    )) else {
        return;
    };
    fixed.to = c.port;
    let m = fixed.wait("/track/8/gain", LONG).expect("a dump at start");
    assert!(close(m.float(), 0.0));
    let mut mover = Peer::start(c.port);
    mover.send("/subscribe", &[]);
    std::thread::sleep(SHORT);
    fixed.drain();
    mover.send("/track/6/fader", &[Arg::F(0.5)]);
    let m = fixed
        .wait("/track/6/gain", LONG)
        .expect("a move reaches it");
    assert!(
        close(m.float(), -10.0),
        "in dB, as configured: {}",
        m.float()
    );
    // It may ask for meters like any client.
    fixed.send("/meters", &[Arg::F(20.0)]);
    assert!(fixed.wait("/track/1/meter/peak", LONG).is_some());
}

#[test]
fn a_burst_reaches_other_clients_rate_limited_and_ending_on_the_last_value() {
    let Some(c) = console("") else { return };
    let (mut a, mut b) = (Peer::start(c.port), Peer::start(c.port));
    b.send("/subscribe", &[]);
    assert!(b.wait("/subscribed", LONG).is_some());
    std::thread::sleep(SHORT);
    b.drain();
    let start = b.now();
    a.burst("/track/1/fader", 0.0, 0.9, 3000);
    std::thread::sleep(Duration::from_millis(500));
    let got: Vec<_> = b
        .drain()
        .into_iter()
        .filter(|m| m.addr == "/track/1/fader")
        .collect();
    let last = got.last().expect("feedback arrived");
    assert!(
        close(last.float(), 0.9),
        "ends on the last value: {}",
        last.float()
    );
    let span = last.t - start;
    let allowed = (span * 60.0).ceil() as usize + 2;
    assert!(
        got.len() <= allowed,
        "{} updates in {span:.3} s: more than about 60 a second",
        got.len()
    );
    for w in got.windows(2) {
        assert!(
            w[1].t - w[0].t > 0.010,
            "updates {:.1} ms apart",
            (w[1].t - w[0].t) * 1e3
        );
    }
    assert!(
        got.windows(2).all(|w| w[1].float() >= w[0].float()),
        "in order"
    );
}

#[test]
fn meters_come_at_the_rate_asked_for() {
    let Some(c) = console("") else { return };
    let mut p = Peer::start(c.port);
    p.send("/subscribe", &[Arg::S("db")]);
    p.send("/meters", &[Arg::F(10.0)]);
    std::thread::sleep(Duration::from_millis(200));
    p.drain();
    std::thread::sleep(Duration::from_secs(1));
    let msgs = p.drain();
    let peaks: Vec<_> = msgs
        .iter()
        .filter(|m| m.addr == "/track/1/meter/peak")
        .collect();
    assert!(
        (8..=12).contains(&peaks.len()),
        "{} peak readings in 1 s at 10 Hz",
        peaks.len()
    );
    // The dummy backend feeds a -20 dBFS sine to every input.
    let level = peaks.last().unwrap().float();
    assert!(level > -30.0 && level < 0.0, "track 1 peak {level} dBFS");
    for addr in [
        "/bus/3/meter/rms",
        "/master/meter/limiter",
        "/master/loudness/momentary",
        "/track/8/meter/comp",
    ] {
        assert!(msgs.iter().any(|m| m.addr == addr), "{addr}");
    }
    assert!(msgs.iter().all(|m| m.size <= mixbridge::osc::MAX_PAYLOAD));
    p.send("/meters", &[Arg::F(0.0)]);
    std::thread::sleep(SHORT);
    p.drain();
    std::thread::sleep(SHORT);
    assert!(p.drain().is_empty(), "meters stop");
}

#[test]
fn rejected_sources_and_malformed_packets_leave_the_daemon_serving() {
    let Some(mut c) = console("  allow: [127.0.0.1/32]\n") else {
        return;
    };
    let mut outsider = Peer::start_on("127.0.0.2", c.port);
    outsider.send("/track/1/gain", &[Arg::F(-30.0)]);
    outsider.send("/track/1/gain", &[]);
    assert!(
        outsider.wait("/track/1/gain", SHORT).is_none(),
        "not answered"
    );

    let mut p = Peer::start(c.port);
    assert_eq!(p.query("/track/1/gain").float(), 0.0, "and not applied");
    let nested = {
        // A bundle inside a bundle, 200 deep.
        let mut b = b"/track/1/gain\0\0\0,f\0\0\xc1\x20\0\0".to_vec();
        for _ in 0..200 {
            let mut outer = b"#bundle\0\0\0\0\0\0\0\0\x01".to_vec();
            outer.extend_from_slice(&(b.len() as u32).to_be_bytes());
            outer.extend_from_slice(&b);
            b = outer;
        }
        b
    };
    let garbage: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"x".to_vec(),
        b"/track/1/gain".to_vec(),
        b"/track/1/gain\0\0\0,f\0\0".to_vec(),
        b"/track/1/gain\0\0\0,zzz\0\0\0\0".to_vec(),
        b"#bundle\0\0\0\0\0\0\0\0\x01\xff\xff\xff\xff".to_vec(),
        b"/track/[1/gain\0\0,f\0\0\0\0\0\0".to_vec(),
        nested,
        vec![0xff; 9000],
    ];
    for g in &garbage {
        p.raw(g);
    }
    for i in 0..2000u32 {
        p.raw(&i.to_le_bytes().repeat(7));
    }
    assert_eq!(p.query("/track/1/gain").float(), 0.0);
    p.send("/track/1/gain", &[Arg::F(-3.0)]);
    assert_eq!(p.query("/track/1/gain").float(), -3.0, "still serving");
    p.drain();
    p.send("/status", &[]);
    let rejected = p.wait("/status/osc/rejected_sources", LONG).unwrap();
    assert!(rejected.float() >= 2.0);
    let malformed = p.wait("/status/osc/malformed", LONG).unwrap();
    assert!(malformed.float() >= 8.0, "{}", malformed.float());
    assert!(c.daemon.alive());
}

#[test]
fn a_hung_client_does_not_hold_up_the_others() {
    let Some(c) = console("") else { return };
    // A local client that subscribes to everything and never reads: its
    // receive buffer fills within seconds.
    let hung = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let to = format!("127.0.0.1:{}", c.port);
    for (addr, args) in [
        ("/subscribe", vec![]),
        ("/meters", vec![rosc::OscType::Float(30.0)]),
    ] {
        let m = rosc::OscPacket::Message(rosc::OscMessage {
            addr: addr.into(),
            args,
        });
        hung.send_to(&rosc::encoder::encode(&m).unwrap(), &to)
            .unwrap();
    }
    let (mut a, mut b) = (Peer::start(c.port), Peer::start(c.port));
    b.send("/subscribe", &[]);
    for k in 0..20 {
        std::thread::sleep(Duration::from_millis(250));
        a.send("/track/*/pan", &[Arg::F(k as f32 / 40.0)]);
    }
    b.drain();
    a.send("/track/2/fader", &[Arg::F(0.3)]);
    let m = b
        .wait("/track/2/fader", LONG)
        .expect("feedback still flows");
    assert!(close(m.float(), 0.3));
    assert_eq!(a.query("/track/2/fader").float(), 0.3, "and answers too");
    drop(hung);
}

#[test]
fn strangers_get_few_answers_and_clients_get_all() {
    let Some(c) = console("") else { return };
    let mut p = Peer::start(c.port);
    p.send("/track/*/eq/*/*", &[]);
    std::thread::sleep(SHORT);
    let stranger = p.drain().len();
    assert_eq!(stranger, mixbridge::osc::server::STRANGER_ANSWERS);
    p.send("/subscribe", &[]);
    std::thread::sleep(SHORT);
    p.drain();
    p.send("/track/*/eq/*/*", &[]);
    std::thread::sleep(SHORT);
    let answers = p
        .drain()
        .into_iter()
        .filter(|m| m.addr.contains("/eq/"))
        .count();
    assert_eq!(answers, 8 * 4 * 5, "8 tracks x 4 bands x 5 fields");
}
