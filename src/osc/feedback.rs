//! What a client is sent: the current value of each key it has pending, in
//! the form it asked for, and its meters.
//!
//! Values are read from the model when they are sent, not when they changed,
//! so a burst of moves on one address costs one message: the latest.

use super::clients::Client;
use super::packer::Packer;
use super::space::LOUDNESS;
use crate::config::OscForm;
use crate::control::model::{Key, Mix};
use crate::control::{MeterSnapshot, StripReading};
use crate::params::{Form, ParamRef};
use crate::units::SILENCE_DB;
use rosc::{OscMessage, OscType};

/// Datagrams one client is sent per flush at most; the rest waits for the
/// next flush (a dump of a large session takes a few flushes).
pub const MAX_DATAGRAMS_PER_FLUSH: usize = 32;

/// The address a parameter is reported on for a client of `form`.
pub fn address_of(id: crate::params::ParamId, form: OscForm) -> ParamRef {
    match (form, ParamRef::fader(id)) {
        (OscForm::Fader, Some(fader)) => fader,
        _ => ParamRef::plain(id),
    }
}

/// The message reporting `key`, or `None` if it no longer exists.
pub fn message(mix: &Mix, key: Key, form: OscForm) -> Option<OscMessage> {
    match key {
        Key::Param(id) => {
            let r = address_of(id, form);
            let v = mix.get(id)?;
            Some(OscMessage {
                addr: format!("/{r}"),
                args: vec![super::args::reply(r.form, v)],
            })
        }
        Key::Name(owner) => Some(OscMessage {
            addr: format!("/{owner}/name"),
            args: vec![OscType::String(mix.name(owner)?.to_string())],
        }),
        Key::Colour(owner) => {
            mix.name(owner)?;
            Some(OscMessage {
                addr: format!("/{owner}/colour"),
                args: vec![OscType::String(mix.colour(owner).name().to_string())],
            })
        }
    }
}

/// Send what is pending, up to [`MAX_DATAGRAMS_PER_FLUSH`]; controls the
/// client is touching are skipped (they are resent when it lets go).
pub fn flush(client: &mut Client, mix: &Mix) -> Vec<Vec<u8>> {
    let mut packer = Packer::new();
    while packer.full() < MAX_DATAGRAMS_PER_FLUSH {
        let Some(key) = client.pending.pop_first() else {
            break;
        };
        if let Key::Param(id) = key {
            if client.touching(mix, id) {
                continue;
            }
        }
        if let Some(m) = message(mix, key, client.options.form) {
            packer.push(m);
        }
    }
    packer.finish()
}

/// Fold a new reading into what a client has not been sent yet: peaks and
/// gain reductions keep their largest, RMS and loudness their latest.
pub fn merge(acc: &mut MeterSnapshot, new: &MeterSnapshot) {
    fn strip(a: &mut StripReading, n: &StripReading) {
        for i in 0..2 {
            a.peak[i] = a.peak[i].max(n.peak[i]);
        }
        a.rms = n.rms;
        a.gate_gr_db = a.gate_gr_db.max(n.gate_gr_db);
        a.comp_gr_db = a.comp_gr_db.max(n.comp_gr_db);
        a.limiter_gr_db = a.limiter_gr_db.max(n.limiter_gr_db);
    }
    if acc.tracks.len() != new.tracks.len() || acc.buses.len() != new.buses.len() {
        *acc = new.clone();
        return;
    }
    for (a, n) in acc.tracks.iter_mut().zip(&new.tracks) {
        strip(a, n);
    }
    for (a, n) in acc.buses.iter_mut().zip(&new.buses) {
        strip(a, n);
    }
    strip(&mut acc.master, &new.master);
    acc.loudness = new.loudness;
}

/// A linear level in dBFS, floored at silence.
fn dbfs(linear: f32) -> f32 {
    if linear > 0.0 {
        (20.0 * linear.log10()).max(SILENCE_DB)
    } else {
        SILENCE_DB
    }
}

/// A finite number for a client: silence instead of -inf.
pub fn finite(v: f32) -> f32 {
    if v.is_finite() {
        v
    } else {
        SILENCE_DB
    }
}

/// The loudness values in the order of [`LOUDNESS`].
pub fn loudness_values(s: &MeterSnapshot) -> [f32; 5] {
    let l = s.loudness;
    [
        l.momentary,
        l.short_term,
        l.integrated,
        l.range,
        l.true_peak,
    ]
    .map(finite)
}

