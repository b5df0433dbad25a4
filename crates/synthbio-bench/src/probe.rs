//! The process's peak memory, and a memory-bandwidth probe: the physical limit
//! of the streaming kernels (CPM reads each count once and writes each value once).

use rayon::prelude::*;
use std::time::Instant;

/// Peak resident memory of this process in bytes (`VmHWM` of
/// `/proc/self/status`); `None` where that file does not exist (not Linux).
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// One bandwidth measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bandwidth {
    /// Bytes read plus bytes written per copy.
    pub bytes_moved: u64,
    /// Fastest copy, seconds.
    pub seconds: f64,
}

impl Bandwidth {
    /// Bytes moved per second, in GB/s (10^9).
    pub fn gb_per_s(&self) -> f64 {
        self.bytes_moved as f64 / self.seconds / 1e9
    }
}

/// Copies a buffer of `bytes` bytes into another (already written, so no page
/// faults are timed) on all of rayon's threads, `repeat` times; returns the
/// fastest copy. Read + write bytes count as moved, as `STREAM`'s copy does.
pub fn copy_bandwidth(bytes: usize, repeat: usize) -> Bandwidth {
    let n = bytes / 8;
    let src: Vec<f64> = (0..n).into_par_iter().map(|i| i as f64).collect();
    let mut dst = vec![1.0f64; n];
    let chunk = (n / (4 * rayon::current_num_threads()).max(1)).max(1);
    let mut best = f64::INFINITY;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        dst.par_chunks_mut(chunk)
            .zip(src.par_chunks(chunk))
            .for_each(|(d, s)| d.copy_from_slice(s));
        best = best.min(t.elapsed().as_secs_f64());
        std::hint::black_box(&dst);
    }
    Bandwidth {
        bytes_moved: 2 * (n * 8) as u64,
        seconds: best,
    }
}

/// Allocates a fresh buffer of `bytes` bytes and writes every byte once on all
/// of rayon's threads, `repeat` times (a new buffer each time); returns the
/// fastest. This is the floor of any kernel that returns a new matrix: the
/// kernel must fault in and zero each page of its output before writing it,
/// which costs far more than the copy of [`copy_bandwidth`] on a virtual machine.
pub fn first_touch(bytes: usize, repeat: usize) -> Bandwidth {
    let n = bytes / 8;
    let chunk = (n / (4 * rayon::current_num_threads()).max(1)).max(1);
    let mut best = f64::INFINITY;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let mut fresh = vec![0.0f64; n];
        fresh.par_chunks_mut(chunk).for_each(|d| d.fill(1.0));
        best = best.min(t.elapsed().as_secs_f64());
        std::hint::black_box(&fresh);
    }
    Bandwidth {
        bytes_moved: (n * 8) as u64,
        seconds: best,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_memory_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            let before = peak_rss_bytes().expect("VmHWM on Linux");
            let v = vec![1u8; 64 << 20];
            std::hint::black_box(&v);
            assert!(peak_rss_bytes().unwrap() >= before.max(64 << 20));
        }
    }

    #[test]
    fn bandwidth_counts_read_and_written_bytes() {
        let b = copy_bandwidth(1 << 20, 2);
        assert_eq!(b.bytes_moved, 2 << 20);
        assert!(b.gb_per_s() > 0.0 && b.gb_per_s().is_finite());
    }

    #[test]
    fn first_touch_counts_written_bytes() {
        let b = first_touch(1 << 20, 2);
        assert_eq!(b.bytes_moved, 1 << 20);
        assert!(b.gb_per_s() > 0.0 && b.gb_per_s().is_finite());
    }
}
