//! The job store: one SQLite table of accepted queries and their outcomes.
//!
//! SQLite (rusqlite, linked to the system's libsqlite3) rather than redb: its
//! commit is atomic and durable across `kill -9` and power loss (WAL,
//! `synchronous=FULL`), and an operator can open the file with the stock
//! `sqlite3` tool to see what the server holds. rusqlite's `bundled` feature
//! would need no system library but compiles SQLite's C source in every cold
//! build; Debian's libsqlite3-dev is one package beside HDF5 and OpenSSL. The store
//! holds each query as accepted (its seed filled in) and the outcome; result
//! bodies are files beside it, never rows.
//!
//! The database is opened in exclusive locking mode, so a second server on the
//! same state directory fails at start instead of running the first one's jobs.

use crate::error::ServerError;
use rusqlite::{params, Connection};
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

/// A job's recorded outcome.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    /// Accepted, not finished: run it again after a crash.
    Accepted,
    /// Finished; its result file holds this many bytes.
    Ready {
        /// Size of the result file.
        bytes: u64,
    },
    /// Failed with this message.
    Failed(String),
}

/// One stored job.
#[derive(Debug, Clone)]
pub(crate) struct StoredJob {
    pub(crate) qid: String,
    pub(crate) model_id: String,
    /// The query as accepted (JSON, seed filled in).
    pub(crate) query: String,
    pub(crate) outcome: Outcome,
    /// When it finished (milliseconds since the Unix epoch).
    pub(crate) finished_ms: Option<i64>,
}

