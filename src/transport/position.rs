//! Positions as people write them: seconds, `MM:SS(.sss)` or
//! `H:MM:SS(.sss)`, and bars and beats (`BAR|BEAT` or `BAR|BEAT|TICK`,
//! 1-based, four beats to the bar at the session tempo, 960 ticks to the
//! beat); and as the Mackie timecode display shows them.

/// Beats to the bar (sessions have a tempo, not a metre: 4/4 it is).
pub const BEATS_PER_BAR: u32 = 4;
/// Ticks to the beat.
pub const TICKS: u32 = 960;
/// Frames per second of the SMPTE display.
pub const SMPTE_FPS: u32 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarsBeats {
    /// 1-based.
    pub bar: u32,
    /// 1-based.
    pub beat: u32,
    pub tick: u32,
}

/// Where `seconds` falls in bars and beats at `bpm`.
pub fn bars_beats(seconds: f64, bpm: f32) -> BarsBeats {
    let beats = seconds.max(0.0) * f64::from(bpm.max(1.0)) / 60.0;
    let whole = beats.floor();
    let tick = ((beats - whole) * f64::from(TICKS)).floor() as u32;
    let whole = whole as u64;
    BarsBeats {
        bar: (whole / u64::from(BEATS_PER_BAR)) as u32 + 1,
        beat: (whole % u64::from(BEATS_PER_BAR)) as u32 + 1,
        tick: tick.min(TICKS - 1),
    }
}

/// Hours, minutes, seconds and frames.
pub fn smpte(seconds: f64) -> (u32, u32, u32, u32) {
    let s = seconds.max(0.0);
    let whole = s.floor() as u64;
    let frames = ((s - s.floor()) * f64::from(SMPTE_FPS)).floor() as u32;
    (
        (whole / 3600) as u32,
        (whole / 60 % 60) as u32,
        (whole % 60) as u32,
        frames.min(SMPTE_FPS - 1),
    )
}

/// A position written by a person, in seconds at `bpm`.
pub fn parse_position(text: &str, bpm: f32) -> Option<f64> {
    let text = text.trim();
    let number = |s: &str| s.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0);
    if text.contains('|') {
        let parts: Vec<&str> = text.split('|').collect();
        if parts.len() > 3 {
            return None;
        }
        let int = |s: &str| s.trim().parse::<u32>().ok();
        let bar = int(parts[0]).filter(|b| *b >= 1)?;
        let beat = parts
            .get(1)
            .map_or(Some(1), |b| int(b))
            .filter(|b| (1..=BEATS_PER_BAR).contains(b))?;
        let tick = parts
            .get(2)
            .map_or(Some(0), |t| int(t))
            .filter(|t| *t < TICKS)?;
        let beats = f64::from(bar - 1) * f64::from(BEATS_PER_BAR)
            + f64::from(beat - 1)
            + f64::from(tick) / f64::from(TICKS);
        return Some(beats * 60.0 / f64::from(bpm.max(1.0)));
    }
    if text.contains(':') {
        let parts: Vec<&str> = text.split(':').collect();
        let (h, m, s) = match parts.as_slice() {
            [m, s] => ("0", *m, *s),
            [h, m, s] => (*h, *m, *s),
            _ => return None,
        };
        let (h, m, s) = (number(h)?, number(m)?, number(s)?);
        if m >= 60.0 || s >= 60.0 || h.fract() != 0.0 || m.fract() != 0.0 {
            return None;
        }
        return Some(h * 3600.0 + m * 60.0 + s);
    }
    number(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_in_every_form() {
        assert_eq!(parse_position("12.5", 120.0), Some(12.5));
        assert_eq!(parse_position("1:02.5", 120.0), Some(62.5));
        assert_eq!(parse_position("1:00:00", 120.0), Some(3600.0));
        // At 120 bpm a beat is half a second, a bar two seconds.
        assert_eq!(parse_position("5|1", 120.0), Some(8.0));
        assert_eq!(parse_position("5|3|480", 120.0), Some(9.25));
        for bad in ["", "-1", "x", "0|1", "1|5", "1:61", "1|1|960", "nan"] {
            assert_eq!(parse_position(bad, 120.0), None, "{bad}");
        }
    }

    #[test]
    fn bars_beats_and_smpte() {
        assert_eq!(
            bars_beats(9.25, 120.0),
            BarsBeats {
                bar: 5,
                beat: 3,
                tick: 480
            }
        );
        assert_eq!(
            bars_beats(0.0, 90.0),
            BarsBeats {
                bar: 1,
                beat: 1,
                tick: 0
            }
        );
        assert_eq!(smpte(3723.5), (1, 2, 3, 15));
    }
}
