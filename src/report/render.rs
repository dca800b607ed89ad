//! A report as a table for people and as JSON for scripts.
//!
//! The text shows measurements to 0.1, as a meter does; JSON carries 0.01
//! and writes a missing level (silence, -inf) as `null`.

use serde_json::{json, Value};

use super::targets::{num, Check};
use super::{LoudnessReport, Target, LOW_END_HZ};

/// Width of the target-name column.
const NAME_WIDTH: usize = 15;

fn level(x: f32) -> Value {
    if x.is_finite() {
        json!((x as f64 * 100.0).round() / 100.0)
    } else {
        Value::Null
    }
}

impl LoudnessReport {
    /// The measurements, then one line per target: name, PASS or FAIL, and
    /// the reasons; advice the numbers cannot check follows the table.
    pub fn render_text(&self, targets: &[&Target]) -> String {
        let mut rows = vec![
            ("integrated", num(self.integrated), "LUFS"),
            ("loudness range", num(self.range), "LU"),
            ("momentary max", num(self.momentary_max), "LUFS"),
            ("short-term max", num(self.short_term_max), "LUFS"),
            ("true peak", num(self.true_peak), "dBTP"),
            ("sample peak", num(self.sample_peak), "dBFS"),
        ];
        let bass_unit = format!("dB side/mid below {LOW_END_HZ} Hz");
        if let Some(db) = self.low_end_side_db {
            rows.push(("bass", num(db), &bass_unit));
        }
        let mut out = String::new();
        for (what, value, unit) in rows {
            out += &format!("{what:<16}{value:>7} {unit}\n");
        }
        out += &format!(
            "{:<16}{:>7.1} s, {} Hz, {} channel{}\n",
            "duration",
            self.duration_s,
            self.sample_rate,
            self.channels,
            if self.channels == 1 { "" } else { "s" }
        );
        let checks = self.checks(targets);
        if !checks.is_empty() {
            out.push('\n');
        }
        for c in &checks {
            let verdict = if c.pass() { "PASS" } else { "FAIL" };
            let reasons: Vec<&str> = c.findings.iter().map(|f| f.text.as_str()).collect();
            out += &format!(
                "{:<NAME_WIDTH$}{verdict}  {}\n",
                c.target.name,
                reasons.join("; ")
            );
        }
        for c in checks.iter().filter(|c| !c.target.note.is_empty()) {
            out += &format!("\n{}: {}\n", c.target.name, c.target.note);
        }
        out
    }

    /// The report as a JSON value (see [`LoudnessReport::render_json`]).
    pub fn to_json(&self, targets: &[&Target]) -> Value {
        let checks: Vec<Value> = self.checks(targets).iter().map(check_json).collect();
        json!({
            "integrated_lufs": level(self.integrated),
            "loudness_range_lu": level(self.range),
            "momentary_max_lufs": level(self.momentary_max),
            "short_term_max_lufs": level(self.short_term_max),
            "true_peak_dbtp": level(self.true_peak),
            "sample_peak_dbfs": level(self.sample_peak),
            "low_end_side_db": self.low_end_side_db.map_or(Value::Null, level),
            "duration_s": (self.duration_s * 1000.0).round() / 1000.0,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "targets": checks,
        })
    }

    /// Pretty-printed JSON: the measurements (LUFS, LU, dBTP, dBFS, s;
    /// `null` for none) and a `targets` array of
    /// `{name, title, pass, findings: [{pass, text}], note}`.
    pub fn render_json(&self, targets: &[&Target]) -> String {
        serde_json::to_string_pretty(&self.to_json(targets)).unwrap_or_default()
    }
}

fn check_json(c: &Check) -> Value {
    let findings: Vec<Value> = c
        .findings
        .iter()
        .map(|f| json!({ "pass": f.pass, "text": f.text }))
        .collect();
    json!({
        "name": c.target.name,
        "title": c.target.title,
        "pass": c.pass(),
        "findings": findings,
        "note": c.target.note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{target, TARGETS};

    fn report() -> LoudnessReport {
        LoudnessReport {
            integrated: -9.84,
            range: 5.26,
            momentary_max: -6.0,
            short_term_max: -7.5,
            true_peak: 0.31,
            sample_peak: -0.02,
            duration_s: 192.4567,
            sample_rate: 44_100,
            channels: 2,
            low_end_side_db: None,
        }
    }

    #[test]
    fn json_shape() {
        let spotify = target("spotify").unwrap();
        let v: Value = serde_json::from_str(&report().render_json(&[spotify])).unwrap();
        assert_eq!(v["integrated_lufs"], json!(-9.84));
        assert_eq!(v["loudness_range_lu"], json!(5.26));
        assert_eq!(v["true_peak_dbtp"], json!(0.31));
        assert_eq!(v["sample_peak_dbfs"], json!(-0.02));
        assert_eq!(v["duration_s"], json!(192.457));
        assert_eq!(v["sample_rate"], json!(44_100));
        assert_eq!(v["channels"], json!(2));
        assert_eq!(v["low_end_side_db"], Value::Null);
        let t = &v["targets"][0];
        assert_eq!(t["name"], "spotify");
        assert_eq!(t["title"], "Spotify");
        assert_eq!(t["pass"], false);
        assert_eq!(
            t["findings"][0]["text"],
            "integrated -9.8 LUFS is 4.2 LU above -14 (±1 allowed)"
        );
        assert_eq!(t["findings"][1]["pass"], false);
        assert_eq!(v["targets"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn json_writes_silence_as_null() {
        let mut r = report();
        r.integrated = f32::NEG_INFINITY;
        r.true_peak = f32::NEG_INFINITY;
        let v = r.to_json(&[]);
        assert_eq!(v["integrated_lufs"], Value::Null);
        assert_eq!(v["true_peak_dbtp"], Value::Null);
        assert_eq!(v["targets"], json!([]));
    }

    #[test]
    fn text_has_one_line_per_target() {
        let all: Vec<&Target> = TARGETS.iter().collect();
        let text = report().render_text(&all);
        assert!(
            text.starts_with("integrated         -9.8 LUFS\nloudness range      5.3 LU\n"),
            "{text}"
        );
        assert!(
            text.contains("duration          192.5 s, 44100 Hz, 2 channels\n"),
            "{text}"
        );
        for t in TARGETS {
            let lines: Vec<&str> = text
                .lines()
                .filter(|l| l.starts_with(&format!("{} ", t.name)))
                .collect();
            assert_eq!(lines.len(), 1, "{}: {text}", t.name);
            let want = if t.check(&report()).pass() {
                "PASS"
            } else {
                "FAIL"
            };
            assert!(lines[0].contains(want), "{}", lines[0]);
        }
        assert!(
            text.contains("spotify        FAIL  integrated -9.8 LUFS is 4.2 LU above -14"),
            "{text}"
        );
        assert!(text.contains("\nvinyl: keep bass mono"), "{text}");
    }
}
