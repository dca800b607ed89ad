//! The Open Stage Control session for mixbridge: 8 track strips and the
//! master, built from one strip generator. Included by the generator
//! (`examples/make_osc_layout.rs`) and by its check (`tests/osc_layout.rs`)
//! with `#[path]`, so there is one copy.
//!
//! # The session format, as Open Stage Control 1.x has it
//!
//! Read from the jean-emmanuel/open-stage-control sources (1.29/1.30):
//!
//! - File wrapper, `src/client/managers/session/session.mjs`: a loaded
//!   session gets `data.createdWith = PACKAGE.productName` ("Open Stage
//!   Control"), `data.version = PACKAGE.version`, `data.type = type`
//!   ("session") and the widget tree under `content`, whose root has
//!   `type: 'root'`. Files whose `version` is at or below a converter's
//!   version are converted on load; the newest converter is '1.24.2', so a
//!   file claiming a later version is taken as it is.
//! - Widgets, `src/client/parser.mjs`: "Set widget's undefined options to
//!   default" and "Remove props that don't apply", so a widget lists only
//!   the properties it changes, and a property the version does not know is
//!   dropped silently (hence the allow-list in the test).
//! - Property names: `resources/docs/docs/widgets/properties-reference.md`
//!   (generated from the widget classes): every widget has `type`, `id`,
//!   `interaction`, `comments`, `width`, `height`, `expand`, `colorWidget`,
//!   `html`, `default`, `linkId`, `address`, `preArgs`, `typeTags`,
//!   `decimals`, `target`, `bypass`, `onCreate`, `onValue`; `fader` adds
//!   `design`, `pips`, `gradient`, `range`, `onTouch`; `knob` adds `range`,
//!   `origin`, `doubleTap`, `onTouch`; `button` adds `label`, `mode`, `on`,
//!   `off`; `panel`/`root` add `colorBg`, `layout`, `gridTemplate`,
//!   `scroll`, `widgets`, `tabs`; `text` adds `align`; the `script` widget
//!   ("Scripting widget utility", never shown) has `onCreate`.
//! - `range` is "the breakpoints of the fader's scale: keys can be
//!   percentages and/or `min` / `max`; values can be `number` or `object` if
//!   a custom label is needed. Example: (`{min:{"-inf": 0}, "50%": 0.25,
//!   max: {"+inf": 1}}`)". Our breakpoints put value = position, so the
//!   labels only print the console fader law's dB marks.
//! - There is no meter widget in 1.x: CHANGELOG 1.0.0, "`meter`: duplicate
//!   of `fader` with `design` to `compact` and `interaction` to `false`";
//!   and "`strip`: features now covered by `panel`" (a panel with `layout`).
//! - Touch: `touchAddress` is gone. CHANGELOG 1.4.0: "fader/knob/xy/range/
//!   multixy: remove `touchAddress` property" (session.mjs converts older
//!   files' `touchAddress` into a script); CHANGELOG 1.14.0: "added
//!   `onTouch` script to widgets that supported the touch state". The
//!   scripting docs (`resources/docs/docs/widgets/scripting.md`): onTouch
//!   "is executed when the widget is touched, and when it is released",
//!   with `event.type` `"start"` or `"stop"`; `send(target, address,
//!   ...args)`, target optional ("If omitted, the widget's target (or the
//!   server's defaults) will be used"), `send('/address', {type: 'i',
//!   value: 1}) // sends 1 as an integer`; `setInterval(id, callback,
//!   delay)`. onCreate runs "when the widget is created" with sending
//!   allowed (`widget.mjs`: `onCreate.run(..., {sync: true, send: true,
//!   onCreate: true})`), and `script-vm.mjs` runs interval callbacks with
//!   the options of the script that set them, so the renewal may send too.
//! - A `null` argument is dropped from an outgoing message
//!   (`src/server/node/osc/index.mjs`, `parseArg`: `if (arg === null)
//!   return null` ... `if (arg !== null) message.push(arg)`), which is how
//!   `/dump` goes out without arguments. Untyped numbers go out as floats
//!   ("with numbers casted to floats by default").
//! - The OSC socket (`src/server/node/osc/udp.mjs`) is one `UDPPort` bound
//!   to `--osc-port` (default: `--port`, 8080) that both receives and
//!   sends, so a `/subscribe` without a reply port is answered on
//!   `--osc-port`.

