//! Revisions survive a kill at any moment: the daemon (dummy backend) is
//! asked over OSC to save a revision of a large mix (sixteen long lanes, so
//! a save takes a while), new or replacing one, and is killed with SIGKILL
//! at varying times around it. After every kill each revision file must
//! load whole, none saved before may go missing, and a replaced one is the
//! old or the new, never a mixture.

#[path = "support/osc_peer.rs"]
mod peer;
#[path = "support/daemon.rs"]
mod process;

use mixbridge::revisions::file;
use peer::{Arg, Peer};
use process::{dummy_config, free_port, Daemon};
use std::collections::BTreeMap;
use std::time::Duration;

const TRACKS: usize = 16;
const KILLS: u64 = 16;

#[test]
fn kill_9_during_a_save_leaves_every_revision_loadable() {
    if !peer::available() {
        eprintln!("python-osc is not installed (.ci/setup installs it); skipping");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let session = dir.path().join("session");
    let lanes = session.join("automation");
    let revisions = session.join("revisions");
    std::fs::create_dir_all(&lanes).unwrap();
    let tracks: String = (1..=TRACKS)
        .map(|t| format!("  - {{ name: T{t}, source: {{ input: {t} }} }}\n"))
        .collect();
    std::fs::write(
        session.join("session.yaml"),
        format!("sample_rate: 48000\ntracks:\n{tracks}"),
    )
    .unwrap();
    for t in 1..=TRACKS {
        let points: String = (0..2000)
            .map(|k| format!("  - [{}, {}]\n", k as f64 * 0.05, -(((k * t) % 60) as f32)))
            .collect();
        std::fs::write(
            lanes.join(format!("track-{t}-gain.yaml")),
            format!("path: track/{t}/gain\npoints:\n{points}"),
        )
        .unwrap();
    }
    let port = free_port();
    let config = dummy_config(dir.path(), port);
    // What each revision file held after the last round: whole, so a file
    // after a kill is either that or a whole new save.
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut written = 0;
    for round in 0..KILLS {
        let daemon = Daemon::start(&config, None);
        let mut osc = Peer::when_answering(port);
        // A new revision, or one replaced with another value in it.
        let name = format!("v{}", round % 5);
        osc.send("/track/1/gain", &[Arg::F(-(round as f32))]);
        osc.send(
            "/revision/save",
            &[Arg::S(&name), Arg::S("kill test"), Arg::I(1)],
        );
        std::thread::sleep(Duration::from_millis(round * 7 % 60));
        daemon.signal(libc::SIGKILL);
        drop(daemon);
        drop(osc);
        let mut now = BTreeMap::new();
        for entry in std::fs::read_dir(&revisions).into_iter().flatten() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "yaml") {
                continue;
            }
            let r = file::load(&path).unwrap_or_else(|e| {
                panic!(
                    "round {round}: {} does not load after a kill: {e}",
                    path.display()
                )
            });
            assert_eq!(r.lanes.len(), TRACKS, "round {round}: {} is whole", r.name);
            now.insert(r.name.clone(), std::fs::read_to_string(&path).unwrap());
        }
        for (name, text) in &seen {
            let after = now
                .get(name)
                .unwrap_or_else(|| panic!("round {round}: revision {name} went missing"));
            written += usize::from(after != text);
        }
        written += now.keys().filter(|n| !seen.contains_key(*n)).count();
        seen = now;
    }
    // The kills did land around saves: some were saved whole.
    assert!(written > 0, "no revision was ever saved");
    eprintln!(
        "{written} revision files written across {KILLS} kills ({} kept); all loaded every time",
        seen.len()
    );
}
