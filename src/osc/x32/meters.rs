//! Meter blobs as the console sends them: `/meters/N` with one blob holding
//! a little-endian count and that many little-endian values (the only
//! little-endian numbers of the protocol). X32 values are linear float32,
//! 1.0 = full scale, gain reductions as the gain left (1.0 = none); X-Air
//! values are int16 in 1/256 dB.
//!
//! Meter sets whose content the console has but this one lacks (matrices,
//! aux inputs, the RTA...) are sent at their published size, silent, so a
//! client that reads a fixed layout never reads short.

use super::table::{Kind, Table};
use crate::config::X32Flavour;
use crate::control::model::Mix;
use crate::control::{MeterSnapshot, StripReading};
use crate::params::{Owner, Param, ParamId};
use crate::units::db_to_gain;

/// Values in each X32 meter set `/meters/0` .. `/meters/16`.
pub const X32_COUNTS: [usize; 17] = [
    70, 96, 49, 22, 82, 27, 4, 16, 6, 32, 32, 5, 4, 48, 80, 50, 48,
];
/// The X32 RTA set: its count is of 32-bit words, each two int16 dB values.
const X32_RTA: usize = 15;
/// Values in the X-Air meter sets this console answers (others are unknown).
const XAIR_COUNTS: [(usize, usize); 6] = [(0, 8), (1, 40), (2, 36), (7, 16), (8, 4), (9, 4)];

/// Whether `/meters/N` exists in the flavour.
pub fn exists(flavour: X32Flavour, id: usize) -> bool {
    match flavour {
        X32Flavour::X32 => id < X32_COUNTS.len(),
        X32Flavour::XAir => XAIR_COUNTS.iter().any(|(i, _)| *i == id),
    }
}

/// A strip's level: the louder side's peak, linear.
fn level(r: &StripReading) -> f32 {
    r.peak[0].max(r.peak[1])
}

/// A gain reduction in dB as the gain left, linear (1.0 = no reduction).
fn left(gr_db: f32) -> f32 {
    db_to_gain(-gr_db.max(0.0))
}

/// What the strip's fader and mute leave of its level.
fn post_fader(mix: &Mix, owner: Owner, r: &StripReading) -> f32 {
    let get = |p| mix.get(ParamId::new(owner, p)).unwrap_or(0.0);
    if get(Param::Mute) >= 0.5 {
        0.0
    } else {
        level(r) * db_to_gain(get(Param::Gain))
    }
}

/// `n` readings from `strips`, silence past their end.
fn each(strips: &[StripReading], n: usize, f: impl Fn(&StripReading) -> f32) -> Vec<f32> {
    let silent = f(&StripReading::default());
    (0..n).map(|i| strips.get(i).map_or(silent, &f)).collect()
}

/// The blob of meter set `id` (`channel`: the strip a per-channel set
/// shows, from 0), or `None` if the flavour has no such set.
pub fn blob(
    table: &Table,
    id: usize,
    channel: usize,
    s: &MeterSnapshot,
    mix: &Mix,
) -> Option<Vec<u8>> {
    match table.flavour {
        X32Flavour::X32 => x32(table, id, channel, s, mix),
        X32Flavour::XAir => xair(table, id, channel, s, mix),
    }
}

fn x32(table: &Table, id: usize, channel: usize, s: &MeterSnapshot, mix: &Mix) -> Option<Vec<u8>> {
    let count = *X32_COUNTS.get(id)?;
    let ch = usize::from(table.count(Kind::Channel));
    let buses = usize::from(table.count(Kind::Bus));
    let mut v: Vec<f32> = match id {
        // Channels, aux inputs (8), FX returns (8), buses, matrices (6).
        0 => [
            each(&s.tracks, ch, level),
            vec![0.0; 16],
            each(&s.buses, buses, level),
            vec![0.0; 6],
        ]
        .concat(),
        // Channels, their gates' and their compressors' gain left.
        1 => [
            each(&s.tracks, ch, level),
            each(&s.tracks, ch, |r| left(r.gate_gr_db)),
            each(&s.tracks, ch, |r| left(r.comp_gr_db)),
        ]
        .concat(),
        // Buses, matrices, main L R, mono; then the gain left of each.
        2 => [
            each(&s.buses, buses, level),
            vec![0.0; 6],
            s.master.peak.to_vec(),
            vec![0.0],
            each(&s.buses, buses, |r| left(r.comp_gr_db)),
            vec![1.0; 6],
            vec![left(s.master.comp_gr_db), 1.0],
        ]
        .concat(),
        // One channel strip: its level, gate and compressor gain left, post fader.
        6 => {
            let r = s.tracks.get(channel).copied().unwrap_or_default();
            let post = post_fader(mix, Owner::Track(channel as u16), &r);
            vec![level(&r), left(r.gate_gr_db), left(r.comp_gr_db), post]
        }
        _ => Vec::new(),
    };
    if id == X32_RTA {
        return Some(rta_silence(count));
    }
    v.resize(count, 0.0);
    let mut b = Vec::with_capacity(4 + 4 * count);
    b.extend_from_slice(&(count as i32).to_le_bytes());
    for x in v {
        b.extend_from_slice(&x.to_le_bytes());
    }
    Some(b)
}

/// The RTA set with every band silent: 2 int16 values per counted word.
fn rta_silence(words: usize) -> Vec<u8> {
    let mut b = (words as i32).to_le_bytes().to_vec();
    b.extend(std::iter::repeat_n(i16::MIN.to_le_bytes(), words * 2).flatten());
    b
}