use mixbridge::params::{DriveType, ModType, ParamRef, Spec, Taper};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// Track strips in the layout.
pub const TRACKS: usize = 8;
/// Buses the track strips send to.
pub const BUSES: usize = 4;
/// The meter rate the session asks for, in Hz.
pub const METER_RATE_HZ: i64 = 20;
/// How often the session renews its subscription (the daemon drops one
/// not renewed within 10 s).
pub const RENEW_MS: i64 = 4000;
/// The version of Open Stage Control whose format the file follows.
pub const OSC_VERSION: &str = "1.29.8";
/// Where the session is kept, relative to the package root.
pub const SESSION_FILE: &str = "mappings/open-stage-control/mixbridge-8ch.json";

/// A JSON value whose objects keep the order they were built in, so the
/// file reads top-down (type and id first, children last).
#[derive(Debug, Clone, PartialEq)]
pub enum J {
    Bool(bool),
    Int(i64),
    Num(f64),
    Str(String),
    Arr(Vec<J>),
    Obj(Vec<(String, J)>),
}

impl From<bool> for J {
    fn from(v: bool) -> J {
        J::Bool(v)
    }
}
impl From<i64> for J {
    fn from(v: i64) -> J {
        J::Int(v)
    }
}
impl From<f64> for J {
    fn from(v: f64) -> J {
        J::Num(v)
    }
}
impl From<&str> for J {
    fn from(v: &str) -> J {
        J::Str(v.to_string())
    }
}
impl From<String> for J {
    fn from(v: String) -> J {
        J::Str(v)
    }
}
impl From<Vec<J>> for J {
    fn from(v: Vec<J>) -> J {
        J::Arr(v)
    }
}

