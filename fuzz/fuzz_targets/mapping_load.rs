//! The mapping loader on any text: it loads or says what is wrong, never
//! panics; a mapping that loads runs a surface that keeps every value in
//! range and sends only well-formed MIDI, whatever it is sent.
//!
//! Input: the mapping text up to the first NUL byte; after it, messages
//! framed as one length byte and the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixbridge::control::model::{Mix, Origin};
use mixbridge::midi::mapping::{self, GenericSurface, MappingFile};
use mixbridge::midi::mackie::Mackie;
use mixbridge::midi::{Message, Surface};
use mixbridge::params::{BusEffect, Layout, Spec};
use std::path::Path;
use std::time::{Duration, Instant};

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let text = String::from_utf8_lossy(&data[..split]);
    let Ok(file) = mapping::parse(Path::new("fuzz.yaml"), &text) else {
        return;
    };
    let mut mix = Mix::from_layout(Layout {
        tracks: 6,
        buses: vec![BusEffect::Reverb],
    });
    let origin = Origin::Surface(0);
    let mut surface: Box<dyn Surface> = match file {
        MappingFile::Generic(m) => Box::new(GenericSurface::new(m, origin, &mix)),
        MappingFile::Mackie(o) => match Mackie::new(o, origin, &mix) {
            Ok(s) => Box::new(s),
            Err(_) => return,
        },
    };
    let mut now = Instant::now();
    for u in 0..surface.units() {
        surface.connected(&mix, u, now);
    }
    let mut rest = data.get(split + 1..).unwrap_or(&[]);
    while let Some((&len, tail)) = rest.split_first() {
        let len = usize::from(len).min(tail.len());
        let (bytes, next) = tail.split_at(len);
        rest = next;
        now += Duration::from_millis(9);
        let input = surface.receive(&mut mix, 0, bytes, now);
        surface.changed(&mix, &input.changes);
        surface.poll(&mut mix, now);
        for o in surface.take_outbox() {
            assert!(Message::decode(&o.bytes).is_ok(), "sent {:02x?}", o.bytes);
        }
    }
    for (id, v) in mix.values() {
        assert!(Spec::of(id.param).contains(v), "{id} = {v}");
    }
});
