//! A catalogue of broken config files: each must be rejected as a whole,
//! with every problem reported at its line and saying what is allowed.

#[path = "support/located.rs"]
mod located;
use located::assert_located;
use mixbridge::config::Config;
use mixbridge::yaml::Errors;

/// The config file `text` in a folder of its own, next to a short WAV.
fn folder(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.yaml"), text).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not audio").unwrap();
    dir
}

fn errors(text: &str) -> Errors {
    let dir = folder(text);
    match Config::read(&dir.path().join("config.yaml")) {
        Ok(c) => panic!("accepted a broken file:\n{text}\n{c:#?}"),
        Err(e) => e,
    }
}

/// The file must fail with exactly these (line, words) problems, in order.
fn expect(text: &str, want: &[(usize, &[&str])]) {
    let e = errors(text);
    assert_located(&e, text, "config.yaml", want);
    for got in &e.0 {
        assert!(got.file.is_absolute(), "{got}");
    }
}

#[test]
fn yaml_syntax() {
    let e = errors("audio:\n  backend: [alsa\nosc: {}\n");
    assert_eq!(e.0.len(), 1, "{e}");
    assert!(e.0[0].line >= 2, "{e}");
    let e = errors("state_dir: /x\n- oops\n");
    assert_eq!(e.0.len(), 1, "{e}");
    assert_eq!(e.0[0].line, 2, "{e}");
}

#[test]
fn unknown_keys_list_the_allowed_ones() {
    expect(
        "log_level: info\naudoi:\n  backend: alsa\n",
        &[(
            2,
            &[
                "unknown key `audoi`",
                "`audio`",
                "`session`",
                "`state_dir`",
                "`log_level`",
                "`routing`",
                "`osc`",
                "`surfaces`",
            ],
        )],
    );
    expect(
        "audio:\n  backend: alsa\n  rate: 48000\n",
        &[(
            3,
            &[
                "unknown key `rate`",
                "`backend`",
                "`device`",
                "`sample_rate`",
                "`buffer_frames`",
                "`test_signal`",
            ],
        )],
    );
    expect(
        "osc:\n  clients:\n    - { adress: 192.168.1.40:9001 }\n",
        &[(3, &["unknown key `adress`", "`address`", "`form`"])],
    );
    expect(
        "routing:\n  input:\n    Kick: 1\n",
        &[(2, &["unknown key `input`", "`inputs`", "`outputs`"])],
    );
    expect(
        "audio:\n  test_signal:\n    sine: { freq: 440 }\n",
        &[(3, &["unknown key `freq`", "`freq_hz`", "`level_db`"])],
    );
    expect(
        "surfaces:\n  - mapping: mackie-control\n    port: x\n",
        &[(
            3,
            &["unknown key `port`", "`mapping`", "`input`", "`output`"],
        )],
    );
}

#[test]
fn wrong_types() {
    expect(
        "audio:\n  sample_rate: fast\n",
        &[(2, &["expected a whole number"])],
    );
    expect(
        "audio:\n  buffer_frames: 12.5\n",
        &[(2, &["expected a whole number"])],
    );
    expect(
        "audio:\n  backend: [alsa]\n",
        &[(2, &["expected a string"])],
    );
    expect(
        "routing:\n  inputs:\n    Kick: left\n",
        &[(3, &["channel number or a list"])],
    );
    expect("surfaces: mackie\n", &[(1, &["expected a sequence"])]);
    expect(
        "surfaces:\n  - { input: \"X-Touch*\" }\n",
        &[(2, &["missing key `mapping`"])],
    );
    expect(
        "osc:\n  allow: 10.0.0.0/8\n",
        &[(2, &["expected a sequence"])],
    );
    expect(
        "osc:\n  listen: [9000]\n",
        &[(2, &["0.0.0.0:9000", "port number"])],
    );
}