/// An ordered object from `(key, value)` pairs.
pub fn obj<const N: usize>(pairs: [(&str, J); N]) -> J {
    J::Obj(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

impl Serialize for J {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            J::Bool(b) => s.serialize_bool(*b),
            J::Int(i) => s.serialize_i64(*i),
            J::Num(f) => s.serialize_f64(*f),
            J::Str(t) => s.serialize_str(t),
            J::Arr(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            J::Obj(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// One widget: its properties in the order they are set.
struct Widget(Vec<(String, J)>);

impl Widget {
    fn new(kind: &str, id: &str) -> Widget {
        Widget(vec![("type".into(), kind.into()), ("id".into(), id.into())])
    }

    fn set(mut self, key: &str, value: impl Into<J>) -> Widget {
        self.0.push((key.to_string(), value.into()));
        self
    }

    /// The OSC address, and how many decimals the values sent carry (the
    /// default is 2).
    fn osc(self, address: &str, decimals: Option<i64>) -> Widget {
        let w = match decimals {
            Some(d) => self.set("decimals", d),
            None => self,
        };
        w.set("address", address)
    }

    /// `onTouch`: `ADDRESS/touch 1` when touched, `ADDRESS/touch 0` on
    /// release (integers).
    fn touch(self, address: &str) -> Widget {
        let script = format!(
            "send('{address}/touch', {{type: 'i', value: event.type === 'start' ? 1 : 0}})"
        );
        self.set("onTouch", script)
    }

    /// Children of a container (a panel or the root).
    fn children(self, widgets: Vec<J>) -> J {
        self.set("widgets", widgets).build()
    }

    fn build(self) -> J {
        J::Obj(self.0)
    }
}

/// A container laid out in one direction, sending nothing itself.
fn panel(id: &str, layout: &str) -> Widget {
    Widget::new("panel", id)
        .set("layout", layout)
        .set("scroll", false)
        .set("padding", 2i64)
        .set("bypass", true)
}

/// The marks printed beside a level fader: (position, label). Position and
/// value are the same number on a fader-form address, so each key is the
/// position as a percentage of travel.
const FADER_MARKS: [(f64, &str); 10] = [
    (0.0, "-inf"),
    (0.0625, "-60"),
    (0.1875, "-40"),
    (0.25, "-30"),
    (0.375, "-20"),
    (0.5, "-10"),
    (0.625, "-5"),
    (0.75, "0"),
    (0.875, "+5"),
    (1.0, "+10"),
];

/// `range` of a level fader: 0..1 on the console fader law, labelled in dB.
fn fader_range() -> J {
    let pairs = FADER_MARKS
        .iter()
        .map(|&(pos, label)| {
            let key = if pos <= 0.0 {
                "min".to_string()
            } else if pos >= 1.0 {
                "max".to_string()
            } else {
                format!("{}%", pos * 100.0)
            };
            (key, obj([(label, J::Num(pos))]))
        })
        .collect();
    J::Obj(pairs)
}

fn unit_range() -> J {
    obj([("min", J::Int(0)), ("max", J::Int(1))])
}

/// A level fader with touch reporting. Four decimals: the default two
/// would step 0.4 dB near 0 dB.
fn level_fader(id: &str, address: &str) -> J {
    Widget::new("fader", id)
        .set("expand", true)
        .set("pips", true)
        .set("range", fader_range())
        .osc(address, Some(4))
        .touch(address)
        .build()
}

/// A peak meter beside a fader: a compact, untouchable fader fed with
/// fader-law positions (0.75 = 0 dBFS).
fn meter(id: &str, address: &str) -> J {
    Widget::new("fader", id)
        .set("width", 18i64)
        .set("interaction", false)
        .set("design", "compact")
        .set(
            "gradient",
            obj([
                ("0", "#2e7d32".into()),
                ("0.6", "#2e7d32".into()),
                ("0.7", "#f9a825".into()),
                ("0.75", "#c62828".into()),
                ("1", "#c62828".into()),
            ]),
        )
        .set("range", unit_range())
        .osc(address, None)
        .build()
}

/// A 0/1 toggle button.
fn toggle(id: &str, label: &str, color: &str, address: &str) -> J {
    Widget::new("button", id)
        .set("expand", true)
        .set("colorWidget", color)
        .set("label", label)
        .set("mode", "toggle")
        .set("on", 1i64)
        .set("off", 0i64)
        .osc(address, None)
        .build()
}

/// A knob with a caption; its range and address follow.
fn knob(id: &str, caption: &str) -> Widget {
    Widget::new("knob", id)
        .set("height", 60i64)
        .set("html", caption)
}

/// The fader and its meter side by side, taking the rest of the strip.
fn level_row(prefix: &str, owner: &str) -> J {
    panel(&format!("{prefix}_level"), "horizontal")
        .set("expand", true)
        .children(vec![
            level_fader(&format!("{prefix}_fader"), &format!("{owner}/fader")),
            meter(&format!("{prefix}_meter"), &format!("{owner}/meter/peak")),
        ])
}

/// A knob on a plain-form parameter: the parameter's own range, default
/// and (for whole-step parameters) steps, with touch reporting.
fn param_knob(id: &str, caption: &str, address: &str) -> J {
    let spec = Spec::of(
        ParamRef::parse(address)
            .expect("the layout's addresses are parameter paths")
            .id
            .param,
    );
    let num = |v: f32| J::Num(v as f64);
    let knob = knob(id, caption)
        .set(
            "range",
            obj([("min", num(spec.min)), ("max", num(spec.max))]),
        )
        .set("default", num(spec.default));
    let knob = if spec.taper == Taper::Stepped {
        knob.set("steps", J::Int((spec.max - spec.min) as i64 + 1))
            .osc(address, Some(0))
    } else {
        knob.osc(address, Some(2))
    };
    knob.touch(address).build()
}

/// The insert effects of a track: a switch and the main knobs of each, and
/// the drive and modulation types (a stepped knob; the caption names the
/// steps in order).
fn inserts(id: &str, owner: &str) -> J {
    let names = |all: &[&str]| all.join(" · ");
    panel(&format!("{id}_inserts"), "grid")
        .set("height", 260i64)
        .set("gridTemplate", 2i64)
        .children(vec![
            toggle(
                &format!("{id}_drive_on"),
                "Drive",
                "#fb8c00",
                &format!("{owner}/drive/on"),
            ),
            param_knob(
                &format!("{id}_drive_amount"),
                "Amount",
                &format!("{owner}/drive/amount"),
            ),
            param_knob(
                &format!("{id}_drive_type"),
                &names(DriveType::NAMES),
                &format!("{owner}/drive/type"),
            ),
            param_knob(
                &format!("{id}_drive_mix"),
                "Mix",
                &format!("{owner}/drive/mix"),
            ),
            toggle(
                &format!("{id}_mod_on"),
                "Mod",
                "#8e24aa",
                &format!("{owner}/mod/on"),
            ),
            param_knob(
                &format!("{id}_mod_depth"),
                "Depth",
                &format!("{owner}/mod/depth"),
            ),
            param_knob(
                &format!("{id}_mod_type"),
                &names(ModType::NAMES),
                &format!("{owner}/mod/type"),
            ),
            param_knob(
                &format!("{id}_mod_rate"),
                "Rate Hz",
                &format!("{owner}/mod/rate"),
            ),
            toggle(
                &format!("{id}_pitch_on"),
                "Pitch",
                "#00897b",
                &format!("{owner}/pitch/on"),
            ),
            param_knob(
                &format!("{id}_pitch_semitones"),
                "Semitones",
                &format!("{owner}/pitch/semitones"),
            ),
        ])
}

/// The strip of track `n` (1-based).
fn track_strip(n: usize) -> J {
    let owner = format!("/track/{n}");
    let id = format!("track_{n}");
    let sends = (1..=BUSES)
        .map(|b| {
            let address = format!("{owner}/send/{b}/fader");
            knob(&format!("{id}_send_{b}"), &format!("Bus {b}"))
                .set("range", unit_range())
                .osc(&address, Some(4))
                .touch(&address)
                .build()
        })
        .collect();
    panel(&id, "vertical").set("expand", true).children(vec![
        Widget::new("text", &format!("{id}_name"))
            .set("height", 30i64)
            .set("default", format!("Track {n}"))
            .osc(&format!("{owner}/name"), None)
            .build(),
        inserts(&id, &owner),
        panel(&format!("{id}_sends"), "grid")
            .set("height", 130i64)
            .set("gridTemplate", 2i64)
            .children(sends),
        knob(&format!("{id}_pan"), "Pan")
            .set("doubleTap", true)
            .set("range", obj([("min", J::Int(-1)), ("max", J::Int(1))]))
            .set("origin", 0i64)
            .set("default", 0i64)
            .osc(&format!("{owner}/pan"), Some(3))
            .touch(&format!("{owner}/pan"))
            .build(),
        panel(&format!("{id}_buttons"), "horizontal")
            .set("height", 40i64)
            .children(vec![
                toggle(
                    &format!("{id}_mute"),
                    "M",
                    "#e53935",
                    &format!("{owner}/mute"),
                ),
                toggle(
                    &format!("{id}_solo"),
                    "S",
                    "#fdd835",
                    &format!("{owner}/solo"),
                ),
            ]),
        level_row(&id, &owner),
    ])
}

/// A loudness read-out (plain LUFS, LU or dBTP; one decimal).
fn readout(field: &str, caption: &str) -> J {
    Widget::new("text", &format!("master_loudness_{field}"))
        .set("height", 30i64)
        .set("html", caption)
        .set("default", "-")
        .osc(&format!("/master/loudness/{field}"), Some(1))
        .build()
}

/// The master strip: loudness read-outs, mute, fader and meter.
fn master_strip() -> J {
    panel("master", "vertical")
        .set("expand", true)
        .children(vec![
            Widget::new("text", "master_name")
                .set("height", 30i64)
                .set("default", "Master")
                .build(),
            panel("master_loudness", "vertical")
                .set("height", 130i64)
                .children(vec![
                    readout("momentary", "M LUFS"),
                    readout("shortterm", "S LUFS"),
                    readout("integrated", "I LUFS"),
                    readout("truepeak", "TP dBTP"),
                ]),
            panel("master_buttons", "horizontal")
                .set("height", 40i64)
                .children(vec![toggle("master_mute", "M", "#e53935", "/master/mute")]),
            level_row("master", "/master"),
        ])
}

/// The script that subscribes to feedback when the session loads, starts
/// the meters, asks for a full dump, and renews the subscription.
fn link_script() -> String {
    format!(
        "// mixbridge feedback: subscribe in fader form, start the meters, ask for
// a dump of the whole state, and renew every {renew} ms (mixbridge drops a
// subscription not renewed within 10 s).
// replyPort: the port mixbridge should answer on; null: the port these
// messages come from, which is Open Stage Control's --osc-port.
// fixedClient: true if mixbridge's config.yaml lists this Open Stage
// Control under osc.clients; it then only asks for meters and a dump.
var replyPort = null
var fixedClient = false
function subscribe() {{
  if (!fixedClient) {{
    var args = ['fader']
    if (replyPort !== null) args.unshift({{type: 'i', value: replyPort}})
    send('/subscribe', ...args)
  }}
  send('/meters', {{type: 'i', value: {rate}}})
}}
subscribe()
send('/dump', null)
setInterval('renew', subscribe, {renew})
",
        renew = RENEW_MS,
        rate = METER_RATE_HZ,
    )
}

/// The whole session.
pub fn session() -> J {
    let mut strips = vec![Widget::new("script", "mixbridge_link")
        .set(
            "comments",
            "Subscribes to mixbridge's feedback and meters; see onCreate.",
        )
        .set("onCreate", link_script())
        .build()];
    strips.extend((1..=TRACKS).map(track_strip));
    strips.push(master_strip());
    let root = Widget::new("root", "root")
        .set(
            "comments",
            "Generated by examples/make_osc_layout.rs in the mixbridge \
             repository; edit the generator, not this file.",
        )
        .set("layout", "horizontal")
        .set("scroll", false)
        .set("bypass", true)
        .children(strips);
    obj([
        ("createdWith", "Open Stage Control".into()),
        ("version", OSC_VERSION.into()),
        ("type", "session".into()),
        ("content", root),
    ])
}

/// The session file's text: pretty-printed with two-space indents, as Open
/// Stage Control writes it, and a final newline.
pub fn session_json() -> String {
    let mut text = serde_json::to_string_pretty(&session()).expect("JSON of plain values");
    text.push('\n');
    text
}
