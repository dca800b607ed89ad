//! Device and port name patterns: `*` matches any run of characters, `?` one
//! character, everything else itself, ignoring ASCII case. Interfaces show
//! up with names like "Scarlett 18i20 USB" or "hw:CARD=USB,DEV=0", so a
//! config says `device: "Scarlett*"` and survives re-enumeration.

/// Whether `name` matches `pattern` as a whole.
pub fn matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().map(|c| c.to_ascii_lowercase()).collect();
    let n: Vec<char> = name.chars().map(|c| c.to_ascii_lowercase()).collect();
    // Greedy star matching with backtracking to the last star.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn glob_cases() {
        let cases = [
            ("Scarlett*", "Scarlett 18i20 USB", true),
            ("scarlett*", "Scarlett 18i20 USB", true),
            ("*18i20*", "Scarlett 18i20 USB", true),
            ("Scarlett", "Scarlett 18i20 USB", false),
            ("hw:CARD=?,DEV=0", "hw:CARD=1,DEV=0", true),
            ("hw:CARD=?,DEV=0", "hw:CARD=12,DEV=0", false),
            ("*", "", true),
            ("", "", true),
            ("", "x", false),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("*USB", "Scarlett USB USB", true),
        ];
        for (p, n, want) in cases {
            assert_eq!(matches(p, n), want, "{p:?} vs {n:?}");
        }
    }
}
