//! `render --check NAME`: a preview of the master on a playback system,
//! exactly the monitor's chain applied to the render; without it a render
//! is the master, which no check touches.

#[path = "support/cli.rs"]
mod cli;

use cli::mixbridge;
use mixbridge::audio_file;
use mixbridge::engine::monitor::check::preview;
use mixbridge::params::Check;
use std::path::Path;

#[test]
fn a_check_preview_is_the_render_through_the_check() {
    let session = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/session");
    let dir = tempfile::tempdir().unwrap();
    let render = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec![
            "render",
            session.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--format",
            "float",
            "--tail",
            "0.5",
        ];
        args.extend(extra);
        let run = mixbridge(&args);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        (
            audio_file::read(&out).unwrap(),
            String::from_utf8_lossy(&run.stdout).to_string(),
        )
    };
    let (plain, _) = render("plain.wav", &[]);
    let (car, report) = render("car.wav", &["--check", "car"]);
    assert!(report.contains("LUFS"), "the preview's report: {report}");

    let mut want = plain.channels.clone();
    let [l, r] = &mut want[..] else {
        panic!("stereo")
    };
    preview(Check::Car, plain.sample_rate as f32, l, r);
    assert_eq!(car.channels.len(), 2);
    for (got, want) in car.channels.iter().zip(&want) {
        let worst = got
            .iter()
            .zip(want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(
            worst < 1e-6,
            "the preview is the render through the check ({worst})"
        );
    }
    let moved = plain.channels[0]
        .iter()
        .zip(&car.channels[0])
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(moved > 1e-3, "the car check changes what the file holds");

    let bad = mixbridge(&[
        "render",
        session.to_str().unwrap(),
        "-o",
        dir.path().join("x.wav").to_str().unwrap(),
        "--check",
        "boombox",
    ]);
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(
        stderr.contains("boombox")
            && stderr.contains("allowed: phone, laptop, earbuds, car, tv, small-radio"),
        "{stderr}"
    );
    assert!(!dir.path().join("x.wav").exists(), "nothing written");
}
