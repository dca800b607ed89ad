//! `a * b + c` in one instruction where the CPU has FMA.
//!
//! Why a trait of our own: `f32::mul_add` and `f64::mul_add` promise a single
//! rounding, so without the FMA target feature they become a call to a slow
//! software routine. [`MulAdd::madd`] is fused where the build targets FMA
//! (the default build targets the machine it runs on) and a plain multiply
//! and add elsewhere. The rounding therefore depends on the build target;
//! within one build every path that must agree bit for bit (a track alone
//! and in a group's lane) uses the same operations.

use super::lanes::Lanes;

pub trait MulAdd: Copy {
    /// `self * b + c`.
    fn madd(self, b: Self, c: Self) -> Self;
}

macro_rules! scalar {
    ($t:ty) => {
        impl MulAdd for $t {
            #[inline(always)]
            fn madd(self, b: Self, c: Self) -> Self {
                #[cfg(target_feature = "fma")]
                {
                    self.mul_add(b, c)
                }
                #[cfg(not(target_feature = "fma"))]
                {
                    self * b + c
                }
            }
        }
    };
}
scalar!(f32);
scalar!(f64);

impl<T: MulAdd> MulAdd for Lanes<T> {
    #[inline(always)]
    fn madd(self, b: Self, c: Self) -> Self {
        Lanes(std::array::from_fn(|i| self.0[i].madd(b.0[i], c.0[i])))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiplies_and_adds() {
        assert_eq!(3.0f32.madd(4.0, 0.5), 12.5);
        assert_eq!(
            Lanes::splat(-2.0f64)
                .madd(Lanes::splat(3.0), Lanes::splat(1.0))
                .0,
            [-5.0; 8]
        );
    }
}
