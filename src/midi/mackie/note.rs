//! A review note on the main unit's display: when the transport passes a
//! note, both lines of the main unit show it ("Producer: vocal up in the
//! chorus …") for [`SHOWN`], then the strips come back.

use super::display;
use super::protocol::LINE;
use std::time::{Duration, Instant};

/// How long a passed note stays on the display.
pub const SHOWN: Duration = Duration::from_secs(2);

/// A note on the display, until a time.
#[derive(Debug, Clone)]
pub struct Shown {
    pub until: Instant,
    pub text: [u8; 2 * LINE],
}

impl Shown {
    /// `author: text` over both lines (folded to what the display can
    /// show: line breaks and tabs as spaces, the rest as `display::cell`
    /// folds it), from `now` for [`SHOWN`].
    pub fn new(author: &str, text: &str, now: Instant) -> Shown {
        let whole = if author.is_empty() {
            text.to_string()
        } else {
            format!("{author}: {text}")
        };
        let mut out = [b' '; 2 * LINE];
        let folded = whole
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .map(display::fold);
        for (o, c) in out.iter_mut().zip(folded) {
            *o = c as u8;
        }
        Shown {
            until: now + SHOWN,
            text: out,
        }
    }

    pub fn showing(&self, now: Instant) -> bool {
        now < self.until
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_fills_both_lines_folded() {
        let now = Instant::now();
        let s = Shown::new("Anna", "vocal\nup — ボ", now);
        let text = String::from_utf8(s.text.to_vec()).unwrap();
        assert!(text.starts_with("Anna: vocal up ? ?   "), "{text:?}");
        assert_eq!(text.len(), 2 * LINE);
        let long = Shown::new("", &"x".repeat(500), now);
        assert!(long.text.iter().all(|&b| b == b'x'));
        assert!(s.showing(now + Duration::from_millis(1999)));
        assert!(!s.showing(now + SHOWN));
    }
}
