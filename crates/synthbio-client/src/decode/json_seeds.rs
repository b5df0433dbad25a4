//! The serde seeds that read parts of a result output from their text: counts
//! in their three encodings, latents, and objects in document order.

use super::builder::{count_from_f64, count_from_i64, count_from_u64, CountsSource, ResultBuilder};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use synthbio_core::LatentBlock;

/// `counts` in any of its three encodings.
pub(crate) struct Counts<'a> {
    pub b: &'a mut ResultBuilder,
    pub source: CountsSource,
    pub row: usize,
}

impl<'de> DeserializeSeed<'de> for Counts<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Counts<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("counts: a list, {\"counts\": [...]}, or a map gene id -> count")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Counts { b, source, row } = self;
        if !b.begin_counts(source) {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let mut j = 0usize;
        while let Some(v) = seq.next_element_seed(Count { row, j })? {
            b.push_count(v);
            j += 1;
        }
        b.end_dense().map_err(de::Error::custom)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Counts { b, source, row } = self;
        let Some(first) = map.next_key::<String>()? else {
            // `{}`: R's empty list, i.e. no counts.
            return Ok(());
        };
        if first == "counts" {
            map.next_value_seed(Counts {
                b: &mut *b,
                source,
                row,
            })?;
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        if !b.begin_counts(source) {
            map.next_value::<IgnoredAny>()?;
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        b.begin_sparse();
        let mut key = Some(first);
        let mut j = 0usize;
        while let Some(gene) = key {
            let v = map.next_value_seed(Count { row, j })?;
            b.sparse_entry(gene, v).map_err(de::Error::custom)?;
            j += 1;
            key = map.next_key::<String>()?;
        }
        Ok(())
    }
}

/// One count, named by its output and position in errors.
struct Count {
    row: usize,
    j: usize,
}

impl Count {
    fn check<E: de::Error>(&self, r: Result<u32, String>) -> Result<u32, E> {
        r.map_err(|m| E::custom(format!("outputs[{}].counts[{}]: {m}", self.row, self.j)))
    }
}

impl<'de> DeserializeSeed<'de> for Count {
    type Value = u32;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u32, D::Error> {
        d.deserialize_any(self)
    }
}

impl Visitor<'_> for Count {
    type Value = u32;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a count at outputs[{}].counts[{}]", self.row, self.j)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
        self.check(count_from_u64(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
        self.check(count_from_i64(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u32, E> {
        self.check(count_from_f64(v))
    }
}

/// `latents`: `{"biological": [...], "technical": [...], "perturbation": [...]}`.
pub(crate) struct LatentsSeed<'a> {
    pub b: &'a mut ResultBuilder,
    pub row: usize,
}

impl<'de> DeserializeSeed<'de> for LatentsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LatentsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(
            "latents: {\"biological\": [...], \"technical\": [...], \"perturbation\": [...]}",
        )
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let LatentsSeed { b, row } = self;
        while let Some(key) = map.next_key::<String>()? {
            let Some(block) = LatentBlock::ALL.into_iter().find(|k| k.as_str() == key) else {
                // A block the client does not know: kept raw as `latents.<key>`.
                let value: serde_json::Value = map.next_value()?;
                b.output_field(row, &format!("latents.{key}"), value);
                continue;
            };
            let buf = b.latent_buffer(block, row).map_err(de::Error::custom)?;
            let start = buf.len();
            map.next_value_seed(Floats(buf))?;
            b.end_latent_row(block, row, start)
                .map_err(de::Error::custom)?;
        }
        Ok(())
    }
}

struct Floats<'a>(&'a mut Vec<f64>);

impl<'de> DeserializeSeed<'de> for Floats<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Floats<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of numbers")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(v) = seq.next_element::<f64>()? {
            self.0.push(v);
        }
        Ok(())
    }
}

/// A JSON object read in document order (serde_json's own map sorts its keys).
pub(crate) struct Ordered<T>(pub Vec<(String, T)>);

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}
