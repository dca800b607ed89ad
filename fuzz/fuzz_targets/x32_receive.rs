//! The whole X32 receive path: datagrams from a few sources in (queries,
//! sets, `/node`, `/`, `/xremote`, `/meters`...), model changes and
//! outgoing datagrams out, with meters flowing and time passing; both
//! flavours. See `mixbridge::osc::x32::testing` for the framing and what
//! is checked (the same as `tests/x32_fuzz.rs` runs on every `cargo test`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixbridge::config::X32Flavour;
use mixbridge::osc::x32::testing::receive_all;

fuzz_target!(|data: &[u8]| {
    let Some((first, rest)) = data.split_first() else {
        return;
    };
    let flavour = if first & 1 == 0 {
        X32Flavour::X32
    } else {
        X32Flavour::XAir
    };
    receive_all(rest, flavour);
});
