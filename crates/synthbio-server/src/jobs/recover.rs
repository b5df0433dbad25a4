//! Start-up after a stop or a crash: the index rebuilt from the job store.
//!
//! Finished results stay downloadable until they expire; queries accepted but
//! not finished run again from the recorded query, whose seed was fixed at
//! acceptance, so the re-run gives the same answer. A query that cannot run
//! again (its model is no longer served, its record unreadable) or a result
//! whose file is gone is marked `failed` with the reason.

use super::{Job, Jobs, State, Work};
use crate::error::ServerError;
use crate::store::{now_ms, Outcome, StoredJob};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use synthbio_core::{ModelInfo, Predictor, Query};

/// What a start found in the store.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Recovered {
    /// Results still downloadable.
    pub(crate) ready: usize,
    /// Failures still reported.
    pub(crate) failed: usize,
    /// Accepted queries started again.
    pub(crate) rerun: usize,
    /// Jobs past their retention, deleted.
    pub(crate) expired: usize,
}

impl Jobs {
    /// Loads every stored job into the index, restarts the unfinished ones,
    /// deletes expired ones and stray files in the results folder.
    pub(crate) fn recover(
        self: &Arc<Self>,
        predictor: &Arc<dyn Predictor>,
        models: &[ModelInfo],
    ) -> Result<Recovered, ServerError> {
        let stored = self.store.all().map_err(|e| {
            ServerError::State(format!(
                "cannot read the job store in {}: {e}",
                self.dir.root().display()
            ))
        })?;
        let mut found = Recovered::default();
        let (now, now_wall) = (Instant::now(), now_ms());
        let retention = self.settings.result_retention;
        for job in stored {
            let age = job
                .finished_ms
                .map(|f| Duration::from_millis(u64::try_from(now_wall - f).unwrap_or(0)));
            let finished_at = age.map(|a| now.checked_sub(a).unwrap_or(now));
            if age.is_some_and(|a| a >= retention) {
                let state = match job.outcome {
                    Outcome::Ready { bytes } => State::Ready { bytes },
                    _ => State::Failed(String::new()),
                };
                self.discard(&job.qid, &state);
                found.expired += 1;
                continue;
            }
            let state = match &job.outcome {
                Outcome::Ready { .. } => match std::fs::metadata(self.dir.result_file(&job.qid)) {
                    Ok(meta) => {
                        self.disk.settle(0, meta.len());
                        found.ready += 1;
                        State::Ready { bytes: meta.len() }
                    }
                    Err(e) => self.fail(
                        &job.qid,
                        format!(
                            "the result of this query is missing from the server's state \
                             directory ({e}); submit the query again"
                        ),
                        &mut found,
                    ),
                },
                Outcome::Failed(message) => {
                    found.failed += 1;
                    State::Failed(message.clone())
                }
                Outcome::Accepted => match rerun(&job, predictor, models) {
                    Ok(work) => {
                        let disk = super::estimate(&work.model, &work.query).disk;
                        self.disk.settle(0, disk);
                        self.table().insert(job.qid.clone(), Job::running());
                        self.start(job.qid.clone(), None, work, disk);
                        found.rerun += 1;
                        continue;
                    }
                    Err(why) => self.fail(
                        &job.qid,
                        format!(
                            "this query was accepted before the server restarted but cannot \
                             run again: {why}; submit it again"
                        ),
                        &mut found,
                    ),
                },
            };
            let finished_at = finished_at.or(Some(now));
            self.table().insert(
                job.qid,
                Job {
                    state,
                    finished_at,
                    delivered: false,
                    link: None,
                },
            );
        }
        self.remove_strays();
        Ok(found)
    }

    /// Records a failure found at start-up.
    fn fail(&self, qid: &str, message: String, found: &mut Recovered) -> State {
        if let Err(e) = self.store.finish(qid, &Outcome::Failed(message.clone())) {
            tracing::error!("cannot record a failed job in the job store: {e}");
        }
        found.failed += 1;
        State::Failed(message)
    }

    /// Deletes files in the results folder that no ready job owns: leftovers
    /// of writes cut short by a crash, or of jobs already forgotten.
    fn remove_strays(&self) {
        let owned: HashSet<String> = self
            .table()
            .iter()
            .filter(|(_, j)| matches!(j.state, State::Ready { .. }))
            .map(|(qid, _)| format!("{qid}.json"))
            .collect();
        let Ok(entries) = std::fs::read_dir(self.dir.results()) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !owned.contains(&name) {
                if let Err(e) = std::fs::remove_file(entry.path()) {
                    tracing::warn!("cannot delete {}: {e}", entry.path().display());
                }
            }
        }
    }
}

/// The work to run a stored query again, or why it cannot be.
fn rerun(
    job: &StoredJob,
    predictor: &Arc<dyn Predictor>,
    models: &[ModelInfo],
) -> Result<Work, String> {
    let model = models
        .iter()
        .find(|m| m.model_id == job.model_id)
        .ok_or_else(|| format!("the model {:?} is no longer served", job.model_id))?;
    let query: Query = serde_json::from_str(&job.query)
        .map_err(|e| format!("its recorded query could not be read ({e})"))?;
    Ok(Work {
        predictor: Arc::clone(predictor),
        model: model.clone(),
        query,
    })
}
