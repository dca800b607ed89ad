//! Flush denormals to zero for the duration of a processing call.
//!
//! Recursive filters and reverb tails decay into the subnormal range, where
//! x86 arithmetic gets up to a hundred times slower. The guard sets the CPU's
//! flush-to-zero and denormals-are-zero modes on entry and restores the
//! caller's mode on drop. Setting the control register is an ordinary
//! instruction, not a system call, so this is safe on the audio thread.

/// While alive, denormal results and inputs are treated as zero on this thread.
pub struct FlushDenormals {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    saved: usize,
}

#[cfg(target_arch = "x86_64")]
mod arch {
    const FTZ_DAZ: u32 = 0x8040;

    pub fn enter() -> usize {
        let mut csr: u32 = 0;
        // SAFETY: stmxcsr/ldmxcsr only read and write the SSE control register
        // of this thread; SSE is part of the x86_64 baseline.
        unsafe {
            std::arch::asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack));
            let new = csr | FTZ_DAZ;
            std::arch::asm!("ldmxcsr [{}]", in(reg) &new, options(nostack, readonly));
        }
        csr as usize
    }

    pub fn leave(saved: usize) {
        let csr = saved as u32;
        // SAFETY: restores the value read in `enter`.
        unsafe { std::arch::asm!("ldmxcsr [{}]", in(reg) &csr, options(nostack, readonly)) };
    }
}

#[cfg(target_arch = "aarch64")]
mod arch {
    const FZ: usize = 1 << 24;

    pub fn enter() -> usize {
        let fpcr: usize;
        // SAFETY: reads and writes this thread's floating-point control register.
        unsafe {
            std::arch::asm!("mrs {}, fpcr", out(reg) fpcr, options(nomem, nostack));
            std::arch::asm!("msr fpcr, {}", in(reg) fpcr | FZ, options(nomem, nostack));
        }
        fpcr
    }

    pub fn leave(saved: usize) {
        // SAFETY: restores the value read in `enter`.
        unsafe { std::arch::asm!("msr fpcr, {}", in(reg) saved, options(nomem, nostack)) };
    }
}

impl FlushDenormals {
    #[inline]
    pub fn new() -> Self {
        #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
        {
            FlushDenormals {
                saved: arch::enter(),
            }
        }
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        {
            FlushDenormals {}
        }
    }
}

impl Default for FlushDenormals {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for FlushDenormals {
    #[inline]
    fn drop(&mut self) {
        #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
        arch::leave(self.saved);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    fn subnormals_flush_inside_and_not_after() {
        let tiny = std::hint::black_box(f32::MIN_POSITIVE);
        {
            let _g = FlushDenormals::new();
            let r = std::hint::black_box(tiny) * std::hint::black_box(0.5);
            assert_eq!(r, 0.0);
        }
        let r = std::hint::black_box(tiny) * std::hint::black_box(0.5);
        assert!(r > 0.0);
    }
}
