//! The shipped Open Stage Control session
//! (`mappings/open-stage-control/mixbridge-8ch.json`) is what its generator
//! makes, is in the format Open Stage Control 1.x reads, and talks to the
//! daemon only on addresses the daemon has.

#[path = "../examples/make_osc_layout/layout.rs"]
#[allow(dead_code)]
mod layout;

use mixbridge::params::fader_law;
use mixbridge::params::{BusEffect, Form, Layout, Registry};
use mixbridge::units::FaderPos;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn committed_text() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(layout::SESSION_FILE);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn committed() -> Value {
    serde_json::from_str(&committed_text()).expect("the session file is JSON")
}

/// The session layout the file is made for: 8 tracks, 4 buses (two effect
/// buses, two aux).
fn registry() -> Registry {
    Registry::new(Layout {
        tracks: layout::TRACKS,
        buses: vec![
            BusEffect::Reverb,
            BusEffect::Delay,
            BusEffect::None,
            BusEffect::None,
        ],
    })
}

/// Addresses of the OSC protocol that are not parameters: the control
/// messages, names, meters and loudness. Spelled out one by one for the
/// layout's tracks and buses, so a wrong index or field fails.
fn reserved(layout: &Layout) -> BTreeSet<String> {
    let mut set: BTreeSet<String> = ["/subscribe", "/meters", "/dump"]
        .into_iter()
        .map(String::from)
        .collect();
    for n in 1..=layout.tracks {
        set.insert(format!("/track/{n}/name"));
        for m in ["peak", "rms", "gate", "comp"] {
            set.insert(format!("/track/{n}/meter/{m}"));
        }
    }
    for b in 1..=layout.buses.len() {
        set.insert(format!("/bus/{b}/name"));
        for m in ["peak", "rms", "comp"] {
            set.insert(format!("/bus/{b}/meter/{m}"));
        }
    }
    for m in ["peak", "rms", "comp", "limiter"] {
        set.insert(format!("/master/meter/{m}"));
    }
    for l in ["momentary", "shortterm", "integrated", "range", "truepeak"] {
        set.insert(format!("/master/loudness/{l}"));
    }
    set
}

/// Whether the daemon of that layout has `address`: a reserved address, a
/// parameter path, or a parameter's touch address (`/touch`, `/z`).
fn check_address(reg: &Registry, reserved: &BTreeSet<String>, address: &str) -> Result<(), String> {
    if !address.starts_with('/') {
        return Err(format!("`{address}` does not start with a slash"));
    }
    if reserved.contains(address) {
        return Ok(());
    }
    let param = ["/touch", "/z"]
        .iter()
        .find_map(|s| address.strip_suffix(s))
        .unwrap_or(address);
    reg.resolve(param).map(|_| ()).map_err(|e| e.to_string())
}

/// Every widget of the tree, depth first, with its parent's type.
fn widgets(root: &Value) -> Vec<&Value> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let w = out[i];
        for key in ["widgets", "tabs"] {
            if let Some(children) = w.get(key).and_then(Value::as_array) {
                out.extend(children.iter());
            }
        }
        i += 1;
    }
    out
}

fn str_prop<'a>(w: &'a Value, key: &str) -> Option<&'a str> {
    w.get(key).and_then(Value::as_str)
}

fn id(w: &Value) -> &str {
    str_prop(w, "id").unwrap_or("?")
}

const SCRIPT_PROPS: [&str; 4] = ["onCreate", "onValue", "onTouch", "onPreload"];

/// Addresses in the scripts' `send()` calls, which must all name a literal
/// address so that they can be checked here.
fn script_addresses(w: &Value) -> Result<Vec<String>, String> {
    let mut found = Vec::new();
    for prop in SCRIPT_PROPS {
        let Some(code) = str_prop(w, prop) else {
            continue;
        };
        for (i, _) in code.match_indices("send(") {
            let rest = &code[i + "send(".len()..];
            let literal = rest
                .strip_prefix('\'')
                .and_then(|r| r.split_once('\''))
                .map(|(a, _)| a);
            match literal {
                Some(a) if a.starts_with('/') => found.push(a.to_string()),
                _ => {
                    return Err(format!(
                        "{}.{prop}: a send() without a literal address: `{}`",
                        id(w),
                        &rest[..rest.len().min(40)]
                    ))
                }
            }
        }
    }
    Ok(found)
}

