//! The job queue: a bounded queue in front of a bounded pool of workers, each
//! prediction on a blocking thread; the table of jobs with their results,
//! download links, retention, and what shutdown waits for.

use crate::api_error::ApiError;
use crate::token::{random_hex, secrets_equal};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use synthbio_core::{Dataset, Family, ModelId, PredictError, Predictor, Query};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// Why a prediction produced no dataset.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The predictor said no (invalid query, model error, unknown model).
    Predict(PredictError),
    /// The predictor panicked; the payload's text.
    Panic(String),
    /// The server stopped before the job finished.
    Shutdown,
}

impl Failure {
    /// The message a client sees (`status: failed`, or an error body).
    pub(crate) fn message(&self) -> String {
        match self {
            Failure::Predict(e) => e.to_string(),
            Failure::Panic(p) => format!(
                "the model crashed while running this query ({p}); the server is still up: \
                 check the query, and report it if it is valid"
            ),
            Failure::Shutdown => {
                "the server shut down before this job finished; submit the query again".into()
            }
        }
    }
}

/// What a ready job holds: the dataset and what is needed to write it out.
#[derive(Debug, Clone)]
pub(crate) struct Ready {
    /// The predicted dataset.
    pub(crate) dataset: Arc<Dataset>,
    /// The model's family (decides the result's shape).
    pub(crate) family: Family,
    /// The version reported when the dataset carries none.
    pub(crate) model_version: String,
}

#[derive(Debug)]
enum State {
    Running,
    Ready(Ready),
    Failed(String),
}

#[derive(Debug)]
struct Link {
    token: String,
    expires: Instant,
}

#[derive(Debug)]
struct Job {
    state: State,
    finished_at: Option<Instant>,
    /// The client has its answer: the result downloaded in full, or the failure reported.
    delivered: bool,
    link: Option<Link>,
}

/// What `GET /api/model-queries/{qid}/status` reports.
#[derive(Debug)]
pub(crate) enum Status {
    /// Queued or running.
    Running,
    /// Done; download with this token.
    Ready {
        /// The download token for `?token=`.
        token: String,
    },
    /// Failed with this message.
    Failed(String),
}

/// Settings of the queue, from the server config.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JobSettings {
    pub(crate) workers: usize,
    pub(crate) max_queued_jobs: usize,
    pub(crate) max_kept_jobs: usize,
    pub(crate) result_retention: Duration,
    pub(crate) download_link_ttl: Duration,
}

/// The queue, the worker pool and the job table.
#[derive(Debug)]
pub(crate) struct Jobs {
    table: Mutex<HashMap<String, Job>>,
    /// Signalled whenever a job finishes or is delivered.
    changed: Notify,
    queue_slots: Arc<Semaphore>,
    workers: Arc<Semaphore>,
    draining: AtomicBool,
    settings: JobSettings,
}

impl Jobs {
    /// An empty queue.
    pub(crate) fn new(settings: JobSettings) -> Self {
        Jobs {
            table: Mutex::new(HashMap::new()),
            changed: Notify::new(),
            queue_slots: Arc::new(Semaphore::new(settings.max_queued_jobs)),
            workers: Arc::new(Semaphore::new(settings.workers)),
            draining: AtomicBool::new(false),
            settings,
        }
    }

    fn table(&self) -> MutexGuard<'_, HashMap<String, Job>> {
        // No code panics while holding the lock; if one ever did, the table is still consistent.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes a place in the queue, or answers 503 when it is full or the server is stopping.
    pub(crate) fn reserve(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        if self.draining.load(Ordering::SeqCst) {
            return Err(ApiError::unavailable(
                "the server is shutting down and takes no new queries; try again after it restarts",
            ));
        }
        self.queue_slots.clone().try_acquire_owned().map_err(|_| {
            ApiError::unavailable(format!(
                "the job queue is full ({} queries waiting); retry later",
                self.settings.max_queued_jobs
            ))
        })
    }

