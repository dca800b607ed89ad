//! The X32 protocol's value laws: how a value travels as an OSC argument
//! (a float 0..1, an int, a string) and as the text of `/node` and `/`.
//!
//! A law works in its own unit (dB, Hz, ms, -100..+100 for pan, the index
//! of an enum); turning that into the console's own parameters is the
//! address table's business ([`super::table`]). The laws are the published
//! ones (Maillot's protocol notes): levels on the four-segment fader law,
//! frequencies and times logarithmic, gains and thresholds linear.

use crate::params::fader_law;
use crate::units::{Decibels, FaderPos, SILENCE_DB};
use rosc::OscType;

/// How a number is printed in node text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Text {
    /// `%.Nf`.
    Fixed(u8),
    /// `%+.Nf`.
    Signed(u8),
    /// Hertz as the console prints them: `632.5` below 1 kHz, `1k02` above.
    Hertz,
}

/// One value law.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Law {
    /// A level on the fader law: float 0..1 <-> dB (`-oo` at 0).
    Level,
    /// Linear: float x <-> `min + x (max - min)`.
    Lin { min: f32, max: f32, text: Text },
    /// Logarithmic: float x <-> `min (max / min)^x` (max may be below min,
    /// as for Q, which falls from 10 to 0.3).
    Log { min: f32, max: f32, text: Text },
    /// An int index into the names (`ON`/`OFF` is [`ON_OFF`]).
    Enum(&'static [&'static str]),
    /// A plain int.
    Int,
    /// An int shown as `%` and this many bits.
    Bits(u8),
    /// A string.
    Str,
}

pub const ON_OFF: &[&str] = &["OFF", "ON"];
/// EQ frequency: 20 Hz · 1000^x (the console has 201 steps).
pub const FREQ: Law = Law::Log {
    min: 20.0,
    max: 20_000.0,
    text: Text::Hertz,
};
/// High-pass frequency: 20 Hz · 20^x (101 steps).
pub const HPF: Law = Law::Log {
    min: 20.0,
    max: 400.0,
    text: Text::Fixed(1),
};
/// EQ gain: 30x - 15 dB (0.25 dB steps).
pub const EQ_GAIN: Law = Law::Lin {
    min: -15.0,
    max: 15.0,
    text: Text::Signed(2),
};
/// EQ Q: 10 · 0.03^x, 10 down to 0.3 (72 steps).
pub const EQ_Q: Law = Law::Log {
    min: 10.0,
    max: 0.3,
    text: Text::Fixed(1),
};
/// Pan: -100..+100.
pub const PAN: Law = Law::Lin {
    min: -100.0,
    max: 100.0,
    text: Text::Signed(0),
};

/// A value as it travels: the type matters, clients expect to read back
/// the type they write.
#[derive(Debug, Clone, PartialEq)]
pub enum Wire {
    Float(f32),
    Int(i32),
    Str(String),
}

impl Wire {
    pub fn osc(self) -> OscType {
        match self {
            Wire::Float(f) => OscType::Float(f),
            Wire::Int(i) => OscType::Int(i),
            Wire::Str(s) => OscType::String(s),
        }
    }
}

/// A value in a law's own unit: a number, or the text of a string law.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Num(f32),
    Text(String),
}

impl Law {
    pub fn is_float(self) -> bool {
        matches!(self, Law::Level | Law::Lin { .. } | Law::Log { .. })
    }

    /// A float position 0..1 to the law's unit.
    pub fn from_position(self, x: f32) -> f32 {
        let x = x.clamp(0.0, 1.0);
        match self {
            Law::Level => fader_law::to_db(FaderPos(x)).0,
            Law::Lin { min, max, .. } => min + x * (max - min),
            Law::Log { min, max, .. } => min * (max / min).powf(x),
            _ => x,
        }
    }

