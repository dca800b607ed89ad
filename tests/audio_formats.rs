//! Audio files made by an encoder nobody here wrote (SoX), in every form a
//! stem arrives in, read back sample for sample; damaged ones are errors
//! that name the file; sessions of them render, meter and check.

#[path = "support/cli.rs"]
mod cli;

use cli::mixbridge;
use mixbridge::audio_file::{self, AudioFileError};
use std::f64::consts::TAU;
use std::path::{Path, PathBuf};
use std::process::Command;

const RATE: u32 = 48_000;
const FRAMES: usize = 48_000;

/// Channel `c` of the test signal: a sine per channel, each its own
/// frequency, so a swapped or shifted channel shows.
fn signal(c: usize) -> Vec<f32> {
    (0..FRAMES)
        .map(|n| (0.5 * (TAU * (440.0 * (c + 1) as f64) * n as f64 / f64::from(RATE)).sin()) as f32)
        .collect()
}

/// `name` in `dir`, made by SoX from the test signal with `channels`
/// channels, SoX's output options `opts` and then its effects, if any
/// (after `--`); no dither, so the samples are the signal rounded.
fn sox(dir: &Path, name: &str, channels: usize, opts: &[&str]) -> PathBuf {
    let (opts, effects) = match opts.iter().position(|o| *o == "--") {
        Some(i) => (&opts[..i], &opts[i + 1..]),
        None => (opts, &[][..]),
    };
    let raw = dir.join(format!("{name}.raw"));
    let chans: Vec<Vec<f32>> = (0..channels).map(signal).collect();
    let bytes: Vec<u8> = (0..FRAMES)
        .flat_map(|i| chans.iter().map(move |c| c[i]))
        .flat_map(f32::to_le_bytes)
        .collect();
    std::fs::write(&raw, bytes).unwrap();
    let out = dir.join(name);
    let status = Command::new("sox")
        .arg("-D")
        .args([
            "-t",
            "f32",
            "-r",
            &RATE.to_string(),
            "-c",
            &channels.to_string(),
        ])
        .arg(&raw)
        .args(opts)
        .arg(&out)
        .args(effects)
        .status()
        .expect("sox is installed (.ci/setup installs it)");
    assert!(status.success(), "sox made {name}");
    out
}

/// The WAV format tag of a file (1 PCM, 3 float, 0xFFFE extensible).
fn wav_tag(path: &Path) -> u16 {
    let b = std::fs::read(path).unwrap();
    u16::from_le_bytes([b[20], b[21]])
}

#[test]
fn every_format_reads_back_as_written() {
    let dir = tempfile::tempdir().unwrap();
    // (file, channels, SoX options, largest error: half a step of the
    // format; SoX carries samples as 32-bit integers, so its floats are
    // within 2^-31 of the signal's)
    let cases: &[(&str, usize, &[&str], f32)] = &[
        (
            "u8.wav",
            1,
            &["-b", "8", "-e", "unsigned-integer"],
            1.0 / 256.0,
        ),
        ("s16.wav", 2, &["-b", "16"], 1.0 / 65536.0),
        ("s24.wav", 2, &["-b", "24"], 1.0 / 16_777_216.0),
        ("s32.wav", 1, &["-b", "32", "-e", "signed-integer"], 1e-7),
        ("f32.wav", 2, &["-b", "32", "-e", "floating-point"], 5e-8),
        ("f64.wav", 1, &["-b", "64", "-e", "floating-point"], 5e-8),
        ("quad16.wav", 4, &["-b", "16"], 1.0 / 65536.0),
        ("s16.flac", 2, &["-b", "16"], 1.0 / 65536.0),
        ("s24.flac", 1, &["-b", "24"], 1.0 / 16_777_216.0),
        ("s16.aiff", 2, &["-b", "16"], 1.0 / 65536.0),
        ("s24.aiff", 1, &["-b", "24"], 1.0 / 16_777_216.0),
        ("f32.aifc", 1, &["-b", "32", "-e", "floating-point"], 5e-8),
    ];
    for &(name, channels, opts, tolerance) in cases {
        let path = sox(dir.path(), name, channels, opts);
        let audio = audio_file::read(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(audio.sample_rate, RATE, "{name}");
        assert_eq!(audio.channels.len(), channels, "{name}");
        assert_eq!(audio.frames(), FRAMES, "{name}");
        for (c, got) in audio.channels.iter().enumerate() {
            let err = got
                .iter()
                .zip(signal(c))
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            assert!(err <= tolerance * 1.01, "{name} channel {c}: {err}");
        }
    }
    // The 24-bit and the 4-channel WAVs are WAVE_FORMAT_EXTENSIBLE, the
    // others plain PCM or float: both headers were read.
    assert_eq!(wav_tag(&dir.path().join("s24.wav")), 0xFFFE);
    assert_eq!(wav_tag(&dir.path().join("quad16.wav")), 0xFFFE);
    assert_eq!(wav_tag(&dir.path().join("s16.wav")), 1);
    assert_eq!(wav_tag(&dir.path().join("f32.wav")), 3);
}

/// Cut each format short, and damage each one's audio: a clear error that
/// names the file, every time.
#[test]
fn truncated_and_damaged_files_are_errors_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    for (name, opts) in [
        ("t.wav", &["-b", "24"][..]),
        ("t.flac", &["-b", "16"]),
        ("t.aiff", &["-b", "16"]),
    ] {
        let good = sox(dir.path(), name, 2, opts);
        let bytes = std::fs::read(&good).unwrap();

        let cut = dir.path().join(format!("cut-{name}"));
        std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
        let e = audio_file::read(&cut).unwrap_err();
        assert!(
            matches!(
                e,
                AudioFileError::Truncated { .. } | AudioFileError::Corrupt { .. }
            ),
            "{name}: {e}"
        );
        assert!(e.to_string().starts_with(&cut.display().to_string()), "{e}");

        let header_only = dir.path().join(format!("header-{name}"));
        std::fs::write(&header_only, &bytes[..64.min(bytes.len())]).unwrap();
        let e = audio_file::read(&header_only).unwrap_err();
        assert!(
            e.to_string()
                .starts_with(&header_only.display().to_string()),
            "{e}"
        );
    }
    // FLAC frames carry checksums: flipped bits in the audio are found.
    let good = std::fs::read(dir.path().join("t.flac")).unwrap();
    let mut bad = good.clone();
    for i in (good.len() / 2..good.len() / 2 + 64).step_by(3) {
        bad[i] ^= 0x5A;
    }
    let damaged = dir.path().join("damaged.flac");
    std::fs::write(&damaged, bad).unwrap();
    let e = audio_file::read(&damaged).unwrap_err();
    assert!(
        matches!(
            e,
            AudioFileError::Corrupt { .. } | AudioFileError::Truncated { .. }
        ),
        "{e}"
    );
    assert!(
        e.to_string().starts_with(&damaged.display().to_string()),
        "{e}"
    );

    let empty = sox(
        dir.path(),
        "empty.wav",
        1,
        &["-b", "16", "--", "trim", "0", "0"],
    );
    let e = audio_file::read(&empty).unwrap_err();
    assert!(e.to_string().ends_with("empty.wav: holds no audio"), "{e}");
}

