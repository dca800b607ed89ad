//! The X32 receive path on every `cargo test`, as the `x32_receive` fuzz
//! target runs it (`mixbridge::osc::x32::testing`): real client traffic
//! (discovery, `/xremote`, queries, sets of every law, `/node`, `/`,
//! `/meters`), then the same with random edits (bytes replaced, cut,
//! repeated, datagrams swapped), and random bytes. Never a panic, never a
//! value out of range.

use mixbridge::config::X32Flavour;
use mixbridge::osc::x32::testing::receive_all;
use proptest::prelude::*;
use rosc::{OscMessage, OscPacket, OscType};

fn msg(addr: &str, args: Vec<OscType>) -> Vec<u8> {
    rosc::encoder::encode(&OscPacket::Message(OscMessage {
        addr: addr.into(),
        args,
    }))
    .unwrap()
}

fn s(v: &str) -> OscType {
    OscType::String(v.into())
}

/// A session of an app's traffic, datagrams framed for `receive_all`.
fn traffic() -> Vec<Vec<u8>> {
    let f = OscType::Float;
    let i = OscType::Int;
    vec![
        msg("/xinfo", vec![]),
        b"/info\0\0\0".to_vec(),
        msg("/status", vec![]),
        msg("/xremote", vec![]),
        msg("/ch/01/mix/fader", vec![f(0.5)]),
        msg("/ch/02/mix/on", vec![i(0)]),
        msg("/ch/03/mix/pan", vec![f(0.2)]),
        msg("/ch/04/eq/2/f", vec![f(0.7)]),
        msg("/ch/04/eq/2/q", vec![f(0.4648)]),
        msg("/ch/05/dyn/ratio", vec![i(6)]),
        msg("/ch/01/mix/02/level", vec![f(0.3)]),
        msg("/ch/01/mix/01/type", vec![i(3)]),
        msg("/ch/01/config/name", vec![s("Kick In")]),
        msg("/ch/01/config/color", vec![i(9)]),
        msg("/bus/01/mix/fader", vec![f(0.6)]),
        msg("/main/st/mix/on", vec![i(0)]),
        msg("/lr/mix/fader", vec![f(0.6)]),
        msg("/bus/1/mix/on", vec![i(0)]),
        msg("/-stat/solosw/02", vec![i(1)]),
        msg("/ch/01/mix/fader", vec![]),
        msg("/node", vec![s("ch/01/mix")]),
        msg("/node", vec![s("ch/02")]),
        msg("/", vec![s("/ch/02/mix OFF -12.0 ON -40 OFF -oo")]),
        msg("/", vec![s("/ch/03/config \"Bass DI\" 1 GNi 3")]),
        msg("/meters", vec![s("/meters/1")]),
        msg("/meters", vec![s("/meters/6"), i(2), i(0), i(3)]),
        msg("/renew", vec![s("meters/1")]),
        msg("/renew", vec![]),
        msg("/unsubscribe", vec![]),
    ]
}

fn framed(datagrams: &[Vec<u8>], sources: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, d) in datagrams.iter().enumerate() {
        out.push(sources[k % sources.len()]);
        out.extend_from_slice(&(d.len() as u16).to_le_bytes());
        out.extend_from_slice(d);
    }
    out
}

#[test]
fn real_traffic_is_served() {
    for flavour in [X32Flavour::X32, X32Flavour::XAir] {
        receive_all(&framed(&traffic(), &[0, 1, 8, 2]), flavour);
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Byte(usize, u8),
    Cut(usize, usize),
    Repeat(usize),
    Swap(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Byte(i, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(i, n)| Edit::Cut(i, n)),
        any::<usize>().prop_map(Edit::Repeat),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Swap(a, b)),
    ]
}

fn apply(edits: &[Edit]) -> Vec<Vec<u8>> {
    let mut d = traffic();
    for e in edits {
        let n = d.len();
        match *e {
            Edit::Byte(i, b) => {
                let g = &mut d[i % n];
                if !g.is_empty() {
                    let k = (i / n) % g.len();
                    g[k] = b;
                }
            }
            Edit::Cut(i, len) => {
                let g = &mut d[i % n];
                g.truncate(len % (g.len() + 1));
            }
            Edit::Repeat(i) => {
                let g = d[i % n].clone();
                d.insert(i % n, g);
            }
            Edit::Swap(a, b) => d.swap(a % n, b % n),
        }
    }
    d
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn edited_traffic_never_panics(
        edits in proptest::collection::vec(edit(), 1..24),
        sources in proptest::collection::vec(any::<u8>(), 1..8),
        xair in any::<bool>(),
    ) {
        let flavour = if xair { X32Flavour::XAir } else { X32Flavour::X32 };
        receive_all(&framed(&apply(&edits), &sources), flavour);
    }

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        receive_all(&data, X32Flavour::X32);
    }
}
