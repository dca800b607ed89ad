//! The X32 protocol end to end: the daemon as a process (dummy audio
//! backend), real UDP on loopback, and clients nobody here wrote: the PyPI
//! libraries behringer-mixer (X32: `/xinfo`, every address it knows,
//! `/xremote`) and xair-api (X-Air, with its own value laws), driven by
//! `support/x32_app.py`; python-osc (`support/osc_peer.py`) as a native
//! OSC client and as a raw X32 client for meters and bad input.

#[path = "support/osc_peer.rs"]
mod peer;
#[path = "support/daemon.rs"]
mod process;
#[path = "support/x32_app.rs"]
mod x32_app;

use peer::{Arg, Msg, Peer};
use process::{free_port, Daemon};
use serde_json::json;
use std::path::Path;
use std::time::Duration;
use x32_app::{App, Library};

const SESSION: &str = "\
sample_rate: 48000
tracks:
  - { name: Kick, source: { input: 1 }, colour: red }
  - { name: Snare, source: { input: 2 } }
  - { name: Bass, source: { input: 3 } }
  - { name: Keys, channels: 2, source: { input: [4, 5] } }
  - { name: Vox, source: { input: 6 }, colour: cyan }
buses:
  - { name: Verb, kind: fx, effect: reverb }
  - { name: Phones, kind: aux, output: [3, 4] }
mix:
  track/2/gain: -10
  track/3/mute: 1
";

const LONG: Duration = Duration::from_secs(3);
const SHORT: Duration = Duration::from_millis(400);

