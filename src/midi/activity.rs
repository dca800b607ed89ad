//! Touch for controls that cannot sense a hand on them.
//!
//! Motor faders report touch; knobs, encoders and touchless faders do not.
//! Such a control counts as touched from its first move until a short time
//! after its last one, so that feedback does not fight the hand moving it
//! and automation (touch mode) knows someone is riding it.

use crate::control::model::{Mix, Origin};
use crate::params::ParamId;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How long after its last move a touchless control stays touched.
pub const RELEASE_AFTER: Duration = Duration::from_millis(500);

/// The controls one surface holds by activity.
#[derive(Debug, Clone)]
pub struct ActivityTouch {
    origin: Origin,
    release_after: Duration,
    last_move: BTreeMap<ParamId, Instant>,
}

impl ActivityTouch {
    pub fn new(origin: Origin, release_after: Duration) -> Self {
        ActivityTouch {
            origin,
            release_after,
            last_move: BTreeMap::new(),
        }
    }

    /// The control moved: it is touched (if it was not) until
    /// `release_after` from now.
    pub fn moved(&mut self, mix: &mut Mix, id: ParamId, now: Instant) {
        mix.touch(id, self.origin, true);
        self.last_move.insert(id, now);
    }

    /// Whether this surface holds the control by activity.
    pub fn holds(&self, id: ParamId) -> bool {
        self.last_move.contains_key(&id)
    }

    /// Release the controls idle for `release_after`; returns them, so that
    /// their current value can be sent back.
    pub fn expire(&mut self, mix: &mut Mix, now: Instant) -> Vec<ParamId> {
        let limit = self.release_after;
        let idle: Vec<ParamId> = self
            .last_move
            .iter()
            .filter(|(_, t)| now.saturating_duration_since(**t) >= limit)
            .map(|(id, _)| *id)
            .collect();
        for id in &idle {
            self.last_move.remove(id);
            mix.touch(*id, self.origin, false);
        }
        idle
    }

    /// Release everything (the device went away).
    pub fn release_all(&mut self, mix: &mut Mix) -> Vec<ParamId> {
        let held: Vec<ParamId> = std::mem::take(&mut self.last_move).into_keys().collect();
        for id in &held {
            mix.touch(*id, self.origin, false);
        }
        held
    }

    /// When the next idle control is released.
    pub fn next_due(&self) -> Option<Instant> {
        self.last_move
            .values()
            .min()
            .map(|t| *t + self.release_after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::{Layout, Param};

    #[test]
    fn a_control_is_touched_from_its_first_move_until_it_rests() {
        let mut mix = Mix::from_layout(Layout {
            tracks: 2,
            buses: vec![],
        });
        let origin = Origin::Surface(3);
        let pan = ParamId::track(0, Param::Pan);
        let gain = ParamId::track(1, Param::Gain);
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        let mut a = ActivityTouch::new(origin, ms(500));
        a.moved(&mut mix, pan, t0);
        a.moved(&mut mix, gain, t0 + ms(100));
        a.moved(&mut mix, pan, t0 + ms(300));
        assert!(mix.touched_by(pan, origin) && a.holds(pan));
        assert_eq!(a.next_due(), Some(t0 + ms(600)));
        assert!(a.expire(&mut mix, t0 + ms(599)).is_empty());
        assert_eq!(a.expire(&mut mix, t0 + ms(600)), vec![gain]);
        assert!(!mix.touched(gain) && mix.touched(pan));
        assert_eq!(a.release_all(&mut mix), vec![pan]);
        assert!(!mix.touched(pan));
        assert_eq!(a.next_due(), None);
    }
}
