//! Starting, running and stopping a server.

use crate::config::{exposure_warning, ServerConfig};
use crate::error::ServerError;
use crate::jobs::{JobSettings, Jobs};
use crate::routes::router;
use crate::state::AppState;
use crate::state_dir::StateDir;
use crate::store::Store;
use std::future::{Future, IntoFuture};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use synthbio_core::Predictor;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Serves the GEM protocol for `predictor` on `listener` until `shutdown` resolves.
///
/// The model list is read from the predictor once, here. On shutdown the
/// server answers new predictions 503, lets accepted jobs finish (those still
/// running after [`ServerConfig::shutdown_job_timeout`] are marked failed with
/// a message), keeps answering status polls and downloads until every result
/// has been collected or [`ServerConfig::shutdown_grace`] has passed, then
/// stops accepting connections, finishes the requests in flight and returns.
pub async fn serve(
    listener: TcpListener,
    predictor: Arc<dyn Predictor>,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    prepare(listener, predictor, config)
        .await?
        .run(shutdown)
        .await
}

/// Binds [`ServerConfig::bind`] and serves until `shutdown` resolves (see [`serve`]).
pub async fn run(
    predictor: Arc<dyn Predictor>,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    config.validate()?;
    let addr = config.bind;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind { addr, source })?;
    serve(listener, predictor, config, shutdown).await
}

/// Serves on `127.0.0.1` at a free port in a background task (for tests and
/// embedding); [`ServerConfig::bind`] is not used. Dropping the handle starts
/// a shutdown in the background.
pub async fn spawn(
    predictor: Arc<dyn Predictor>,
    config: ServerConfig,
) -> Result<ServerHandle, ServerError> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServerError::Bind { addr, source })?;
    let prepared = prepare(listener, predictor, config).await?;
    let addr = prepared.state.local_addr;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(prepared.run(async move {
        // A dropped handle (sender gone) also means stop.
        let _ = stopped.await;
    }));
    Ok(ServerHandle {
        addr,
        stop: Some(stop),
        task,
    })
}

/// A server started with [`spawn`].
#[derive(Debug)]
pub struct ServerHandle {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), ServerError>>,
}

impl ServerHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Shuts down gracefully (see [`serve`]) and waits until it is done; an
    /// error while serving is logged.
    pub async fn shutdown(self) {
        if let Err(e) = self.shutdown_checked().await {
            tracing::error!("the server stopped with an error: {e}");
        }
    }

    /// Like [`ServerHandle::shutdown`], returning the error instead of logging it.
    pub async fn shutdown_checked(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(result) => result,
            Err(e) => Err(ServerError::Io(std::io::Error::other(format!(
                "the server task ended abnormally: {e}"
            )))),
        }
    }
}

/// A server ready to run: settings checked, models listed.
struct Prepared {
    listener: TcpListener,
    state: Arc<AppState>,
}

async fn prepare(
    listener: TcpListener,
    predictor: Arc<dyn Predictor>,
    config: ServerConfig,
) -> Result<Prepared, ServerError> {
    config.validate()?;
    let local_addr = listener.local_addr()?;
    if let Some(warning) = exposure_warning(local_addr, config.api_key.is_some()) {
        tracing::warn!("{warning}");
    }
    let lister = Arc::clone(&predictor);
    let listed = tokio::task::spawn_blocking(move || lister.models())
        .await
        .map_err(|e| ServerError::Predictor(e.to_string()))?
        .map_err(|e| ServerError::Predictor(e.to_string()))?;
    // Serving validates queries against each model's spec, so every listed
    // model must come with synthbio's full description.
    let models = listed
        .iter()
        .map(|m| {
            m.info().ok_or_else(|| {
                ServerError::Predictor(format!(
                    "model {:?} was listed without its description (family, modality, genes, spec); serve a predictor that describes its models, such as the local engine",
                    m.model_id
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Creating the directory and opening the store touch the disk (and may
    // flush it): off the async workers, which serve other connections.
    let state_dir = config.state_dir.clone();
    let (dir, store) = tokio::task::spawn_blocking(move || {
        let dir = StateDir::open(state_dir.as_deref())?;
        let store = Store::open(&dir.database(), !dir.is_temporary())?;
        Ok::<_, ServerError>((dir, store))
    })
    .await
    .map_err(|e| ServerError::State(format!("opening the state directory failed: {e}")))??;
    let jobs = Arc::new(Jobs::new(
        JobSettings {
            workers: config.workers,
            max_queued_jobs: config.max_queued_jobs,
            max_kept_jobs: config.max_kept_jobs,
            result_retention: config.result_retention,
            download_link_ttl: config.download_link_ttl,
            max_memory_bytes: config.max_memory_bytes,
            max_disk_bytes: config.max_disk_bytes,
        },
        dir,
        store,
    ));
    let found = jobs.recover(&predictor, &models)?;
    tracing::info!(
        "state in {}: {} results ready, {} failures kept, {} unfinished queries run again, \
         {} expired jobs deleted",
        jobs.dir().root().display(),
        found.ready,
        found.failed,
        found.rerun,
        found.expired
    );
    tracing::info!(
        "serving {} models at http://{local_addr} with {} workers",
        models.len(),
        config.workers
    );
    Ok(Prepared {
        listener,
        state: Arc::new(AppState::new(predictor, models, jobs, config, local_addr)),
    })
}

impl Prepared {
    async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServerError> {
        let Prepared { listener, state } = self;
        let (stop, stopped) = oneshot::channel::<()>();
        let server = axum::serve(listener, router(Arc::clone(&state)))
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .into_future();
        let sweeper = tokio::spawn(sweep(Arc::clone(&state)));
        let drain = async {
            shutdown.await;
            drain(&state).await;
            let _ = stop.send(());
        };
        tokio::pin!(server);
        let result = tokio::select! {
            result = &mut server => result,
            () = drain => server.await,
        };
        sweeper.abort();
        // Jobs cut short by the shutdown may still hold the index; the store's
        // lock is given up now, so a new server can open the directory.
        state.jobs.close_store();
        tracing::info!("server at http://{} stopped", state.local_addr);
        result.map_err(ServerError::from)
    }
}

/// Forgets expired results now and then, even when no requests come.
async fn sweep(state: Arc<AppState>) {
    let every = state
        .config
        .result_retention
        .clamp(Duration::from_secs(1), Duration::from_secs(60));
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        state.jobs.prune();
    }
}

/// The first part of a graceful shutdown: no new jobs, accepted ones finished
/// or failed, results collected or the grace period over.
async fn drain(state: &AppState) {
    let jobs = &state.jobs;
    let config = &state.config;
    jobs.stop_accepting();
    tracing::info!("shutting down: new queries are refused, accepted ones finish");
    if tokio::time::timeout(config.shutdown_job_timeout, jobs.all_finished())
        .await
        .is_err()
    {
        let n = jobs.fail_unfinished();
        tracing::warn!(
            "{n} jobs were still running after {} s and were marked failed",
            config.shutdown_job_timeout.as_secs()
        );
    }
    if tokio::time::timeout(config.shutdown_grace, jobs.all_delivered())
        .await
        .is_err()
    {
        tracing::info!(
            "some results were not collected within {} s of shutdown",
            config.shutdown_grace.as_secs()
        );
    }
}
