//! Offline render of the shipped example session, and the command-line verbs
//! around it, run as a user would run them.

#[path = "support/cli.rs"]
mod cli;

use cli::mixbridge;
use mixbridge::audio_file;
use mixbridge::render::render;
use mixbridge::report::LoudnessReport;
use mixbridge::session::Session;
use std::path::{Path, PathBuf};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/session")
}

#[test]
fn render_is_deterministic_and_meets_its_ceiling() {
    let session = Session::load(&example()).expect("example session loads");
    let a = render(&session, 1.0).unwrap();
    let b = render(&session, 1.0).unwrap();
    assert_eq!(a, b, "two renders of one session are identical");

    let longest = session
        .tracks
        .iter()
        .filter_map(|t| match &t.source {
            mixbridge::session::Source::File(p) => {
                let w = audio_file::read(p).unwrap();
                Some(w.frames() as f64 / w.sample_rate as f64)
            }
            _ => None,
        })
        .fold(0.0, f64::max);
    let seconds = a.frames() as f64 / a.sample_rate as f64;
    assert!(
        (seconds - (longest + 1.0)).abs() < 0.01,
        "length {seconds} s, sources {longest} s + 1 s tail"
    );

    let report = LoudnessReport::from_audio(&a).unwrap();
    // The example's limiter ceiling is -1 dBTP; the meter must agree.
    assert!(
        report.true_peak <= -1.0 + 0.05,
        "true peak {} dBTP",
        report.true_peak
    );
    assert!(
        (-30.0..-8.0).contains(&report.integrated),
        "integrated {} LUFS",
        report.integrated
    );
    assert!(report.range.is_finite());
}

#[test]
fn render_command_writes_the_file_and_a_json_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mix.wav");
    let o = mixbridge(&[
        "render",
        example().to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--format",
        "16",
        "--report",
        "json",
        "--target",
        "spotify",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON report");
    let written = audio_file::read(&out).unwrap();
    assert_eq!(written.channels.len(), 2);
    assert_eq!(
        hound::WavReader::open(&out).unwrap().spec().bits_per_sample,
        16
    );
    let measured = LoudnessReport::from_audio(&written).unwrap();
    let printed = report["integrated_lufs"].as_f64().unwrap();
    assert!(
        (printed - measured.integrated as f64).abs() < 0.1,
        "report {printed} vs file {}",
        measured.integrated
    );
    assert_eq!(report["targets"].as_array().unwrap().len(), 1);
    assert_eq!(report["targets"][0]["name"], "spotify");

    // The same file through `meter`, as text.
    let m = mixbridge(&["meter", out.to_str().unwrap(), "--target", "ebu-r128"]);
    assert!(m.status.success());
    let text = String::from_utf8_lossy(&m.stdout);
    assert!(
        text.contains("integrated") && text.contains("ebu-r128"),
        "{text}"
    );
}

#[test]
fn check_command_reports_good_and_bad_sessions() {
    let ok = mixbridge(&["check", example().to_str().unwrap()]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("session.yaml"),
        "tracks:\n  - name: A\n    chanels: 2\n",
    )
    .unwrap();
    let bad = mixbridge(&["check", dir.path().to_str().unwrap()]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("session.yaml:3:"), "{err}");
    assert!(err.contains("chanels") && err.contains("channels"), "{err}");
}

#[test]
fn unknown_target_and_missing_session_are_clear_errors() {
    let o = mixbridge(&["meter", "nope.wav", "--target", "mars-radio"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("mars-radio") && err.contains("spotify"),
        "{err}"
    );

    let o = mixbridge(&["render", "/nonexistent/session", "-o", "/tmp/x.wav"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/session"));
}
