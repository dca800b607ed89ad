//! OSC arguments ⇄ console values.
//!
//! Tablet apps send float32 for everything, scripts send ints, doubles or
//! booleans, and choices and names come as strings; all of them are
//! accepted where they make sense. What cannot be a value (NaN, an infinity
//! other than "-inf dB is silence", a string for a level) is refused with a
//! reason that says what is allowed.

use super::space::Target;
use crate::params::{Form, Spec};
use crate::session::Colour;
use crate::units::SILENCE_DB;
use rosc::OscType;

/// A value to apply, in the parameter's own unit.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Plain(f32),
    Name(String),
    Colour(Colour),
}

/// The argument as a number, if it is one of the numeric types.
pub fn number(arg: &OscType) -> Option<f64> {
    match *arg {
        OscType::Float(f) => Some(f as f64),
        OscType::Double(d) => Some(d),
        OscType::Int(i) => Some(i as f64),
        OscType::Long(l) => Some(l as f64),
        OscType::Bool(b) => Some(if b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

/// The value `arg` sets on `target`, or why it cannot.
pub fn value_for(target: Target, arg: &OscType) -> Result<Value, String> {
    match target {
        Target::Loudness(_) => Err("read-only".into()),
        Target::Name(_) => match arg {
            OscType::String(s) => Ok(Value::Name(s.clone())),
            _ => Err("a name is a string".into()),
        },
        Target::Colour(_) => match arg {
            OscType::String(s) => Colour::from_name(s)
                .map(Value::Colour)
                .ok_or_else(|| format!("expected one of {}", Colour::NAMES.join(", "))),
            _ => Err(format!(
                "a colour is a name, one of {}",
                Colour::NAMES.join(", ")
            )),
        },
        Target::Param(r) => {
            let spec = Spec::of(r.id.param);
            if let OscType::String(s) = arg {
                return spec
                    .choice_index(s)
                    .map(Value::Plain)
                    .ok_or_else(|| format!("expected {}", spec.describe()));
            }
            let v = number(arg).ok_or_else(|| format!("expected {}", spec.describe()))?;
            if v.is_nan() {
                return Err("not a number".into());
            }
            if v.is_infinite() {
                let silence = r.form == Form::Plain && spec.min <= SILENCE_DB;
                if !(silence && v < 0.0) {
                    return Err(format!("infinite; expected {}", describe(r.form, &spec)));
                }
                return Ok(Value::Plain(spec.min));
            }
            Ok(Value::Plain(r.to_plain(v as f32)))
        }
    }
}

fn describe(form: Form, spec: &Spec) -> String {
    match form {
        Form::Fader => "a fader position 0..1".into(),
        Form::Plain => spec.describe(),
    }
}

/// The argument that reports a plain value on an address of `form`.
pub fn reply(form: Form, plain: f32) -> OscType {
    OscType::Float(form.from_plain(plain))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{Owner, ParamRef};

    fn p(path: &str) -> Target {
        Target::Param(ParamRef::parse(path).unwrap())
    }

    #[test]
    fn what_each_kind_of_argument_sets() {
        use OscType::*;
        let ok = |t, a| value_for(t, &a).unwrap();
        assert_eq!(ok(p("track/1/gain"), Float(-6.0)), Value::Plain(-6.0));
        assert_eq!(ok(p("track/1/gain"), Int(-3)), Value::Plain(-3.0));
        assert_eq!(ok(p("track/1/gain"), Double(-1.5)), Value::Plain(-1.5));
        assert_eq!(ok(p("track/1/mute"), Bool(true)), Value::Plain(1.0));
        assert_eq!(ok(p("track/1/fader"), Float(0.75)), Value::Plain(0.0));
        assert_eq!(
            ok(p("track/1/gain"), Float(f32::NEG_INFINITY)),
            Value::Plain(SILENCE_DB),
            "-inf dB is silence"
        );
        assert_eq!(
            ok(p("track/1/eq/2/type"), String("HighShelf".into())),
            Value::Plain(2.0)
        );
        assert_eq!(
            ok(Target::Name(Owner::Track(0)), String("Vox".into())),
            Value::Name("Vox".into())
        );
    }

    #[test]
    fn what_is_refused_and_why() {
        use OscType::*;
        let err = |t, a| value_for(t, &a).unwrap_err();
        assert_eq!(err(p("track/1/gain"), Float(f32::NAN)), "not a number");
        assert!(err(p("track/1/gain"), Float(f32::INFINITY)).starts_with("infinite"));
        assert!(err(p("track/1/fader"), Float(f32::NEG_INFINITY)).contains("0..1"));
        assert!(err(p("track/1/pan"), Double(f64::NEG_INFINITY)).starts_with("infinite"));
        assert!(err(p("track/1/gain"), String("loud".into())).contains("dB"));
        assert!(err(p("track/1/eq/1/type"), String("bell".into())).contains("peak"));
        assert_eq!(
            err(Target::Name(Owner::Track(0)), Int(3)),
            "a name is a string"
        );
        assert_eq!(err(Target::Loudness(0), Float(1.0)), "read-only");
        assert!(err(p("track/1/gain"), Blob(vec![1])).starts_with("expected"));
    }
}