#[test]
fn audio_values_say_what_is_allowed() {
    expect(
        "audio:\n  backend: coreaudio\n",
        &[(
            2,
            &[
                "unknown audio backend `coreaudio`",
                "auto, alsa, jack, pipewire, dummy",
            ],
        )],
    );
    expect(
        "audio:\n  backend: also\n",
        &[(2, &["`also`", "auto, alsa"])],
    );
    expect(
        "audio:\n  sample_rate: 44000\n",
        &[(2, &["sample_rate 44000", "44100, 48000, 88200, 96000"])],
    );
    expect(
        "audio:\n  sample_rate: 192000\n",
        &[(2, &["192000", "44100, 48000, 88200, 96000"])],
    );
    expect(
        "audio:\n  buffer_frames: 8\n",
        &[(2, &["buffer_frames 8", "16 to 4096"])],
    );
    expect(
        "audio:\n  buffer_frames: 8192\n",
        &[(2, &["buffer_frames 8192", "16 to 4096"])],
    );
    expect(
        "audio:\n  buffer_frames: -128\n",
        &[(2, &["-128", "16 to 4096"])],
    );
    expect(
        "audio:\n  device: \"  \"\n",
        &[(2, &["device pattern is empty", "pattern with * and ?"])],
    );
}

#[test]
fn test_signals() {
    expect(
        "audio:\n  backend: dummy\n  test_signal: square\n",
        &[(
            3,
            &[
                "unknown test signal `square`",
                "sine, pink_noise, silence",
                "{file: path}",
            ],
        )],
    );
    expect(
        "audio:\n  test_signal:\n    triangle: { freq_hz: 440 }\n",
        &[(3, &["unknown test signal `triangle`", "sine, pink_noise"])],
    );
    expect(
        "audio:\n  test_signal: file\n",
        &[(2, &["needs a path", "{file: path/to/loop.wav}"])],
    );
    expect(
        "audio:\n  sample_rate: 44100\n  test_signal:\n    sine: { freq_hz: 30000 }\n",
        &[(4, &["freq_hz 30000", "below 22050 Hz", "44100"])],
    );
    expect(
        "audio:\n  test_signal:\n    sine:\n      freq_hz: 0\n",
        &[(4, &["freq_hz 0", "above 0"])],
    );
    expect(
        "audio:\n  test_signal:\n    pink_noise:\n      level_db: 6\n",
        &[(4, &["level_db 6", "-144 to 0 (dBFS)"])],
    );
    expect(
        "audio:\n  test_signal:\n    sine: { level_db: .nan }\n",
        &[(3, &["level_db NaN", "-144 to 0"])],
    );
    expect(
        "audio:\n  test_signal: { file: loops/none.wav }\n",
        &[(
            2,
            &[
                "loops/none.wav",
                "an audio file (WAV",
                "relative to the config file's folder",
            ],
        )],
    );
    expect(
        "audio:\n  test_signal: { file: notes.txt }\n",
        &[(
            2,
            &["`notes.txt` cannot be played", "not a readable audio file"],
        )],
    );
    expect(
        "audio:\n  test_signal: { sine: {}, silence: ~ }\n",
        &[(2, &["names one kind", "sine, pink_noise"])],
    );
}

#[test]
fn paths_and_log_level() {
    expect(
        "log_level: loud\n",
        &[(
            1,
            &["log_level `loud`", "off, error, warn, info, debug, trace"],
        )],
    );
    expect(
        "state_dir: /var/lib/x\nsession: \"\"\n",
        &[(2, &["`session` is empty", "a folder path"])],
    );
    expect(
        "state_dir: ''\n",
        &[(1, &["`state_dir` is empty", "a folder path"])],
    );
}

#[test]
fn routing_channels() {
    expect(
        "routing:\n  inputs:\n    Kick: 0\n",
        &[(3, &["`Kick`: input 0 does not exist", "1 to 128"])],
    );
    expect(
        "routing:\n  inputs:\n    Kick: 1\n    Keys: [5, 200]\n",
        &[(4, &["`Keys`: input 200 does not exist", "1 to 128"])],
    );
    expect(
        "routing:\n  inputs:\n    Keys: [1, 2, 3]\n",
        &[(
            3,
            &["`Keys`: 3 inputs listed", "stereo pair", "[] for none"],
        )],
    );
    expect(
        "routing:\n  outputs:\n    master: [1, 1]\n",
        &[(
            3,
            &["`master`: both sides on output 1", "two different outputs"],
        )],
    );
    expect(
        "routing:\n  outputs:\n    master: [1, 2]\n    Drummer: [2, 3]\n",
        &[(
            4,
            &[
                "`Drummer` and `master` both use output 2",
                "outputs no other bus",
            ],
        )],
    );
    // The later one in the file is the one reported, whatever the names' order.
    expect(
        "routing:\n  outputs:\n    Zed: [5, 6]\n    Amy: [6, 7]\n",
        &[(4, &["`Amy` and `Zed` both use output 6"])],
    );
}