    /// The law's unit to a float position 0..1 (clamped).
    pub fn to_position(self, v: f32) -> f32 {
        let x = match self {
            Law::Level => fader_law::from_db(Decibels(v)).0,
            Law::Lin { min, max, .. } => (v - min) / (max - min),
            Law::Log { min, max, .. } => (v / min).ln() / (max / min).ln(),
            _ => v,
        };
        if x.is_nan() {
            0.0
        } else {
            x.clamp(0.0, 1.0)
        }
    }

    /// How many values an int law takes (`None` for any int).
    fn count(self) -> Option<i64> {
        match self {
            Law::Enum(names) => Some(names.len() as i64),
            Law::Bits(n) => Some(1 << n),
            _ => None,
        }
    }

    /// The argument carrying `v`.
    pub fn wire(self, v: &Value) -> Wire {
        match (self, v) {
            (Law::Str, Value::Text(s)) => Wire::Str(s.clone()),
            (Law::Str, Value::Num(n)) => Wire::Str(format!("{n}")),
            (l, Value::Num(n)) if l.is_float() => Wire::Float(l.to_position(*n)),
            (_, Value::Num(n)) => Wire::Int(n.round() as i32),
            (l, Value::Text(_)) if l.is_float() => Wire::Float(0.0),
            (_, Value::Text(_)) => Wire::Int(0),
        }
    }

    /// The value an argument sets, or why it cannot. Numbers of any OSC type
    /// are taken for number laws (apps send floats for buttons); a float
    /// position outside 0..1, an index out of range, NaN and infinities
    /// are refused.
    pub fn from_arg(self, arg: &OscType) -> Result<Value, &'static str> {
        if self == Law::Str {
            return match arg {
                OscType::String(s) => Ok(Value::Text(s.clone())),
                _ => Err("expected a string"),
            };
        }
        if let OscType::String(s) = arg {
            return self.parse(s);
        }
        let n = crate::osc::args::number(arg).ok_or("expected a number")?;
        if !n.is_finite() {
            return Err("not a finite number");
        }
        if self.is_float() {
            if !(0.0..=1.0).contains(&n) {
                return Err("a position is 0..1");
            }
            return Ok(Value::Num(self.from_position(n as f32)));
        }
        self.index(n.round())
    }

    fn index(self, n: f64) -> Result<Value, &'static str> {
        match self.count() {
            Some(c) if !(0.0..c as f64).contains(&n) => Err("out of range"),
            _ if n.abs() > f64::from(i32::MAX) => Err("out of range"),
            _ => Ok(Value::Num(n as f32)),
        }
    }

    /// The value in node text (`-12.0`, `-oo`, `1k02`, `ON`, `"Kick"`).
    pub fn render(self, v: &Value) -> String {
        let n = match v {
            Value::Text(s) => return format!("\"{s}\""),
            Value::Num(n) => *n,
        };
        match self {
            Law::Str => format!("\"{n}\""),
            Law::Level if n <= -90.0 || fader_law::from_db(Decibels(n)).0 <= 0.0 => "-oo".into(),
            Law::Level => format!("{:+.1}", n.min(10.0)),
            Law::Lin { text, .. } | Law::Log { text, .. } => number_text(n, text),
            Law::Enum(names) => names
                .get(n.max(0.0) as usize)
                .map_or_else(|| format!("{n}"), |s| s.to_string()),
            Law::Int => format!("{}", n as i64),
            Law::Bits(bits) => {
                let i = n as i64;
                let digits: String = (0..bits)
                    .rev()
                    .map(|b| if i >> b & 1 == 1 { '1' } else { '0' })
                    .collect();
                format!("%{digits}")
            }
        }
    }

    /// The value of one token of node text, or why not. Numbers outside the
    /// law's range are refused, as out-of-range arguments are.
    pub fn parse(self, token: &str) -> Result<Value, &'static str> {
        let t = token.trim();
        match self {
            Law::Str => Ok(Value::Text(t.trim_matches('"').to_string())),
            Law::Level => {
                if t.eq_ignore_ascii_case("-oo") || t.eq_ignore_ascii_case("-inf") {
                    return Ok(Value::Num(SILENCE_DB));
                }
                let d = parse_number(t).ok_or("expected a level in dB or -oo")?;
                if !(-144.0..=10.0 + 1e-3).contains(&d) {
                    return Err("a level is -oo..+10 dB");
                }
                Ok(Value::Num(d.min(10.0)))
            }
            Law::Lin { min, max, .. } | Law::Log { min, max, .. } => {
                let v = parse_number(t).ok_or("expected a number")?;
                let (lo, hi) = (min.min(max), min.max(max));
                let slack = (hi - lo) * 1e-3;
                if !(lo - slack..=hi + slack).contains(&v) {
                    return Err("out of range");
                }
                Ok(Value::Num(v.clamp(lo, hi)))
            }
            Law::Enum(names) => match names.iter().position(|n| n.eq_ignore_ascii_case(t)) {
                Some(i) => Ok(Value::Num(i as f32)),
                None => self.index(t.parse::<f64>().map_err(|_| "no such choice")?.round()),
            },
            Law::Int => self.index(t.parse::<f64>().map_err(|_| "expected an int")?.round()),
            Law::Bits(_) => match t.strip_prefix('%') {
                Some(bits) if !bits.is_empty() && bits.len() <= 31 => {
                    let i = i64::from_str_radix(bits, 2).map_err(|_| "expected %0101...")?;
                    self.index(i as f64)
                }
                Some(_) => Err("expected %0101..."),
                None => self.index(t.parse::<f64>().map_err(|_| "expected an int")?.round()),
            },
        }
    }
}