/// The daemon with native OSC and an X32 server of `flavour`.
struct Console {
    daemon: Daemon,
    /// The native OSC port.
    port: u16,
    /// The X32 server's port.
    x32: u16,
    config: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn console(flavour: &str, osc_extra: &str) -> Console {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("session/session.yaml"), SESSION);
    let (port, x32) = (free_port(), free_port());
    let config = dir.path().join("config.yaml");
    write(
        &config,
        &format!(
            "audio: {{ backend: dummy, buffer_frames: 256 }}\nsession: session\nstate_dir: state\n\
             osc:\n  listen: 127.0.0.1:{port}\n  x32: {{ listen: 127.0.0.1:{x32}, flavour: {flavour} }}\n{osc_extra}"
        ),
    );
    let daemon = Daemon::start(&config, None);
    Peer::when_answering(port);
    Console {
        daemon,
        port,
        x32,
        config,
        _dir: dir,
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn ready(library: Library) -> bool {
    let ok = peer::available() && library.available();
    if !ok {
        eprintln!("python-osc or {library:?} is not installed (.ci/setup installs them); skipping");
    }
    ok
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() < tol
}

#[test]
fn an_x32_app_reads_the_console_and_drives_it() {
    if !ready(Library::BehringerMixer) {
        return;
    }
    let c = console("x32", "");
    let mut app = App::start(Library::BehringerMixer, "X32", c.x32);
    let hello = app.call(json!({"op": "connect"}));
    assert_eq!(hello["ok"], true, "{hello}");
    assert_eq!(hello["name"], "mixbridge");
    assert_eq!(hello["firmware"], "4.06");

    // The library reads every address it knows (channels, sends, buses,
    // matrices, DCAs, 128 head amps, mains, show and USB state...): each
    // is answered, the ones this console lacks with their defaults.
    app.call(json!({"op": "reload"}));
    let m = app.call(json!({"op": "missing"}));
    assert!(m["total"].as_u64().unwrap() > 1500, "{m}");
    assert_eq!(m["missing"], json!([]), "unanswered addresses");

    assert_eq!(app.state("/ch/1/config_name"), "Kick");
    assert_eq!(app.state("/ch/5/config_name"), "Vox");
    assert_eq!(app.state("/ch/1/config_color"), 1, "red");
    assert_eq!(app.state("/ch/5/config_color_name"), "CY");
    assert_eq!(app.state("/ch/1/mix_fader"), 0.75, "0 dB");
    assert_eq!(app.state("/ch/2/mix_fader_db"), -10.0);
    assert_eq!(app.state("/ch/3/mix_on"), false, "muted in the session");
    assert_eq!(app.state("/bus/1/config_name"), "Verb");
    assert_eq!(app.state("/ch/20/mix_fader"), 0.0, "no track 20: -oo");
    assert_eq!(app.state("/ch/20/config_name"), "");
    let headamp = app.state("/headamp/127/gain").as_f64().unwrap();
    assert!(
        close(headamp, 12.0 / 72.0, 1e-6),
        "a head amp at 0 dB: {headamp}"
    );

    // Moves from the app reach the console.
    let mut osc = Peer::start(c.port);
    app.set("/ch/4/mix_fader", json!(0.25));
    assert!(close(
        osc.query("/track/4/gain").float() as f64,
        -30.0,
        1e-3
    ));
    app.set("/ch/1/mix_on", json!(false));
    assert_eq!(osc.query("/track/1/mute").float(), 1.0);
    app.set("/ch/2/config_name", json!("Snare Top"));
    assert_eq!(osc.query("/track/2/name").string(), "Snare Top");
    app.set("/ch/2/config_color_name", json!("GN"));
    assert_eq!(osc.query("/track/2/colour").string(), "green");
    app.set("/chsend/1/2/mix_fader_db", json!(-10.0));
    assert!(close(
        osc.query("/track/1/send/2/level").float() as f64,
        -10.0,
        1e-3
    ));
    app.set("/main/st/mix_fader_db", json!(-5.0));
    assert!(close(osc.query("/master/gain").float() as f64, -5.0, 1e-3));
    app.set("/bus/2/mix_on", json!(false));
    assert_eq!(osc.query("/bus/2/mute").float(), 1.0);

    // With /xremote, changes made elsewhere reach the app: faders, mutes,
    // names and colours, as the library's own keys.
    app.call(json!({"op": "subscribe"}));
    osc.send("/track/3/fader", &[Arg::F(0.5)]);
    app.saw("/ch/3/mix_fader", json!(0.5));
    osc.send("/track/3/mute", &[Arg::F(0.0)]);
    app.saw("/ch/3/mix_on", json!(true));
    osc.send("/track/5/name", &[Arg::S("Lead Vox")]);
    app.saw("/ch/5/config_name", json!("Lead Vox"));
    osc.send("/track/5/colour", &[Arg::S("magenta")]);
    app.saw("/ch/5/config_color", json!(5));
    osc.send("/bus/1/fader", &[Arg::F(0.625)]);
    app.saw("/bus/1/mix_fader_db", json!(-5.0));
    osc.send("/master/mute", &[Arg::F(1.0)]);
    app.saw("/main/st/mix_on", json!(false));
    assert!(c.daemon.pid() > 0);
}

#[test]
fn x32_moves_reach_native_clients_and_other_apps_but_are_not_echoed() {
    if !peer::available() {
        return;
    }
    let c = console("x32", "");
    let mut native = Peer::start(c.port);
    native.send("/subscribe", &[]);
    assert!(native.wait("/subscribed", LONG).is_some());
    let (mut a, mut b) = (Peer::start(c.x32), Peer::start(c.x32));
    a.send("/xremote", &[]);
    b.send("/xremote", &[]);
    std::thread::sleep(SHORT);
    for p in [&mut native, &mut a, &mut b] {
        p.drain();
    }

    a.send("/ch/01/mix/fader", &[Arg::F(0.5)]);
    let seen = b.wait("/ch/01/mix/fader", LONG).expect("b sees a's move");
    assert_eq!(seen.float(), 0.5);
    let seen = native.wait("/track/1/fader", LONG).expect("native sees it");
    assert!((seen.float() - 0.5).abs() < 1e-6);
    assert!(
        a.wait("/ch/01/mix/fader", SHORT).is_none(),
        "no echo to the mover"
    );

    // Mutes and solos as ints, as the console sends them; the type a
    // client reads back is the type of the address.
    a.send("/ch/02/mix/on", &[Arg::I(0)]);
    let on = b.wait("/ch/02/mix/on", LONG).unwrap();
    assert_eq!(on.args[0], json!(0));
    a.send("/-stat/solosw/03", &[Arg::I(1)]);
    assert_eq!(native.wait("/track/3/solo", LONG).unwrap().float(), 1.0);
    native.send("/track/4/solo", &[Arg::T]);
    assert_eq!(a.wait("/-stat/solosw/04", LONG).unwrap().args[0], json!(1));

    // Queries answer in the address's type; names are cut to the
    // console's 12 characters.
    native.send("/track/1/name", &[Arg::S("Kick Drum Inside Mic")]);
    std::thread::sleep(SHORT);
    a.drain();
    for (addr, want) in [
        ("/ch/01/config/name", json!("Kick Drum In")),
        ("/ch/01/config/color", json!(1)),
        ("/ch/01/mix/pan", json!(0.5)),
        ("/ch/02/mix/on", json!(0)),
        ("/ch/01/eq/1/type", json!(1)),
        ("/ch/09/mix/fader", json!(0.0)),
        ("/main/st/grp/dca", json!(0)),
        ("/main/m/mix/fader", json!(0.0)),
    ] {
        a.send(addr, &[]);
        let got = a
            .wait(addr, LONG)
            .unwrap_or_else(|| panic!("{addr} unanswered"));
        assert_eq!(got.args[0], want, "{addr}");
    }

    // `/` sets by node text, and the values set are echoed to the sender.
    a.send("/", &[Arg::S("/ch/05/mix ON -20.0 ON -50")]);
    assert!(a.wait("/ch/05/mix/pan", LONG).is_some());
    assert!((native.query("/track/5/gain").float() + 20.0).abs() < 1e-3);
    assert_eq!(native.query("/track/5/pan").float(), -0.5);
}

/// The little-endian floats of a `/meters/N` blob (as hex from the peer).
fn floats(m: &Msg) -> Vec<f32> {
    let hex = m.args[0].as_str().expect("a blob");
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let n = i32::from_le_bytes(bytes[..4].try_into().unwrap()) as usize;
    assert_eq!(bytes.len(), 4 + 4 * n, "count and values");
    bytes[4..]
        .chunks(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

#[test]
fn meters_reach_subscribed_apps_in_the_published_layout() {
    if !peer::available() {
        return;
    }
    let c = console("x32", "");
    let mut app = Peer::start(c.x32);
    let mut stranger = Peer::start(c.x32);
    stranger.send("/meters", &[Arg::S("/meters/0")]);
    app.send("/xremote", &[]);
    // Time factor 2: every 100 ms.
    app.send(
        "/meters",
        &[Arg::S("/meters/0"), Arg::I(0), Arg::I(0), Arg::I(2)],
    );
    app.send("/meters", &[Arg::S("/meters/1")]);
    std::thread::sleep(Duration::from_secs(1));
    let got = app.drain();
    let m0: Vec<&Msg> = got.iter().filter(|m| m.addr == "/meters/0").collect();
    let m1: Vec<&Msg> = got.iter().filter(|m| m.addr == "/meters/1").collect();
    assert!(
        (7..=13).contains(&m0.len()),
        "{} sets of /meters/0 in a second",
        m0.len()
    );
    assert!(m1.len() >= 15, "{} sets of /meters/1 in a second", m1.len());
    let v = floats(m0.last().unwrap());
    assert_eq!(v.len(), 70);
    // The dummy backend plays a -20 dBFS sine into every input.
    assert!((0.01..1.0).contains(&v[0]), "channel 1: {}", v[0]);
    assert!(v[5..32].iter().all(|l| *l == 0.0), "no tracks past 5");
    let v = floats(m1.last().unwrap());
    assert_eq!(v.len(), 96);
    assert!(
        v[32..].iter().all(|g| *g == 1.0),
        "no gain reduction: {:?}",
        &v[32..]
    );
    assert!(
        stranger.wait("/meters/0", SHORT).is_none(),
        "meters only for /xremote clients"
    );
}

#[test]
fn bad_input_is_counted_and_strangers_get_nothing() {
    if !peer::available() {
        return;
    }
    let mut c = console("x32", "  allow: [127.0.0.1/32]\n");
    let mut outsider = Peer::start_on("127.0.0.2", c.x32);
    outsider.send("/xinfo", &[]);
    outsider.send("/ch/01/mix/fader", &[Arg::F(0.1)]);
    assert!(outsider.wait("/xinfo", SHORT).is_none(), "not answered");

    let mut p = Peer::start(c.x32);
    let garbage: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"/".to_vec(),
        b"/info".to_vec(),
        b"node\0\0\0\0,s\0\0".to_vec(),
        b"/ch/01/mix/fader\0\0\0\0,f\0\0".to_vec(),
        b"#bundle\0\0\0\0\0\0\0\0\x01\xff\xff\xff\xff".to_vec(),
        vec![0xff; 9000],
    ];
    for g in &garbage {
        p.raw(g);
    }
    for (addr, args) in [
        ("/ch/01/mix/fader", vec![Arg::F(1.5)]),
        ("/ch/01/mix/fader", vec![Arg::D(f64::NAN)]),
        ("/ch/01/mix/on", vec![Arg::I(9)]),
        ("/ch/01/config/name", vec![Arg::F(1.0)]),
        ("/ch/33/mix/fader", vec![Arg::F(0.5)]),
        ("/", vec![Arg::S("/ch/01/mix ON -500")]),
        ("/node", vec![Arg::S("ch/99/mix")]),
        ("/meters", vec![Arg::S("/meters/99")]),
    ] {
        p.send(addr, &args);
    }
    // Without type tags, as the console accepts.
    p.raw(b"/xinfo\0\0");
    let info = p.wait("/xinfo", LONG).expect("still serving");
    assert_eq!(info.args[1], json!("mixbridge"));

    let mut native = Peer::start(c.port);
    assert_eq!(
        native.query("/track/1/gain").float(),
        0.0,
        "nothing applied"
    );
    let s = native.status();
    assert!(s["x32/rejected_sources"] >= 2.0, "{s:?}");
    assert!(s["x32/malformed"] >= 4.0, "{s:?}");
    assert!(s["x32/rejected_values"] >= 5.0, "{s:?}");
    assert!(s["x32/unknown_addresses"] >= 2.0, "{s:?}");
    assert!(c.daemon.alive());
}

#[test]
fn xremote_clients_are_bounded_to_the_consoles_four() {
    if !peer::available() {
        return;
    }
    let c = console("x32", "");
    let mut clients: Vec<Peer> = (0..5).map(|_| Peer::start(c.x32)).collect();
    for p in &mut clients {
        p.send("/xremote", &[]);
    }
    std::thread::sleep(SHORT);
    let mut native = Peer::start(c.port);
    native.send("/track/1/mute", &[Arg::T]);
    let told = clients
        .iter_mut()
        .map(|p| p.wait("/ch/01/mix/on", LONG).is_some())
        .filter(|told| *told)
        .count();
    assert_eq!(told, 4, "the console serves four /xremote clients");
    let s = native.status();
    assert_eq!(s["x32/clients"], 4.0);
    assert!(s["x32/refused_subscriptions"] >= 1.0);
}

#[test]
fn an_xair_app_sets_the_console_with_its_own_value_laws() {
    if !ready(Library::XairApi) {
        return;
    }
    let c = console("xair", "");
    let mut app = App::start(Library::XairApi, "XR18", c.x32);
    assert_eq!(
        app.hello["info"],
        json!(["127.0.0.1", "mixbridge", "XR18", "1.22"])
    );
    assert_eq!(app.get_path("strip.4.config.name"), "Vox");
    assert_eq!(app.get_path("strip.1.mix.fader"), -10.0);
    assert_eq!(
        app.get_path("strip.10.mix.fader"),
        -90.0,
        "no track 11: -oo"
    );
    let mut osc = Peer::start(c.port);
    // (xair-api path, value in its units, native address, value in ours, tolerance)
    let table: &[(&str, f64, &str, f64, f64)] = &[
        (
            "strip.1.eq.low.frequency",
            1000.0,
            "/track/2/eq/1/freq",
            1000.0,
            0.01,
        ),
        ("strip.1.eq.low.gain", 6.0, "/track/2/eq/1/gain", 6.0, 1e-3),
        (
            "strip.1.eq.himid.quality",
            2.0,
            "/track/2/eq/3/q",
            2.0,
            1e-3,
        ),
        (
            "strip.1.preamp.highpassfilter",
            120.0,
            "/track/2/hpf/freq",
            120.0,
            0.01,
        ),
        (
            "strip.2.gate.threshold",
            -40.0,
            "/track/3/gate/threshold",
            -40.0,
            1e-3,
        ),
        (
            "strip.2.gate.release",
            500.0,
            "/track/3/gate/release",
            500.0,
            0.01,
        ),
        (
            "strip.2.dyn.threshold",
            -20.0,
            "/track/3/comp/threshold",
            -20.0,
            1e-3,
        ),
        ("strip.2.dyn.mgain", 6.0, "/track/3/comp/makeup", 6.0, 1e-3),
        (
            "strip.2.dyn.attack",
            30.0,
            "/track/3/comp/attack",
            30.0,
            1e-3,
        ),
        ("strip.3.mix.fader", -5.0, "/track/4/gain", -5.0, 1e-3),
        ("bus.0.mix.fader", -20.0, "/bus/1/gain", -20.0, 1e-3),
        ("lr.mix.fader", -3.0, "/master/gain", -3.0, 1e-3),
    ];
    for &(path, v, addr, want, tol) in table {
        app.set_path(path, json!(v));
        // Read back on the same socket first: then the set was applied.
        let back = app.get_path(path).as_f64().unwrap();
        assert!(
            close(back, v, v.abs() * 0.01 + 0.05),
            "{path} reads back {back}"
        );
        let got = osc.query(addr).float() as f64;
        assert!(
            close(got, want, tol),
            "{path} = {v}: {addr} is {got}, want {want}"
        );
    }
    app.set_path("strip.0.mix.on", json!(false));
    assert_eq!(app.get_path("strip.0.mix.on"), false);
    assert_eq!(osc.query("/track/1/mute").float(), 1.0);
    app.set_path("strip.0.config.name", json!("Kick In"));
    assert_eq!(app.get_path("strip.0.config.name"), "Kick In");
    assert_eq!(osc.query("/track/1/name").string(), "Kick In");
    osc.send("/track/5/gain", &[Arg::F(-12.0)]);
    std::thread::sleep(SHORT);
    assert_eq!(app.get_path("strip.4.mix.fader"), -12.0);
}

#[test]
fn colours_and_names_from_an_app_survive_a_restart() {
    if !peer::available() {
        return;
    }
    let mut c = console("x32", "");
    let mut app = Peer::start(c.x32);
    app.send("/ch/02/config/color", &[Arg::I(4)]);
    app.send("/ch/02/config/name", &[Arg::S("Snare Btm")]);
    assert_eq!(app.query("/ch/02/config/name").string(), "Snare Btm");
    let mut native = Peer::start(c.port);
    assert_eq!(native.query("/track/2/colour").string(), "blue");
    c.daemon.signal(libc::SIGTERM);
    assert!(c.daemon.wait_exit().success());
    c.daemon = Daemon::start(&c.config, None);
    Peer::when_answering(c.port);
    assert_eq!(native.query("/track/2/colour").string(), "blue");
    assert_eq!(native.query("/track/2/name").string(), "Snare Btm");
    app.send("/ch/02/config/color", &[]);
    let colour = app.wait("/ch/02/config/color", LONG).expect("answered");
    assert_eq!(colour.args[0], json!(4));
}
