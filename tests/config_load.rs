//! Loading the config: defaults with no file, the lookup order, the shipped
//! example, the OSC allow-list, and a session's wiring on this machine.
//!
//! The lookup order depends on the environment, which is global to the
//! process, so those cases run in a child process (this test binary again,
//! running only `child_entry`) with an environment of their own.

use mixbridge::config::{
    AudioConfig, Backend, Config, OscClient, OscForm, OutputPair, TestSignal, SYSTEM_CONFIG,
};
use mixbridge::session::Session;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_shipped_example_loads_and_says_what_its_comments_say() {
    let path = manifest().join("examples/config.yaml");
    let c = Config::read(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.file.as_deref(), Some(path.as_path()));
    assert_eq!(
        c.audio,
        AudioConfig {
            backend: Backend::Auto,
            device: Some("Scarlett*".into()),
            sample_rate: 48_000,
            buffer_frames: 128,
            test_signal: TestSignal::Sine {
                freq_hz: 1000.0,
                level_db: -20.0
            },
            outputs: None,
        }
    );
    assert_eq!(c.session, Path::new("/var/lib/mixbridge/session"));
    assert!(
        !c.session_given,
        "the example leaves the session to the first start"
    );
    assert_eq!(c.state_dir, Path::new("/var/lib/mixbridge"));
    assert_eq!(c.log_level, log::LevelFilter::Info);
    assert_eq!(c.routing.inputs["Kick"], vec![1]);
    assert_eq!(c.routing.inputs["Keys"], vec![5, 6]);
    assert_eq!(c.routing.outputs["master"], vec![1, 2]);
    assert_eq!(c.routing.outputs["Phones"], vec![3, 4]);
    assert_eq!(c.osc.listen, "0.0.0.0:9000".parse::<SocketAddr>().unwrap());
    assert_eq!(c.osc.allow, mixbridge::config::OscConfig::default_allow());
    assert_eq!(
        c.osc.clients,
        vec![OscClient {
            address: "192.168.1.40:9001".parse().unwrap(),
            form: OscForm::Fader,
            name: Some("Producer".into()),
        }]
    );
    assert_eq!(
        c.osc.x32,
        Some(mixbridge::config::X32Config {
            listen: "0.0.0.0:10023".parse().unwrap(),
            flavour: mixbridge::config::X32Flavour::X32,
        })
    );
    let maps: Vec<(&str, Option<&str>)> = c
        .surfaces
        .iter()
        .map(|s| (s.mapping.as_str(), s.input.as_deref()))
        .collect();
    assert_eq!(
        maps,
        vec![
            ("mackie-control", Some("X-Touch*")),
            ("korg-nanokontrol2", Some("nanoKONTROL2*"))
        ]
    );

    // Its routing names tracks and a bus of the example session.
    let session = Session::load(&manifest().join("examples/session")).unwrap();
    let w = c.wiring(&session).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = session.tracks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Kick", "Bass", "Keys", "Lead", "Hats"]);
    assert_eq!(w.tracks, vec![vec![1], vec![], vec![5, 6], vec![], vec![]]);
    assert_eq!(w.inputs_used(), 6);
    assert_eq!(
        w.output_map(),
        vec![Some(0), Some(1), Some(2), Some(3)],
        "{w:?}"
    );
}

#[test]
fn an_empty_file_is_all_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.yaml");
    std::fs::write(&path, "# nothing set\n").unwrap();
    let c = Config::read(&path).unwrap();
    let d = Config::defaults();
    assert_eq!(c.file.as_deref(), Some(path.as_path()));
    assert_eq!(d.file, None);
    assert_eq!(c.audio, d.audio);
    assert_eq!(
        (c.audio.backend, c.audio.device.clone()),
        (Backend::Auto, None)
    );
    assert_eq!((c.audio.sample_rate, c.audio.buffer_frames), (48_000, 128));
    assert_eq!(
        c.audio.test_signal,
        TestSignal::Sine {
            freq_hz: 1000.0,
            level_db: -20.0
        }
    );
    assert_eq!(c.state_dir, d.state_dir);
    assert_eq!(c.session, c.state_dir.join("session"));
    assert_eq!(c.log_level, log::LevelFilter::Info);
    assert!(c.routing.inputs.is_empty() && c.routing.outputs.is_empty());
    assert_eq!(c.osc, d.osc);
    assert_eq!(c.osc.listen, "0.0.0.0:9000".parse::<SocketAddr>().unwrap());
    assert!(c.osc.clients.is_empty() && c.surfaces.is_empty());
    assert_eq!(c.osc.x32, None, "the X32 server is off unless asked for");
}

