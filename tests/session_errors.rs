//! A catalogue of broken session files: each must be rejected as a whole,
//! with every problem reported at its line and saying what is allowed.

#[path = "support/located.rs"]
mod located;
use located::assert_located;
use mixbridge::audio_file::{write_wav, Audio, SampleFormat};
use mixbridge::engine::dsp::pan::PanLaw;
use mixbridge::params::{
    fader_law, BusEffect, CompField, DelayField, EqField, GateField, LimiterField, Param, ParamId,
    SendField,
};
use mixbridge::session::{BusDef, BusKind, Session, Source, TrackDef};
use mixbridge::units::{FaderPos, SILENCE_DB};
use mixbridge::yaml::Errors;
use std::path::Path;

/// A session folder holding `text` as its session.yaml and two short stems.
fn folder(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("stems")).unwrap();
    let tone: Vec<f32> = (0..4800).map(|i| (i as f32 * 0.05).sin() * 0.25).collect();
    let mono = Audio {
        sample_rate: 48_000,
        channels: vec![tone.clone()],
    };
    write_wav(&dir.path().join("stems/a.wav"), &mono, SampleFormat::Int16).unwrap();
    let stereo = Audio {
        sample_rate: 44_100,
        channels: vec![tone.clone(), tone],
    };
    write_wav(
        &dir.path().join("stems/b.wav"),
        &stereo,
        SampleFormat::Int16,
    )
    .unwrap();
    std::fs::write(dir.path().join("stems/notes.txt"), "not audio").unwrap();
    std::fs::write(dir.path().join("session.yaml"), text).unwrap();
    dir
}

fn errors(text: &str) -> Errors {
    let dir = folder(text);
    match Session::load(dir.path()) {
        Ok(s) => panic!("accepted a broken file:\n{text}\n{s:#?}"),
        Err(e) => e,
    }
}

/// The file must fail with exactly these (line, words) problems, in order.
fn expect(text: &str, want: &[(usize, &[&str])]) {
    let e = errors(text);
    assert_located(&e, text, "session.yaml", want);
}

const BUSES: &str = "\
buses:
  - { name: Verb, kind: fx, effect: reverb }
  - { name: Echo, kind: fx, effect: delay }
";

#[test]
fn yaml_syntax() {
    let e =
        errors("tempo: 120\ntracks:\n  - { name: Kick, source: { input: 1 }\n  - name: Snare\n");
    assert_eq!(e.0.len(), 1, "{e}");
    assert!(e.0[0].line >= 3, "{e}");
    let e = errors("tempo: 120\n- oops\nmix: {}\n");
    assert_eq!(e.0.len(), 1, "{e}");
    assert_eq!(e.0[0].line, 2, "{e}");
}

#[test]
fn unknown_keys_list_the_allowed_ones() {
    expect(
        "tempo: 120\ntrakcs: []\n",
        &[(
            2,
            &[
                "unknown key `trakcs`",
                "sample_rate",
                "tempo",
                "pan_law",
                "tracks",
                "buses",
                "mix",
            ],
        )],
    );
    expect(
        "tracks:\n  - name: Kick\n    chanels: 2\n",
        &[(
            3,
            &[
                "tracks[0]",
                "unknown key `chanels`",
                "name",
                "channels",
                "source",
                "sends",
            ],
        )],
    );
    expect(
        "tracks:\n  - name: Kick\n    source: { inptu: 1 }\n",
        &[(3, &["unknown key `inptu`", "input", "file"])],
    );
    expect(
        &format!("{BUSES}tracks:\n  - name: Kick\n    sends:\n      - {{ bus: 1, levle: -3 }}\n"),
        &[(7, &["unknown key `levle`", "level", "pre", "on"])],
    );
}

