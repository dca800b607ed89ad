//! The monitor section on a Mackie Control main unit, on buttons the
//! console had left unused, when the machine has a monitor section:
//!
//! | button | does | LED |
//! |---|---|---|
//! | F1–F4 | speaker set 1–4 (`monitor/speakers`) | the set playing |
//! | F5 | the sub on top (`monitor/sub`) | on |
//! | F6 | mono (`monitor/mono`) | on |
//! | F7 | dim (`monitor/dim`) | on |
//! | F8 | cut (`monitor/cut`) | on |
//! | FLIP | the reference track, A/B (`monitor/reference`) | on |
//! | NAME/VALUE | talkback while held (`monitor/talkback`) | held |
//! | GROUP | the solo mode, in turn: sip, afl, pfl (`monitor/solo/mode`) | afl or pfl |
//!
//! Buttons and notes from `shared/reference/mackie-control.md`.

use crate::control::model::Mix;
use crate::params::{MonitorField, Owner, Param, ParamId, SoloMode, Spec};

/// F1 (F2..F8 follow).
pub const F1: u8 = 0x36;
pub const FLIP: u8 = 0x32;
pub const NAME_VALUE: u8 = 0x34;
pub const GROUP: u8 = 0x4F;

/// Every button (and LED) of the monitor.
pub const LEDS: [u8; 11] = [
    F1,
    F1 + 1,
    F1 + 2,
    F1 + 3,
    F1 + 4,
    F1 + 5,
    F1 + 6,
    F1 + 7,
    FLIP,
    NAME_VALUE,
    GROUP,
];

fn field_of(note: u8) -> Option<MonitorField> {
    use MonitorField::*;
    Some(match note {
        n if (F1..F1 + 4).contains(&n) => Speakers,
        n if n == F1 + 4 => Sub,
        n if n == F1 + 5 => Mono,
        n if n == F1 + 6 => Dim,
        n if n == F1 + 7 => Cut,
        FLIP => Reference,
        NAME_VALUE => Talkback,
        GROUP => SoloMode,
        _ => return None,
    })
}

fn id(field: MonitorField) -> ParamId {
    ParamId::new(Owner::Monitor, Param::Monitor(field))
}

/// Whether `note` is a monitor button of this mix (it has a monitor).
pub fn handles(mix: &Mix, note: u8) -> bool {
    mix.registry().has_monitor() && field_of(note).is_some()
}

/// What pressing (or releasing) `note` sets, if anything.
pub fn button(mix: &Mix, note: u8, pressed: bool) -> Option<(ParamId, f32)> {
    let field = field_of(note)?;
    let id = id(field);
    let now = mix.get(id)?;
    let value = match field {
        MonitorField::Talkback => f32::from(u8::from(pressed)),
        _ if !pressed => return None,
        MonitorField::Speakers => f32::from(note - F1 + 1),
        MonitorField::SoloMode => ((now as usize + 1) % SoloMode::NAMES.len()) as f32,
        _ => 1.0 - Spec::of(id.param).clamp(now).unwrap_or(0.0),
    };
    Some((id, value))
}

/// Whether the LED of `note` is lit; `None` if it is not a monitor button
/// of this mix.
pub fn lit(mix: &Mix, note: u8) -> Option<bool> {
    let field = field_of(note)?;
    let v = mix.get(id(field))?;
    Some(match field {
        MonitorField::Speakers => v == f32::from(note - F1 + 1),
        MonitorField::SoloMode => SoloMode::from_index(v) != SoloMode::Sip,
        _ => v >= 0.5,
    })
}

