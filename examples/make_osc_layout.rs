//! Writes the Open Stage Control session for mixbridge
//! (`mappings/open-stage-control/mixbridge-8ch.json`): 8 track strips
//! (name, insert effects, sends to buses 1-4, pan, mute, solo, fader with
//! touch reporting, peak meter) and the master (loudness read-outs, mute, fader, meter).
//! The layout itself, and what it relies on in the Open Stage Control 1.x
//! format and where that was read, is in `make_osc_layout/layout.rs`;
//! `tests/osc_layout.rs` checks the committed file against it.
//!
//! `cargo run --example make_osc_layout [OUT_FILE]` (default: the file in
//! `mappings/open-stage-control/`).

#[path = "make_osc_layout/layout.rs"]
mod layout;

use std::path::PathBuf;

fn main() {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(layout::SESSION_FILE));
    if let Err(e) = std::fs::write(&out, layout::session_json()) {
        eprintln!("cannot write {}: {e}", out.display());
        std::process::exit(1);
    }
    println!("wrote {}", out.display());
}
