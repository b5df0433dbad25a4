//! The job queue: a bounded queue in front of a bounded pool of workers, each
//! prediction on a blocking thread within the memory budget; the index of
//! jobs (state, download links, retention) over the job store, the result
//! files, and what shutdown waits for.

mod recover;

use crate::api_error::ApiError;
use crate::budget::{estimate, DiskBudget, MemoryBudget};
use crate::state_dir::StateDir;
use crate::store::{Outcome, Store};
use crate::token::{random_hex, secrets_equal};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use synthbio_core::fs::write_atomic;
use synthbio_core::{
    Dataset, Family, ModelId, ModelInfo, PredictError, Predictor, Problem, Query, ValidationErrors,
};
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

/// What a ready job's result is written from: the dataset and its model's details.
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
    /// Finished; the result file holds this many bytes.
    Ready {
        bytes: u64,
    },
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

impl Job {
    fn running() -> Self {
        Job {
            state: State::Running,
            finished_at: None,
            delivered: false,
            link: None,
        }
    }
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
    pub(crate) max_memory_bytes: u64,
    pub(crate) max_disk_bytes: u64,
}

/// A prediction's memory, held until its result is written out.
pub(crate) type MemoryHold = OwnedSemaphorePermit;

/// A job to run: what the worker needs.
pub(crate) struct Work {
    pub(crate) predictor: Arc<dyn Predictor>,
    pub(crate) model: ModelInfo,
    pub(crate) query: Query,
}

/// The queue, the worker pool, the budgets, the index of jobs and the store behind it.
#[derive(Debug)]
pub(crate) struct Jobs {
    table: Mutex<HashMap<String, Job>>,
    /// Signalled whenever a job finishes or is delivered.
    changed: Notify,
    queue_slots: Arc<Semaphore>,
    workers: Arc<Semaphore>,
    draining: AtomicBool,
    settings: JobSettings,
    memory: MemoryBudget,
    disk: DiskBudget,
    store: Store,
    dir: StateDir,
}

impl Jobs {
    /// An empty queue over an open state directory and its store.
    pub(crate) fn new(settings: JobSettings, dir: StateDir, store: Store) -> Self {
        Jobs {
            table: Mutex::new(HashMap::new()),
            changed: Notify::new(),
            queue_slots: Arc::new(Semaphore::new(settings.max_queued_jobs)),
            workers: Arc::new(Semaphore::new(settings.workers)),
            draining: AtomicBool::new(false),
            memory: MemoryBudget::new(settings.max_memory_bytes),
            disk: DiskBudget::new(settings.max_disk_bytes, 0),
            settings,
            store,
            dir,
        }
    }

    fn table(&self) -> MutexGuard<'_, HashMap<String, Job>> {
        // No code panics while holding the lock; if one ever did, the table is still consistent.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Closes the job store, giving up the state directory's lock.
    pub(crate) fn close_store(&self) {
        self.store.close();
    }