#[test]
fn relative_paths_are_relative_to_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("etc");
    std::fs::create_dir(&sub).unwrap();
    let wav = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    std::fs::create_dir(sub.join("loops")).unwrap();
    let mut w = hound::WavWriter::create(sub.join("loops/a.wav"), wav).unwrap();
    w.write_sample(0i16).unwrap();
    w.finalize().unwrap();
    std::fs::write(
        sub.join("config.yaml"),
        "session: shows/tonight\nstate_dir: state\naudio:\n  test_signal: { file: loops/a.wav }\n",
    )
    .unwrap();
    let c = Config::read(&sub.join("config.yaml")).unwrap();
    assert_eq!(c.session, sub.join("shows/tonight"));
    assert_eq!(c.state_dir, sub.join("state"));
    assert_eq!(
        c.audio.test_signal,
        TestSignal::File(sub.join("loops/a.wav"))
    );
    // With a state_dir and no session, the session lives in the state_dir.
    std::fs::write(sub.join("config.yaml"), "state_dir: /srv/mix\n").unwrap();
    let c = Config::read(&sub.join("config.yaml")).unwrap();
    assert_eq!(c.session, Path::new("/srv/mix/session"));
}

#[test]
fn test_signals_in_every_form() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.yaml");
    let read = |signal: &str| {
        std::fs::write(&path, format!("audio:\n  test_signal: {signal}\n")).unwrap();
        Config::read(&path)
            .unwrap_or_else(|e| panic!("{e}"))
            .audio
            .test_signal
    };
    assert_eq!(read("sine"), TestSignal::default());
    assert_eq!(read("silence"), TestSignal::Silence);
    assert_eq!(read("{ silence: ~ }"), TestSignal::Silence);
    assert_eq!(
        read("pink_noise"),
        TestSignal::PinkNoise { level_db: -20.0 }
    );
    assert_eq!(
        read("{ pink_noise: { level_db: -30 } }"),
        TestSignal::PinkNoise { level_db: -30.0 }
    );
    assert_eq!(
        read("{ sine: { freq_hz: 440 } }"),
        TestSignal::Sine {
            freq_hz: 440.0,
            level_db: -20.0
        }
    );
    assert_eq!(
        read("\n    sine:\n      level_db: -6.5\n      freq_hz: 100"),
        TestSignal::Sine {
            freq_hz: 100.0,
            level_db: -6.5
        }
    );
}

#[test]
fn the_default_allow_list_is_local_networks_only() {
    let osc = Config::defaults().osc;
    let allows = |s: &str| osc.allows(s.parse::<IpAddr>().unwrap());
    for ok in [
        "127.0.0.1",
        "10.20.30.40",
        "172.16.5.4",
        "172.31.255.254",
        "192.168.1.40",
        "169.254.3.3",
        "::1",
        "fd12:3456::7",
        "fe80::1234",
        "::ffff:192.168.1.40",
    ] {
        assert!(allows(ok), "{ok} refused");
    }
    for no in [
        "8.8.8.8",
        "172.32.0.1",
        "192.169.0.1",
        "100.64.0.1",
        "2001:db8::1",
        "::ffff:8.8.8.8",
    ] {
        assert!(!allows(no), "{no} allowed");
    }
}

// ---- wiring a session on this machine ----

const SESSION: &str = "\
tracks:
  - { name: Kick, source: { input: 1 } }
  - { name: Keys, channels: 2, source: { input: [5, 6] } }
  - { name: Click }
buses:
  - { name: Verb, kind: fx, effect: reverb }
  - { name: Drummer, kind: aux, output: [3, 4] }
  - { name: Singer, kind: aux, output: 5 }