#[test]
fn osc_addresses_and_ranges() {
    expect(
        "osc:\n  listen: 0.0.0.0\n",
        &[(
            2,
            &["`0.0.0.0` is not an IP address with a port", "0.0.0.0:9000"],
        )],
    );
    expect(
        "osc:\n  listen: 70000\n",
        &[(2, &["port 70000 is out of range", "port number"])],
    );
    expect(
        "osc:\n  listen: localhost:9000\n",
        &[(2, &["`localhost:9000`", "an IP address and port"])],
    );
    expect(
        "osc:\n  allow: [127.0.0.0/8, 10.0.0.1/8]\n",
        &[(
            2,
            &[
                "host bits set",
                "did you mean `10.0.0.0/8`",
                "192.168.0.0/16",
            ],
        )],
    );
    expect(
        "osc:\n  allow:\n    - 127.0.0.0/8\n    - lan\n    - 10.0.0.0/33\n",
        &[
            (4, &["`lan` is not an address or range"]),
            (5, &["prefix length `33`", "0 to 32"]),
        ],
    );
    expect(
        "osc:\n  clients:\n    - address: 192.168.1.40\n",
        &[(
            3,
            &[
                "`192.168.1.40` is not an IP address with a port",
                "192.168.1.40:9001",
            ],
        )],
    );
    expect(
        "osc:\n  clients:\n    - { address: \"0.0.0.0:9001\" }\n",
        &[(3, &["not a host one can send to"])],
    );
    expect(
        "osc:\n  clients:\n    - address: 192.168.1.40:9001\n      form: percent\n",
        &[(4, &["unknown osc client form `percent`", "fader, db"])],
    );
}

#[test]
fn osc_x32_server() {
    expect(
        "osc:\n  x32:\n    flavour: wing\n",
        &[(3, &["unknown osc x32 flavour `wing`", "x32, xair"])],
    );
    expect(
        "osc:\n  x32: { listen: 10023.5 }\n",
        &[(2, &["an address like 0.0.0.0:9000"])],
    );
    expect(
        "osc:\n  listen: 9000\n  x32:\n    listen: 127.0.0.1:9000\n",
        &[(4, &["the native OSC server's port", "10023"])],
    );
    expect(
        "osc:\n  x32: { flavour: xair, listen: 70000 }\n",
        &[(2, &["port 70000 is out of range", "0.0.0.0:10024"])],
    );
    expect(
        "osc:\n  x32: { listn: 10023 }\n",
        &[(2, &["unknown key `listn`", "`listen` or `flavour`"])],
    );
}

#[test]
fn surfaces() {
    expect(
        "surfaces:\n  - { mapping: mackie-control, input: \"X*\" }\n  - mapping: \" \"\n    input: \"nano*\"\n",
        &[(3, &["surface mapping is empty", "mackie-control"])],
    );
    expect(
        "surfaces:\n  - mapping: mackie-control\n  - { mapping: a, virtual: v, input: \"i*\" }\n  - { mapping: a, virtual: \"\" }\n  - { mapping: a, input: i, extenders: [{ output: \"\" }] }\n",
        &[
            (2, &["surface has no ports", "`virtual: NAME`"]),
            (3, &["both port patterns and `virtual`"]),
            (4, &["virtual port name is empty"]),
            (5, &["surface output port pattern is empty"]),
        ],
    );
    expect(
        "surfaces:\n  - { mapping: korg-nanokontrol2, output: \"\" }\n",
        &[(
            2,
            &[
                "surface output port pattern is empty",
                "pattern with * and ?",
            ],
        )],
    );
}

#[test]
fn every_problem_is_reported_in_file_order() {
    expect(
        "\
log_level: chatty
audio:
  backend: asio
  sample_rate: 22050
  buffer_frames: 1
osc:
  listen: nowhere
  allow: [300.1.1.1/8]
routing:
  inputs:
    Kick: -1
",
        &[
            (1, &["log_level `chatty`"]),
            (3, &["backend `asio`"]),
            (4, &["sample_rate 22050"]),
            (5, &["buffer_frames 1"]),
            (7, &["`nowhere`"]),
            (8, &["`300.1.1.1`"]),
            (11, &["input -1"]),
        ],
    );
}
