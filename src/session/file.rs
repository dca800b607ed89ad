//! The shape of `session.yaml` as serde reads it, before any checks.
//!
//! Numbers that have a meaning-bound range (sample rate, channel counts,
//! input numbers) are read as plain integers and checked afterwards, so that
//! the error can say what is allowed instead of "expected u8".

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::path::PathBuf;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SessionFile {
    pub sample_rate: Option<i64>,
    pub tempo: Option<f64>,
    pub pan_law: Option<Scalar>,
    #[serde(default)]
    pub tracks: Vec<TrackFile>,
    #[serde(default)]
    pub buses: Vec<BusFile>,
    #[serde(default)]
    pub mix: Mix,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TrackFile {
    pub name: String,
    pub channels: Option<i64>,
    pub source: Option<SourceFile>,
    #[serde(default)]
    pub sends: Vec<SendFile>,
    #[serde(alias = "color")]
    pub colour: Option<String>,
}

/// `{input: N | [N, M]}` or `{file: path}`; exactly one is checked later.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SourceFile {
    pub input: Option<Numbers>,
    pub file: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SendFile {
    pub bus: BusRef,
    pub level: Option<Scalar>,
    pub pre: Option<bool>,
    pub on: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BusFile {
    pub name: String,
    pub kind: Kind,
    pub effect: Option<Effect>,
    pub output: Option<Numbers>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Kind {
    Aux,
    Fx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Effect {
    Reverb,
    Delay,
}

/// A plain YAML scalar, for values whose meaning depends on the parameter.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Scalar {
    Number(f64),
    Bool(bool),
    Text(String),
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Number(n) => write!(f, "{n}"),
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Text(s) => write!(f, "`{s}`"),
        }
    }
}

struct ScalarVisitor;

impl Visitor<'_> for ScalarVisitor {
    type Value = Scalar;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number, true/false or a name")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

/// One whole number or a list of them (`1` or `[5, 6]`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Numbers(pub Vec<i64>);

struct NumbersVisitor;

impl<'de> Visitor<'de> for NumbersVisitor {
    type Value = Numbers;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a channel number or a list of them, like 1 or [5, 6]")
    }
    fn visit_i64<E>(self, v: i64) -> Result<Numbers, E> {
        Ok(Numbers(vec![v]))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Numbers, E> {
        i64::try_from(v)
            .map(|v| Numbers(vec![v]))
            .map_err(|_| E::custom(format!("{v} is too large")))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Numbers, A::Error> {
        let mut v = Vec::new();
        while let Some(n) = seq.next_element::<i64>()? {
            v.push(n);
        }
        Ok(Numbers(v))
    }
}

impl<'de> Deserialize<'de> for Numbers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumbersVisitor)
    }
}

/// A bus named or numbered (1-based).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum BusRef {
    Index(i64),
    Name(String),
}

struct BusRefVisitor;

impl Visitor<'_> for BusRefVisitor {
    type Value = BusRef;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a bus name or its number (counting from 1)")
    }
    fn visit_i64<E>(self, v: i64) -> Result<BusRef, E> {
        Ok(BusRef::Index(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<BusRef, E> {
        Ok(BusRef::Index(i64::try_from(v).unwrap_or(i64::MAX)))
    }
    fn visit_str<E>(self, v: &str) -> Result<BusRef, E> {
        Ok(BusRef::Name(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for BusRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BusRefVisitor)
    }
}

/// The `mix` section: path → value, in file order, repeated keys kept (a
/// map type would silently keep only the last).
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Mix(pub Vec<(String, Scalar)>);

struct MixVisitor;

impl<'de> Visitor<'de> for MixVisitor {
    type Value = Mix;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping of parameter paths to values, like `track/1/gain: -4.5`")
    }
    fn visit_unit<E>(self) -> Result<Mix, E> {
        Ok(Mix::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Mix, A::Error> {
        let mut v = Vec::new();
        while let Some(entry) = map.next_entry::<String, Scalar>()? {
            v.push(entry);
        }
        Ok(Mix(v))
    }
}

impl<'de> Deserialize<'de> for Mix {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MixVisitor)
    }
}
