//! The audio thread's promise, checked: the full engine processes blocks
//! under an allocation guard while every parameter of the address space
//! changes, tracks are muted and soloed, sends are rerouted and whole graphs
//! are swapped in, while the transport plays, loops and locates, file
//! sources play, and automation lanes are read, released, offset and
//! replaced. The engine has a monitor section, so every monitor parameter
//! changes too (speaker sets, dim, cut, the matrix, solo modes with tracks
//! soloed, check presets, talkback), and reference tracks are swapped in
//! and re-matched, and A/B pairs of takes switched mid-crossfade. Any allocation or free inside `process` aborts the test.

mod common;
use assert_no_alloc::{assert_no_alloc, AllocDisabler};
use common::*;
use mixbridge::engine::automation::{Lane, LaneCommand, LaneSetup, Playback, Point, Shape};
use mixbridge::engine::media::Media;
use mixbridge::engine::monitor::{PhonesShape, Reference};
use mixbridge::engine::transport::TransportCommand;
use mixbridge::engine::Topology;
use mixbridge::params::{
    DriveField, ModField, MonitorField, Owner, Param, PitchField, Spec, Taper,
};
use std::sync::Arc;

#[global_allocator]
static ALLOC: AllocDisabler = AllocDisabler;

/// A small deterministic generator (no allocation, no global state).
struct Lcg(u64);
impl Lcg {
    fn unit(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
}

#[test]
fn process_never_allocates_while_everything_changes() {
    // A control room whose phones keep the programme, with a talkback
    // microphone on the input after the tracks'.
    let mut monitor = control_room();
    monitor.phones = Some(PhonesShape { follow_cue: false });
    monitor.talkback = Some(6);
    let mut rig = Rig::with_monitor(
        &[MONO, STEREO, MONO, STEREO],
        &[AUX, REVERB, DELAY, AUX],
        monitor,
    );
    let all = rig.registry.all();
    let mut rng = Lcg(7);
    let frames = 256;
    let ins: Vec<Vec<f32>> = (0..rig.inputs() + 1)
        .map(|i| tone(200.0 + 100.0 * i as f32, -12.0, frames as f32 / SR, SR))
        .collect();
    let mut outs = vec![vec![0.0f32; frames]; rig.topology.output_channels()];

    // A lane on every parameter that can have one.
    let lanes = |rng: &mut Lcg| {
        let setups: Vec<LaneSetup> = all
            .iter()
            .filter(|id| id.param.automatable())
            .map(|&id| {
                let spec = Spec::of(id.param);
                let shape = if spec.taper == Taper::Stepped {
                    Shape::Step
                } else {
                    Shape::Linear
                };
                let points = (0..8)
                    .map(|k| Point::new(k as f64 * 0.002, spec.from_normalized(rng.unit())))
                    .collect();
                LaneSetup {
                    id,
                    lane: Arc::new(Lane::new(shape, points)),
                    reading: true,
                    offset: 0.0,
                }
            })
            .collect();
        Playback::new(setups)
    };
    let lane_count = all.iter().filter(|id| id.param.automatable()).count() as u32;
    let clip: Arc<[f32]> = tone(330.0, -12.0, 0.01, SR).into();
    rig.handle.set_media(Media::new(
        rig.inputs() + 1,
        vec![clip.clone(), clip.clone()],
    ));
    rig.handle.set_playback(lanes(&mut rng));
    let reference: Arc<[f32]> = tone(550.0, -14.0, 0.02, SR).into();
    rig.handle
        .set_reference(Reference::new(reference.clone(), reference.clone(), -3.0));
    rig.handle.transport(TransportCommand::Play);

    let mut processed = 0usize;
    for round in 0..120 {
        // Control side (may allocate): a burst of changes to every kind of
        // parameter, including extremes, switches, choices and routing.
        for (k, id) in all.iter().enumerate() {
            if (k + round) % 3 != 0 {
                continue;
            }
            let spec = Spec::of(id.param);
            let v = match round % 4 {
                0 => spec.min,
                1 => spec.max,
                _ => spec.from_normalized(rng.unit()),
            };
            rig.handle.set(*id, v);
        }
        // The transport, lanes and file sources change too.
        match round % 6 {
            0 => rig
                .handle
                .transport(TransportCommand::Locate((rng.unit() * 800.0) as u64)),
            1 => rig
                .handle
                .transport(TransportCommand::Loop(Some((100, 300 + round as u64)))),
            2 => rig.handle.transport(TransportCommand::Stop),
            3 => rig.handle.transport(TransportCommand::Play),
            4 => rig.handle.transport(TransportCommand::Loop(None)),
            _ => {}
        }
        for k in 0..lane_count {
            let index = (k * 7 + round as u32) % lane_count;
            rig.handle.lane(match (k + round as u32) % 3 {
                0 => LaneCommand::Release { index },
                1 => LaneCommand::Read {
                    index,
                    from: rng.unit(),
                    glide: 0.002,
                },
                _ => LaneCommand::Offset {
                    index,
                    offset: rng.unit() - 0.5,
                },
            });
        }
        if round % 10 == 3 {
            rig.handle.set_playback(lanes(&mut rng));
        }
        if round % 10 == 7 {
            rig.handle
                .set_media(Media::new(rig.inputs() + 1, vec![clip.clone()]));
        }
        if round % 10 == 1 {
            // A reference re-matched (the same audio at a new gain), or a new one.
            let gain = rng.unit() * 20.0 - 10.0;
            let next = match round % 40 {
                1 => Reference::new(clip.clone(), reference.clone(), gain),
                11 => Reference::none(),
                // An A/B of two takes, and its switch (a crossfade that
                // carries on from where the one it replaces stood).
                _ => Reference::ab(
                    [clip.clone(), clip.clone()],
                    [reference.clone(), reference.clone()],
                    round % 20 == 1,
                    1 + round % 300,
                ),
            };
            rig.handle.set_reference(next);
        }
        if round % 10 == 5 {
            // A topology change: the graph is rebuilt here and swapped in there.
            let t: Topology = rig.topology.clone();
            rig.handle.rebuild(t, &[(all[0], -3.0)]);
        }
        rig.handle.flush();

        // Audio side: must not allocate or free, whatever arrived.
        let block = [1, 16, 64, 100, 256][round % 5];
        assert_no_alloc(|| {
            let mut pos = 0;
            while pos < frames {
                let n = block.min(frames - pos);
                let i: [&[f32]; 7] = std::array::from_fn(|c| &ins[c][pos..pos + n]);
                let mut it = outs.iter_mut();
                let mut o: [&mut [f32]; 16] =
                    std::array::from_fn(|_| &mut it.next().unwrap()[pos..pos + n]);
                rig.engine.process(&i, &mut o, n);
                pos += n;
            }
        });
        processed += frames;
        for o in &outs {
            assert!(
                o.iter().all(|x| x.is_finite()),
                "round {round}: non-finite output"
            );
        }
    }
    assert!(processed >= 120 * 256);
    // Solo and mute, and every insert's switch and type, really were among
    // the changes.
    for param in [
        Param::Solo,
        Param::Mute,
        Param::Drive(DriveField::On),
        Param::Drive(DriveField::Type),
        Param::Mod(ModField::On),
        Param::Mod(ModField::Type),
        Param::Mod(ModField::Stages),
        Param::Pitch(PitchField::On),
        Param::Pitch(PitchField::Semitones),
    ] {
        assert!(all.iter().any(|id| id.param == param), "{param:?}");
    }
    // And every monitor parameter, on 16 engine outputs.
    let monitor: Vec<_> = all.iter().filter(|id| id.owner == Owner::Monitor).collect();
    for f in [
        MonitorField::Speakers,
        MonitorField::SoloMode,
        MonitorField::Check,
        MonitorField::Talkback,
        MonitorField::Reference,
        MonitorField::Cut,
    ] {
        assert!(
            monitor.iter().any(|id| id.param == Param::Monitor(f)),
            "{f:?}"
        );
    }
    assert_eq!(rig.topology.output_channels(), 16);
}
