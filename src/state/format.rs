//! The state file's text: a small YAML document and a last line that checks it.
//!
//! ```text
//! # mixbridge mix state, written by the daemon; the last line checks the rest
//! version: 1
//! session: /var/lib/mixbridge/session
//! values:
//!   track/1/gain: -4.5
//! # crc32: e084348f
//! ```
//!
//! A file cut short loses its check line (or part of it) and is refused
//! whatever remains of the YAML; any other damage fails the CRC. The version
//! is read before the rest, so that a file from a newer build is reported as
//! such rather than as damaged.

use super::crc32::crc32;
use super::MixState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The format this build writes and reads.
pub const VERSION: u32 = 1;

const HEADER: &str =
    "# mixbridge mix state, written by the daemon; the last line checks the rest\n";
const CHECK: &str = "# crc32: ";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    version: u32,
    session: String,
    values: BTreeMap<String, f32>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    names: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    colours: BTreeMap<String, String>,
}

pub(super) fn encode(state: &MixState) -> Vec<u8> {
    let doc = StateFile {
        version: VERSION,
        session: state.session.clone(),
        values: state.values.clone(),
        names: state.names.clone(),
        colours: state.colours.clone(),
    };
    let yaml = serde_yaml::to_string(&doc).expect("strings and numbers always serialise");
    let mut body = format!("{HEADER}{yaml}");
    if !body.ends_with('\n') {
        body.push('\n');
    }
    let check = crc32(body.as_bytes());
    body.push_str(&format!("{CHECK}{check:08x}\n"));
    body.into_bytes()
}

/// The state in a file's bytes, or why there is none.
pub(super) fn decode(bytes: &[u8]) -> Result<MixState, String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    let Some(without_newline) = bytes.strip_suffix(b"\n") else {
        return Err("the file does not end with its check line (cut short?)".into());
    };
    let line_start = without_newline
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let (body, line) = bytes.split_at(line_start);
    let want = std::str::from_utf8(&line[..line.len() - 1])
        .ok()
        .and_then(|l| l.strip_prefix(CHECK))
        // Exactly as written: eight lower-case digits, so that no byte of
        // the line can change without changing what it says.
        .filter(|hex| {
            hex.len() == 8
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .ok_or("the file does not end with its check line (cut short?)")?;
    let got = crc32(body);
    if got != want {
        return Err(format!(
            "the contents do not match their check (crc32 {got:08x}, expected {want:08x}); the file is damaged"
        ));
    }
    let text = std::str::from_utf8(body).map_err(|_| "the file is not UTF-8 text".to_string())?;
    let version = serde_yaml::from_str::<serde_yaml::Value>(text)
        .ok()
        .and_then(|v| v.get("version").and_then(serde_yaml::Value::as_u64));
    match version {
        Some(v) if v == u64::from(VERSION) => {}
        Some(v) => {
            return Err(format!(
                "the file is version {v}; this build reads version {VERSION}"
            ))
        }
        None => return Err("the file has no version".into()),
    }
    let f: StateFile =
        serde_yaml::from_str(text).map_err(|e| format!("the file is not a mix state: {e}"))?;
    Ok(MixState {
        session: f.session,
        values: f.values,
        names: f.names,
        colours: f.colours,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> MixState {
        MixState {
            session: "/srv/show: \"main\"\n".into(),
            values: [
                ("track/1/gain", -4.5),
                ("track/2/pan", 0.1),
                ("bus/1/reverb/decay", 2.2),
                ("master/gain", -144.0),
                ("track/4/gain", f32::NEG_INFINITY),
                ("track/3/eq/1/freq", 12_345.679),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
            names: [("track/1/name".to_string(), "Kick: \"in\"".to_string())].into(),
            colours: [("bus/2/colour".to_string(), "cyan".to_string())].into(),
        }
    }

    #[test]
    fn round_trips_exactly() {
        let s = state();
        assert_eq!(decode(&encode(&s)).unwrap(), s);
        let empty = MixState::default();
        assert_eq!(decode(&encode(&empty)).unwrap(), empty);
    }

    #[test]
    fn random_f32_values_read_back_bit_exact() {
        // Shortest-representation printing must read back to the same bits.
        let mut x = 0x3F80_0001u32;
        let mut values = BTreeMap::new();
        for i in 0..2000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let v = f32::from_bits(x);
            if v.is_finite() {
                values.insert(format!("p/{i}"), v);
            }
        }
        let s = MixState {
            session: "s".into(),
            values,
            ..MixState::default()
        };
        let back = decode(&encode(&s)).unwrap();
        for (k, v) in &s.values {
            assert_eq!(back.values[k].to_bits(), v.to_bits(), "{k}");
        }
    }

    #[test]
    fn the_file_reads_as_documented() {
        let s = MixState {
            session: "/var/lib/mixbridge/session".into(),
            values: [("track/1/gain".to_string(), -4.5)].into(),
            ..MixState::default()
        };
        // The example in the module doc; its check value is Python's
        // zlib.crc32 of everything before the last line.
        let documented = "\
# mixbridge mix state, written by the daemon; the last line checks the rest
version: 1
session: /var/lib/mixbridge/session
values:
  track/1/gain: -4.5
# crc32: e084348f
";
        assert_eq!(String::from_utf8(encode(&s)).unwrap(), documented);
    }

    #[test]
    fn other_versions_are_named() {
        let text = String::from_utf8(encode(&state()))
            .unwrap()
            .replace("version: 1", "version: 2");
        let body = &text[..text.rfind(CHECK).unwrap()];
        let refreshed = format!("{body}{CHECK}{:08x}\n", crc32(body.as_bytes()));
        let e = decode(refreshed.as_bytes()).unwrap_err();
        assert!(e.contains("version 2"), "{e}");
    }
}