#[test]
fn wrong_types() {
    expect("tempo: fast\n", &[(1, &["tempo", "expected a number"])]);
    expect("sample_rate: 48k\n", &[(1, &["expected a whole number"])]);
    expect(
        "tracks:\n  - name: Kick\n    source: { input: left }\n",
        &[(3, &["channel number or a list"])],
    );
    expect(
        "tracks:\n  - { name: Kick, sends: [{ bus: 1, pre: maybe }] }\n",
        &[(2, &["expected a boolean"])],
    );
    expect(
        "buses:\n  - { name: Verb, kind: fxx }\n",
        &[(2, &["unknown value `fxx`", "`aux` or `fx`"])],
    );
    expect(
        "buses:\n  - { name: Verb, kind: fx, effect: chorus }\n",
        &[(2, &["unknown value `chorus`", "`reverb` or `delay`"])],
    );
    expect(
        "tracks:\n  - { source: { input: 1 } }\n",
        &[(2, &["missing key `name`"])],
    );
    expect(
        "mix:\n  track/1/gain: [1, 2]\n",
        &[(2, &["expected a number, true/false or a name"])],
    );
}

#[test]
fn session_settings_out_of_range() {
    expect(
        "sample_rate: 44000\n",
        &[(1, &["44000", "44100, 48000, 88200, 96000"])],
    );
    expect(
        "tempo: 120\nsample_rate: 192000\n",
        &[(2, &["192000", "44100, 48000, 88200, 96000"])],
    );
    expect("tempo: 400\n", &[(1, &["tempo 400", "from 20 to 300 BPM"])]);
    expect(
        "tempo: .nan\n",
        &[(1, &["tempo NaN", "from 20 to 300 BPM"])],
    );
    expect("pan_law: -5dB\n", &[(1, &["-5dB", "-3dB, -4.5dB, -6dB"])]);
    expect("pan_law: true\n", &[(1, &["-3dB, -4.5dB, -6dB"])]);
}

#[test]
fn track_problems() {
    expect(
        "tracks:\n  - { name: Kick, channels: 3 }\n",
        &[(
            2,
            &["track 1 `Kick`", "channels 3", "1 (mono) or 2 (stereo)"],
        )],
    );
    expect(
        "tracks:\n  - name: Keys\n    channels: 2\n    source: { input: 5 }\n",
        &[(
            4,
            &[
                "`Keys` has 2 channels but lists 1 input channel",
                "one input per channel",
            ],
        )],
    );
    expect(
        "tracks:\n  - name: Kick\n    source:\n      input: [1, 2]\n",
        &[(4, &["has 1 channel but lists 2 input channels"])],
    );
    expect(
        "tracks:\n  - { name: Kick, source: { input: 0 } }\n  - { name: Sn, source: { input: 70000 } }\n",
        &[(2, &["input channel 0 does not exist", "count from 1"]), (3, &["input channel 70000"])],
    );
    expect(
        "tracks:\n  - name: Vox\n    source: { file: stems/vox.wav }\n",
        &[(
            3,
            &[
                "track 1 `Vox`",
                "`stems/vox.wav` does not exist",
                "looked for",
                "stems/vox.wav",
            ],
        )],
    );
    expect(
        "tracks:\n  - { name: Vox, source: { file: stems/notes.txt } }\n",
        &[(2, &["not a readable audio file"])],
    );
    expect(
        "tracks:\n  - { name: Vox, source: { file: stems } }\n",
        &[(2, &["is not a file"])],
    );
    expect(
        "tracks:\n  - { name: Vox, source: { file: stems/a.wav, input: 1 } }\n",
        &[(
            2,
            &[
                "either an input or a file, not both",
                "`input: N`",
                "`file: path`",
            ],
        )],
    );
    expect(
        "tracks:\n  - { name: Vox, source: {} }\n",
        &[(2, &["names no input or file", "`input: N`", "`file: path`"])],
    );
    expect(
        "tracks:\n  - name: Kick\n  - name: Snare\n  - name: Kick\n  - name: ' '\n",
        &[
            (4, &["track 3 `Kick`", "track 1 already has this name"]),
            (5, &["name is empty"]),
        ],
    );
}

