//! Automation playback and the transport in the engine: lanes drive their
//! parameters at the transport position, file sources follow it, loops
//! wrap, and none of it depends on the callback size.

mod common;
use common::*;
use mixbridge::engine::automation::{Lane, LaneCommand, LaneSetup, Playback, Point, Shape};
use mixbridge::engine::media::Media;
use mixbridge::engine::transport::TransportCommand;
use mixbridge::params::{Param, ParamId};
use std::sync::Arc;

fn lane(id: ParamId, shape: Shape, points: &[(f64, f32)]) -> LaneSetup {
    LaneSetup {
        id,
        lane: Arc::new(Lane::new(
            shape,
            points.iter().map(|&(t, v)| Point::new(t, v)).collect(),
        )),
        reading: true,
        offset: 0.0,
    }
}

/// RMS in dB of `x[from..from + len]`.
fn rms_db(x: &[f32], from: usize, len: usize) -> f32 {
    let s = &x[from..from + len];
    let e = s.iter().map(|v| v * v).sum::<f32>() / len as f32;
    10.0 * e.max(1e-24).log10()
}

/// A mono track on a tone, its fader on a lane, played from the start.
fn riding_rig(block: usize) -> Vec<f32> {
    let mut rig = Rig::new(&[MONO], &[]);
    rig.set("track/1/pan", -1.0);
    let gain = ParamId::track(0, Param::Gain);
    let mute = ParamId::track(0, Param::Mute);
    rig.handle.set_playback(Playback::new(vec![
        lane(
            gain,
            Shape::Linear,
            &[(0.0, -30.0), (1.0, 0.0), (1.5, 0.0), (1.5001, -12.0)],
        ),
        lane(mute, Shape::Step, &[(0.0, 0.0), (1.8, 1.0), (1.9, 0.0)]),
    ]));
    rig.handle.transport(TransportCommand::Play);
    rig.handle.flush();
    let x = tone(1000.0, -6.0, 2.0, SR);
    rig.run_blocks(&[x], block).swap_remove(0)
}

#[test]
fn the_level_follows_the_lane() {
    let out = riding_rig(128);
    let win = (0.02 * SR) as usize;
    // The sine peaks at -6 dBFS (clear of the limiter) and its RMS is 3 dB
    // under its peak; the equal-power pan law at hard left passes it at unity.
    for (t, want) in [
        (0.25, -22.5),
        (0.5, -15.0),
        (0.75, -7.5),
        (1.25, 0.0),
        (1.7, -12.0),
    ] {
        let at = (t * SR) as usize - win / 2;
        let got = rms_db(&out, at, win) + 3.01 + 6.0;
        assert!(
            (got - want).abs() < 0.3,
            "at {t} s: {got:.2} dB, lane says {want} dB"
        );
    }
    // The mute lane steps.
    assert!(rms_db(&out, (1.83 * SR) as usize, win) < -100.0);
    assert!((rms_db(&out, (1.95 * SR) as usize, win) + 3.01 + 6.0 + 12.0).abs() < 0.3);
}

#[test]
fn every_callback_size_hears_the_same_automation() {
    let a = riding_rig(64);
    for block in [1, 37, 128, 500, 1024] {
        assert_eq!(riding_rig(block), a, "block {block}");
    }
}

#[test]
fn released_lanes_leave_the_parameter_and_read_lanes_glide_back() {
    let mut rig = Rig::new(&[MONO], &[]);
    rig.set("track/1/pan", -1.0);
    let gain = ParamId::track(0, Param::Gain);
    rig.handle.set_playback(Playback::new(vec![lane(
        gain,
        Shape::Linear,
        &[(0.0, -20.0)],
    )]));
    rig.handle.transport(TransportCommand::Play);
    rig.handle.flush();
    let x = tone(1000.0, 0.0, 0.5, SR);
    let win = (0.02 * SR) as usize;
    let out = rig.run(std::slice::from_ref(&x)).swap_remove(0);
    assert!((rms_db(&out, out.len() - win, win) + 3.01 + 20.0).abs() < 0.3);
    // Released: the control side's value applies.
    rig.handle.lane(LaneCommand::Release { index: 0 });
    rig.set("track/1/gain", -6.0);
    let out = rig.run(std::slice::from_ref(&x)).swap_remove(0);
    assert!((rms_db(&out, out.len() - win, win) + 3.01 + 6.0).abs() < 0.3);
    // Read again with a 250 ms glide: on its way after 125 ms.
    rig.handle.lane(LaneCommand::Read {
        index: 0,
        from: -6.0,
        glide: 0.25,
    });
    rig.handle.flush();
    let out = rig.run(std::slice::from_ref(&x)).swap_remove(0);
    let mid = rms_db(&out, (0.125 * SR) as usize - win / 2, win) + 3.01;
    assert!(mid < -10.0 && mid > -16.0, "{mid}");
    assert!((rms_db(&out, out.len() - win, win) + 3.01 + 20.0).abs() < 0.3);
    // Trim: an offset on top of the lane.
    rig.handle.lane(LaneCommand::Offset {
        index: 0,
        offset: 8.0,
    });
    rig.handle.flush();
    let out = rig.run(&[x]).swap_remove(0);
    assert!((rms_db(&out, out.len() - win, win) + 3.01 + 12.0).abs() < 0.3);
}

#[test]
fn file_sources_follow_the_transport_and_loops_wrap() {
    // The track plays a "file" of one ramp, under the limiter's ceiling.
    let clip: Vec<f32> = (0..1000).map(|i| i as f32 / 2000.0).collect();
    let mut rig = Rig::with_file_track(clip.into());
    let latency = rig.handle.latency();
    let run = |rig: &mut Rig, n: usize| {
        let out = rig.run(&[vec![0.0; n + latency]]).swap_remove(0);
        out[latency..].to_vec()
    };
    let near = |a: f32, b: f32| (a - b).abs() < 1e-4;
    // Stopped: silence.
    assert!(run(&mut rig, 256).iter().all(|v| v.abs() < 1e-6));
    rig.handle.transport(TransportCommand::Locate(100));
    rig.handle.transport(TransportCommand::Play);
    rig.handle.flush();
    let out = run(&mut rig, 1200 - latency);
    assert!(
        near(out[0], 0.05) && near(out[899], 0.4995),
        "{} {}",
        out[0],
        out[899]
    );
    assert!(
        out[900..].iter().all(|v| v.abs() < 1e-6),
        "silent past the end"
    );
    // A loop from 200 to 300 repeats that stretch.
    rig.handle
        .transport(TransportCommand::Loop(Some((200, 300))));
    rig.handle.transport(TransportCommand::Locate(200));
    rig.handle.flush();
    let out = run(&mut rig, 250);
    assert!(
        near(out[0], 0.1) && near(out[100], 0.1),
        "{} {}",
        out[0],
        out[100]
    );
    assert!(near(out[37], out[237]));
    assert!(near(out[99], 0.1495));
}

impl Rig {
    /// A mono track, hard left at unity, that plays `clip` as a file source.
    fn with_file_track(clip: Arc<[f32]>) -> Rig {
        let mut rig = Rig::new(&[MONO], &[]);
        rig.set("track/1/pan", -1.0);
        // Input 0 is the interface's; the file is input 1.
        let mut t = rig.topology.clone();
        t.tracks[0].inputs = [Some(1), None];
        rig.handle
            .rebuild(t.clone(), &[(ParamId::track(0, Param::Pan), -1.0)]);
        rig.topology = t;
        rig.handle.set_media(Media::new(1, vec![clip]));
        rig.handle.flush();
        rig
    }
}