/// Every OSC address the session sends to or listens on.
fn all_addresses(session: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for w in widgets(&session["content"]) {
        if let Some(a) = str_prop(w, "address") {
            out.push((id(w).to_string(), a.to_string()));
        }
        for a in script_addresses(w).unwrap() {
            out.push((format!("{} (script)", id(w)), a));
        }
    }
    out
}

#[test]
fn committed_file_is_what_the_generator_makes() {
    let made = layout::session_json();
    assert!(
        committed_text() == made,
        "{} is not what the generator makes: run `cargo run --example make_osc_layout`",
        layout::SESSION_FILE
    );
}

#[test]
fn every_address_is_one_the_daemon_has() {
    let reg = registry();
    let reserved = reserved(reg.layout());
    let addresses = all_addresses(&committed());
    assert!(addresses.len() > 100, "only {} addresses", addresses.len());
    let bad: Vec<String> = addresses
        .iter()
        .filter_map(|(w, a)| {
            check_address(&reg, &reserved, a)
                .err()
                .map(|e| format!("{w}: {e}"))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "addresses the daemon does not have:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_address_check_rejects_what_the_daemon_lacks() {
    let reg = registry();
    let reserved = reserved(reg.layout());
    for good in [
        "/track/1/fader",
        "/track/8/send/4/fader",
        "/track/3/fader/touch",
        "/track/3/pan/z",
        "/master/fader",
        "/master/loudness/truepeak",
        "/track/8/meter/gate",
        "/subscribe",
    ] {
        assert_eq!(check_address(&reg, &reserved, good), Ok(()), "{good}");
    }
    for bad in [
        "/track/1/fadr",
        "track/1/fader",
        "/track/9/fader",
        "/track/0/mute",
        "/track/1/send/5/fader",
        "/track/1/fader/touched",
        "/track/1/name/touch",
        "/track/9/meter/peak",
        "/track/1/meter/limiter",
        "/bus/5/name",
        "/master/loudness/shortTerm",
        "/master/solo",
        "/subscribe/touch",
    ] {
        assert!(check_address(&reg, &reserved, bad).is_err(), "{bad} passed");
    }
}

#[test]
fn scripts_send_only_to_literal_addresses() {
    let mut session = committed();
    for w in widgets(&session["content"]) {
        script_addresses(w).unwrap();
    }
    // And a computed address is caught.
    session["content"]["widgets"][0]["onCreate"] = "send(getProp('this', 'address'), 1)".into();
    assert!(script_addresses(&session["content"]["widgets"][0]).is_err());
}

/// The properties Open Stage Control 1.x knows, per widget type, from its
/// widget reference (`resources/docs/docs/widgets/properties-reference.md`,
/// generated from the widget classes): the parser drops any other without a
/// word, so a misspelt or retired one (such as `touchAddress`, removed in
/// 1.4.0) would be lost silently.
fn known_props() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    const COMMON: [&str; 35] = [
        "type",
        "lock",
        "id",
        "visible",
        "interaction",
        "comments",
        "left",
        "top",
        "width",
        "height",
        "expand",
        "colorText",
        "colorWidget",
        "colorStroke",
        "colorFill",
        "alphaStroke",
        "alphaFillOff",
        "alphaFillOn",
        "lineWidth",
        "borderRadius",
        "padding",
        "html",
        "css",
        "value",
        "default",
        "linkId",
        "address",
        "preArgs",
        "typeTags",
        "decimals",
        "target",
        "ignoreDefaults",
        "bypass",
        "onCreate",
        "onValue",
    ];
    const CONTAINER: [&str; 13] = [
        "colorBg",
        "layout",
        "justify",
        "gridTemplate",
        "contain",
        "scroll",
        "innerPadding",
        "tabsPosition",
        "variables",
        "traversing",
        "onTouch",
        "widgets",
        "tabs",
    ];
    const SLIDER: [&str; 11] = [
        "design",
        "colorKnob",
        "pips",
        "dashed",
        "spring",
        "doubleTap",
        "range",
        "logScale",
        "sensitivity",
        "steps",
        "origin",
    ];
    let with = |extra: &[&'static str]| -> BTreeSet<&'static str> {
        COMMON.iter().chain(extra).copied().collect()
    };
    let mut m = BTreeMap::new();
    m.insert(
        "root",
        with(&[&CONTAINER[..], &["hideMenu", "onPreload"]].concat()),
    );
    m.insert("panel", with(&CONTAINER));
    m.insert(
        "fader",
        with(
            &[
                &SLIDER[..],
                &[
                    "knobSize",
                    "horizontal",
                    "gradient",
                    "snap",
                    "touchZone",
                    "onTouch",
                ],
            ]
            .concat(),
        ),
    );
    m.insert(
        "knob",
        with(&[&SLIDER[..], &["angle", "mode", "onTouch"]].concat()),
    );
    m.insert(
        "button",
        with(&[
            "colorTextOn",
            "label",
            "vertical",
            "wrap",
            "on",
            "off",
            "mode",
            "doubleTap",
            "decoupled",
        ]),
    );
    m.insert("text", with(&["vertical", "wrap", "align"]));
    m.insert(
        "script",
        [
            "type",
            "lock",
            "id",
            "comments",
            "value",
            "default",
            "linkId",
            "address",
            "preArgs",
            "typeTags",
            "decimals",
            "target",
            "ignoreDefaults",
            "bypass",
            "onCreate",
            "onValue",
            "onKeyboard",
            "keyBinding",
            "keyRepeat",
            "keyType",
        ]
        .into_iter()
        .collect(),
    );
    m
}

#[test]
fn the_file_is_an_open_stage_control_1x_session() {
    let session = committed();
    let top: Vec<&str> = session
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        top.iter().copied().collect::<BTreeSet<_>>(),
        BTreeSet::from(["createdWith", "version", "type", "content"])
    );
    assert_eq!(session["createdWith"], "Open Stage Control");
    assert_eq!(session["type"], "session");
    // Above 1.24.2, the newest converter's version, the file loads as it is.
    let version: Vec<u32> = session["version"]
        .as_str()
        .unwrap()
        .split('.')
        .map(|p| p.parse().unwrap())
        .collect();
    assert!(
        version.len() == 3 && version > vec![1, 24, 2],
        "{version:?}"
    );
    assert_eq!(session["content"]["type"], "root");

    let known = known_props();
    let mut ids = BTreeSet::new();
    for w in widgets(&session["content"]) {
        let kind = str_prop(w, "type").expect("every widget has a type");
        let props = known
            .get(kind)
            .unwrap_or_else(|| panic!("{}: unexpected widget type {kind}", id(w)));
        for key in w.as_object().unwrap().keys() {
            assert!(
                props.contains(key.as_str()),
                "{}: {kind} has no `{key}`",
                id(w)
            );
        }
        assert!(ids.insert(id(w).to_string()), "id {} twice", id(w));
        if kind != "root" && kind != "panel" {
            assert!(w.get("widgets").is_none() && w.get("tabs").is_none());
        }
        match kind {
            // Containers send nothing (a panel's value is its scroll state
            // or tab): the daemon hears only the controls.
            "root" | "panel" => assert_eq!(w["bypass"], true, "{}", id(w)),
            // Buttons and sliders must say where they send.
            "fader" | "knob" | "button" => {
                assert!(str_prop(w, "address").is_some(), "{} has no address", id(w))
            }
            _ => {}
        }
    }
}

/// Every control sends in the form and range the daemon's parameter has:
/// 0..1 on `fader` addresses, the parameter's own range otherwise; buttons
/// send the switch's 0/1; fader scale marks sit where the fader law puts
/// their dB.
#[test]
fn controls_match_the_parameters_they_drive() {
    let reg = registry();
    let session = committed();
    let mut checked = 0;
    for w in widgets(&session["content"]) {
        let kind = str_prop(w, "type").unwrap();
        if !matches!(kind, "fader" | "knob" | "button") || w["interaction"] == false {
            continue;
        }
        let address = str_prop(w, "address").unwrap();
        let r = reg
            .resolve(address)
            .unwrap_or_else(|e| panic!("{}: {e}", id(w)));
        let spec = reg.spec(r.id);
        if kind == "button" {
            assert_eq!(w["mode"], "toggle", "{}", id(w));
            assert_eq!(w["on"].as_f64(), Some(spec.max as f64), "{}", id(w));
            assert_eq!(w["off"].as_f64(), Some(spec.min as f64), "{}", id(w));
            checked += 1;
            continue;
        }
        let range = w["range"].as_object().expect("a slider has a range");
        let value = |v: &Value| match v {
            Value::Object(o) => o.values().next().unwrap().as_f64().unwrap(),
            v => v.as_f64().unwrap(),
        };
        let (min, max) = (value(&range["min"]), value(&range["max"]));
        match r.form {
            Form::Fader => assert_eq!((min, max), (0.0, 1.0), "{}", id(w)),
            Form::Plain => {
                assert_eq!((min, max), (spec.min as f64, spec.max as f64), "{}", id(w));
                if let Some(d) = w.get("default") {
                    assert_eq!(d.as_f64(), Some(spec.default as f64), "{}", id(w));
                }
            }
        }
        for (key, v) in range {
            let pos = value(v);
            if let Some(pct) = key.strip_suffix('%') {
                let pct: f64 = pct.parse().unwrap();
                assert!(
                    (pct / 100.0 - pos).abs() < 1e-9,
                    "{}: {key} holds {pos}: the scale would bend the law",
                    id(w)
                );
            }
            if let Value::Object(o) = v {
                let label = o.keys().next().unwrap();
                let db = fader_law::to_db(FaderPos(pos as f32)).0;
                let ok = match label.as_str() {
                    "-inf" => pos == 0.0,
                    l => (l.parse::<f32>().unwrap() - db).abs() < 0.01,
                };
                assert!(ok, "{}: mark {label} at {pos} is {db} dB", id(w));
            }
        }
        if w.get("onTouch").is_some() {
            let sent = script_addresses(w).unwrap();
            assert_eq!(sent, vec![format!("{address}/touch")], "{}", id(w));
        }
        checked += 1;
    }
    // Per track: pan, mute, solo, fader, 4 sends and 10 insert controls.
    assert_eq!(checked, 8 * 18 + 2, "controls checked");
}

#[test]
fn every_strip_has_its_controls() {
    let session = committed();
    let by_address: BTreeMap<String, &Value> = widgets(&session["content"])
        .into_iter()
        .filter_map(|w| str_prop(w, "address").map(|a| (a.to_string(), w)))
        .collect();
    let has = |a: &str, kind: &str| {
        let w = by_address
            .get(a)
            .unwrap_or_else(|| panic!("nothing on {a}"));
        assert_eq!(str_prop(w, "type"), Some(kind), "{a}");
        w
    };
    for n in 1..=layout::TRACKS {
        let fader = has(&format!("/track/{n}/fader"), "fader");
        assert_eq!(
            str_prop(fader, "onTouch").map(|s| s.contains(&format!("'/track/{n}/fader/touch'"))),
            Some(true),
            "track {n}: the fader reports touch"
        );
        let meter = has(&format!("/track/{n}/meter/peak"), "fader");
        assert_eq!(meter["interaction"], false);
        assert_eq!(meter["design"], "compact");
        has(&format!("/track/{n}/pan"), "knob");
        has(&format!("/track/{n}/mute"), "button");
        has(&format!("/track/{n}/solo"), "button");
        has(&format!("/track/{n}/name"), "text");
        for b in 1..=layout::BUSES {
            has(&format!("/track/{n}/send/{b}/fader"), "knob");
        }
        for fx in ["drive", "mod", "pitch"] {
            has(&format!("/track/{n}/{fx}/on"), "button");
        }
        for knob in [
            "drive/type",
            "drive/amount",
            "mod/type",
            "mod/depth",
            "pitch/semitones",
        ] {
            has(&format!("/track/{n}/{knob}"), "knob");
        }
        let steps = |a: &str| has(&format!("/track/{n}/{a}"), "knob")["steps"].as_i64();
        assert_eq!(steps("drive/type"), Some(4));
        assert_eq!(steps("mod/type"), Some(5));
        assert_eq!(steps("pitch/semitones"), Some(25));
    }
    assert!(str_prop(has("/master/fader", "fader"), "onTouch").is_some());
    assert_eq!(has("/master/meter/peak", "fader")["interaction"], false);
    has("/master/mute", "button");
    for l in ["momentary", "shortterm", "integrated", "truepeak"] {
        has(&format!("/master/loudness/{l}"), "text");
    }
}

#[test]
fn the_session_subscribes_and_renews() {
    let session = committed();
    let scripts: Vec<&Value> = widgets(&session["content"])
        .into_iter()
        .filter(|w| w["type"] == "script")
        .collect();
    assert_eq!(scripts.len(), 1);
    let code = str_prop(scripts[0], "onCreate").unwrap();
    let sent = script_addresses(scripts[0]).unwrap();
    assert_eq!(sent, ["/subscribe", "/meters", "/dump"]);
    assert!(code.contains("['fader']"), "subscribes in fader form");
    assert!(code.contains(&format!("value: {}}}", layout::METER_RATE_HZ)));
    let renew = format!("setInterval('renew', subscribe, {})", layout::RENEW_MS);
    assert!(code.contains(&renew), "renews: {code}");
    const {
        assert!(
            layout::RENEW_MS < 10_000 / 2,
            "renewal well inside the daemon's 10 s"
        )
    };
}