    /// Waits for a worker, then runs the prediction on a blocking thread.
    ///
    /// The queue place is given back when the job starts; the worker is held
    /// until the prediction ends, even if the caller stops waiting.
    pub(crate) async fn run(
        &self,
        slot: OwnedSemaphorePermit,
        predictor: Arc<dyn Predictor>,
        model: ModelId,
        query: Query,
    ) -> Result<Dataset, Failure> {
        let worker = Arc::clone(&self.workers)
            .acquire_owned()
            .await
            .map_err(|_| Failure::Shutdown)?;
        drop(slot);
        let task = tokio::task::spawn_blocking(move || {
            let result = predictor.predict(&model, &query);
            drop(worker);
            result
        });
        match task.await {
            Ok(result) => result.map_err(Failure::Predict),
            Err(e) if e.is_panic() => Err(Failure::Panic(panic_text(e.into_panic()))),
            Err(_) => Err(Failure::Shutdown),
        }
    }

    /// Accepts a job: records it as running and starts it; returns its query id.
    ///
    /// When [`JobSettings::max_kept_jobs`] jobs are kept, collected results are
    /// forgotten oldest first; if none can be, the job is refused with 503.
    pub(crate) fn submit(
        self: &Arc<Self>,
        slot: OwnedSemaphorePermit,
        predictor: Arc<dyn Predictor>,
        model: ModelId,
        family: Family,
        model_version: String,
        query: Query,
    ) -> Result<String, ApiError> {
        let qid = random_hex();
        {
            let mut table = self.table();
            let max = self.settings.max_kept_jobs;
            if table.len() >= max {
                self.make_room(&mut table, max - 1);
            }
            if table.len() >= max {
                return Err(ApiError::unavailable(format!(
                    "this server keeps at most {max} jobs and none of their results has been \
                     collected yet; retry later"
                )));
            }
            table.insert(
                qid.clone(),
                Job {
                    state: State::Running,
                    finished_at: None,
                    delivered: false,
                    link: None,
                },
            );
        }
        let jobs = Arc::clone(self);
        let id = qid.clone();
        tokio::spawn(async move {
            let outcome = jobs.run(slot, predictor, model.clone(), query).await;
            let state = match outcome {
                Ok(dataset) => State::Ready(Ready {
                    dataset: Arc::new(dataset),
                    family,
                    model_version,
                }),
                Err(failure) => {
                    tracing::warn!(model = %model, "job failed: {}", failure.message());
                    State::Failed(failure.message())
                }
            };
            jobs.finish(&id, state);
        });
        Ok(qid)
    }

    /// Forgets expired jobs, then collected ones oldest first, until at most
    /// `keep` remain or only uncollected ones are left.
    fn make_room(&self, table: &mut HashMap<String, Job>, keep: usize) {
        self.prune_locked(table, Instant::now());
        if table.len() <= keep {
            return;
        }
        let mut collected: Vec<(Instant, String)> = table
            .iter()
            .filter(|(_, j)| j.delivered)
            .filter_map(|(id, j)| j.finished_at.map(|t| (t, id.clone())))
            .collect();
        collected.sort_unstable();
        let excess = table.len() - keep;
        for (_, id) in collected.into_iter().take(excess) {
            table.remove(&id);
        }
    }

    /// Records a job's outcome, unless shutdown already marked it failed.
    fn finish(&self, qid: &str, state: State) {
        if let Some(job) = self.table().get_mut(qid) {
            if matches!(job.state, State::Running) {
                job.state = state;
                job.finished_at = Some(Instant::now());
            }
        }
        self.changed.notify_waiters();
    }