#[test]
fn bus_problems() {
    expect(
        "buses:\n  - { name: Verb, kind: fx }\n",
        &[(2, &["bus 1 `Verb`", "needs `effect`", "reverb, delay"])],
    );
    expect(
        "buses:\n  - name: Mon\n    kind: aux\n    effect: reverb\n",
        &[(4, &["aux buses carry no effect"])],
    );
    expect(
        "buses:\n  - name: Verb\n    kind: fx\n    effect: reverb\n    output: [3, 4]\n",
        &[(5, &["only aux buses have an `output`"])],
    );
    expect(
        "buses:\n  - { name: Mon, kind: aux, output: [1, 2, 3] }\n  - { name: Mon, kind: aux, output: [0] }\n",
        &[(2, &["3 outputs listed", "stereo pair"]), (3, &["bus 1 already has this name"]), (3, &["output channel 0 does not exist"])],
    );
}

#[test]
fn sends_to_buses_that_do_not_exist() {
    let text = format!(
        "{BUSES}tracks:\n  - name: Kick\n    sends:\n      - {{ bus: Verbb }}\n      - {{ bus: 4, level: -6 }}\n      - {{ bus: 0 }}\n"
    );
    expect(
        &text,
        &[
            (
                7,
                &[
                    "track 1 `Kick`",
                    "no bus is named `Verbb`",
                    "`Verb`, `Echo`",
                ],
            ),
            (8, &["bus 4 does not exist (there are 2)", "1 to 2"]),
            (9, &["bus 0 does not exist"]),
        ],
    );
    expect(
        "tracks:\n  - { name: Kick, sends: [{ bus: 1 }] }\n",
        &[(2, &["the session has no buses"])],
    );
    expect(
        &format!("{BUSES}tracks:\n  - name: Kick\n    sends: [{{ bus: 1, level: 12 }}]\n"),
        &[(6, &["send level 12", "from -inf to 10 dB"])],
    );
}

#[test]
fn mix_paths_that_do_not_exist() {
    let tracks = "tracks:\n  - name: A\n  - name: B\n  - name: C\n  - name: D\n";
    expect(
        &format!("{tracks}{BUSES}mix:\n  track/9/gain: -3\n  bus/2/reverb/decay: 2\n  track/1/gian: 0\n  strip/1/gain: 0\n  transport/tempo: 90\n"),
        &[
            (10, &["`track/9/gain`", "track 9 does not exist (there are 4)"]),
            (11, &["bus 2 `Echo` (a delay bus) has no such parameter", "delay/{time,note,feedback,lowcut,highcut,pingpong,mix}"]),
            (12, &["`track/1/gian` is not a parameter path", "allowed under track/1: gain, fader, trim"]),
            (13, &["`strip/1/gain`", "track/N/..., bus/N/..., master/..."]),
            (14, &["top-level `tempo`"]),
        ],
    );
    expect(
        "mix:\n  track/1/send/1/level: -10\n",
        &[(2, &["track 1 does not exist (there are 0)"])],
    );
    expect(
        "tracks:\n  - name: A\nmix:\n  track/1/send/1/level: -10\n",
        &[(4, &["bus 1 does not exist (there are 0)"])],
    );
}

#[test]
fn mix_values_out_of_range() {
    let head = format!("tracks:\n  - name: A\n{BUSES}");
    expect(
        &format!(
            "{head}mix:\n  track/1/eq/1/gain: 30\n  track/1/eq/2/type: bell\n  track/1/mute: maybe\n  track/1/fader: 1.5\n  bus/2/delay/note: 1/7\n  master/limiter/ceiling: 3\n  track/1/comp/ratio: .inf\n  track/1/gate/on: 2\n  track/1/gain: 11\n"
        ),
        &[
            (7, &["`track/1/eq/1/gain`: 30", "from -18 to 18 dB"]),
            (8, &["`bell`", "one of peak, lowshelf, highshelf, lowpass, highpass"]),
            (9, &["`maybe`", "0 or 1 (or true/false)"]),
            (10, &["1.5", "fader position from 0 to 1"]),
            (11, &["`1/7`", "1/8d"]),
            (12, &["from -20 to 0 dB"]),
            (13, &["inf", "from 1 to 100:1"]),
            (14, &["`track/1/gate/on`: 2", "0 or 1"]),
            (15, &["11", "from -inf to 10 dB", "-inf"]),
        ],
    );
    expect(
        &format!(
            "{head}mix:\n  track/1/drive/type: wah\n  track/1/pitch/semitones: 13\n  bus/1/mod/type: vibrato\n  bus/2/mod/stages: 3\n  track/1/drive/amount: -1\n  bus/1/pitch/on: true\n"
        ),
        &[
            (7, &["`wah`", "one of tape, tube, fuzz, bitcrush"]),
            (8, &["13", "from -12 to 12"]),
            (9, &["`vibrato`", "one of chorus, flanger, phaser, tremolo, autopan"]),
            (10, &["3", "from 4 to 12"]),
            (11, &["-1", "from 0 to 36 dB"]),
            (12, &["bus/1/pitch/on", "no such parameter"]),
        ],
    );
}