/// dB as the X-Air sends it: int16 in 1/256 dB.
fn xair_db(db: f32) -> i16 {
    if db.is_nan() {
        return i16::MIN;
    }
    (db * 256.0).clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16
}

fn lin_db(x: f32) -> f32 {
    if x > 0.0 {
        20.0 * x.log10()
    } else {
        f32::NEG_INFINITY
    }
}

fn xair(table: &Table, id: usize, channel: usize, s: &MeterSnapshot, mix: &Mix) -> Option<Vec<u8>> {
    let count = XAIR_COUNTS.iter().find(|(i, _)| *i == id)?.1;
    let ch = usize::from(table.count(Kind::Channel));
    let buses = usize::from(table.count(Kind::Bus));
    let silent = f32::NEG_INFINITY;
    let db = |f: fn(&StripReading) -> f32| move |r: &StripReading| lin_db(f(r));
    let mut v: Vec<f32> = match id {
        // One channel: pre-fader L R, gate and compressor gain change,
        // post-fader L R, gate and compressor keys.
        0 => {
            let r = s.tracks.get(channel).copied().unwrap_or_default();
            let post = lin_db(post_fader(mix, Owner::Track(channel as u16), &r));
            vec![
                lin_db(r.peak[0]),
                lin_db(r.peak[1]),
                -r.gate_gr_db,
                -r.comp_gr_db,
                post,
                post,
                silent,
                silent,
            ]
        }
        // Channels, FX and aux returns (10), buses, FX sends (4), main L R,
        // monitor L R.
        1 => [
            each(&s.tracks, ch, db(level)),
            vec![silent; 10],
            each(&s.buses, buses, db(level)),
            vec![silent; 4],
            s.master.peak.iter().map(|p| lin_db(*p)).collect(),
            vec![silent; 2],
        ]
        .concat(),
        _ => Vec::new(),
    };
    v.resize(count, silent);
    let mut b = Vec::with_capacity(4 + 2 * count);
    b.extend_from_slice(&(count as i32).to_le_bytes());
    for x in v {
        b.extend_from_slice(&xair_db(x).to_le_bytes());
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::LoudnessReading;
    use crate::params::{BusEffect, Layout};

    fn snapshot() -> MeterSnapshot {
        let r = |p: f32, gr: f32| StripReading {
            peak: [p, p / 2.0],
            rms: [0.0; 2],
            gate_gr_db: gr,
            comp_gr_db: gr,
            limiter_gr_db: 0.0,
        };
        MeterSnapshot {
            tracks: vec![r(0.5, 6.0), r(1.0, 0.0)],
            buses: vec![r(0.25, 0.0)],
            master: r(0.8, 20.0),
            loudness: LoudnessReading::default(),
        }
    }

    fn floats(b: &[u8]) -> Vec<f32> {
        let n = i32::from_le_bytes(b[..4].try_into().unwrap()) as usize;
        assert_eq!(b.len(), 4 + 4 * n);
        b[4..]
            .chunks(4)
            .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }

    #[test]
    fn x32_sets_have_their_published_sizes_and_layout() {
        let mix = Mix::from_layout(Layout {
            tracks: 2,
            buses: vec![BusEffect::Reverb],
        });
        let t = Table::new(X32Flavour::X32);
        let s = snapshot();
        for (id, n) in X32_COUNTS.iter().enumerate() {
            let b = blob(&t, id, 0, &s, &mix).unwrap();
            assert_eq!(i32::from_le_bytes(b[..4].try_into().unwrap()) as usize, *n);
        }
        assert!(blob(&t, 17, 0, &s, &mix).is_none());
        let m0 = floats(&blob(&t, 0, 0, &s, &mix).unwrap());
        assert_eq!((m0[0], m0[1], m0[2], m0[48]), (0.5, 1.0, 0.0, 0.25));
        let m1 = floats(&blob(&t, 1, 0, &s, &mix).unwrap());
        assert!(
            (m1[32] - 0.501).abs() < 1e-3,
            "6 dB of gate: half the gain left"
        );
        assert_eq!((m1[33], m1[65]), (1.0, 1.0));
        let m2 = floats(&blob(&t, 2, 0, &s, &mix).unwrap());
        assert_eq!((m2[22], m2[23]), (0.8, 0.4), "main L R");
        assert!((m2[47] - 0.1).abs() < 1e-6, "20 dB on the main");
        let m6 = floats(&blob(&t, 6, 0, &s, &mix).unwrap());
        assert_eq!(m6[3], 0.5, "unity fader");
    }

    #[test]
    fn xair_sets_are_int16_decibels() {
        let mix = Mix::from_layout(Layout {
            tracks: 2,
            buses: vec![BusEffect::Reverb],
        });
        let t = Table::new(X32Flavour::XAir);
        let b = blob(&t, 1, 0, &snapshot(), &mix).unwrap();
        assert_eq!(b.len(), 4 + 2 * 40);
        let v: Vec<i16> = b[4..]
            .chunks(2)
            .map(|c| i16::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(v[1], 0, "full scale is 0 dB");
        assert!((f32::from(v[0]) / 256.0 + 6.02).abs() < 0.01);
        assert_eq!(v[2], i16::MIN, "a channel the session lacks is silent");
        assert!(blob(&t, 3, 0, &snapshot(), &mix).is_none());
    }
}