";

struct Machine {
    _dir: tempfile::TempDir,
    session: Session,
    config_file: PathBuf,
}

fn machine(session: &str, config: &str) -> Machine {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("session.yaml"), session).unwrap();
    let config_file = dir.path().join("config.yaml");
    std::fs::write(&config_file, config).unwrap();
    let session = Session::load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    Machine {
        _dir: dir,
        session,
        config_file,
    }
}

fn pair(name: &str, channels: &[u16]) -> OutputPair {
    OutputPair {
        name: name.into(),
        channels: channels.to_vec(),
    }
}

#[test]
fn with_no_routing_the_session_wiring_applies() {
    let m = machine(SESSION, "");
    let w = Config::defaults().wiring(&m.session).unwrap();
    assert_eq!(w.tracks, vec![vec![1], vec![5, 6], vec![]]);
    assert_eq!(
        w.outputs,
        vec![
            pair("master", &[1, 2]),
            pair("Drummer", &[3, 4]),
            pair("Singer", &[5])
        ]
    );
    // A single output carries the left side of its pair.
    assert_eq!(
        w.output_map(),
        vec![Some(0), Some(1), Some(2), Some(3), Some(4), None]
    );
    assert_eq!(w.inputs_used(), 6);
}

#[test]
fn the_config_routing_wins_by_name() {
    let m = machine(
        SESSION,
        "routing:\n  inputs:\n    Kick: 9\n    Click: 2\n    Keys: []\n  outputs:\n    master: [9, 10]\n    Singer: [7, 8]\n",
    );
    let c = Config::read(&m.config_file).unwrap();
    let w = c.wiring(&m.session).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.tracks, vec![vec![9], vec![], vec![2]]);
    assert_eq!(
        w.outputs,
        vec![
            pair("master", &[9, 10]),
            pair("Drummer", &[3, 4]),
            pair("Singer", &[7, 8])
        ]
    );
    let want: Vec<Option<usize>> = [8, 9, 2, 3, 6, 7].into_iter().map(Some).collect();
    assert_eq!(w.output_map(), want);
    assert_eq!(w.inputs_used(), 9);
}

/// Wiring must fail with exactly these (file, line, words) problems.
fn expect_wiring(session: &str, config: &str, want: &[(&str, usize, &[&str])]) {
    let m = machine(session, config);
    let c = Config::read(&m.config_file).unwrap_or_else(|e| panic!("{e}"));
    let e = match c.wiring(&m.session) {
        Ok(w) => panic!("accepted:\n{config}\n{w:?}"),
        Err(e) => e,
    };
    let shown = e.to_string();
    assert_eq!(e.0.len(), want.len(), "{shown}");
    for (got, (file, line, words)) in e.0.iter().zip(want) {
        assert!(got.file.ends_with(file), "{shown}");
        assert_eq!(got.line, *line, "{shown}");
        for w in *words {
            assert!(got.message.contains(w), "`{w}` missing from {got}");
        }
        assert!(got.message.contains("allowed"), "{got}");
    }
}

#[test]
fn routing_names_must_exist_in_the_session() {
    expect_wiring(
        SESSION,
        "routing:\n  inputs:\n    Kik: 1\n",
        &[(
            "config.yaml",
            3,
            &[
                "routing input `Kik` is not a track",
                "`Kick`, `Keys`, `Click`",
            ],
        )],
    );
    expect_wiring(
        SESSION,
        "routing:\n  outputs:\n    Verb: [5, 6]\n    Monitors: [7, 8]\n",
        &[
            (
                "config.yaml",
                3,
                &[
                    "`Verb` is an fx bus",
                    "`master` or an aux bus: `Drummer`, `Singer`",
                ],
            ),
            (
                "config.yaml",
                4,
                &["`Monitors` is not a bus of the session"],
            ),
        ],
    );
}

