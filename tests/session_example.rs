//! The shipped example session loads, and its stems are what the session
//! and its docs promise: short, small, 16-bit, mixed sample rates, in step
//! with the tracks' channel counts, and neither silent nor clipped.

use mixbridge::audio_file;
use mixbridge::params::{
    BusEffect, DelayField, LimiterField, NoteValue, Owner, Param, ParamId, Spec,
};
use mixbridge::session::{BusKind, Session, Source};
use std::path::PathBuf;

fn example() -> Session {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/session");
    Session::load(&dir).unwrap_or_else(|e| panic!("the example session does not load:\n{e}"))
}

#[test]
fn the_example_session_loads_with_its_tracks_and_buses() {
    let s = example();
    assert_eq!(s.sample_rate, 48_000);
    assert!((4..=6).contains(&s.tracks.len()));
    assert!(s.tracks.iter().any(|t| t.channels == 2));
    let effects: Vec<BusEffect> = s.buses.iter().map(|b| b.effect()).collect();
    assert_eq!(
        effects,
        vec![BusEffect::Reverb, BusEffect::Delay, BusEffect::None]
    );
    assert_eq!(s.buses[2].kind, BusKind::Aux { output: vec![3, 4] });
}

#[test]
fn the_example_mix_exercises_every_section() {
    let s = example();
    let has = |f: &dyn Fn(&ParamId) -> bool| s.mix.iter().any(|(id, _)| f(id));
    assert!(has(&|id| matches!(id.param, Param::Eq { .. })), "EQ");
    assert!(has(&|id| matches!(id.param, Param::Gate(_))), "gate");
    assert!(
        has(&|id| matches!(id.owner, Owner::Track(_)) && matches!(id.param, Param::Comp(_))),
        "comp"
    );
    assert!(has(&|id| id.param == Param::Pan), "pan");
    assert!(has(&|id| matches!(id.param, Param::Drive(_))), "drive");
    assert!(has(&|id| matches!(id.param, Param::Mod(_))), "modulation");
    assert!(has(&|id| matches!(id.param, Param::Send { .. })), "sends");
    assert!(
        has(&|id| id.owner == Owner::Master && matches!(id.param, Param::Comp(_))),
        "master comp"
    );
    assert!(
        has(&|id| id.owner == Owner::Master && matches!(id.param, Param::Limiter(_))),
        "master limiter"
    );
    let note = s
        .mix
        .iter()
        .find(|(id, _)| id.param == Param::Delay(DelayField::Note))
        .unwrap()
        .1;
    assert_eq!(
        Spec::of(Param::Delay(DelayField::Note)).choice_name(note),
        Some("1/8d")
    );
    assert!(NoteValue::millis(note, s.tempo).is_some());
    let ceiling = ParamId::master(Param::Limiter(LimiterField::Ceiling));
    assert!(s.mix.iter().any(|(id, v)| *id == ceiling && *v < 0.0));
}

#[test]
fn the_example_stems_are_short_small_and_sound() {
    let s = example();
    let mut rates = Vec::new();
    let mut bytes = 0;
    for t in &s.tracks {
        let Source::File(path) = &t.source else {
            panic!("{} is not a file track", t.name)
        };
        bytes += std::fs::metadata(path).unwrap().len();
        let spec = hound::WavReader::open(path).unwrap().spec();
        assert_eq!(spec.bits_per_sample, 16, "{}", t.name);
        let audio = audio_file::read(path).unwrap();
        assert_eq!(audio.channels.len(), t.channels as usize, "{}", t.name);
        let seconds = audio.frames() as f32 / audio.sample_rate as f32;
        assert!((3.5..=4.5).contains(&seconds), "{}: {seconds} s", t.name);
        for ch in &audio.channels {
            let peak = ch.iter().fold(0.0f32, |m, x| m.max(x.abs()));
            let rms = (ch.iter().map(|x| x * x).sum::<f32>() / ch.len() as f32).sqrt();
            assert!(peak < 0.99, "{} clips: {peak}", t.name);
            assert!(rms > 0.005, "{} is nearly silent: rms {rms}", t.name);
        }
        rates.push(audio.sample_rate);
    }
    assert!(
        rates.contains(&44_100),
        "no stem needs resampling: {rates:?}"
    );
    assert!(rates.contains(&s.sample_rate), "{rates:?}");
    assert!(bytes < 2_200_000, "stems take {bytes} bytes");
}

/// The example's revision (`revisions/rough.yaml`, saved by the daemon)
/// and review notes load; the revision renders as the session does but for
/// what it changed (the lead 2 dB up, less reverb on it), so `render
/// --revision rough` has something to show.
#[test]
fn the_example_revision_and_notes_load_and_the_revision_renders() {
    let s = example();
    let revisions = mixbridge::revisions::Revisions::new(&s.dir);
    assert!(
        revisions.problems().is_empty(),
        "{:?}",
        revisions.problems()
    );
    let rough = revisions.get("rough").unwrap();
    assert_eq!(rough.values["track/4/gain"], -2.0);
    assert!(!rough.note.is_empty());
    let notes = mixbridge::notes::file::load(&s.dir).unwrap();
    assert_eq!(notes.len(), 2);
    assert!(notes[0].done && !notes[1].done);
    let plain = mixbridge::render::render(&s, 0.5).unwrap();
    let revised = mixbridge::render::render_revision(&s, &rough, 0.5, &mut |_, _| {}).unwrap();
    assert_eq!(plain.frames(), revised.frames());
    assert!(plain != revised, "the revision sounds otherwise");
}
