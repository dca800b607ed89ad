//! kill -9 at any moment leaves a state that loads.
//!
//! A child process (this test binary again, running only `child_entry`)
//! does what the daemon does: load the state, then save new states as fast
//! as it can. The parent kills it with SIGKILL at a random moment, then
//! loads: every time, a complete state must come back (the current
//! generation, or the previous one if the kill fell between the two
//! renames), never a damaged file, and never an older state than the one
//! the child started from.

use mixbridge::state::{LoadOutcome, MixState, StateStore};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const CHILD: &str = "MIXBRIDGE_TEST_STATE_CHILD";
const SESSION: &str = "/srv/kill-test";
const VALUES: usize = 64;

/// Every value of state `n` follows from `n`, so a mix of two states shows.
fn state(n: u32) -> MixState {
    let mut s = MixState {
        session: SESSION.into(),
        ..MixState::default()
    };
    s.values.insert("counter".into(), n as f32);
    for i in 0..VALUES {
        s.values.insert(
            format!("track/{}/gain", i + 1),
            -(((n as usize * 7 + i) % 97) as f32),
        );
    }
    s
}

/// The `n` a state was made from, if it is exactly `state(n)`.
fn generation(s: &MixState) -> Option<u32> {
    let n = *s.values.get("counter")? as u32;
    (*s == state(n)).then_some(n)
}

/// Not a test: the child process, which saves in a tight loop until killed.
#[test]
#[ignore = "runs only as the child of the kill test"]
fn child_entry() {
    let Some(dir) = std::env::var_os(CHILD) else {
        return;
    };
    let store = StateStore::new(Path::new(&dir));
    let mut n = store.load().state().and_then(generation).unwrap_or(0);
    // A line of its own: libtest has just printed "test child_entry ... ".
    println!("\nREADY {n}");
    loop {
        n += 1;
        store.save(&state(n)).unwrap();
    }
}

/// A small xorshift; the seed is printed so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn kill_9_at_random_moments_always_leaves_a_state_that_loads() {
    let dir = tempfile::tempdir().unwrap();
    let seed = std::env::var("KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let t = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
            t.as_nanos() as u64 | 1
        });
    println!("KILL_SEED={seed}");
    let mut rng = Rng(seed);
    let store = StateStore::new(dir.path());
    // Kill anywhere from before the first save to about ten saves in,
    // however fast this machine's disk is.
    let one_save = {
        let scratch = tempfile::tempdir().unwrap();
        let s = StateStore::new(scratch.path());
        let t = Instant::now();
        for n in 0..10 {
            s.save(&state(n)).unwrap();
        }
        t.elapsed() / 10
    };
    let window = (one_save * 10).clamp(Duration::from_millis(2), Duration::from_millis(200));
    println!("one save takes {one_save:?}; kills within {window:?} of the start");
    let exe: PathBuf = std::env::current_exe().unwrap();
    let rounds = 200;
    let (mut last, mut from_previous, mut saves) = (0u32, 0, 0u32);
    for round in 0..rounds {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "child_entry",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let started: u32 = loop {
            let line = lines
                .next()
                .expect("the child ended before it was ready")
                .unwrap();
            if let Some(n) = line.strip_prefix("READY ") {
                break n.parse().unwrap();
            }
        };
        assert_eq!(
            started, last,
            "round {round}: the child started from another state"
        );
        std::thread::sleep(Duration::from_micros(rng.below(window.as_micros() as u64)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        let outcome = store.load();
        match &outcome {
            LoadOutcome::Loaded {
                state,
                from_previous: p,
                set_aside,
            } => {
                assert!(set_aside.is_empty(), "round {round}: {outcome:?}");
                let n = generation(state)
                    .unwrap_or_else(|| panic!("round {round}: a mixed state {state:?}"));
                assert!(n >= last, "round {round}: went back from {last} to {n}");
                saves += n - last;
                last = n;
                from_previous += usize::from(*p);
            }
            LoadOutcome::Fresh { set_aside } => {
                assert!(set_aside.is_empty(), "round {round}: {outcome:?}");
                assert_eq!(last, 0, "round {round}: a saved state was lost");
            }
        }
    }
    println!(
        "{rounds} kills: {saves} saves completed in all, {from_previous} loads from the previous generation"
    );
    assert!(saves > rounds as u32, "the children hardly saved: {saves}");
}
