//! Delivery targets as data, and the check of a report against one.
//!
//! Services publish a level they normalise to and a peak ceiling; a master
//! off the level is turned up or down by the service, which is what "about"
//! means. Those targets pass within ±1 LU ([`STREAMING_TOLERANCE_LU`]); EBU
//! R128 states its own ±0.5 LU (±1 LU live). Measurements are checked as a
//! meter shows them, rounded to 0.1, so a report never prints "-1.0 dBTP"
//! next to a failed -1 dBTP ceiling.

use super::LoudnessReport;

/// How far a master may sit from an "about" loudness target.
pub const STREAMING_TOLERANCE_LU: f32 = 1.0;

/// What a target asks of integrated loudness.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LoudnessRule {
    /// Within `tolerance` LU either side of `lufs`.
    Near { lufs: f32, tolerance: f32 },
    /// `lufs` or quieter.
    AtMost { lufs: f32 },
    /// Loudness is not a delivery criterion.
    Free,
}

/// The true-peak ceiling, possibly lower for loud masters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeakRule {
    pub ceiling_dbtp: f32,
    /// Masters louder than `.0` LUFS must stay at or under `.1` dBTP.
    pub loud: Option<(f32, f32)>,
}

/// A delivery target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// The name used on the command line.
    pub name: &'static str,
    pub title: &'static str,
    pub loudness: LoudnessRule,
    pub peak: PeakRule,
    /// Checks the bass is not out of phase (see [`LoudnessReport::low_end_side_db`]).
    pub mono_bass: bool,
    /// Advice the numbers cannot check.
    pub note: &'static str,
}

const fn streaming(name: &'static str, title: &'static str, lufs: f32) -> Target {
    Target {
        name,
        title,
        loudness: LoudnessRule::Near {
            lufs,
            tolerance: STREAMING_TOLERANCE_LU,
        },
        peak: PeakRule {
            ceiling_dbtp: -1.0,
            loud: None,
        },
        mono_bass: false,
        note: "",
    }
}

/// Every known target, in the order reports list them.
pub const TARGETS: &[Target] = &[
    Target {
        peak: PeakRule { ceiling_dbtp: -1.0, loud: Some((-14.0, -2.0)) },
        ..streaming("spotify", "Spotify", -14.0)
    },
    streaming("youtube", "YouTube", -14.0),
    streaming("tidal", "Tidal", -14.0),
    streaming("amazon", "Amazon Music", -14.0),
    streaming("apple", "Apple Music", -16.0),
    streaming("deezer", "Deezer", -15.0),
    Target {
        loudness: LoudnessRule::AtMost { lufs: -16.0 },
        ..streaming("aes-streaming", "AES TD1008 streaming, music", -16.0)
    },
    Target {
        loudness: LoudnessRule::Near { lufs: -23.0, tolerance: 0.5 },
        ..streaming("ebu-r128", "EBU R128 broadcast", -23.0)
    },
    Target {
        loudness: LoudnessRule::Near { lufs: -23.0, tolerance: 1.0 },
        ..streaming("ebu-r128-live", "EBU R128 broadcast, live", -23.0)
    },
    Target {
        loudness: LoudnessRule::Free,
        // The lenient end of the -0.3..-1 dBTP used in practice: a master for
        // lossy encoding as well wants -1.
        peak: PeakRule { ceiling_dbtp: -0.3, loud: None },
        ..streaming("cd", "CD", 0.0)
    },
    Target {
        loudness: LoudnessRule::Free,
        // The level on the disc is set at the lathe; the file only has to
        // reach the cutting converter without clipping it.
        peak: PeakRule { ceiling_dbtp: 0.0, loud: None },
        mono_bass: true,
        note: "keep bass mono below about 150 Hz, tame sibilance and extreme highs, avoid hard limiting",
        ..streaming("vinyl", "Vinyl cut", 0.0)
    },
];

/// The target called `name` (case-insensitive).
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name.eq_ignore_ascii_case(name))
}

/// The names of every target, for error messages and `--help`.
pub fn target_names() -> String {
    TARGETS
        .iter()
        .map(|t| t.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One criterion of a check and how the report fared.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub pass: bool,
    pub text: String,
}

/// A report checked against one target.
#[derive(Debug, Clone, PartialEq)]
pub struct Check<'t> {
    pub target: &'t Target,
    pub findings: Vec<Finding>,
}