/// The LEDs that show a parameter.
pub fn leds_of(param: Param) -> impl Iterator<Item = u8> {
    LEDS.into_iter()
        .filter(move |n| field_of(*n).map(Param::Monitor) == Some(param))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{BusEffect, Layout};

    fn mix(monitor: bool) -> Mix {
        Mix::from_layout(Layout {
            tracks: 1,
            buses: vec![BusEffect::None],
        })
        .with_monitor(monitor)
    }

    #[test]
    fn buttons_set_and_leds_show_the_monitor() {
        let mut m = mix(true);
        let press = |m: &mut Mix, note, pressed| {
            if let Some((id, v)) = button(m, note, pressed) {
                m.set(id, v);
            }
        };
        press(&mut m, F1 + 2, true);
        assert_eq!(m.get_path("monitor/speakers").unwrap(), 3.0);
        assert_eq!(lit(&m, F1 + 2), Some(true));
        assert_eq!(lit(&m, F1), Some(false));
        for (note, path) in [
            (F1 + 4, "sub"),
            (F1 + 5, "mono"),
            (F1 + 6, "dim"),
            (F1 + 7, "cut"),
            (FLIP, "reference"),
        ] {
            let path = format!("monitor/{path}");
            press(&mut m, note, true);
            press(&mut m, note, false);
            assert_eq!(m.get_path(&path).unwrap(), 1.0, "{path} toggles on");
            assert_eq!(lit(&m, note), Some(true));
            press(&mut m, note, true);
            assert_eq!(m.get_path(&path).unwrap(), 0.0, "{path} toggles off");
        }
        press(&mut m, NAME_VALUE, true);
        assert_eq!(m.get_path("monitor/talkback").unwrap(), 1.0, "held");
        press(&mut m, NAME_VALUE, false);
        assert_eq!(m.get_path("monitor/talkback").unwrap(), 0.0, "released");
        for want in [1.0, 2.0, 0.0] {
            press(&mut m, GROUP, true);
            assert_eq!(m.get_path("monitor/solo/mode").unwrap(), want);
        }
        let leds: Vec<u8> = leds_of(Param::Monitor(MonitorField::Speakers)).collect();
        assert_eq!(leds, [F1, F1 + 1, F1 + 2, F1 + 3]);
    }

    /// Through the surface: the LEDs on connection, a press, a change
    /// made elsewhere; a mix without a monitor leaves the buttons unused.
    #[test]
    fn a_mackie_unit_drives_and_shows_the_monitor() {
        use crate::control::model::Origin;
        use crate::midi::mackie::{Device, Mackie, Options};
        use crate::midi::testing::Rig;
        use crate::midi::Surface;
        let rig = |monitor: bool| {
            let options = Options {
                name: "test".into(),
                protocol: "mackie".into(),
                device: Device::Mcu,
                extenders: 0,
                fader_calibration: None,
                plugin: vec![],
            };
            Rig::new(mix(monitor), |m| {
                Mackie::new(options, Origin::Surface(0), m).unwrap()
            })
        };
        let led = |note: u8, on: bool| (0usize, vec![0x90, note, if on { 0x7F } else { 0 }]);
        let mut r = rig(true);
        let sent = r.connect();
        for note in LEDS {
            // Speaker set 1 plays; everything else is off.
            assert!(sent.contains(&led(note, note == F1)), "LED {note:#04x}");
        }
        let sent = r.input(0, &[0x90, F1 + 6, 0x7F]);
        assert_eq!(r.mix.get_path("monitor/dim").unwrap(), 1.0);
        assert!(sent.contains(&led(F1 + 6, true)), "{sent:?}");
        r.input(0, &[0x90, F1 + 6, 0x00]);
        assert_eq!(
            r.mix.get_path("monitor/dim").unwrap(),
            1.0,
            "a release toggles nothing"
        );
        let sent = r.elsewhere("monitor/speakers", 2.0);
        assert!(
            sent.contains(&led(F1, false)) && sent.contains(&led(F1 + 1, true)),
            "{sent:?}"
        );
        r.input(0, &[0x90, NAME_VALUE, 0x7F]);
        assert_eq!(r.mix.get_path("monitor/talkback").unwrap(), 1.0);
        let mut sent = r.input(0, &[0x90, NAME_VALUE, 0x00]);
        sent.extend(r.settle());
        assert_eq!(r.mix.get_path("monitor/talkback").unwrap(), 0.0);
        assert!(sent.contains(&led(NAME_VALUE, false)), "{sent:?}");

        let mut r = rig(false);
        let sent = r.connect();
        assert!(
            !sent.iter().any(|(_, b)| b[0] == 0x90 && b[1] == F1),
            "no monitor LEDs"
        );
        let unmapped = r.surface.stats().unmapped;
        r.input(0, &[0x90, F1 + 6, 0x7F]);
        assert_eq!(r.surface.stats().unmapped, unmapped + 1);
    }

    #[test]
    fn nothing_without_a_monitor() {
        let m = mix(false);
        assert!(!handles(&m, F1));
        assert_eq!(button(&m, F1, true), None);
        assert_eq!(lit(&m, F1), None);
        assert!(!handles(&mix(true), 0x5E), "PLAY is not one");
    }
}
