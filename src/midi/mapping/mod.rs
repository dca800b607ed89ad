//! Generic MIDI surfaces: YAML mapping files and the surface that runs one.
//!
//! A mapping binds controls (CC, 14-bit CC, NRPN, pitch bend, notes,
//! program changes) to parameter paths with bank-relative strip numbers,
//! or to actions (banking, shift, transport, automation modes, scenes). A
//! file that says `protocol: mackie` instead describes a Mackie Control
//! device; the loader dispatches on it. The format is documented by the
//! shipped `mappings/generic-8-fader.yaml`.

mod binding;
mod file;
mod load;
mod surface;
mod takeover;

pub use binding::{BindAction, Binding, Does, Encoding, Kind, Mapping, NoteMode, Takeover, Taper};
pub use surface::GenericSurface;

use crate::midi::mackie;
use crate::yaml::{self, Errors, Located};
use std::path::{Path, PathBuf};

/// A loaded mapping file.
#[derive(Debug, Clone)]
pub enum MappingFile {
    Generic(Mapping),
    Mackie(mackie::Options),
}

/// Read and check a mapping file.
pub fn load(path: &Path) -> Result<MappingFile, Errors> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Located::whole(path, format!("cannot read: {e}")))?;
    parse(path, &text)
}

/// Check mapping text that came from `file`.
pub fn parse(file: &Path, text: &str) -> Result<MappingFile, Errors> {
    // The protocol decides the whole file's shape.
    let protocol = serde_yaml::from_str::<serde_yaml::Value>(text)
        .ok()
        .and_then(|v| {
            v.get("protocol")
                .and_then(|p| p.as_str().map(str::to_string))
        });
    match protocol.as_deref() {
        Some("mackie") => {
            let (options, _) = yaml::parse::<mackie::Options>(file, text)?;
            Ok(MappingFile::Mackie(options))
        }
        None => {
            let (t, src) = yaml::parse::<file::MappingText>(file, text)?;
            if let Some(p) = &t.protocol {
                return Err(src.at(&["protocol"], format!("unknown protocol `{p}`; allowed: mackie, or none for a generic mapping")).into());
            }
            load::build(t, &src).map(MappingFile::Generic)
        }
        Some(p) => {
            let (_, src) = yaml::parse::<serde_yaml::Value>(file, text)?;
            Err(src
                .at(
                    &["protocol"],
                    format!(
                        "unknown protocol `{p}`; allowed: mackie, or none for a generic mapping"
                    ),
                )
                .into())
        }
    }
}