impl Check<'_> {
    pub fn pass(&self) -> bool {
        self.findings.iter().all(|f| f.pass)
    }
}

/// A measurement as a meter displays it.
pub(super) fn tenth(x: f32) -> f32 {
    // Adding zero turns -0 into 0, so nothing prints as "-0".
    (x * 10.0).round() / 10.0 + 0.0
}

/// A measurement as a meter shows it: "-14.0", "-9.8", "-inf".
pub(super) fn num(x: f32) -> String {
    if x.is_finite() {
        format!("{:.1}", tenth(x))
    } else if x < 0.0 {
        "-inf".into()
    } else {
        "+inf".into()
    }
}

fn finding(pass: bool, text: String) -> Finding {
    Finding { pass, text }
}

impl Target {
    pub fn check(&self, report: &LoudnessReport) -> Check<'_> {
        let mut findings = vec![self.check_loudness(tenth(report.integrated))];
        findings.push(self.check_peak(tenth(report.integrated), tenth(report.true_peak)));
        if self.mono_bass {
            findings.push(check_bass(report));
        }
        Check {
            target: self,
            findings,
        }
    }

    fn check_loudness(&self, i: f32) -> Finding {
        let silent = || {
            finding(
                false,
                "no integrated loudness: the file is silent or under 0.4 s".into(),
            )
        };
        match self.loudness {
            LoudnessRule::Free => finding(true, "loudness is not a target".into()),
            _ if !i.is_finite() => silent(),
            LoudnessRule::Near { lufs, tolerance } => {
                let off = tenth(i - lufs);
                if off.abs() <= tolerance {
                    finding(
                        true,
                        format!(
                            "integrated {} LUFS is within ±{} LU of {}",
                            num(i),
                            tolerance,
                            lufs
                        ),
                    )
                } else {
                    let side = if off > 0.0 { "above" } else { "below" };
                    let text = format!(
                        "integrated {} LUFS is {} LU {side} {} (±{} allowed)",
                        num(i),
                        num(off.abs()),
                        lufs,
                        tolerance
                    );
                    finding(false, text)
                }
            }
            LoudnessRule::AtMost { lufs } => {
                if i <= lufs {
                    finding(
                        true,
                        format!("integrated {} LUFS is at or under {}", num(i), lufs),
                    )
                } else {
                    finding(
                        false,
                        format!(
                            "integrated {} LUFS is {} LU above {}",
                            num(i),
                            num(i - lufs),
                            lufs
                        ),
                    )
                }
            }
        }
    }

    fn check_peak(&self, i: f32, tp: f32) -> Finding {
        let (ceiling, why) = match self.peak.loud {
            Some((above, ceiling)) if i > above => {
                (ceiling, format!(" for masters louder than {above} LUFS"))
            }
            _ => (self.peak.ceiling_dbtp, String::new()),
        };
        if tp <= ceiling {
            finding(
                true,
                format!(
                    "true peak {} dBTP is at or under the {ceiling} dBTP ceiling{why}",
                    num(tp)
                ),
            )
        } else {
            finding(
                false,
                format!(
                    "true peak {} dBTP is over the {ceiling} dBTP ceiling{why}",
                    num(tp)
                ),
            )
        }
    }
}

