//! Soft takeover: what a control without a motor does when its position
//! and the console's value disagree (after a bank change, a recall, or a
//! move from another surface).
//!
//! - jump: the value follows the control at once (a level can leap);
//! - pickup: nothing happens until the control reaches or crosses the
//!   value, then it follows;
//! - scale: the value moves toward the end the control moves to, in
//!   proportion, so that both arrive there together; once they meet, it
//!   follows.

use super::binding::Takeover;

/// Within this distance (of the travel) a control has met its value.
pub const CATCH: f32 = 1.5 / 127.0;

/// One control's takeover state.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Catch {
    /// The control's last position.
    last: Option<f32>,
    /// The control and the value are together.
    caught: bool,
}

impl Catch {
    /// Someone else moved the value (or the bank changed): catch again.
    pub fn lose(&mut self) {
        self.caught = false;
    }

    /// The control moved to `d`; the value is at `value` (both 0..=1 of the
    /// travel). Returns the position to apply, if any.
    pub fn moved(&mut self, mode: Takeover, d: f32, value: f32) -> Option<f32> {
        let last = self.last.replace(d);
        if mode == Takeover::Jump || self.caught || (d - value).abs() <= CATCH {
            self.caught = true;
            return Some(d);
        }
        let prev = last?;
        match mode {
            Takeover::Pickup => {
                // Crossed the value since the last message.
                if (prev - value).signum() != (d - value).signum() {
                    self.caught = true;
                    return Some(d);
                }
                None
            }
            Takeover::Scale => {
                let end = if d > prev { 1.0 } else { 0.0 };
                let room = end - prev;
                if room.abs() < 1e-6 {
                    return None;
                }
                let next = value + (d - prev) * (end - value) / room;
                Some(next.clamp(0.0, 1.0))
            }
            Takeover::Jump => Some(d),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Takeover::*;

    /// Mode, value at start, control positions, values applied (None: ignored).
    type Case<'a> = (Takeover, f32, &'a [f32], &'a [Option<f32>]);

    #[test]
    fn behaviour_table() {
        let cases: &[Case] = &[
            (Jump, 0.8, &[0.1, 0.2], &[Some(0.1), Some(0.2)]),
            // Pickup: below the value, nothing until it is crossed.
            (
                Pickup,
                0.5,
                &[0.1, 0.3, 0.6, 0.4],
                &[None, None, Some(0.6), Some(0.4)],
            ),
            // Pickup from above, and meeting exactly.
            (
                Pickup,
                0.5,
                &[0.9, 0.7, 0.5, 0.6],
                &[None, None, Some(0.5), Some(0.6)],
            ),
            // Within the catch distance at once.
            (Pickup, 0.5, &[0.505], &[Some(0.505)]),
            // Scale: from 0.0 up toward 1.0 while the value is at 0.5.
            (Scale, 0.5, &[0.0, 0.4, 1.0], &[None, Some(0.7), Some(1.0)]),
            // Scale down: control at 1.0, value 0.2, both reach 0 together.
            (Scale, 0.2, &[1.0, 0.5, 0.0], &[None, Some(0.1), Some(0.0)]),
        ];
        for (mode, start, moves, want) in cases {
            let mut c = Catch::default();
            let mut value = *start;
            let got: Vec<Option<f32>> = moves
                .iter()
                .map(|&d| {
                    let r = c.moved(*mode, d, value);
                    if let Some(v) = r {
                        value = v;
                    }
                    r
                })
                .collect();
            for (g, w) in got.iter().zip(*want) {
                match (g, w) {
                    (Some(g), Some(w)) => {
                        assert!((g - w).abs() < 1e-5, "{mode:?} {moves:?}: {got:?}")
                    }
                    (None, None) => {}
                    _ => panic!("{mode:?} from {start} over {moves:?}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn losing_the_value_means_catching_it_again() {
        let mut c = Catch::default();
        assert_eq!(c.moved(Pickup, 0.5, 0.5), Some(0.5));
        assert_eq!(c.moved(Pickup, 0.6, 0.5), Some(0.6), "caught: follows");
        c.lose();
        assert_eq!(c.moved(Pickup, 0.7, 0.2), None, "the value moved elsewhere");
        assert_eq!(c.moved(Pickup, 0.1, 0.2), Some(0.1), "crossed");
    }
}