    /// The state directory.
    pub(crate) fn dir(&self) -> &StateDir {
        &self.dir
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

    /// Refuses (422 at `inputs`) a query whose estimated memory is over the
    /// whole budget: it could never run.
    pub(crate) fn check_memory(&self, model: &ModelInfo, query: &Query) -> Result<(), ApiError> {
        let need = estimate(model, query).memory;
        if self.memory.fits(need) {
            return Ok(());
        }
        Err(ApiError::invalid(ValidationErrors::new(vec![Problem {
            path: "inputs".into(),
            message: format!(
                "this query needs about {} MiB of memory to run, over this server's memory \
                 budget of {} MiB (--max-memory); split it into smaller queries",
                need >> 20,
                self.memory.total() >> 20
            ),
        }])))
    }

    /// Waits for a worker and the query's memory, then runs the prediction on
    /// a blocking thread; returns the dataset with its memory still reserved.
    ///
    /// The queue place (if any) is given back when the job starts; the worker
    /// is held until the prediction ends, even if the caller stops waiting.
    pub(crate) async fn run(
        &self,
        slot: Option<OwnedSemaphorePermit>,
        work: Work,
    ) -> Result<(Dataset, MemoryHold), Failure> {
        let worker = Arc::clone(&self.workers)
            .acquire_owned()
            .await
            .map_err(|_| Failure::Shutdown)?;
        let need = estimate(&work.model, &work.query).memory;
        let memory = self.memory.reserve(need).await.ok_or(Failure::Shutdown)?;
        drop(slot);
        let Work {
            predictor,
            model,
            query,
        } = work;
        let task = tokio::task::spawn_blocking(move || {
            let result = predictor.predict(&ModelId::from(model.model_id.as_str()), &query);
            drop(worker);
            result
        });
        match task.await {
            Ok(result) => result.map(|d| (d, memory)).map_err(Failure::Predict),
            Err(e) if e.is_panic() => Err(Failure::Panic(panic_text(e.into_panic()))),
            Err(_) => Err(Failure::Shutdown),
        }
    }

    /// Accepts a job: gives the query a seed if it has none (so that a re-run
    /// after a crash gives the same answer), records it in the store, then
    /// starts it; returns its query id once the record is durable.
    ///
    /// When [`JobSettings::max_kept_jobs`] jobs are kept, collected results are
    /// forgotten oldest first; if none can be, the job is refused with 503.
    /// When stored results and jobs in progress fill the disk budget,
    /// collected results are deleted oldest first; if that is not enough, 503.
    pub(crate) async fn submit(
        self: &Arc<Self>,
        slot: OwnedSemaphorePermit,
        mut work: Work,
    ) -> Result<String, ApiError> {
        if work.query.seed.is_none() {
            work.query.seed = Some(rand::random());
        }
        let disk = estimate(&work.model, &work.query).disk;
        let qid = random_hex();
        {
            let mut table = self.table();
            let max = self.settings.max_kept_jobs;
            if table.len() >= max {
                self.make_room(&mut table, max - 1, &|_| false);
            }
            if table.len() >= max {
                return Err(ApiError::unavailable(format!(
                    "this server keeps at most {max} jobs and none of their results has been \
                     collected yet; retry later"
                )));
            }
            if !self.disk.try_reserve(disk) {
                self.make_room(&mut table, 0, &|jobs: &Jobs| {
                    jobs.disk.used() < jobs.disk.total()
                });
                if !self.disk.try_reserve(disk) {
                    return Err(ApiError::unavailable(format!(
                        "the disk budget for results ({} MiB, --max-disk) is full of results \
                         not yet collected or expired; retry later",
                        self.disk.total() >> 20
                    )));
                }
            }
            table.insert(qid.clone(), Job::running());
        }
        let recorded = {
            let jobs = Arc::clone(self);
            let (id, model_id) = (qid.clone(), work.model.model_id.clone());
            let text = serde_json::to_string(&work.query);
            tokio::task::spawn_blocking(move || match text {
                Ok(text) => jobs
                    .store
                    .accept(&id, &model_id, &text)
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()))
        };
        if let Err(e) = recorded {
            self.table().remove(&qid);
            self.disk.release(disk);
            tracing::error!("cannot record a query in the job store: {e}");
            return Err(ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "the server could not record the query in its state directory; retry later, \
                 and tell its operator (the server log says why)",
            ));
        }
        self.start(qid.clone(), Some(slot), work, disk);
        Ok(qid)
    }

    /// Runs a recorded job in the background: predicts, writes the result
    /// file, records the outcome, then updates the index.
    fn start(
        self: &Arc<Self>,
        qid: String,
        slot: Option<OwnedSemaphorePermit>,
        work: Work,
        disk_reserved: u64,
    ) {
        let jobs = Arc::clone(self);
        let family = work.model.family;
        let model_version = work.model.model_version.clone();
        let model_id = work.model.model_id.clone();
        tokio::spawn(async move {
            let outcome = match jobs.run(slot, work).await {
                Ok((dataset, memory)) => {
                    let ready = Ready {
                        dataset: Arc::new(dataset),
                        family,
                        model_version,
                    };
                    let writer = Arc::clone(&jobs);
                    let id = qid.clone();
                    tokio::task::spawn_blocking(move || {
                        let written = writer.write_result(&id, &ready);
                        drop(memory);
                        written
                    })
                    .await
                    .unwrap_or_else(|e| Err(format!("writing the result crashed: {e}")))
                }
                Err(failure) => Err(failure.message()),
            };
            let state = match outcome {
                Ok(bytes) => {
                    jobs.disk.settle(disk_reserved, bytes);
                    State::Ready { bytes }
                }
                Err(message) => {
                    jobs.disk.release(disk_reserved);
                    tracing::warn!(model = %model_id, "job failed: {message}");
                    State::Failed(message)
                }
            };
            jobs.finish(&qid, state).await;
        });
    }

    /// Writes a result file atomically; its size, or why it could not be written.
    fn write_result(&self, qid: &str, ready: &Ready) -> Result<u64, String> {
        let path = self.dir.result_file(qid);
        write_atomic(&path, |w| crate::result_json::write_result(w, ready), |e| e)
            .and_then(|()| std::fs::metadata(&path).map(|m| m.len()))
            .map_err(|e| {
                tracing::error!("cannot write a result to {}: {e}", path.display());
                format!(
                    "the result could not be written to the server's state directory ({e}); \
                 submit the query again later"
                )
            })
    }

