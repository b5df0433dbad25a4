//! Byte budgets: memory for predictions in progress, disk for stored results.
//!
//! A job reserves its estimated memory before it runs and gives it back once
//! its result is on disk, so predictions in progress never together exceed
//! [`crate::ServerConfig::max_memory_bytes`]; finished results live on disk,
//! not in memory. New queries are refused (503) while stored results and the
//! estimates of jobs in progress reach [`crate::ServerConfig::max_disk_bytes`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use synthbio_core::{Family, ModelInfo, Query};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Memory is reserved in units of this many bytes (a semaphore counts in `u32`).
const UNIT: u64 = 1 << 20;

/// Bytes of memory one sample takes per gene while predicted and written out:
/// the `u32` counts (4) and headroom for the decoder's per-chunk buffers and
/// the allocator. Measured with the local engine: 4.6 (a 5,000-sample bulk
/// query raised the peak resident memory by 422 MiB; benches/README.md,
/// "Server durability").
const MEMORY_PER_GENE: u64 = 6;
/// Bytes of result JSON per sample and gene: a count and a comma (measured 3.2
/// for bulk mean estimation at the default library size).
const DISK_PER_GENE: u64 = 5;
/// Per-sample overhead: metadata, latents, ids.
const PER_SAMPLE: u64 = 4_096;

/// What a query is expected to take, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Estimate {
    /// Memory while it runs and its result is written.
    pub(crate) memory: u64,
    /// Its result file.
    pub(crate) disk: u64,
}

/// The estimate for running `query` on `model`.
pub(crate) fn estimate(model: &ModelInfo, query: &Query) -> Estimate {
    let samples = match model.family {
        Family::MetadataPrediction => query.inputs.len() as u64,
        Family::Baseline | Family::ReferenceConditioning => query.total_samples(),
    }
    .max(1);
    let genes = model.n_genes as u64;
    let dims = &model.latent_dims;
    let latents = (dims.biological + dims.technical + dims.perturbation) as u64 * 8;
    let per_sample = |per_gene: u64| {
        genes
            .saturating_mul(per_gene)
            .saturating_add(latents)
            .saturating_add(PER_SAMPLE)
    };
    Estimate {
        memory: samples.saturating_mul(per_sample(MEMORY_PER_GENE)),
        disk: samples.saturating_mul(per_sample(DISK_PER_GENE)),
    }
}

/// The memory for predictions in progress.
#[derive(Debug)]
pub(crate) struct MemoryBudget {
    units: Arc<Semaphore>,
    total: u64,
}

impl MemoryBudget {
    /// A budget of `bytes` (at least one unit).
    pub(crate) fn new(bytes: u64) -> Self {
        let units = (bytes / UNIT).clamp(1, u64::from(u32::MAX >> 3));
        MemoryBudget {
            units: Arc::new(Semaphore::new(units as usize)),
            total: units * UNIT,
        }
    }

    /// The budget in bytes.
    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    /// Whether a job needing `bytes` can ever run.
    pub(crate) fn fits(&self, bytes: u64) -> bool {
        bytes <= self.total
    }

    /// Waits until `bytes` are free and reserves them until the permit is dropped.
    /// A request over the whole budget waits for all of it (callers refuse
    /// those first with [`MemoryBudget::fits`]).
    pub(crate) async fn reserve(&self, bytes: u64) -> Option<OwnedSemaphorePermit> {
        let units = bytes.div_ceil(UNIT).clamp(1, self.total / UNIT);
        let units = u32::try_from(units).unwrap_or(u32::MAX);
        Arc::clone(&self.units).acquire_many_owned(units).await.ok()
    }
}

/// The disk taken by results, and reserved by jobs in progress.
#[derive(Debug)]
pub(crate) struct DiskBudget {
    used: AtomicU64,
    total: u64,
}

impl DiskBudget {
    /// A budget of `bytes`, `used` of them already taken.
    pub(crate) fn new(bytes: u64, used: u64) -> Self {
        DiskBudget {
            used: AtomicU64::new(used),
            total: bytes,
        }
    }

    /// The budget in bytes.
    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    /// Bytes taken or reserved.
    pub(crate) fn used(&self) -> u64 {
        self.used.load(Ordering::SeqCst)
    }

    /// Reserves `bytes` unless the budget is already full; `false` when full.
    /// One job may go over what is left, so a query never waits forever on a
    /// near-full disk budget that it alone would exceed.
    pub(crate) fn try_reserve(&self, bytes: u64) -> bool {
        self.used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                (used < self.total).then(|| used.saturating_add(bytes))
            })
            .is_ok()
    }

    /// Replaces a reservation of `reserved` bytes by the `actual` size written.
    pub(crate) fn settle(&self, reserved: u64, actual: u64) {
        self.adjust(|u| u.saturating_sub(reserved).saturating_add(actual));
    }

    /// Gives back `bytes` (a result deleted, or a reservation not used).
    pub(crate) fn release(&self, bytes: u64) {
        self.adjust(|u| u.saturating_sub(bytes));
    }

    fn adjust(&self, f: impl Fn(u64) -> u64) {
        // The closure always returns Some, so the update cannot fail.
        let _ = self
            .used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |u| Some(f(u)));
    }
}

/// The default memory budget: a quarter of this machine's RAM (`MemTotal` of
/// `/proc/meminfo`), or 1 GiB where that cannot be read (logged).
pub fn default_max_memory() -> u64 {
    match std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| mem_total(&text))
    {
        Some(total) => total / 4,
        None => {
            tracing::warn!("cannot read MemTotal from /proc/meminfo; the memory budget is 1 GiB");
            1 << 30
        }
    }
}

/// `MemTotal` in bytes from the text of `/proc/meminfo` (a two-line parse,
/// where a system-information crate would add many dependencies).
fn mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut parts = line.split_whitespace().skip(1);
    let kib: u64 = parts.next()?.parse().ok()?;
    (parts.next() == Some("kB")).then(|| kib.saturating_mul(1024))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_mem_total() {
        let text = "MemTotal:       24589868 kB\nMemFree:        1 kB\n";
        assert_eq!(mem_total(text), Some(24_589_868 * 1024));
        assert_eq!(mem_total("MemFree: 1 kB\n"), None);
        assert_eq!(mem_total("MemTotal: x kB\n"), None);
        assert!(default_max_memory() > 0);
    }

    #[test]
    fn disk_budget_refuses_once_full_and_settles() {
        let d = DiskBudget::new(100, 0);
        assert!(d.try_reserve(60));
        assert!(d.try_reserve(60));
        assert_eq!(d.used(), 120);
        assert!(!d.try_reserve(1));
        d.settle(60, 10);
        assert_eq!(d.used(), 70);
        assert!(d.try_reserve(1));
        d.release(71);
        assert_eq!(d.used(), 0);
    }

    #[tokio::test]
    async fn memory_budget_holds_until_released() {
        let m = MemoryBudget::new(10 * UNIT);
        assert!(m.fits(10 * UNIT) && !m.fits(10 * UNIT + 1));
        let a = m.reserve(6 * UNIT).await.unwrap();
        assert_eq!(m.units.available_permits(), 4);
        drop(a);
        assert_eq!(m.units.available_permits(), 10);
        let whole = m.reserve(u64::MAX).await.unwrap();
        assert_eq!(m.units.available_permits(), 0);
        drop(whole);
    }
}
