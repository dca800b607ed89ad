//! The command line as a user runs it.

use std::process::{Command, Output};

/// `mixbridge ARGS...`, run to its end.
pub fn mixbridge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mixbridge"))
        .args(args)
        .output()
        .expect("run mixbridge")
}