/// A session of FLAC, AIFF and WAV stems (one at 44.1 kHz) renders, and the
/// render's loudness matches what `meter` says of the same stems mixed.
#[test]
fn sessions_of_every_format_render_and_meter() {
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session");
    std::fs::create_dir_all(&session).unwrap();
    sox(&session, "a.flac", 1, &["-b", "24"]);
    sox(&session, "b.aiff", 2, &["-b", "16"]);
    sox(&session, "c.wav", 1, &["-b", "16", "-r", "44100"]);
    std::fs::write(
        session.join("session.yaml"),
        "tracks:\n  - { name: A, source: { file: a.flac } }\n  - { name: B, channels: 2, source: { file: b.aiff } }\n  - { name: C, source: { file: c.wav } }\n",
    )
    .unwrap();
    let check = mixbridge(&["check", session.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(out.contains("audio files: ok (3 files)"), "{out}");

    let mix = dir.path().join("mix.wav");
    let r = mixbridge(&[
        "render",
        session.to_str().unwrap(),
        "-o",
        mix.to_str().unwrap(),
        "--tail",
        "0",
        "--report",
        "json",
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let rendered = audio_file::read(&mix).unwrap();
    assert_eq!(rendered.frames(), FRAMES);
    let report: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert!(
        report["integrated_lufs"].as_f64().unwrap() > -40.0,
        "{report}"
    );

    let flac = session.join("a.flac");
    let m = mixbridge(&["meter", flac.to_str().unwrap(), "--report", "json"]);
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    let metered: serde_json::Value = serde_json::from_slice(&m.stdout).unwrap();
    // A 440 Hz sine at -6 dBFS peak.
    let peak = metered["files"][0]["sample_peak_dbfs"].as_f64().unwrap();
    assert!((peak - -6.02).abs() < 0.05, "{metered}");
}

/// `check` decodes every file and lists each one that is wrong, one line
/// apiece; `render` refuses with the same lines.
#[test]
fn check_and_render_list_every_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session");
    std::fs::create_dir_all(&session).unwrap();
    sox(&session, "good.wav", 1, &["-b", "16"]);
    let flac = std::fs::read(sox(&session, "cut.flac", 1, &["-b", "16"])).unwrap();
    std::fs::write(session.join("cut.flac"), &flac[..flac.len() / 2]).unwrap();
    let wav = std::fs::read(sox(&session, "cut.wav", 2, &["-b", "24"])).unwrap();
    std::fs::write(session.join("cut.wav"), &wav[..wav.len() / 2]).unwrap();
    sox(
        &session,
        "empty.aiff",
        1,
        &["-b", "16", "--", "trim", "0", "0"],
    );
    std::fs::write(
        session.join("session.yaml"),
        "tracks:\n  - { name: G, source: { file: good.wav } }\n  - { name: F, source: { file: cut.flac } }\n  - { name: W, channels: 2, source: { file: cut.wav } }\n  - { name: E, source: { file: empty.aiff } }\n",
    )
    .unwrap();
    let check = mixbridge(&["check", session.to_str().unwrap()]);
    assert!(!check.status.success());
    let err = String::from_utf8_lossy(&check.stderr);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(lines[0].contains("cut.flac: "), "{err}");
    assert!(lines[1].contains("cut.wav: ends early"), "{err}");
    assert!(lines[2].contains("empty.aiff: holds no audio"), "{err}");

    let out = dir.path().join("mix.wav");
    let r = mixbridge(&[
        "render",
        session.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    for name in ["cut.flac", "cut.wav", "empty.aiff"] {
        assert_eq!(err.matches(name).count(), 1, "{name} once in:\n{err}");
    }
    assert!(
        !out.exists(),
        "nothing is written from a session with bad files"
    );
}