fn number_text(v: f32, text: Text) -> String {
    match text {
        Text::Fixed(d) => format!("{:.*}", usize::from(d), v),
        Text::Signed(d) => format!("{:+.*}", usize::from(d), v),
        Text::Hertz if v < 999.95 => format!("{v:.1}"),
        Text::Hertz => {
            // Hundredths of a kilohertz after the `k`, cut, not rounded, as
            // the console's table has them: 1025.7 Hz is `1k02`.
            let centi = (v / 10.0 + 1e-3).floor() as i64;
            format!("{}k{:02}", centi / 100, centi % 100)
        }
    }
}

/// A number of node text: plain (`-12.5`, `+3`) or kilo-form (`1k02`, `20k`).
fn parse_number(t: &str) -> Option<f32> {
    let v = match t.split_once(['k', 'K']) {
        Some((whole, frac)) if !whole.is_empty() => {
            let w: u32 = whole.parse().ok()?;
            let f = if frac.is_empty() {
                0.0
            } else if frac.bytes().all(|b| b.is_ascii_digit()) && frac.len() <= 3 {
                frac.parse::<f32>().ok()? / 10f32.powi(frac.len() as i32)
            } else {
                return None;
            };
            (w as f32 + f) * 1000.0
        }
        Some(_) => return None,
        None => t.parse::<f32>().ok()?,
    };
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Entries of the console's 201-step EQ frequency table (Maillot):
    /// step i of 200 prints as these.
    #[test]
    fn eq_frequency_matches_the_published_table() {
        for (i, text) in [
            (0, "20.0"),
            (1, "20.7"),
            (46, "98.0"),
            (47, "101.4"),
            (100, "632.5"),
            (114, "1k02"),
            (116, "1k09"),
            (120, "1k26"),
            (160, "5k02"),
            (180, "10k02"),
            (199, "19k32"),
            (200, "20k00"),
        ] {
            let hz = FREQ.from_position(i as f32 / 200.0);
            assert_eq!(FREQ.render(&Value::Num(hz)), text, "step {i}");
            let back = FREQ.parse(text).unwrap();
            let Value::Num(b) = back else { panic!() };
            assert!(
                // The text keeps three digits: it reads back to its step.
                (FREQ.to_position(b) * 200.0).round() == i as f32,
                "{text} -> step {}",
                FREQ.to_position(b) * 200.0
            );
        }
    }

    /// Entries of the 101-step HPF table: 20 Hz to 400 Hz.
    #[test]
    fn hpf_matches_the_published_table() {
        for (i, text) in [
            (0, "20.0"),
            (10, "27.0"),
            (50, "89.4"),
            (77, "200.8"),
            (100, "400.0"),
        ] {
            let hz = HPF.from_position(i as f32 / 100.0);
            assert_eq!(HPF.render(&Value::Num(hz)), text, "step {i}");
        }
    }

    /// Gain: 0.25 dB steps over -15..+15; Q: 10 down to 0.3, Q 2.0 near 0.4648.
    #[test]
    fn gain_q_and_pan() {
        assert_eq!(EQ_GAIN.from_position(0.5), 0.0);
        assert_eq!(EQ_GAIN.from_position(0.0), -15.0);
        assert_eq!(EQ_GAIN.from_position(1.0), 15.0);
        assert!((EQ_GAIN.from_position(61.0 / 120.0) - 0.25).abs() < 1e-5);
        assert_eq!(EQ_GAIN.render(&Value::Num(-3.25)), "-3.25");
        assert!((EQ_Q.from_position(0.0) - 10.0).abs() < 1e-5);
        assert!((EQ_Q.from_position(1.0) - 0.3).abs() < 1e-5);
        // Q has 72 steps; step 33 of 71 is the console's "2.0".
        let q2 = EQ_Q.from_position(33.0 / 71.0);
        assert!((33.0f32 / 71.0 - 0.4648).abs() < 1e-4);
        assert_eq!(EQ_Q.render(&Value::Num(q2)), "2.0");
        assert!((EQ_Q.to_position(q2) - 0.4648).abs() < 1e-4);
        assert_eq!(PAN.from_position(0.25), -50.0);
        assert_eq!(PAN.render(&Value::Num(-30.0)), "-30");
        assert_eq!(PAN.render(&Value::Num(0.0)), "+0");
    }

    #[test]
    fn levels_print_as_the_console_does() {
        let l = Law::Level;
        assert_eq!(l.render(&Value::Num(SILENCE_DB)), "-oo");
        assert_eq!(l.render(&Value::Num(0.0)), "+0.0");
        assert_eq!(l.render(&Value::Num(-12.0)), "-12.0");
        assert_eq!(l.parse("-oo").unwrap(), Value::Num(SILENCE_DB));
        assert_eq!(l.parse("-85.4").unwrap(), Value::Num(-85.4));
        assert!(l.parse("+12").is_err());
        assert_eq!(l.wire(&Value::Num(0.0)), Wire::Float(0.75));
        assert_eq!(l.wire(&Value::Num(SILENCE_DB)), Wire::Float(0.0));
    }

    #[test]
    fn arguments_are_checked() {
        assert_eq!(
            Law::Level.from_arg(&OscType::Float(0.75)).unwrap(),
            Value::Num(0.0)
        );
        assert!(Law::Level.from_arg(&OscType::Float(1.5)).is_err());
        assert!(Law::Level.from_arg(&OscType::Float(f32::NAN)).is_err());
        assert!(Law::Level
            .from_arg(&OscType::Double(f64::INFINITY))
            .is_err());
        let on = Law::Enum(ON_OFF);
        assert_eq!(on.from_arg(&OscType::Float(1.0)).unwrap(), Value::Num(1.0));
        assert_eq!(on.from_arg(&OscType::Int(0)).unwrap(), Value::Num(0.0));
        assert!(on.from_arg(&OscType::Int(2)).is_err());
        assert_eq!(
            on.from_arg(&OscType::String("on".into())).unwrap(),
            Value::Num(1.0)
        );
        assert!(Law::Str.from_arg(&OscType::Int(1)).is_err());
        assert_eq!(Law::Bits(6).parse("%000101").unwrap(), Value::Num(5.0));
        assert_eq!(Law::Bits(6).render(&Value::Num(5.0)), "%000101");
        assert!(Law::Bits(6).parse("%1000000").is_err());
        assert!(FREQ.parse("25k").is_err());
        assert!(FREQ.parse("k5").is_err());
        assert!(FREQ.parse("nan").is_err());
    }
}