/// Every meter of a reading as messages: levels in dBFS, or on the fader law
/// for fader clients; gain reductions in dB; loudness in LUFS, LU and dBTP.
pub fn meter_messages(s: &MeterSnapshot, form: OscForm, out: &mut Packer) {
    let level = |linear: [f32; 2]| {
        let db = dbfs(linear[0].max(linear[1]));
        match form {
            OscForm::Fader => Form::Fader.from_plain(db),
            OscForm::Db => db,
        }
    };
    let mut push = |addr: String, v: f32| {
        out.push(OscMessage {
            addr,
            args: vec![OscType::Float(v)],
        });
    };
    let mut strip = |prefix: String, r: &StripReading, gate: bool, limiter: bool| {
        push(format!("{prefix}/meter/peak"), level(r.peak));
        push(format!("{prefix}/meter/rms"), level(r.rms));
        if gate {
            push(format!("{prefix}/meter/gate"), r.gate_gr_db);
        }
        push(format!("{prefix}/meter/comp"), r.comp_gr_db);
        if limiter {
            push(format!("{prefix}/meter/limiter"), r.limiter_gr_db);
        }
    };
    for (i, r) in s.tracks.iter().enumerate() {
        strip(format!("/track/{}", i + 1), r, true, false);
    }
    for (i, r) in s.buses.iter().enumerate() {
        strip(format!("/bus/{}", i + 1), r, false, false);
    }
    strip("/master".into(), &s.master, false, true);
    for (name, v) in LOUDNESS.iter().zip(loudness_values(s)) {
        out.push(OscMessage {
            addr: format!("/master/loudness/{name}"),
            args: vec![OscType::Float(v)],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::LoudnessReading;

    fn reading(peak: f32, gr: f32) -> StripReading {
        StripReading {
            peak: [peak, peak / 2.0],
            rms: [peak / 4.0; 2],
            gate_gr_db: gr,
            comp_gr_db: gr,
            limiter_gr_db: gr,
        }
    }

    fn snapshot(peak: f32, gr: f32) -> MeterSnapshot {
        MeterSnapshot {
            tracks: vec![reading(peak, gr); 2],
            buses: vec![reading(peak, gr)],
            master: reading(peak, gr),
            loudness: LoudnessReading {
                momentary: -20.0,
                short_term: -21.0,
                integrated: f32::NEG_INFINITY,
                range: 0.0,
                true_peak: -3.0,
            },
        }
    }

    #[test]
    fn merging_keeps_peaks_and_latest_rms() {
        let mut acc = snapshot(0.5, 6.0);
        merge(&mut acc, &snapshot(0.25, 2.0));
        assert_eq!(acc.tracks[1].peak, [0.5, 0.25]);
        assert_eq!(acc.tracks[1].rms, [0.0625; 2]);
        assert_eq!(acc.master.limiter_gr_db, 6.0);
    }

    #[test]
    fn meters_in_each_form() {
        let s = snapshot(1.0, 3.0);
        for (form, peak) in [(OscForm::Db, 0.0), (OscForm::Fader, 0.75)] {
            let mut p = Packer::new();
            meter_messages(&s, form, &mut p);
            let msgs: Vec<OscMessage> = p
                .finish()
                .iter()
                .flat_map(|d| match rosc::decoder::decode_udp(d).unwrap().1 {
                    rosc::OscPacket::Bundle(b) => b.content,
                    m => vec![m],
                })
                .map(|p| match p {
                    rosc::OscPacket::Message(m) => m,
                    _ => panic!(),
                })
                .collect();
            let get = |a: &str| {
                msgs.iter()
                    .find(|m| m.addr == a)
                    .map(|m| m.args[0].clone().float().unwrap())
            };
            assert_eq!(get("/track/2/meter/peak"), Some(peak), "{form:?}");
            assert_eq!(get("/track/1/meter/gate"), Some(3.0));
            assert_eq!(get("/bus/1/meter/gate"), None);
            assert_eq!(get("/master/meter/limiter"), Some(3.0));
            assert_eq!(get("/master/loudness/integrated"), Some(SILENCE_DB));
            assert_eq!(get("/master/loudness/truepeak"), Some(-3.0));
        }
    }
}
