//! The element types accepted as counts and produced as normalized values.

use ndarray::NdFloat;

mod sealed {
    pub trait Sealed {}
    impl Sealed for u32 {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A count type: `u32` (always valid), or `f32` / `f64` (valid when finite and >= 0,
/// so expected counts such as salmon's are accepted).
pub trait CountValue: Copy + Send + Sync + 'static + sealed::Sealed {
    /// The value as `f64` when it is a valid count.
    fn to_count(self) -> Option<f64>;
    /// The value as `f64`, whatever it is (for error messages).
    fn raw(self) -> f64;
    /// The value as an index below `size`, if it is that whole number.
    fn count_index(self, size: usize) -> Option<usize>;

    /// The sum of a contiguous row, or the position of its first invalid count.
    fn sum_slice(src: &[Self]) -> Result<f64, usize> {
        let mut s = 0.0;
        for (j, &c) in src.iter().enumerate() {
            s += c.to_count().ok_or(j)?;
        }
        Ok(s)
    }
}

impl CountValue for u32 {
    #[inline]
    fn to_count(self) -> Option<f64> {
        Some(f64::from(self))
    }
    fn raw(self) -> f64 {
        f64::from(self)
    }
    #[inline]
    fn count_index(self, size: usize) -> Option<usize> {
        let i = self as usize;
        (i < size).then_some(i)
    }
    // Integer sums are exact and vectorize; every u32 is a valid count.
    fn sum_slice(src: &[Self]) -> Result<f64, usize> {
        Ok(src.iter().map(|&x| u64::from(x)).sum::<u64>() as f64)
    }
}

/// Float rows: sum without a branch per element, then look for the bad value only if one
/// was seen.
macro_rules! float_count {
    ($t:ty) => {
        impl CountValue for $t {
            #[inline]
            fn to_count(self) -> Option<f64> {
                (self.is_finite() && self >= 0.0).then_some(f64::from(self))
            }
            fn raw(self) -> f64 {
                f64::from(self)
            }
            #[inline]
            fn count_index(self, size: usize) -> Option<usize> {
                // `as` saturates (NaN -> 0); the comparison keeps only exact whole numbers.
                let i = self as usize;
                (i < size && i as $t == self).then_some(i)
            }
            fn sum_slice(src: &[Self]) -> Result<f64, usize> {
                let mut s = 0.0;
                let mut ok = true;
                for &c in src {
                    let v = f64::from(c);
                    ok &= (0.0..f64::INFINITY).contains(&v);
                    s += v;
                }
                if ok {
                    Ok(s)
                } else {
                    Err(first_invalid(src))
                }
            }
        }
    };
}
float_count!(f32);
float_count!(f64);

fn first_invalid<T: CountValue>(src: &[T]) -> usize {
    src.iter().position(|c| c.to_count().is_none()).unwrap_or(0)
}

/// An output float: `f64`, or `f32` to halve memory on large matrices.
pub trait Real: NdFloat + CountValue {
    /// Conversion from `f64` (rounding for `f32`).
    fn from_f64(v: f64) -> Self;
}

impl Real for f32 {
    #[inline]
    fn from_f64(v: f64) -> Self {
        // Rounding to the nearest f32 is the intent.
        v as f32
    }
}

impl Real for f64 {
    #[inline]
    fn from_f64(v: f64) -> Self {
        v
    }
}
