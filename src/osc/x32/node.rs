//! Node text: what `/node` answers (`/ch/01/mix ON -12.0 ON +0 OFF -oo`,
//! one line of a scene file) and what `/` sets (`/ch/01/mix/fader -85.4`,
//! or a whole node's values in order).

use super::laws::Value;
use super::table::{Addr, Found, Table};
use crate::control::model::{Change, Mix, Origin};

/// Values one `/` message may carry at most (the longest node has 18).
const MAX_TOKENS: usize = 64;

/// The line `/node` answers for a node's leaves: its path, each value as
/// text, a line feed.
pub fn render(table: &Table, mix: &Mix, node: &[Addr]) -> String {
    let Some(first) = node.first() else {
        return String::new();
    };
    let mut line = format!("/{}", table.node_path(*first));
    for a in node {
        line.push(' ');
        line.push_str(&table.leaf(*a).law.render(&table.get(mix, *a)));
    }
    line.push('\n');
    line
}

/// Words of node text; a quoted string is one word (quotes kept) and may
/// hold spaces. `None` past [`MAX_TOKENS`] words.
fn words(text: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let end = if let Some(quoted) = rest.strip_prefix('"') {
            quoted.find('"').map_or(rest.len(), |i| i + 2)
        } else {
            rest.find(char::is_whitespace).unwrap_or(rest.len())
        };
        out.push(&rest[..end]);
        if out.len() > MAX_TOKENS {
            return None;
        }
        rest = rest[end..].trim_start();
    }
    Some(out)
}

/// Apply `/ ,s TEXT`: a leaf and its value, or a node and its values in
/// order (fewer than its leaves set the first ones). Every value is checked
/// before any applies. Returns the changes and the addresses set.
pub fn apply(
    table: &Table,
    mix: &mut Mix,
    text: &str,
    origin: Origin,
) -> Result<(Vec<Change>, Vec<Addr>), &'static str> {
    let words = words(text).ok_or("too many values")?;
    let (path, values) = words.split_first().ok_or("empty")?;
    let addrs = match table
        .find(path.trim_matches('"'))
        .ok_or("no such address")?
    {
        Found::Leaf(a) => vec![a],
        Found::Node(n) => n,
    };
    if values.is_empty() || values.len() > addrs.len() {
        return Err("wrong number of values");
    }
    let parsed: Vec<(Addr, Value)> = addrs
        .iter()
        .zip(values)
        .map(|(a, w)| Ok((*a, table.leaf(*a).law.parse(w)?)))
        .collect::<Result<_, &'static str>>()?;
    let mut changes = Vec::new();
    for (a, v) in &parsed {
        changes.extend(table.set(mix, *a, v, origin));
    }
    Ok((changes, parsed.into_iter().map(|(a, _)| a).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::X32Flavour;
    use crate::params::{Owner, Param, ParamId};

    use super::super::testing::mix;

    fn node(t: &Table, m: &Mix, path: &str) -> String {
        match t.find(path).unwrap() {
            Found::Node(n) => render(t, m, &n),
            Found::Leaf(a) => panic!("{path} is a leaf {a:?}"),
        }
    }

    #[test]
    fn nodes_read_as_scene_lines() {
        let t = Table::new(X32Flavour::X32);
        let mut m = mix();
        m.set(ParamId::track(0, Param::Gain), -12.0);
        // Mute on, fader, stereo, pan, mono, mono level: as in a scene file.
        assert_eq!(
            node(&t, &m, "ch/01/mix"),
            "/ch/01/mix ON -12.0 ON +0 OFF -oo\n"
        );
        assert_eq!(
            node(&t, &m, "ch/01/config"),
            "/ch/01/config \"Track 1\" 1 WH 1\n"
        );
        assert_eq!(
            node(&t, &m, "ch/02/eq/2"),
            "/ch/02/eq/2 PEQ 400.0 +0.00 0.7\n"
        );
        assert_eq!(
            node(&t, &m, "ch/01/mix/01"),
            "/ch/01/mix/01 ON -oo +0 POST 0\n"
        );
        assert_eq!(node(&t, &m, "ch/01/mix/02"), "/ch/01/mix/02 ON -oo\n");
        // A strip answers with its first node; channels past the session's
        // tracks answer their defaults.
        assert!(node(&t, &m, "ch/01").starts_with("/ch/01/config "));
        assert_eq!(
            node(&t, &m, "ch/32/mix"),
            "/ch/32/mix ON -oo ON +0 OFF -oo\n"
        );
        assert_eq!(node(&t, &m, "main/st/mix"), "/main/st/mix ON +0.0 +0\n");
        assert_eq!(node(&t, &m, "dca/1"), "/dca/1 ON +0.0\n");
    }

    #[test]
    fn text_sets_a_leaf_or_a_node_and_never_half_applies() {
        let t = Table::new(X32Flavour::X32);
        let mut m = mix();
        let o = Origin::Session;
        let (ch, set) = apply(&t, &mut m, "/ch/01/mix/fader -85.4", o).unwrap();
        assert_eq!(ch.len(), 1);
        assert_eq!(set.len(), 1);
        assert!((m.get(ParamId::track(0, Param::Gain)).unwrap() + 85.4).abs() < 1e-4);
        apply(&t, &mut m, "/ch/02/mix OFF -10.0 ON -50", o).unwrap();
        assert_eq!(m.get(ParamId::track(1, Param::Mute)), Some(1.0));
        assert_eq!(m.get(ParamId::track(1, Param::Pan)), Some(-0.5));
        apply(&t, &mut m, "/ch/03/config \"Lead Vox\" 1 RD", o).unwrap();
        assert_eq!(m.name(Owner::Track(2)), Some("Lead Vox"));
        assert_eq!(m.colour(Owner::Track(2)), crate::session::Colour::Red);
        let before = m.values();
        for bad in [
            "/ch/02/mix ON -10.0 ON +500",
            "/ch/02/mix ON -10.0 ON +0 OFF -oo extra",
            "/ch/99/mix/fader 0",
            "/ch/02/mix/fader",
            "",
            "\"",
            "/ch/02/eq/1/f 25k",
        ] {
            assert!(apply(&t, &mut m, bad, o).is_err(), "{bad:?}");
        }
        assert_eq!(m.values(), before, "nothing half-applied");
        let many = format!("/ch/01/mix {}", "ON ".repeat(100));
        assert!(apply(&t, &mut m, &many, o).is_err());
    }
}
