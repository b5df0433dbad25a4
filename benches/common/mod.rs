//! Settings every bench shares: few samples and short measurement windows, so
//! the whole suite runs on demand in minutes at the sizes users work at.

use criterion::Criterion;
use std::time::Duration;

/// 10 samples (criterion's minimum), 1 s warm-up, 5 s measurement. An
/// iteration longer than the window still runs 10 times: criterion then says
/// how long it needed.
pub fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
}
