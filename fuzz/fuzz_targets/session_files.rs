//! The session's own files on any text: a lane file, a scene file or the
//! transport file (markers and loop), picked by the first byte. Each loads
//! or says what is wrong, never panics; what loads is written back and
//! must load again as the same thing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixbridge::automation::file as lanes;
use mixbridge::params::{BusEffect, Layout, Registry, Spec};
use mixbridge::scenes::file as scenes;
use mixbridge::transport::TransportFile;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match which % 3 {
        0 => {
            let registry = Registry::new(Layout {
                tracks: 4,
                buses: vec![BusEffect::Reverb, BusEffect::Delay],
            });
            let Ok(l) = lanes::parse(Path::new("lane.yaml"), &text, &registry) else {
                return;
            };
            let spec = Spec::of(l.id.param);
            for p in l.lane.points() {
                assert!(spec.contains(p.value), "{} = {}", l.id, p.value);
                assert!(p.time.is_finite() && p.time >= 0.0);
            }
            let again = lanes::encode(l.id, l.mode, &l.lane);
            let back = lanes::parse(Path::new("lane.yaml"), &again, &registry)
                .unwrap_or_else(|e| panic!("{again}\n{e}"));
            assert_eq!(back.id, l.id);
            assert_eq!(back.mode, l.mode);
            assert_eq!(back.lane.points().len(), l.lane.points().len(), "{again}");
        }
        1 => {
            let Ok(s) = scenes::parse(Path::new("Scene.yaml"), &text) else {
                return;
            };
            let again = scenes::encode(&s);
            let back = scenes::parse(Path::new("Scene.yaml"), &again)
                .unwrap_or_else(|e| panic!("{again}\n{e}"));
            assert_eq!(back.name, s.name);
            assert_eq!(back.names, s.names);
            assert_eq!(back.values.len(), s.values.len());
        }
        _ => {
            let empty = TransportFile::load(Path::new("/nonexistent-mixbridge-fuzz")).unwrap();
            let Ok(f) = empty.clone().parse(&text) else {
                return;
            };
            let again = f.encode();
            let back = empty.parse(&again).unwrap_or_else(|e| panic!("{again}\n{e}"));
            assert_eq!(back.markers.len(), f.markers.len());
            assert_eq!(back.loop_range.is_some(), f.loop_range.is_some());
        }
    }
});
