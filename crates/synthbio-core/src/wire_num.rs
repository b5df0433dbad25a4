//! Tolerant readers for the number and list shapes the protocol allows:
//! whole-number floats (`10.0`), R's one-element scalars and R's `{}` for `[]`.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;

/// Reads a non-negative whole number given as an integer or a whole float.
pub(crate) fn whole_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a non-negative whole number")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v)
                .map_err(|_| E::custom(format!("{v} is negative; use a whole number >= 0")))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            // 2^64 is exactly representable; anything at or above it does not fit.
            if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v < 18_446_744_073_709_551_616.0 {
                Ok(v as u64)
            } else {
                Err(E::custom(format!("{v} is not a non-negative whole number")))
            }
        }
    }
    d.deserialize_any(V)
}

/// [`whole_u64`] for an optional field.
pub(crate) fn opt_whole_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    struct W(#[serde(deserialize_with = "whole_u64")] u64);
    Ok(Option::<W>::deserialize(d)?.map(|w| w.0))
}

/// Reads a list that may also come as one bare value (R's scalar) or as `{}` (R's empty list).
pub(crate) fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list, a single value, or {} for an empty list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
            while let Some(v) = seq.next_element()? {
                out.push(v);
            }
            Ok(out)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
            match map.next_key::<de::IgnoredAny>()? {
                None => Ok(Vec::new()),
                Some(_) => Err(de::Error::custom(
                    "expected a list, found a non-empty object",
                )),
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<T>, E> {
            T::deserialize(de::value::StrDeserializer::new(v)).map(|x| vec![x])
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Vec<T>, E> {
            self.visit_str(&v)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Vec<T>, E> {
            T::deserialize(de::value::U64Deserializer::new(v)).map(|x| vec![x])
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Vec<T>, E> {
            T::deserialize(de::value::I64Deserializer::new(v)).map(|x| vec![x])
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Vec<T>, E> {
            T::deserialize(de::value::F64Deserializer::new(v)).map(|x| vec![x])
        }
    }
    d.deserialize_any(V(PhantomData))
}

/// [`one_or_many`] for an optional field.
pub(crate) fn opt_one_or_many<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(bound = "T: Deserialize<'de>")]
    struct W<T>(#[serde(deserialize_with = "one_or_many")] Vec<T>);
    Ok(Option::<W<T>>::deserialize(d)?.map(|w| w.0))
}

/// Writes counts as JSON integers when they are whole (they are, once validated).
pub(crate) fn counts_as_integers<S: serde::Serializer>(
    counts: &Option<Vec<f64>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let Some(counts) = counts else {
        return s.serialize_none();
    };
    let mut seq = s.serialize_seq(Some(counts.len()))?;
    for &c in counts {
        if c.fract() == 0.0 && c >= 0.0 && c <= u64::MAX as f64 {
            seq.serialize_element(&(c as u64))?;
        } else {
            seq.serialize_element(&c)?;
        }
    }
    seq.end()
}
