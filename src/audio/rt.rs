//! Real-time scheduling for audio threads.
//!
//! An audio thread that the kernel may preempt for any ordinary process
//! drops out under load. We ask for `SCHED_FIFO` once per thread, at stream
//! start: on the dummy's own thread before its loop, and on cpal's ALSA and
//! PipeWire threads from their first callback (cpal creates those threads, so
//! the first callback is the first moment we run on them). JACK schedules its
//! client threads itself (real-time exactly when the server runs with `-R`),
//! so there we only look. These are the only system calls on an audio thread
//! and each happens once.
//!
//! Permission comes from `RLIMIT_RTPRIO` (systemd `LimitRTPRIO=`, or
//! `@audio - rtprio 95` in limits.conf) or CAP_SYS_NICE; without it the
//! request fails and [`StreamInfo::realtime`](super::StreamInfo) says so.

/// The priority asked for, the usual one for audio threads (above the
/// kernel's threaded interrupt handlers at 50); lowered to RLIMIT_RTPRIO
/// when that is smaller.
const PRIORITY: libc::c_int = 70;

/// Whether the calling thread runs under a real-time policy.
pub(super) fn is_realtime() -> bool {
    // SAFETY: sched_getscheduler(0) queries the calling thread; no pointers.
    let policy = unsafe { libc::sched_getscheduler(0) };
    policy == libc::SCHED_FIFO || policy == libc::SCHED_RR
}

/// Put the calling thread under `SCHED_FIFO` unless it already is real-time.
/// Returns whether it runs real-time afterwards.
pub(super) fn promote_current_thread() -> bool {
    if is_realtime() {
        return true;
    }
    // SAFETY: plain queries of scheduler limits; no pointers.
    let (lo, hi) = unsafe {
        (
            libc::sched_get_priority_min(libc::SCHED_FIFO),
            libc::sched_get_priority_max(libc::SCHED_FIFO),
        )
    };
    let mut priority = PRIORITY.clamp(lo, hi);
    if let Some(limit) = rtprio_limit() {
        if limit > 0 && limit < priority {
            priority = limit.max(lo);
        }
    }
    let param = libc::sched_param {
        sched_priority: priority,
    };
    // SAFETY: `param` is a valid sched_param for the duration of the call;
    // pid 0 is the calling thread.
    unsafe { libc::sched_setscheduler(0, libc::SCHED_FIFO, &param) == 0 }
}

/// The soft RLIMIT_RTPRIO, when it can be read.
fn rtprio_limit() -> Option<libc::c_int> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid rlimit to write into.
    if unsafe { libc::getrlimit(libc::RLIMIT_RTPRIO, &mut lim) } != 0 {
        return None;
    }
    Some(lim.rlim_cur.min(libc::c_int::MAX as libc::rlim_t) as libc::c_int)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotion_result_matches_the_policy_afterwards() {
        // Run on a scratch thread so the test runner's threads keep their policy.
        let (got, now) = std::thread::spawn(|| (promote_current_thread(), is_realtime()))
            .join()
            .unwrap();
        assert_eq!(got, now);
    }
}
