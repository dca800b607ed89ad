//! The scribble strips: what each 7-character cell says, and sending only
//! what changed, so that a moving fader's read-out costs a few bytes.

use super::protocol::{CELL, LINE};

/// A cell's text: ASCII only, six characters at most (the seventh is the
/// spacer between strips). Long names lose spaces, then lower-case vowels
/// after the first letter, then their end: "Lead Vox" → "LeadVx".
pub fn cell(text: &str) -> [u8; CELL] {
    let mut s: Vec<char> = text.chars().map(fold).collect();
    let width = CELL - 1;
    if s.len() > width {
        s.retain(|c| *c != ' ');
    }
    let mut i = s.len();
    while s.len() > width && i > 1 {
        i -= 1;
        if "aeiou".contains(s[i]) {
            s.remove(i);
        }
    }
    s.truncate(width);
    let mut out = [b' '; CELL];
    for (o, c) in out.iter_mut().zip(s) {
        *o = c as u8;
    }
    out
}

/// One character as the display can show it: ASCII as is, common accented
/// Latin letters without their accent, anything else `?`.
pub fn fold(c: char) -> char {
    if c.is_ascii() && !c.is_ascii_control() {
        return c;
    }
    const ACCENTS: [(&str, char); 12] = [
        ("àáâãäå", 'a'),
        ("ÀÁÂÃÄÅ", 'A'),
        ("èéêë", 'e'),
        ("ÈÉÊË", 'E'),
        ("ìíîï", 'i'),
        ("òóôõöø", 'o'),
        ("ÒÓÔÕÖØ", 'O'),
        ("ùúûü", 'u'),
        ("ÙÚÛÜ", 'U'),
        ("ç", 'c'),
        ("ñ", 'n'),
        ("ß", 's'),
    ];
    ACCENTS
        .iter()
        .find(|(from, _)| from.contains(c))
        .map_or('?', |(_, to)| *to)
}

/// A level for a cell: "-4.5", "+10.0", "-inf".
pub fn db(v: f32) -> String {
    if v <= crate::units::SILENCE_DB {
        "-inf".to_string()
    } else if v.abs() >= 99.95 {
        format!("{v:.0}")
    } else {
        format!("{v:+.1}")
    }
}

/// Any parameter's value for a cell, in its own unit: levels as [`db`],
/// choices by name, whole steps without decimals.
pub fn value(param: crate::params::Param, v: f32) -> String {
    use crate::params::{Spec, Taper, Unit};
    let spec = Spec::of(param);
    match spec.unit {
        Unit::Decibels => db(v),
        Unit::Switch => (if v >= 0.5 { "on" } else { "off" }).to_string(),
        Unit::Choice(_) => spec.choice_name(v).unwrap_or("?").to_string(),
        _ if spec.taper == Taper::Stepped => format!("{v:+.0}"),
        _ if v.abs() >= 1000.0 => format!("{:.1}k", v / 1000.0),
        _ if v.abs() >= 100.0 => format!("{v:.0}"),
        _ => format!("{v:.2}"),
    }
}

/// A pan position for a cell: "<C>", "L 30", "R100".
pub fn pan(v: f32) -> String {
    let p = (v * 100.0).round() as i32;
    match p {
        0 => "<C>".to_string(),
        p if p < 0 => format!("L{:>3}", -p),
        p => format!("R{p:>3}"),
    }
}

/// Both lines of one unit's display, and what the device shows now.
#[derive(Debug, Clone)]
pub struct Lcd {
    shown: Option<[u8; 2 * LINE]>,
}

impl Lcd {
    pub fn new() -> Lcd {
        Lcd { shown: None }
    }

    /// The device forgot its display (it was reconnected): send it whole.
    pub fn forget(&mut self) {
        self.shown = None;
    }

    /// The writes (offset, bytes) that bring the device to `want`: one per
    /// line that changed, from its first to its last changed character.
    pub fn update(&mut self, want: &[u8; 2 * LINE]) -> Vec<(u8, Vec<u8>)> {
        let mut out = Vec::new();
        for line in 0..2 {
            let range = line * LINE..(line + 1) * LINE;
            let changed: Vec<usize> = range
                .clone()
                .filter(|&i| self.shown.is_none_or(|s| s[i] != want[i]))
                .collect();
            if let (Some(&a), Some(&b)) = (changed.first(), changed.last()) {
                out.push((a as u8, want[a..=b].to_vec()));
            }
        }
        self.shown = Some(*want);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_fold_and_shorten_names() {
        let s = |t: &str| String::from_utf8(cell(t).to_vec()).unwrap();
        assert_eq!(s("Kick"), "Kick   ");
        assert_eq!(s("Lead Vox"), "LeadVx ");
        assert_eq!(s("Overheads"), "Ovrhds ");
        assert_eq!(s("Bass DI"), "BassDI ");
        assert_eq!(s("Chœur é"), "Ch?ure ");
        assert_eq!(s(""), "       ");
        assert_eq!(s("ABCDEFGHIJ"), "ABCDEF ");
    }

    #[test]
    fn values_fit_a_cell() {
        assert_eq!(db(-4.5), "-4.5");
        assert_eq!(db(10.0), "+10.0");
        assert_eq!(db(-144.0), "-inf");
        assert_eq!(pan(0.0), "<C>");
        assert_eq!(pan(-0.3), "L 30");
        assert_eq!(pan(1.0), "R100");
        for v in [db(-99.9), db(-100.0), pan(-1.0)] {
            assert!(v.len() < CELL, "{v}");
        }
    }

    #[test]
    fn only_changed_runs_are_sent() {
        let mut lcd = Lcd::new();
        let mut want = [b' '; 2 * LINE];
        assert_eq!(lcd.update(&want).len(), 2, "everything at first");
        assert!(lcd.update(&want).is_empty(), "nothing again");
        want[8] = b'x';
        want[10] = b'y';
        want[LINE + 55] = b'z';
        assert_eq!(
            lcd.update(&want),
            vec![(8, b"x y".to_vec()), ((LINE + 55) as u8, b"z".to_vec())]
        );
        lcd.forget();
        assert_eq!(lcd.update(&want)[0].1.len(), LINE);
    }
}