    /// Records a job's outcome in the store, then in the index, unless
    /// shutdown already marked it failed.
    async fn finish(self: &Arc<Self>, qid: &str, state: State) {
        let still_running = self
            .table()
            .get(qid)
            .is_some_and(|j| matches!(j.state, State::Running));
        let mut state = state;
        if still_running {
            let outcome = match &state {
                State::Ready { bytes } => Outcome::Ready { bytes: *bytes },
                State::Failed(m) => Outcome::Failed(m.clone()),
                State::Running => Outcome::Accepted,
            };
            let jobs = Arc::clone(self);
            let id = qid.to_string();
            let recorded = tokio::task::spawn_blocking(move || jobs.store.finish(&id, &outcome))
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()));
            if let Err(e) = recorded {
                // The result is there; only a restart would not know it.
                tracing::error!("cannot record a finished job in the job store: {e}");
                if matches!(state, State::Ready { .. }) {
                    self.discard(qid, &state);
                    state = State::Failed(format!(
                        "the result could not be recorded in the server's state directory \
                         ({e}); submit the query again later"
                    ));
                }
            }
        }
        if let Some(job) = self.table().get_mut(qid) {
            if matches!(job.state, State::Running) {
                job.state = state;
                job.finished_at = Some(Instant::now());
            }
        }
        self.changed.notify_waiters();
    }

    /// Forgets expired jobs, then collected ones oldest first, until at most
    /// `keep` remain, `enough` holds, or only uncollected ones are left.
    fn make_room(
        &self,
        table: &mut HashMap<String, Job>,
        keep: usize,
        enough: &dyn Fn(&Jobs) -> bool,
    ) {
        self.prune_locked(table, Instant::now());
        if table.len() <= keep || enough(self) {
            return;
        }
        let mut collected: Vec<(Instant, String)> = table
            .iter()
            .filter(|(_, j)| j.delivered)
            .filter_map(|(id, j)| j.finished_at.map(|t| (t, id.clone())))
            .collect();
        collected.sort_unstable();
        for (_, id) in collected {
            if table.len() <= keep || enough(self) {
                break;
            }
            if let Some(job) = table.remove(&id) {
                self.discard(&id, &job.state);
            }
        }
    }

    /// Deletes a forgotten job's record and result file.
    fn discard(&self, qid: &str, state: &State) {
        if let State::Ready { bytes } = state {
            let path = self.dir.result_file(qid);
            match std::fs::remove_file(&path) {
                Ok(()) => self.disk.release(*bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => self.disk.release(*bytes),
                Err(e) => tracing::error!("cannot delete {}: {e}", path.display()),
            }
        }
        if let Err(e) = self.store.remove(qid) {
            tracing::error!("cannot remove a job from the job store: {e}");
        }
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
            State::Ready { .. } => {
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

    /// The result file behind a download link, opened: 404 for an unknown
    /// query or one not ready, 403 for a wrong or expired token.
    pub(crate) fn download(&self, qid: &str, token: &str) -> Result<std::fs::File, ApiError> {
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
        let State::Ready { .. } = &job.state else {
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
            Some(_) => std::fs::File::open(self.dir.result_file(qid)).map_err(|e| {
                tracing::error!("cannot open the result of a ready job: {e}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the result file could not be read from the server's state directory; \
                     submit the query again",
                )
            }),
        }
    }

    /// Records that a job's result was downloaded in full.
    pub(crate) fn delivered(&self, qid: &str) {
        if let Some(job) = self.table().get_mut(qid) {
            job.delivered = true;
        }
        self.changed.notify_waiters();
    }

    /// Forgets finished jobs older than the retention time, deleting their
    /// records and result files.
    pub(crate) fn prune(&self) {
        self.prune_locked(&mut self.table(), Instant::now());
    }

    fn prune_locked(&self, table: &mut HashMap<String, Job>, now: Instant) {
        let retention = self.settings.result_retention;
        let expired: Vec<String> = table
            .iter()
            .filter(|(_, job)| {
                job.finished_at
                    .is_some_and(|t| now.saturating_duration_since(t) >= retention)
            })
            .map(|(id, _)| id.clone())
            .collect();
        for id in expired {
            if let Some(job) = table.remove(&id) {
                self.discard(&id, &job.state);
            }
        }
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

    /// Marks every job still running as failed because of shutdown, in the
    /// store too (so a restart reports it rather than running it); returns how many.
    pub(crate) fn fail_unfinished(&self) -> usize {
        let now = Instant::now();
        let message = Failure::Shutdown.message();
        let mut n = 0;
        for (qid, job) in self.table().iter_mut() {
            if matches!(job.state, State::Running) {
                if let Err(e) = self.store.finish(qid, &Outcome::Failed(message.clone())) {
                    tracing::error!("cannot record a failed job in the job store: {e}");
                }
                job.state = State::Failed(message.clone());
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