/// Bass with as much side as mid (uncorrelated or out of phase) cuts a groove
/// that moves up and down as much as side to side, which the lathe cannot
/// follow; that is the failure. Short of it the cutting engineer still folds
/// the bass to mono, so the side level is reported.
fn check_bass(report: &LoudnessReport) -> Finding {
    match (report.channels, report.low_end_side_db) {
        (1, _) => finding(true, "mono file: the bass is mono".into()),
        (2, Some(db)) => {
            let level = format!("side {:+.1} dB relative to mid", tenth(db));
            if tenth(db) >= 0.0 {
                finding(false, format!("bass below 150 Hz is not in phase: {level}"))
            } else {
                finding(true, format!("bass below 150 Hz: {level}"))
            }
        }
        (2, None) => finding(true, "no bass below 150 Hz to check".into()),
        _ => finding(true, "bass phase is checked on stereo files only".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(integrated: f32, true_peak: f32) -> LoudnessReport {
        LoudnessReport {
            integrated,
            range: 6.0,
            momentary_max: integrated + 6.0,
            short_term_max: integrated + 3.0,
            true_peak,
            sample_peak: true_peak - 0.3,
            duration_s: 180.0,
            sample_rate: 48_000,
            channels: 2,
            low_end_side_db: Some(-20.0),
        }
    }

    fn verdict(name: &str, integrated: f32, true_peak: f32) -> Check<'static> {
        target(name).unwrap().check(&report(integrated, true_peak))
    }

    #[test]
    fn every_target_is_reachable_by_name() {
        assert_eq!(TARGETS.len(), 11);
        for t in TARGETS {
            assert_eq!(target(&t.name.to_uppercase()), Some(t));
        }
        assert!(target("napster").is_none());
        assert!(target_names().contains("aes-streaming"));
    }

    #[test]
    fn passes_on_target() {
        for (name, i) in [
            ("youtube", -14.0),
            ("apple", -16.0),
            ("deezer", -15.0),
            ("ebu-r128", -23.0),
        ] {
            let c = verdict(name, i, -1.5);
            assert!(c.pass(), "{name}: {:?}", c.findings);
        }
        assert!(verdict("aes-streaming", -19.0, -3.0).pass());
        assert!(verdict("cd", -8.0, -0.3).pass());
    }

    #[test]
    fn fails_just_over_the_tolerance() {
        let c = verdict("tidal", -12.9, -3.0);
        assert!(!c.pass());
        assert_eq!(
            c.findings[0].text,
            "integrated -12.9 LUFS is 1.1 LU above -14 (±1 allowed)"
        );
        assert!(verdict("tidal", -13.0, -3.0).pass());
        assert!(!verdict("ebu-r128", -23.6, -3.0).pass());
        assert!(verdict("ebu-r128", -23.5, -3.0).pass());
        assert!(verdict("ebu-r128-live", -24.0, -3.0).pass());
        assert!(!verdict("aes-streaming", -15.9, -3.0).pass());
        let c = verdict("amazon", -14.0, -0.9);
        assert_eq!(
            c.findings[1].text,
            "true peak -0.9 dBTP is over the -1 dBTP ceiling"
        );
        assert!(!verdict("cd", -8.0, -0.2).pass());
        assert!(!verdict("vinyl", -8.0, 0.1).pass());
    }

    #[test]
    fn rounds_like_a_meter_display() {
        // -0.96 shows as -1.0 and meets a -1 dBTP ceiling; -0.94 shows as -0.9.
        assert!(verdict("youtube", -14.0, -0.96).pass());
        assert!(!verdict("youtube", -14.0, -0.94).pass());
    }

    #[test]
    fn spotify_lowers_the_ceiling_for_loud_masters() {
        // At -14 LUFS, -1 dBTP is the ceiling.
        assert!(verdict("spotify", -14.0, -1.5).pass());
        // Louder than -14 (and still within the tolerance): -2 dBTP.
        let c = verdict("spotify", -13.5, -1.5);
        assert!(!c.pass());
        assert_eq!(
            c.findings[1].text,
            "true peak -1.5 dBTP is over the -2 dBTP ceiling for masters louder than -14 LUFS"
        );
        assert!(verdict("spotify", -13.5, -2.0).pass());
        // Other services keep -1.
        assert!(verdict("youtube", -13.5, -1.5).pass());
    }

    #[test]
    fn silence_fails_loudness_targets_only() {
        let c = verdict("youtube", f32::NEG_INFINITY, f32::NEG_INFINITY);
        assert!(!c.findings[0].pass && c.findings[1].pass);
        assert!(verdict("cd", f32::NEG_INFINITY, f32::NEG_INFINITY).pass());
    }

    #[test]
    fn vinyl_checks_peak_and_bass_phase_not_loudness() {
        let t = target("vinyl").unwrap();
        let mut r = report(-6.0, -0.5);
        let c = t.check(&r);
        assert!(c.pass(), "{:?}", c.findings);
        assert_eq!(c.findings[0].text, "loudness is not a target");
        assert_eq!(
            c.findings[2].text,
            "bass below 150 Hz: side -20.0 dB relative to mid"
        );
        r.low_end_side_db = Some(1.5);
        let c = t.check(&r);
        assert!(!c.pass());
        assert_eq!(
            c.findings[2].text,
            "bass below 150 Hz is not in phase: side +1.5 dB relative to mid"
        );
        r.channels = 1;
        assert!(t.check(&r).pass());
    }
}
