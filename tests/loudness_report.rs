//! `mixbridge meter`'s body on real WAV files: the report of a tone whose
//! loudness is known (a stereo 1 kHz sine at -N dBFS reads -N LUFS, as in
//! EBU Tech 3341), target selection and the errors a user can cause.

use mixbridge::audio_file::{write_wav, Audio, SampleFormat};
use mixbridge::report::{meter_files, MeterError, TARGETS};
use std::path::{Path, PathBuf};

fn tone_file(dir: &Path, name: &str, level_db: f64, seconds: f64, channels: usize) -> PathBuf {
    let sr = 48_000u32;
    let amp = 10f64.powf(level_db / 20.0);
    let x: Vec<f32> = (0..(seconds * sr as f64) as usize)
        .map(|n| (amp * (std::f64::consts::TAU * 1000.0 * n as f64 / sr as f64).sin()) as f32)
        .collect();
    let path = dir.join(name);
    write_wav(
        &path,
        &Audio {
            sample_rate: sr,
            channels: vec![x; channels],
        },
        SampleFormat::Float32,
    )
    .unwrap();
    path
}

#[test]
fn text_report_of_a_minus_14_tone() {
    let dir = tempfile::tempdir().unwrap();
    let path = tone_file(dir.path(), "tone.wav", -14.0, 6.0, 2);
    let text = meter_files(std::slice::from_ref(&path), None, false)
        .unwrap()
        .output;
    assert!(text.starts_with(&format!("{}\n", path.display())), "{text}");
    assert!(text.contains("integrated        -14.0 LUFS"), "{text}");
    assert!(text.contains("true peak         -14.0 dBTP"), "{text}");
    assert!(
        text.contains("bass"),
        "a stereo file reports its bass: {text}"
    );
    for t in TARGETS {
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with(&format!("{} ", t.name)))
                .count(),
            1,
            "{}",
            t.name
        );
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("spotify") && l.contains("PASS")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("ebu-r128 ") && l.contains("FAIL")),
        "{text}"
    );
}

#[test]
fn json_report_of_two_files_for_one_target() {
    let dir = tempfile::tempdir().unwrap();
    let a = tone_file(dir.path(), "a.wav", -23.0, 5.0, 2);
    let b = tone_file(dir.path(), "b.wav", -20.0, 5.0, 1);
    let out = meter_files(&[a.clone(), b], Some("EBU-R128"), true)
        .unwrap()
        .output;
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["file"], a.display().to_string());
    let i = files[0]["integrated_lufs"].as_f64().unwrap();
    assert!((i + 23.0).abs() < 0.1, "{i}");
    assert_eq!(files[0]["targets"].as_array().unwrap().len(), 1);
    assert_eq!(files[0]["targets"][0]["name"], "ebu-r128");
    assert_eq!(files[0]["targets"][0]["pass"], true);
    // Mono -20 dBFS: one channel reads 3 LU under the stereo pair.
    let i = files[1]["integrated_lufs"].as_f64().unwrap();
    assert!((i + 23.0).abs() < 0.1, "{i}");
    assert_eq!(files[1]["channels"], 1);
    assert_eq!(files[1]["low_end_side_db"], serde_json::Value::Null);
}

#[test]
fn unknown_target_lists_the_allowed_names() {
    let e = meter_files(&[PathBuf::from("x.wav")], Some("napster"), false).unwrap_err();
    assert!(matches!(e, MeterError::UnknownTarget { .. }));
    let msg = e.to_string();
    for t in TARGETS {
        assert!(msg.contains(t.name), "{msg}");
    }
}

#[test]
fn unreadable_and_unsupported_files_are_named_and_the_others_metered() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.wav");
    let junk = dir.path().join("junk.wav");
    std::fs::write(&junk, b"not a wav").unwrap();
    let quad = tone_file(dir.path(), "quad.wav", -20.0, 0.1, 4);
    let good = tone_file(dir.path(), "good.wav", -20.0, 1.0, 2);
    let m = meter_files(&[missing.clone(), junk.clone(), good, quad], None, true).unwrap();
    let failed: Vec<String> = m.failed.iter().map(ToString::to_string).collect();
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert!(
        failed[0].starts_with(&format!("{}: cannot open", missing.display())),
        "{failed:?}"
    );
    assert!(
        failed[1].starts_with(&format!("{}: not a readable audio file", junk.display())),
        "{failed:?}"
    );
    assert!(
        failed[2].contains("quad.wav") && failed[2].contains("4 channels"),
        "{failed:?}"
    );
    let report: serde_json::Value = serde_json::from_str(&m.output).unwrap();
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert!(files[0]["file"].as_str().unwrap().ends_with("good.wav"));
    assert!(matches!(
        meter_files(&[], None, false),
        Err(MeterError::NoFiles)
    ));
}
