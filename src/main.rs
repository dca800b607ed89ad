// In debug builds every allocation inside the audio callback aborts
// (the backends wrap their callbacks in `assert_no_alloc`).
#[cfg(debug_assertions)]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

fn main() -> std::process::ExitCode {
    mixbridge::cli::main()
}