#[test]
fn a_parameter_set_twice_is_an_error() {
    let head = format!("tracks:\n  - name: A\n    sends: [{{ bus: Verb, level: -10 }}]\n{BUSES}");
    expect(
        &format!("{head}mix:\n  track/1/gain: -3\n  track/1/fader: 0.5\n  track/1/send/1/level: -8\n  track/1/gain: 0\n"),
        &[
            (9, &["`track/1/fader` sets the same parameter as `track/1/gain` on line 8"]),
            (10, &["`track/1/send/1/level` sets the same parameter as `track/1/send/1/level (in `sends`)` on line 3"]),
            (11, &["`track/1/gain` sets the same parameter as `track/1/gain` on line 8"]),
        ],
    );
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let text = "\
sample_rate: 22050
tempo: 500
tracks:
  - { name: Kick, channels: 2, source: { input: 1 } }
  - { name: Kick, source: { file: missing.wav } }
buses:
  - { name: Verb, kind: fx }
mix:
  track/3/gain: 0
  track/2/pan: 2
";
    expect(
        text,
        &[
            (1, &["22050"]),
            (2, &["tempo 500"]),
            (4, &["has 2 channels but lists 1"]),
            (5, &["track 1 already has this name"]),
            (5, &["missing.wav"]),
            (7, &["needs `effect`"]),
            (9, &["track 3 does not exist"]),
            (10, &["`track/2/pan`: 2", "from -1 to 1"]),
        ],
    );
}

#[test]
fn a_missing_session_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let e = Session::load(dir.path()).unwrap_err();
    assert_eq!(e.0.len(), 1);
    assert_eq!(e.0[0].line, 0);
    let shown = e.to_string();
    assert!(shown.contains("session.yaml: cannot read"), "{shown}");
    let e = Session::load(&dir.path().join("other.yaml")).unwrap_err();
    assert!(e.to_string().contains("other.yaml: cannot read"), "{e}");
}

const GOOD: &str = "\
# A good session using every form the file allows.
sample_rate: 44100
tempo: 96.5
pan_law: -4.5dB
tracks:
  - { name: Kick, source: { input: 1 } }
  - name: Keys
    channels: 2
    source: { input: [5, 6] }
    sends:
      - { bus: Verb, level: -12 }
      - { bus: 3, level: -inf, pre: true, on: false }
  - { name: Vox, source: { file: stems/a.wav }, sends: [{ bus: Echo }] }
  - { name: Click }
buses:
  - { name: Verb, kind: fx, effect: reverb }
  - { name: Echo, kind: fx, effect: delay }
  - { name: Drummer, kind: aux, output: [3, 4] }
  - { name: Spare, kind: aux }
mix:
  track/3/gain: -4.5
  track/2/fader: 0.5
  /track/1/eq/1/type: lowshelf
  track/1/eq/2/type: 4
  track/1/gate/on: true
  track/1/gate/threshold: -40
  track/1/mute: 0
  track/4/gain: -.inf
  track/3/comp/ratio: 4
  bus/1/reverb/decay: 2.2
  bus/2/delay/note: 1/8D
  bus/3/gain: -inf
  master/limiter/ceiling: -1
";

