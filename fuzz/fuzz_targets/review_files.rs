//! The session's revision and notes files on any text: each loads or says
//! what is wrong, never panics; what loads keeps the rules and writes back
//! as a text that loads as exactly the same (`revisions::testing`, the
//! harness `tests/review_files_fuzz.rs` also runs).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| mixbridge::revisions::testing::check(data));
