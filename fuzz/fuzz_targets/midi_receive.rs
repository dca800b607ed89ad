//! The whole MIDI input path: bytes from devices into every kind of
//! surface (generic mappings, a Mackie main unit with an extender), with
//! connections, meters and time passing between them.
//!
//! Input framing: each message is one byte choosing the surface, the unit,
//! and how far the clock moves (or a connection event), one byte of length,
//! then the message's bytes, exactly as midir would hand them over.
//!
//! Checked on every input: no panic; every model value stays in its range;
//! every byte string a surface sends is exactly one well-formed MIDI
//! message; one input never makes more than a bounded burst of output.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixbridge::control::model::{Mix, Origin};
use mixbridge::control::MeterSnapshot;
use mixbridge::midi::mackie::Mackie;
use mixbridge::midi::mapping::{self, GenericSurface, MappingFile};
use mixbridge::midi::{Message, Surface};
use mixbridge::params::{BusEffect, Layout, Spec};
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const MAPPINGS: [&str; 4] = [
    "generic-8-fader.yaml",
    "korg-nanokontrol2.yaml",
    "behringer-xtouch-mini.yaml",
    "behringer-xtouch-with-extender.yaml",
];

/// The shipped mappings, read once.
fn files() -> &'static [MappingFile] {
    static FILES: OnceLock<Vec<MappingFile>> = OnceLock::new();
    FILES.get_or_init(|| {
        let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../mappings"));
        MAPPINGS
            .iter()
            .map(|name| mapping::load(&dir.join(name)).expect(name))
            .collect()
    })
}

fn surfaces(mix: &Mix) -> Vec<Box<dyn Surface>> {
    files()
        .iter()
        .enumerate()
        .map(|(i, file)| {
            let origin = Origin::Surface(i as u16);
            let s: Box<dyn Surface> = match file.clone() {
                MappingFile::Generic(m) => Box::new(GenericSurface::new(m, origin, mix)),
                MappingFile::Mackie(o) => Box::new(Mackie::new(o, origin, mix).expect("mackie")),
            };
            s
        })
        .collect()
}

fn meters(level: f32) -> MeterSnapshot {
    let strip = |_| mixbridge::control::StripReading {
        peak: [level.abs() / 100.0; 2],
        rms: [level.abs() / 200.0; 2],
        gate_gr_db: 0.0,
        comp_gr_db: -level.min(0.0) / 4.0,
        limiter_gr_db: 0.0,
    };
    MeterSnapshot {
        tracks: (0..12).map(strip).collect(),
        buses: (0..2).map(strip).collect(),
        master: strip(0),
        loudness: Default::default(),
    }
}

fuzz_target!(|data: &[u8]| {
    let mut mix = Mix::from_layout(Layout {
        tracks: 12,
        buses: vec![BusEffect::Reverb, BusEffect::Delay],
    });
    let mut all = surfaces(&mix);
    let mut now = Instant::now();
    for s in all.iter_mut() {
        for u in 0..s.units() {
            s.connected(&mix, u, now);
        }
        s.take_outbox();
    }
    let mut rest = data;
    while rest.len() >= 2 {
        let (head, len) = (rest[0], usize::from(rest[1]).min(rest.len() - 2));
        let bytes = &rest[2..2 + len];
        rest = &rest[2 + len..];
        let which = usize::from(head & 3);
        let unit = usize::from((head >> 2) & 1);
        now += Duration::from_millis(u64::from(head >> 3) * 7);
        let s = &mut all[which];
        let unit = unit.min(s.units() - 1);
        let input = match bytes.first() {
            // A few otherwise-undefined first bytes stand for port events.
            Some(0xF4) => {
                s.disconnected(&mut mix, unit);
                Default::default()
            }
            Some(0xF5) => {
                s.connected(&mix, unit, now);
                Default::default()
            }
            Some(0xFD) => {
                s.meters(&meters(-f32::from(bytes.get(1).copied().unwrap_or(0))));
                Default::default()
            }
            // As the daemon does: MIDI Machine Control first, then the surface.
            _ => match mixbridge::midi::mmc::decode(bytes) {
                Some(_) => Default::default(),
                None => s.receive(&mut mix, unit, bytes, now),
            },
        };
        let mut changes = input.changes;
        for s in all.iter_mut() {
            changes.extend(s.poll(&mut mix, now).changes);
        }
        for s in all.iter_mut() {
            s.changed(&mix, &changes);
            let out = s.take_outbox();
            assert!(out.len() <= 5_000, "{} messages from one input", out.len());
            for o in out {
                assert!(o.unit < s.units());
                assert!(Message::decode(&o.bytes).is_ok(), "sent {:02x?}", o.bytes);
            }
        }
    }
    for (id, v) in mix.values() {
        assert!(Spec::of(id.param).contains(v), "{id} = {v}");
    }
});
