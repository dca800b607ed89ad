//! A one-slot, wait-free handover of a boxed value to the audio thread.
//!
//! The engine must reach the output callback only once its stream is really
//! running: if building or starting a stream fails, the control side takes
//! the engine back (so `Auto` can fall back to the dummy with the same
//! engine). The callback takes the value with one atomic swap; the control
//! side can take it back the same way as long as the callback has not.

use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Arc;

pub(super) struct Handoff<T> {
    slot: Arc<AtomicPtr<T>>,
}

impl<T> Handoff<T> {
    pub fn new() -> Handoff<T> {
        Handoff {
            slot: Arc::new(AtomicPtr::new(ptr::null_mut())),
        }
    }

    /// Put `value` in the slot (replacing and dropping any value not yet taken).
    pub fn give(&self, value: Box<T>) {
        drop(self.reclaim());
        self.slot.store(Box::into_raw(value), Ordering::Release);
    }

    /// Take the value back if nobody took it yet. Not for the audio thread
    /// (the caller drops what it gets).
    pub fn reclaim(&self) -> Option<Box<T>> {
        take(&self.slot)
    }

    /// The receiving end, for the callback.
    pub fn receiver(&self) -> Receiver<T> {
        Receiver {
            slot: self.slot.clone(),
        }
    }
}

impl<T> Drop for Handoff<T> {
    fn drop(&mut self) {
        drop(self.reclaim());
    }
}

/// The callback's end: [`Receiver::take`] is one atomic swap.
pub(super) struct Receiver<T> {
    slot: Arc<AtomicPtr<T>>,
}

impl<T> Receiver<T> {
    pub fn take(&self) -> Option<Box<T>> {
        take(&self.slot)
    }
}

// SAFETY (of the Send impls): the pointer is only ever dereferenced by the
// single party that swapped it out of the slot, which then owns the box.
unsafe impl<T: Send> Send for Handoff<T> {}
unsafe impl<T: Send> Send for Receiver<T> {}

fn take<T>(slot: &AtomicPtr<T>) -> Option<Box<T>> {
    let p = slot.swap(ptr::null_mut(), Ordering::Acquire);
    if p.is_null() {
        None
    } else {
        // SAFETY: every non-null pointer in the slot came from Box::into_raw in
        // `give`, and the swap hands it to exactly one taker.
        Some(unsafe { Box::from_raw(p) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_goes_to_exactly_one_taker() {
        let h = Handoff::new();
        let r = h.receiver();
        assert!(r.take().is_none());
        h.give(Box::new(7));
        assert_eq!(r.take().as_deref(), Some(&7));
        assert!(h.reclaim().is_none());
        h.give(Box::new(8));
        assert_eq!(h.reclaim().as_deref(), Some(&8));
        assert!(r.take().is_none());
    }

    #[test]
    fn untaken_value_is_dropped_with_the_handoff() {
        let v = Arc::new(());
        let h = Handoff::new();
        h.give(Box::new(v.clone()));
        assert_eq!(Arc::strong_count(&v), 2);
        drop(h);
        assert_eq!(Arc::strong_count(&v), 1);
    }
}
