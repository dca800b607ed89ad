//! Giving freed memory back to the system after a large release.
//!
//! glibc keeps the pages of freed blocks in its arenas for reuse, so a
//! daemon that let go of a few hundred megabytes (the takes of an A/B)
//! would go on holding them. Asking it to trim returns them; it walks the
//! arenas, so it is for rare, large releases on the control thread only.

/// Return the free pages of every malloc arena to the system (glibc; a
/// no-op elsewhere).
pub fn release_free_pages() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only reorganises the allocator's own free lists;
    // it takes the arena locks itself and touches no memory we own.
    unsafe {
        libc::malloc_trim(0);
    }
}
