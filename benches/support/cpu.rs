//! CPU time of the calling thread: what a bench on a shared machine should
//! count (wall-clock time also counts the neighbours).

/// CPU time consumed by this thread, in seconds.
pub fn thread_cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// CPU times of repeated runs of one measurement.
#[derive(Debug, Default, Clone)]
pub struct Runs(pub Vec<f64>);

#[allow(dead_code)] // each bench uses its own subset
impl Runs {
    /// The fastest run: what the machine does when the neighbours leave the
    /// caches alone.
    pub fn best(&self) -> f64 {
        self.0.iter().copied().fold(f64::INFINITY, f64::min)
    }

    /// The middle run: what it did this time.
    pub fn median(&self) -> f64 {
        let mut r = self.0.clone();
        r.sort_by(f64::total_cmp);
        r[r.len() / 2]
    }
}