#[test]
fn routing_must_fit_the_track() {
    expect_wiring(
        SESSION,
        "routing:\n  inputs:\n    Kick: 1\n    Keys: 3\n",
        &[(
            "config.yaml",
            4,
            &[
                "`Keys` has 2 channel(s) but routing gives it 1",
                "two inputs like [5, 6]",
            ],
        )],
    );
    expect_wiring(
        SESSION,
        "routing:\n  inputs:\n    Kick: [1, 2]\n",
        &[(
            "config.yaml",
            3,
            &["`Kick` has 1 channel(s)", "one input like 3"],
        )],
    );
}

#[test]
fn outputs_may_not_be_shared() {
    // The config's master lands on the session's Drummer outputs.
    expect_wiring(
        SESSION,
        "log_level: info\nrouting:\n  outputs:\n    master: [3, 4]\n",
        &[(
            "config.yaml",
            4,
            &["`Drummer` (in the session) and `master` (in config.yaml) both use output 3"],
        )],
    );
    // The session's own aux bus on the default master outputs.
    expect_wiring(
        "buses:\n  - { name: Wedge, kind: aux, output: [2, 3] }\n",
        "",
        &[(
            "session.yaml",
            0,
            &["`Wedge` (in the session) and `master` (by default) both use output 2"],
        )],
    );
    // ...which the config resolves by moving either.
    let m = machine(
        "buses:\n  - { name: Wedge, kind: aux, output: [2, 3] }\n",
        "routing:\n  outputs:\n    Wedge: [3, 4]\n",
    );
    let w = Config::read(&m.config_file)
        .unwrap()
        .wiring(&m.session)
        .unwrap();
    assert_eq!(w.outputs[1], pair("Wedge", &[3, 4]));
}

#[test]
fn session_channels_beyond_the_engine_are_refused() {
    expect_wiring(
        "tracks:\n  - { name: Far, source: { input: 200 } }\n",
        "",
        &[("session.yaml", 0, &["`Far` reads input 200", "1 to 128"])],
    );
}

// ---- the lookup order, in a child process ----

const CHILD: &str = "MIXBRIDGE_TEST_CONFIG_CHILD";

/// Not a test: the body of the child process, which loads the config the
/// way the daemon does (with `--config` taken from the environment) and
/// prints what it got.
#[test]
#[ignore = "runs only as the child of the lookup-order tests"]
fn child_entry() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let explicit = std::env::var_os("EXPLICIT").map(PathBuf::from);
    let search = Config::search_path(explicit.as_deref());
    // A line of its own: libtest has just printed "test child_entry ... ".
    println!("\nSEARCH {search:?}");
    match Config::load(explicit.as_deref()) {
        Ok(c) => println!(
            "OK file={:?} state_dir={} session={} backend={}",
            c.file,
            c.state_dir.display(),
            c.session.display(),
            c.audio.backend
        ),
        Err(e) => println!("ERR {}", e.to_string().replace('\n', " | ")),
    }
}