/// The open job store.
#[derive(Debug)]
pub(crate) struct Store {
    /// `None` once closed.
    conn: Mutex<Option<Connection>>,
}

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl Store {
    /// Opens (or creates) the store at `path` and takes its lock. A `durable`
    /// store flushes every commit to disk (`synchronous=FULL`); a store in a
    /// temporary state directory, deleted when the server stops, does not
    /// (`synchronous=OFF`): nothing could be recovered from it, and a flush
    /// can stall an answer for seconds on a disk busy writing back.
    pub(crate) fn open(path: &Path, durable: bool) -> Result<Self, ServerError> {
        let fail = |what: &str, e: rusqlite::Error| {
            ServerError::State(format!(
                "cannot {what} the job store {}: {e}",
                path.display()
            ))
        };
        let conn = Connection::open(path).map_err(|e| fail("open", e))?;
        // Exclusive mode before WAL: no shared-memory index, and the lock is
        // kept from the first access on.
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(|e| fail("configure", e))?;
        let locked = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))
            .and_then(|_| conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;"));
        if let Err(e) = locked {
            return Err(match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                    ServerError::State(format!(
                        "the state directory {} is in use by another synthbio server (its job \
                         store is locked); stop that server or choose another --state-dir",
                        path.parent().unwrap_or(path).display()
                    ))
                }
                _ => fail("lock", e),
            });
        }
        conn.pragma_update(None, "synchronous", if durable { "FULL" } else { "OFF" })
            .map_err(|e| fail("configure", e))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS jobs (
                qid TEXT PRIMARY KEY NOT NULL,
                model_id TEXT NOT NULL,
                query TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('accepted', 'ready', 'failed')),
                message TEXT,
                result_bytes INTEGER,
                accepted_ms INTEGER NOT NULL,
                finished_ms INTEGER
            );",
        )
        .map_err(|e| fail("create the table of", e))?;
        Ok(Store {
            conn: Mutex::new(Some(conn)),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Option<Connection>> {
        // A panic while holding the lock leaves SQLite's own state consistent.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the open connection; an error once the store is closed.
    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        match self.conn().as_ref() {
            Some(conn) => f(conn),
            None => Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISUSE),
                Some("the job store is closed: the server has stopped".into()),
            )),
        }
    }

    /// Closes the database and gives up its lock, so a new server can open
    /// the state directory; later calls fail.
    pub(crate) fn close(&self) {
        if let Some(conn) = self.conn().take() {
            if let Err((_, e)) = conn.close() {
                tracing::error!("closing the job store failed: {e}");
            }
        }
    }

    /// Records an accepted query; durable when this returns.
    pub(crate) fn accept(&self, qid: &str, model_id: &str, query: &str) -> rusqlite::Result<()> {
        self.with(|c| {
            c.execute(
                "INSERT INTO jobs (qid, model_id, query, state, accepted_ms) \
                 VALUES (?1, ?2, ?3, 'accepted', ?4)",
                params![qid, model_id, query, now_ms()],
            )
        })
        .map(drop)
    }

    /// Records a finished job's outcome (not [`Outcome::Accepted`]).
    pub(crate) fn finish(&self, qid: &str, outcome: &Outcome) -> rusqlite::Result<()> {
        let (state, message, bytes) = match outcome {
            Outcome::Accepted => ("accepted", None, None),
            Outcome::Ready { bytes } => ("ready", None, i64::try_from(*bytes).ok()),
            Outcome::Failed(m) => ("failed", Some(m.as_str()), None),
        };
        self.with(|c| {
            c.execute(
                "UPDATE jobs SET state = ?2, message = ?3, result_bytes = ?4, finished_ms = ?5 \
                 WHERE qid = ?1",
                params![qid, state, message, bytes, now_ms()],
            )
        })
        .map(drop)
    }

    /// Forgets a job.
    pub(crate) fn remove(&self, qid: &str) -> rusqlite::Result<()> {
        self.with(|c| c.execute("DELETE FROM jobs WHERE qid = ?1", params![qid]))
            .map(drop)
    }

    /// Whether a job is recorded.
    #[cfg(test)]
    pub(crate) fn contains(&self, qid: &str) -> rusqlite::Result<bool> {
        self.with(|c| {
            c.query_row(
                "SELECT count(*) FROM jobs WHERE qid = ?1",
                params![qid],
                |r| r.get::<_, i64>(0),
            )
        })
        .map(|n| n > 0)
    }

    /// Every stored job, oldest accepted first.
    pub(crate) fn all(&self) -> rusqlite::Result<Vec<StoredJob>> {
        self.with(Self::read_all)
    }

    fn read_all(conn: &Connection) -> rusqlite::Result<Vec<StoredJob>> {
        let mut stmt = conn.prepare(
            "SELECT qid, model_id, query, state, message, result_bytes, finished_ms \
             FROM jobs ORDER BY accepted_ms, qid",
        )?;
        let rows = stmt.query_map([], |r| {
            let state: String = r.get(3)?;
            let message: Option<String> = r.get(4)?;
            let bytes: Option<i64> = r.get(5)?;
            let outcome = match state.as_str() {
                "ready" => Outcome::Ready {
                    bytes: bytes.and_then(|b| u64::try_from(b).ok()).unwrap_or(0),
                },
                "failed" => Outcome::Failed(
                    message
                        .unwrap_or_else(|| "the job failed; the store kept no message".to_string()),
                ),
                _ => Outcome::Accepted,
            };
            Ok(StoredJob {
                qid: r.get(0)?,
                model_id: r.get(1)?,
                query: r.get(2)?,
                outcome,
                finished_ms: r.get(6)?,
            })
        })?;
        rows.collect()
    }

    /// The value of one stored job, for tests.
    #[cfg(test)]
    pub(crate) fn get(&self, qid: &str) -> rusqlite::Result<Option<StoredJob>> {
        Ok(self.all()?.into_iter().find(|j| j.qid == qid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_reopening_and_a_second_opener_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.sqlite3");
        {
            let store = Store::open(&path, true).unwrap();
            store.accept("a", "m", "{\"seed\":1}").unwrap();
            store.accept("b", "m", "{}").unwrap();
            store.accept("c", "m", "{}").unwrap();
            store.finish("b", &Outcome::Ready { bytes: 12 }).unwrap();
            store.finish("c", &Outcome::Failed("why".into())).unwrap();
            let second = Store::open(&path, true).unwrap_err();
            assert!(second.to_string().contains("in use by another"), "{second}");
        }
        let store = Store::open(&path, true).unwrap();
        let a = store.get("a").unwrap().unwrap();
        assert_eq!(a.outcome, Outcome::Accepted);
        assert_eq!(a.query, "{\"seed\":1}");
        assert_eq!(a.finished_ms, None);
        let b = store.get("b").unwrap().unwrap();
        assert_eq!(b.outcome, Outcome::Ready { bytes: 12 });
        assert!(b.finished_ms.is_some());
        assert_eq!(
            store.get("c").unwrap().unwrap().outcome,
            Outcome::Failed("why".into())
        );
        store.remove("a").unwrap();
        assert!(!store.contains("a").unwrap());
        assert_eq!(store.all().unwrap().len(), 2);
        store.close();
        let closed = store.accept("d", "m", "{}").unwrap_err();
        assert!(closed.to_string().contains("closed"), "{closed}");
        Store::open(&path, true).unwrap();
    }
}
