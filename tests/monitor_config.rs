//! `monitor:` in config.yaml: what a good one becomes (the wiring of its
//! outputs, the engine's shape), and every mistake reported at its line
//! with what is allowed, by `Config::read`, by the wiring against a
//! session, and by `mixbridge check`.

#[path = "support/cli.rs"]
mod cli;
#[path = "support/located.rs"]
mod located;
use located::assert_located;
use mixbridge::config::Config;
use mixbridge::session::Session;

/// A folder with `config.yaml` and a session with two aux buses (outputs
/// 3-4 and 5-6).
fn folder(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.yaml"), config).unwrap();
    std::fs::create_dir(dir.path().join("session")).unwrap();
    std::fs::write(
        dir.path().join("session/session.yaml"),
        "tracks:\n  - { name: Mic, source: { input: 1 } }\nbuses:\n  - { name: Drums, kind: aux, output: [3, 4] }\n  - { name: Bass, kind: aux, output: [5, 6] }\n",
    )
    .unwrap();
    dir
}

fn expect(text: &str, want: &[(usize, &[&str])]) {
    let dir = folder(text);
    match Config::read(&dir.path().join("config.yaml")) {
        Ok(c) => panic!("accepted a broken file:\n{text}\n{:#?}", c.monitor),
        Err(e) => assert_located(&e, text, "config.yaml", want),
    }
}