/// Run the child with exactly these environment variables; its report lines.
fn child(env: &[(&str, &Path)]) -> (String, String) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "child_entry",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ])
    .env_clear()
    .env(CHILD, "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = |tag: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(tag))
            .unwrap_or_else(|| panic!("no {tag} in {text}"))
            .to_string()
    };
    (
        line("SEARCH "),
        text.lines()
            .find(|l| l.starts_with("OK ") || l.starts_with("ERR "))
            .unwrap_or_else(|| panic!("no result in {text}"))
            .to_string(),
    )
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn with_no_file_anywhere_the_defaults_run() {
    let t = tempfile::tempdir().unwrap();
    let (xdg, home, state) = (
        t.path().join("xdg"),
        t.path().join("home"),
        t.path().join("st"),
    );
    let (search, result) = child(&[
        ("XDG_CONFIG_HOME", &xdg),
        ("HOME", &home),
        ("XDG_STATE_HOME", &state),
    ]);
    assert_eq!(
        search,
        format!(
            "{:?}",
            [
                xdg.join("mixbridge/config.yaml"),
                PathBuf::from(SYSTEM_CONFIG)
            ]
        )
    );
    // The system file is part of the order; on a machine that has one, it is the one read.
    let system = Path::new(SYSTEM_CONFIG);
    if system.exists() {
        assert!(
            result.starts_with(&format!("OK file=Some({system:?})")),
            "{result}"
        );
        return;
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let root = unsafe { libc::geteuid() } == 0;
    let state_dir = if root {
        PathBuf::from("/var/lib/mixbridge")
    } else {
        state.join("mixbridge")
    };
    assert_eq!(
        result,
        format!(
            "OK file=None state_dir={} session={} backend=auto",
            state_dir.display(),
            state_dir.join("session").display()
        )
    );
    // Under systemd, StateDirectory= wins whoever runs the daemon.
    let unit_state = t.path().join("unit-state");
    let (_, result) = child(&[("XDG_CONFIG_HOME", &xdg), ("STATE_DIRECTORY", &unit_state)]);
    assert!(
        result.starts_with(&format!("OK file=None state_dir={} ", unit_state.display())),
        "{result}"
    );
}

#[test]
fn the_user_file_comes_before_the_system_file() {
    let t = tempfile::tempdir().unwrap();
    let xdg = t.path().join("xdg");
    let user = xdg.join("mixbridge/config.yaml");
    write(&user, "audio: { backend: dummy }\nsession: shows/tonight\n");
    let (_, result) = child(&[("XDG_CONFIG_HOME", &xdg), ("STATE_DIRECTORY", t.path())]);
    assert_eq!(
        result,
        format!(
            "OK file=Some({user:?}) state_dir={} session={} backend=dummy",
            t.path().display(),
            xdg.join("mixbridge/shows/tonight").display()
        )
    );
    // Without XDG_CONFIG_HOME the user file is under ~/.config.
    let home = t.path().join("home");
    let dotconfig = home.join(".config/mixbridge/config.yaml");
    write(
        &dotconfig,
        "audio: { backend: jack }\nsession: ~/shows/late\n",
    );
    let (search, result) = child(&[("HOME", &home)]);
    assert!(search.starts_with(&format!("[{dotconfig:?}")), "{search}");
    assert!(
        result.starts_with(&format!("OK file=Some({dotconfig:?})")),
        "{result}"
    );
    // `~/` is the home folder.
    assert!(
        result.contains(&format!(" session={} ", home.join("shows/late").display())),
        "{result}"
    );
    assert!(result.ends_with("backend=jack"), "{result}");
    // ...and an error when there is no home.
    let (_, result) = child(&[("EXPLICIT", &dotconfig)]);
    assert!(
        result.starts_with(&format!(
            "ERR {}:2:10: `~/shows/late` starts with ~ but $HOME is not set",
            dotconfig.display()
        )),
        "{result}"
    );
}

#[test]
fn an_explicit_file_is_the_only_one_read() {
    let t = tempfile::tempdir().unwrap();
    let xdg = t.path().join("xdg");
    write(
        &xdg.join("mixbridge/config.yaml"),
        "audio: { backend: dummy }\n",
    );
    let explicit = t.path().join("mine.yaml");
    write(&explicit, "audio: { backend: alsa }\n");
    let (search, result) = child(&[("XDG_CONFIG_HOME", &xdg), ("EXPLICIT", &explicit)]);
    assert_eq!(search, format!("{:?}", [&explicit]));
    assert!(
        result.starts_with(&format!("OK file=Some({explicit:?})")),
        "{result}"
    );
    assert!(result.ends_with("backend=alsa"), "{result}");
    // A missing explicit file is an error, not a fall back to the others.
    let missing = t.path().join("missing.yaml");
    let (_, result) = child(&[("XDG_CONFIG_HOME", &xdg), ("EXPLICIT", &missing)]);
    assert!(
        result.starts_with(&format!("ERR {}: cannot read", missing.display())),
        "{result}"
    );
}

#[test]
fn a_broken_user_file_is_an_error_not_a_fall_back() {
    let t = tempfile::tempdir().unwrap();
    let xdg = t.path().join("xdg");
    let user = xdg.join("mixbridge/config.yaml");
    write(&user, "audio:\n  backend: dumy\n");
    let (_, result) = child(&[("XDG_CONFIG_HOME", &xdg)]);
    assert!(
        result.starts_with(&format!(
            "ERR {}:2:12: unknown audio backend `dumy`",
            user.display()
        )),
        "{result}"
    );
}