/// The file a mapping name or path means. A name (no `/`, no `.yaml`) is
/// looked up as `NAME.yaml` in `dirs`, in order; a relative path is taken
/// from `base` (the config file's folder).
pub fn resolve(name: &str, base: Option<&Path>, dirs: &[PathBuf]) -> Result<PathBuf, Errors> {
    let is_path = name.contains('/') || name.ends_with(".yaml") || name.ends_with(".yml");
    if is_path {
        let p = Path::new(name);
        return Ok(match base {
            Some(b) if p.is_relative() => b.join(p),
            _ => p.to_path_buf(),
        });
    }
    for d in dirs {
        let p = d.join(format!("{name}.yaml"));
        if p.is_file() {
            return Ok(p);
        }
    }
    let mut known: Vec<String> = dirs
        .iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".yaml")
                .map(str::to_string)
        })
        .collect();
    known.sort();
    known.dedup();
    Err(Located::whole(
        Path::new(name),
        format!("no mapping named `{name}`; available: {}", known.join(", ")),
    )
    .into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match parse(Path::new("m.yaml"), text) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("accepted:\n{text}"),
        }
    }

    #[test]
    fn every_shipped_mapping_loads() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings");
        let mut n = 0;
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yaml") {
                load(&p).unwrap_or_else(|e| panic!("{e}"));
                n += 1;
            }
        }
        assert!(n >= 8, "{n} mappings");
    }

    #[test]
    fn mistakes_say_where_and_what_is_allowed() {
        let head = "name: x\nstrips: 2\nbindings:\n";
        let cases: &[(&str, &[&str])] = &[
            (
                "  - { cc: [0, 1], target: \"track/{strip}/fader\", takeover: sometimes }\n",
                &[
                    "m.yaml:4:",
                    "unknown takeover `sometimes`",
                    "jump, pickup, scale",
                ],
            ),
            (
                "  - { cc: [0, 1, 2], target: \"track/{strip}/fader\" }\n",
                &["m.yaml:4:", "3 controls listed", "1 to 2"],
            ),
            (
                "  - { cc: 200, target: \"master/fader\" }\n",
                &["m.yaml:4:", "cc number 200", "0 to 127"],
            ),
            (
                "  - { cc: 1, note: 2, target: \"master/fader\" }\n",
                &["m.yaml:4:", "more than one kind"],
            ),
            (
                "  - { target: \"master/fader\" }\n",
                &["m.yaml:4:", "names no control", "cc, cc14, nrpn"],
            ),
            (
                "  - { cc: 1, target: \"track/{strip}/fadr\" }\n",
                &["m.yaml:4:", "fadr"],
            ),
            ("  - { cc: 1 }\n", &["either a `target` or an `action`"]),
            (
                "  - { note: 1, action: dance }\n",
                &["unknown action `dance`", "bank-left"],
            ),
            (
                "  - { note: 1, action: { automation: hover } }\n",
                &["unknown automation mode `hover`", "latch"],
            ),
            (
                "  - { cc: 1, encoder: gray, target: \"track/1/pan\" }\n",
                &["unknown encoder `gray`", "offset-64"],
            ),
            (
                "  - { pitchbend: 1, encoder: offset-64, target: \"track/1/pan\" }\n",
                &["relative encoders"],
            ),
            (
                "  - { cc: 1, range: [3, 1], target: \"track/1/pan\" }\n",
                &["range [3, 1]"],
            ),
            (
                "  - { cc: 1, calibration: [[0, 0]], target: \"track/1/gain\" }\n",
                &["at least two"],
            ),
            (
                "  - { cc: 1, chanel: 2, target: \"track/1/gain\" }\n",
                &["m.yaml:4:", "unknown key `chanel`"],
            ),
            (
                "  - { nrpn: 1, bits: 9, target: \"track/1/gain\" }\n",
                &["7 or 14"],
            ),
        ];
        for (binding, want) in cases {
            let e = err(&format!("{head}{binding}"));
            for w in *want {
                assert!(e.contains(w), "{binding}: `{w}` not in: {e}");
            }
        }
        let e = err("name: x\nprotocol: hui\n");
        assert!(
            e.contains("unknown protocol `hui`") && e.contains("mackie"),
            "{e}"
        );
        let e = err("name: x\nprotocol: mackie\nextenders: lots\n");
        assert!(e.contains("m.yaml:3:"), "{e}");
    }

    #[test]
    fn names_resolve_in_order_and_unknown_names_list_the_known() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("mappings");
        let dirs = vec![PathBuf::from("/nonexistent"), dir.clone()];
        assert_eq!(
            resolve("korg-nanokontrol2", None, &dirs).unwrap(),
            dir.join("korg-nanokontrol2.yaml")
        );
        assert_eq!(
            resolve("box.yaml", Some(Path::new("/etc/m")), &dirs).unwrap(),
            Path::new("/etc/m/box.yaml")
        );
        assert_eq!(
            resolve("/abs/b.yaml", Some(Path::new("/etc/m")), &dirs).unwrap(),
            Path::new("/abs/b.yaml")
        );
        let e = resolve("nanokontrol9", None, &dirs)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("nanokontrol9") && e.contains("akai-midimix"),
            "{e}"
        );
    }
}