#[test]
fn a_good_monitor_is_wired_after_the_master_and_the_aux_buses() {
    let text = "session: session\nmonitor:\n  speakers:\n    - { name: Mains, output: [7, 8] }\n    - { name: Cube, output: 9, trim: -3, delay: 1.5 }\n  sub: { output: 10, crossover: off, trim: -2 }\n  phones: { output: [11, 12], follow_cue: false }\n  talkback: { input: 4 }\n";
    let dir = folder(text);
    let config = Config::read(&dir.path().join("config.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let session = Session::load(&config.session).unwrap();
    let wiring = config.wiring(&session).unwrap_or_else(|e| panic!("{e}"));
    // The master has no outputs of its own with a monitor; then the aux
    // buses; then Mains, Cube (mono: its right unused), the sub, the phones.
    let map: Vec<Option<usize>> = wiring.output_map();
    let want = [
        None,
        None,
        Some(2),
        Some(3),
        Some(4),
        Some(5),
        Some(6),
        Some(7),
        Some(8),
        None,
        Some(9),
        None,
        Some(10),
        Some(11),
    ];
    assert_eq!(map, want);
    let shape = wiring.monitor.as_ref().expect("a monitor");
    assert_eq!(shape.speakers.len(), 2);
    assert!(shape.speakers[1].mono);
    assert_eq!(shape.speakers[1].trim_db, -3.0);
    assert_eq!(shape.speakers[1].delay_ms, 1.5);
    assert_eq!(shape.sub.as_ref().unwrap().crossover_hz, None);
    assert!(!shape.phones.as_ref().unwrap().follow_cue);
    assert_eq!(shape.talkback, Some(3), "input 4 is engine input 3");
    assert_eq!(wiring.inputs_used(), 4, "the talkback input is read");
    assert_eq!(shape.output_channels(), 8);

    // The master's outputs stay where routing puts them.
    let with_master = format!("{text}routing:\n  outputs:\n    master: [1, 2]\n");
    let dir = folder(&with_master);
    let config = Config::read(&dir.path().join("config.yaml")).unwrap();
    let wiring = config
        .wiring(&Session::load(&config.session).unwrap())
        .unwrap();
    assert_eq!(&wiring.output_map()[..2], &[Some(0), Some(1)]);
}

#[test]
fn no_monitor_section_wires_as_before() {
    let dir = folder("session: session\n");
    let config = Config::read(&dir.path().join("config.yaml")).unwrap();
    let wiring = config
        .wiring(&Session::load(&config.session).unwrap())
        .unwrap();
    assert_eq!(
        wiring.output_map(),
        [Some(0), Some(1), Some(2), Some(3), Some(4), Some(5)]
    );
    assert!(wiring.monitor.is_none() && config.monitor.is_none());
}

#[test]
fn speaker_sets_naming_outputs_the_interface_lacks() {
    expect(
        "audio:\n  outputs: 8\nmonitor:\n  speakers:\n    - { name: Mains, output: [7, 8] }\n    - { name: Cube, output: 9 }\n",
        &[(6, &["speaker set `Cube`", "output 9 does not exist", "1 to 8", "audio.outputs"])],
    );
    expect(
        "monitor:\n  speakers:\n    - { name: Mains, output: [0, 200] }\n",
        &[
            (
                3,
                &["speaker set `Mains`", "output 0 does not exist", "1 to 128"],
            ),
            (3, &["speaker set `Mains`", "output 200 does not exist"]),
        ],
    );
    expect(
        "audio:\n  outputs: 4\nrouting:\n  outputs:\n    master: [5, 6]\n",
        &[
            (5, &["`master`", "output 5 does not exist", "1 to 4"]),
            (5, &["output 6"]),
        ],
    );
    expect(
        "audio:\n  outputs: 0\n",
        &[(2, &["audio outputs 0", "1 to 128"])],
    );
}

#[test]
fn two_sets_on_one_output_and_other_clashes() {
    expect(
        "monitor:\n  speakers:\n    - { name: Mains, output: [1, 2] }\n    - { name: Cube, output: 2 }\n",
        &[(4, &["speaker set `Cube`", "speaker set `Mains`", "output 2", "an output of its own"])],
    );
    expect(
        "monitor:\n  speakers:\n    - { name: Mains, output: [1, 2] }\n  sub: { output: 1 }\n  phones: { output: [2, 3] }\n",
        &[
            (4, &["the sub", "speaker set `Mains`", "output 1"]),
            (5, &["the phones", "speaker set `Mains`", "output 2"]),
        ],
    );
    expect(
        "routing:\n  outputs:\n    master: [1, 2]\nmonitor:\n  speakers:\n    - { name: Mains, output: [2, 3] }\n",
        &[(6, &["speaker set `Mains`", "`master` (routing.outputs)", "output 2"])],
    );
    expect(
        "monitor:\n  speakers:\n    - { name: Mains, output: [4, 4] }\n",
        &[(3, &["both sides on output 4", "two different outputs"])],
    );
}

#[test]
fn every_value_of_the_section_says_what_is_allowed() {
    expect(
        "monitor:\n  speakers: []\n",
        &[(2, &["no speaker sets", "1 to 4"])],
    );
    expect(
        "monitor:\n  speakers:\n    - { name: A, output: 1 }\n    - { name: B, output: 2 }\n    - { name: C, output: 3 }\n    - { name: D, output: 4 }\n    - { name: E, output: 5 }\n",
        &[(7, &["more than 4 speaker sets", "at most 4"])],
    );
    expect(
        "monitor:\n  speakers:\n    - { name: Mains, output: [1, 2] }\n    - { name: Mains, output: [3, 4] }\n    - { name: ' ', output: 5 }\n",
        &[
            (4, &["two speaker sets are named `Mains`", "a name of its own"]),
            (5, &["an empty name"]),
        ],
    );
    expect(
        "monitor:\n  speakers:\n    - { name: Mains, output: [1, 2, 3], trim: 30, delay: 600 }\n",
        &[
            (3, &["3 outputs listed", "a pair like [1, 2]"]),
            (3, &["trim 30", "-24 to 24 dB"]),
            (3, &["delay 600", "0 to 500 ms"]),
        ],
    );
    expect(
        "monitor:\n  speakers:\n    - { name: Mains, output: [1, 2] }\n  sub: { output: [3, 4], crossover: 1000 }\n  talkback: { input: 0 }\n",
        &[
            (4, &["the sub", "2 outputs listed", "one output like 7"]),
            (4, &["sub crossover 1000", "20 to 300 Hz, or off"]),
            (5, &["talkback input 0", "1 to 128"]),
        ],
    );
    expect(
        "monitor:\n  speakers:\n    - { name: Mains, output: [1, 2] }\n  sub: { output: 3, crossover: loud }\n",
        &[(4, &["sub crossover `loud`", "or off"])],
    );
    expect(
        "monitor:\n  speakers:\n    - { name: Mains, output: [1, 2], level: 3 }\n",
        &[(3, &["unknown key `level`", "`trim`", "`delay`"])],
    );
}

/// An output the session's aux bus uses is found when config and session
/// meet (the wiring), located at the monitor's entry in config.yaml; a
/// reload with it would keep the old config.
#[test]
fn a_set_on_an_aux_bus_output_is_a_wiring_error_in_the_config() {
    let text = "session: session\nmonitor:\n  speakers:\n    - { name: Mains, output: [1, 2] }\n    - { name: Cube, output: 4 }\n";
    let dir = folder(text);
    let config = Config::read(&dir.path().join("config.yaml")).unwrap();
    let e = config
        .wiring(&Session::load(&config.session).unwrap())
        .expect_err("Cube plays on the Drums bus's output");
    assert_located(
        &e,
        text,
        "config.yaml",
        &[(5, &["speaker set `Cube`", "bus `Drums`", "output 4"])],
    );
}

/// `mixbridge check` lists the problem with its file and line and fails.
#[test]
fn check_lists_it() {
    let text = "session: session\naudio:\n  outputs: 6\nmonitor:\n  speakers:\n    - { name: Mains, output: [1, 2] }\n    - { name: Far, output: [1, 7] }\n";
    let dir = folder(text);
    let config = dir.path().join("config.yaml");
    let out = cli::mixbridge(&["check", "--config", config.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "check fails:\n{stderr}");
    assert!(
        stderr.contains("config.yaml:7:") && stderr.contains("output 7 does not exist"),
        "{stderr}"
    );
    assert!(
        stderr.contains("config.yaml:7:") && stderr.contains("both use output 1"),
        "{stderr}"
    );
}

/// The example config's commented monitor section, uncommented, loads and
/// wires beside its routing.
#[test]
fn the_example_monitor_section_loads() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/config.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| *l == "# monitor:")
        .expect("the section");
    let section: String = lines[start..]
        .iter()
        .take_while(|l| l.starts_with('#'))
        .map(|l| format!("{}\n", &l[2..]))
        .collect();
    let dir = folder(&format!(
        "session: session\nrouting:\n  outputs:\n    master: [1, 2]\n{section}"
    ));
    // The example's routing gives outputs 3-4 to a bus; this session has none.
    std::fs::write(
        dir.path().join("session/session.yaml"),
        "tracks:\n  - { name: Mic, source: { input: 1 } }\n",
    )
    .unwrap();
    let config = Config::read(&dir.path().join("config.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let monitor = config.monitor.as_ref().expect("a monitor");
    assert_eq!(monitor.speakers.len(), 2);
    assert_eq!(monitor.talkback, Some(8));
    config
        .wiring(&Session::load(&config.session).unwrap())
        .unwrap_or_else(|e| panic!("{e}"));
}