#[test]
fn a_good_file_loads_to_the_expected_model() {
    let dir = folder(GOOD);
    let s = Session::load(&dir.path().join("session.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let root = std::path::absolute(dir.path()).unwrap();
    assert_eq!(s.dir, root);
    assert_eq!(s.file, root.join("session.yaml"));
    assert_eq!(s.sample_rate, 44_100);
    assert_eq!(s.tempo, 96.5);
    assert_eq!(s.pan_law, PanLaw::Compromise);
    let track = |name: &str, channels, source| TrackDef {
        name: name.into(),
        colour: Default::default(),
        channels,
        source,
    };
    assert_eq!(
        s.tracks,
        vec![
            track("Kick", 1, Source::Input(vec![1])),
            track("Keys", 2, Source::Input(vec![5, 6])),
            track("Vox", 1, Source::File(root.join("stems/a.wav"))),
            track("Click", 1, Source::None),
        ]
    );
    let bus = |name: &str, kind| BusDef {
        name: name.into(),
        kind,
    };
    assert_eq!(
        s.buses,
        vec![
            bus(
                "Verb",
                BusKind::Fx {
                    effect: BusEffect::Reverb
                }
            ),
            bus(
                "Echo",
                BusKind::Fx {
                    effect: BusEffect::Delay
                }
            ),
            bus("Drummer", BusKind::Aux { output: vec![3, 4] }),
            bus("Spare", BusKind::Aux { output: vec![] }),
        ]
    );
    let layout = s.layout();
    assert_eq!(layout.tracks, 4);
    assert_eq!(
        layout.buses,
        vec![
            BusEffect::Reverb,
            BusEffect::Delay,
            BusEffect::None,
            BusEffect::None
        ]
    );

    let t = ParamId::track;
    let send = |tr, bus, field| t(tr, Param::Send { bus, field });
    // Breakpoint of the console fader law: 0.5 is -10 dB (DESIGN.md).
    let half = fader_law::to_db(FaderPos(0.5)).0;
    assert!((half - -10.0).abs() < 1e-4);
    let want: Vec<(ParamId, f32)> = vec![
        (send(1, 0, SendField::Level), -12.0),
        (send(1, 2, SendField::Level), SILENCE_DB),
        (send(1, 2, SendField::Pre), 1.0),
        (send(1, 2, SendField::On), 0.0),
        (send(2, 1, SendField::Level), 0.0),
        (t(2, Param::Gain), -4.5),
        (t(1, Param::Gain), half),
        (
            t(
                0,
                Param::Eq {
                    band: 0,
                    field: EqField::Type,
                },
            ),
            1.0,
        ),
        (
            t(
                0,
                Param::Eq {
                    band: 1,
                    field: EqField::Type,
                },
            ),
            4.0,
        ),
        (t(0, Param::Gate(GateField::On)), 1.0),
        (t(0, Param::Gate(GateField::Threshold)), -40.0),
        (t(0, Param::Mute), 0.0),
        (t(3, Param::Gain), SILENCE_DB),
        (t(2, Param::Comp(CompField::Ratio)), 4.0),
        (
            ParamId::bus(0, Param::Reverb(mixbridge::params::ReverbField::Decay)),
            2.2,
        ),
        (ParamId::bus(1, Param::Delay(DelayField::Note)), 9.0),
        (ParamId::bus(2, Param::Gain), SILENCE_DB),
        (ParamId::master(Param::Limiter(LimiterField::Ceiling)), -1.0),
    ];
    assert_eq!(s.mix, want);
}

#[test]
fn the_fader_form_of_a_send_is_the_same_parameter_as_its_level() {
    // Track 3's send to bus 2, set once in `sends` and once as a fader.
    let e = errors(&format!("{GOOD}  track/3/send/2/fader: 0.75\n"));
    assert_eq!(e.0.len(), 1, "{e}");
    assert_eq!(e.0[0].line, GOOD.lines().count() + 1);
    assert!(e.0[0].message.contains("`track/3/send/2/fader` sets the same parameter as `track/3/send/2/level (in `sends`)` on line 13"), "{e}");
}

#[test]
fn the_folder_and_its_file_load_the_same() {
    let dir = folder(GOOD);
    let a = Session::load(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let b = Session::load(&dir.path().join("session.yaml")).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.mix.len(), 18);
    assert!(Path::new(&a.dir).is_absolute());
}
