//! OSC 1.0 address patterns, matched one address segment at a time.
//!
//! Patterns arrive from the network, so matching is written to be total and
//! bounded: a segment pattern is parsed into tokens once, and matching runs a
//! table over (token, position) in O(tokens × length), whatever the pattern —
//! no backtracking blow-up, no panic on any input. `*` and `?` never cross a
//! `/`, because segments are matched separately.

/// Longest segment pattern accepted, in bytes.
pub const MAX_SEGMENT: usize = 128;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Literal(u8),
    /// `?`
    One,
    /// `*`
    Any,
    /// `[abc]`, `[a-z]`, `[!a]`: byte ranges, and whether they are negated.
    Class(Vec<(u8, u8)>, bool),
    /// `{foo,bar}`
    Choice(Vec<Vec<u8>>),
}

/// One segment of an address pattern (the text between two slashes).
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    tokens: Vec<Token>,
    /// The segment has no special characters: it is matched by equality.
    literal: Option<Vec<u8>>,
}

/// Why a pattern is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("an unclosed `[` or `{{`")]
    Unclosed,
    #[error("a segment longer than {MAX_SEGMENT} bytes")]
    TooLong,
}

impl Segment {
    pub fn parse(text: &str) -> Result<Segment, PatternError> {
        let b = text.as_bytes();
        if b.len() > MAX_SEGMENT {
            return Err(PatternError::TooLong);
        }
        if !b.iter().any(|c| b"*?[{".contains(c)) {
            return Ok(Segment {
                tokens: Vec::new(),
                literal: Some(b.to_vec()),
            });
        }
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'?' => tokens.push(Token::One),
                b'*' => {
                    if tokens.last() != Some(&Token::Any) {
                        tokens.push(Token::Any);
                    }
                }
                b'[' => {
                    let end = find(b, i + 1, b']')?;
                    tokens.push(class(&b[i + 1..end]));
                    i = end;
                }
                b'{' => {
                    let end = find(b, i + 1, b'}')?;
                    let choices = b[i + 1..end].split(|&c| c == b',').map(<[u8]>::to_vec);
                    tokens.push(Token::Choice(choices.collect()));
                    i = end;
                }
                c => tokens.push(Token::Literal(c)),
            }
            i += 1;
        }
        Ok(Segment {
            tokens,
            literal: None,
        })
    }

    /// The segment's text when it has no special characters.
    pub fn literal(&self) -> Option<&str> {
        self.literal
            .as_deref()
            .and_then(|b| std::str::from_utf8(b).ok())
    }

    /// Whether the segment matches `name` entirely.
    pub fn matches(&self, name: &str) -> bool {
        if let Some(lit) = &self.literal {
            return lit == name.as_bytes();
        }
        let s = name.as_bytes();
        // reach[j]: the tokens so far can consume exactly s[..j].
        let mut reach = vec![false; s.len() + 1];
        reach[0] = true;
        for t in &self.tokens {
            let mut next = vec![false; s.len() + 1];
            for j in 0..=s.len() {
                if !reach[j] {
                    continue;
                }
                match t {
                    Token::Any => next[j..].iter_mut().for_each(|r| *r = true),
                    Token::One => {
                        if j < s.len() {
                            next[j + 1] = true;
                        }
                    }
                    Token::Literal(c) => {
                        if s.get(j) == Some(c) {
                            next[j + 1] = true;
                        }
                    }
                    Token::Class(ranges, negated) => {
                        if let Some(&c) = s.get(j) {
                            let inside = ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi);
                            if inside != *negated {
                                next[j + 1] = true;
                            }
                        }
                    }
                    Token::Choice(choices) => {
                        for c in choices {
                            if s[j..].starts_with(c) {
                                next[j + c.len()] = true;
                            }
                        }
                    }
                }
            }
            reach = next;
        }
        reach[s.len()]
    }
}

fn find(b: &[u8], from: usize, close: u8) -> Result<usize, PatternError> {
    b[from..]
        .iter()
        .position(|&c| c == close)
        .map(|p| from + p)
        .ok_or(PatternError::Unclosed)
}

/// The inside of `[...]`: `!` first negates; `a-z` is a range; a `-` at
/// either end is itself.
fn class(inner: &[u8]) -> Token {
    let (negated, body) = match inner.split_first() {
        Some((b'!', rest)) => (true, rest),
        _ => (false, inner),
    };
    let mut ranges = Vec::new();
    let mut i = 0;
    while i < body.len() {
        if i + 2 < body.len() && body[i + 1] == b'-' {
            let (lo, hi) = (body[i], body[i + 2]);
            ranges.push((lo.min(hi), lo.max(hi)));
            i += 3;
        } else {
            ranges.push((body[i], body[i]));
            i += 1;
        }
    }
    Token::Class(ranges, negated)
}

/// A whole address pattern, split into segments (the leading `/` dropped).
pub fn parse(pattern: &str) -> Result<Vec<Segment>, PatternError> {
    pattern
        .strip_prefix('/')
        .unwrap_or(pattern)
        .split('/')
        .map(Segment::parse)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        Segment::parse(p).unwrap().matches(s)
    }

    #[test]
    fn the_osc_1_0_forms() {
        let table = [
            ("gain", "gain", true),
            ("gain", "gains", false),
            ("g?in", "gain", true),
            ("g?in", "gin", false),
            ("*", "", true),
            ("*", "anything", true),
            ("f*r", "fader", true),
            ("f*r", "fade", false),
            ("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
            ("[1-4]", "3", true),
            ("[1-4]", "5", false),
            ("[!1-4]", "5", true),
            ("[!1-4]", "2", false),
            ("[abc]x", "bx", true),
            ("[-a]", "-", true),
            ("{gain,fader}", "fader", true),
            ("{gain,fader}", "pan", false),
            ("{a,ab}c", "abc", true),
            ("1{,0}", "10", true),
            ("1{,0}", "1", true),
            ("*{in,er}", "fader", true),
        ];
        for (p, s, want) in table {
            assert_eq!(m(p, s), want, "{p} vs {s}");
        }
    }

    #[test]
    fn broken_patterns_are_errors() {
        assert_eq!(Segment::parse("[ab"), Err(PatternError::Unclosed));
        assert_eq!(Segment::parse("{a,b"), Err(PatternError::Unclosed));
        assert_eq!(
            Segment::parse(&"x".repeat(MAX_SEGMENT + 1)),
            Err(PatternError::TooLong)
        );
        assert_eq!(parse("/track/*/gain").unwrap().len(), 3);
    }
}