    /// A job's status; mints a download token for a ready job whose link is
    /// missing or expired. `None` for an unknown or expired query id.
    pub(crate) fn status(&self, qid: &str) -> Option<Status> {
        self.prune();
        let now = Instant::now();
        let ttl = self.settings.download_link_ttl;
        let mut table = self.table();
        let job = table.get_mut(qid)?;
        let status = match &job.state {
            State::Running => Status::Running,
            State::Failed(message) => {
                job.delivered = true;
                Status::Failed(message.clone())
            }
            State::Ready(_) => {
                let link = match &job.link {
                    Some(l) if l.expires > now => l,
                    _ => job.link.insert(Link {
                        token: random_hex(),
                        expires: now + ttl,
                    }),
                };
                Status::Ready {
                    token: link.token.clone(),
                }
            }
        };
        drop(table);
        self.changed.notify_waiters();
        Some(status)
    }

    /// The result behind a download link: 404 for an unknown query or one not
    /// ready, 403 for a wrong or expired token.
    pub(crate) fn download(&self, qid: &str, token: &str) -> Result<Ready, ApiError> {
        use axum::http::StatusCode;
        self.prune();
        let table = self.table();
        let gone = || {
            ApiError::new(
                StatusCode::NOT_FOUND,
                format!(
                    "no result for query {qid:?}: unknown, not ready, or removed after {} s; \
                     check GET /api/model-queries/{{qid}}/status",
                    self.settings.result_retention.as_secs()
                ),
            )
        };
        let job = table.get(qid).ok_or_else(gone)?;
        let State::Ready(ready) = &job.state else {
            return Err(gone());
        };
        let link = job
            .link
            .as_ref()
            .filter(|l| secrets_equal(token.as_bytes(), l.token.as_bytes()));
        match link {
            None => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "this download link is not valid; use the downloadUrl of the latest status poll",
            )),
            Some(l) if l.expires <= Instant::now() => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "this download link has expired; poll the status again for a fresh downloadUrl",
            )),
            Some(_) => Ok(ready.clone()),
        }
    }

    /// Records that a job's result was downloaded in full.
    pub(crate) fn delivered(&self, qid: &str) {
        if let Some(job) = self.table().get_mut(qid) {
            job.delivered = true;
        }
        self.changed.notify_waiters();
    }

    /// Forgets finished jobs older than the retention time.
    pub(crate) fn prune(&self) {
        self.prune_locked(&mut self.table(), Instant::now());
    }

    fn prune_locked(&self, table: &mut HashMap<String, Job>, now: Instant) {
        let retention = self.settings.result_retention;
        table.retain(|_, job| {
            job.finished_at
                .is_none_or(|t| now.saturating_duration_since(t) < retention)
        });
    }

    /// Stops taking new queries (they are answered 503).
    pub(crate) fn stop_accepting(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Waits until every accepted job has finished.
    pub(crate) async fn all_finished(&self) {
        self.wait_until(|t| t.values().all(|j| !matches!(j.state, State::Running)))
            .await;
    }

    /// Waits until every finished job's answer has reached its client.
    pub(crate) async fn all_delivered(&self) {
        self.wait_until(|t| t.values().all(|j| j.delivered)).await;
    }

    /// Marks every job still running as failed because of shutdown; returns how many.
    pub(crate) fn fail_unfinished(&self) -> usize {
        let now = Instant::now();
        let mut n = 0;
        for job in self.table().values_mut() {
            if matches!(job.state, State::Running) {
                job.state = State::Failed(Failure::Shutdown.message());
                job.finished_at = Some(now);
                n += 1;
            }
        }
        self.changed.notify_waiters();
        n
    }

    async fn wait_until(&self, done: impl Fn(&HashMap<String, Job>) -> bool) {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            // Registered before the check, so a change in between is not missed.
            notified.as_mut().enable();
            if done(&self.table()) {
                return;
            }
            notified.await;
        }
    }
}

/// The text of a panic payload (`&str` or `String`; anything else is unnamed).
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(payload) => match payload.downcast::<&'static str>() {
            Ok(s) => (*s).to_string(),
            Err(_) => "a panic without a message".into(),
        },
    }
}
