//! Opening the store and reading and writing it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::schema;

/// Why the store could not be used, with where it is.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the progress store {}: {source}", .path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot create the folder {} for the progress store: {source}", .path.display())]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the progress store {} was written by a newer lab (schema {found}, this lab knows {known}); update lab",
        .path.display()
    )]
    Newer {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error("the progress store {}: {source}", .path.display())]
    Query {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

/// One check's result within an attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRow {
    pub check: String,
    pub status: String,
    pub points: u32,
    pub max_points: u32,
    pub duration_ms: u64,
}

/// One grading of a lab: `lab check`, or a re-grade of `lab watch` that changed something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attempt {
    /// Unique across machines, so an import never duplicates.
    pub uid: String,
    pub course: String,
    pub lab: String,
    /// Which version of the lab's checks graded it.
    pub lab_digest: String,
    pub project: String,
    /// `check` or `watch`.
    pub source: String,
    /// Milliseconds since the Unix epoch.
    pub started_ms: i64,
    pub finished_ms: i64,
    pub score: u32,
    pub max_score: u32,
    pub checks: Vec<CheckRow>,
}

/// A `lab start` of a lab: where the time spent on it begins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Start {
    pub uid: String,
    pub course: String,
    pub lab: String,
    pub at_ms: i64,
}

/// The store, open.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A fresh unique id: time, process and a counter, hashed.
pub fn new_uid() -> String {
    use sha2::{Digest, Sha256};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut h = Sha256::new();
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    h.update(std::env::var("HOSTNAME").unwrap_or_default().as_bytes());
    hex::encode(&h.finalize()[..16])
}

/// Where the store lives: `$LAB_HOME/progress.db`, else the XDG data folder's
/// `lab/progress.db` (`$XDG_DATA_HOME`, else Windows' `%LOCALAPPDATA%`, else
/// `~/.local/share`).
pub fn default_path() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let dir = var("LAB_HOME")
        .or_else(|| var("XDG_DATA_HOME").map(|d| d.join("lab")))
        // Set on Windows only; there HOME is often unset (or a shell's unix-style path).
        .or_else(|| var("LOCALAPPDATA").map(|d| d.join("lab")))
        .or_else(|| var("HOME").map(|h| h.join(".local/share/lab")))?;
    Some(dir.join("progress.db"))
}

impl Store {
    /// Open (or create) the store at `path`, bringing its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let open = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open)?;
        // Two lab processes at once: wait for the other's write rather than fail.
        conn.busy_timeout(Duration::from_secs(10)).map_err(open)?;
        // WAL: a crash (even kill -9) mid-write loses at most that transaction; readers
        // do not block the writer.
        // Switching a new file to WAL takes a lock the busy timeout does not wait for:
        // two processes creating the store at once retry here instead of failing.
        let mut tries = 0;
        while let Err(e) = conn.pragma_update(None, "journal_mode", "WAL") {
            let busy = e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy);
            tries += 1;
            if !busy || tries > 200 {
                return Err(open(e));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open)?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
        };
        store.migrate()?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn query_err(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |source| StoreError::Query {
            path: self.path.clone(),
            source,
        }
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let found: u32 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(self.query_err())?;
        let known = schema::current();
        if found > known {
            return Err(StoreError::Newer {
                path: self.path.clone(),
                found,
                known,
            });
        }
        if found == known {
            return Ok(());
        }
        // Each step and its version number in one write transaction, taken before the
        // version is read again: two processes opening a new store at once must not both
        // run a step (the second waits, then finds it done).
        let err = self.query_err();
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(&err)?;
        let result = (|| {
            let mut at: u32 = self
                .conn
                .pragma_query_value(None, "user_version", |r| r.get(0))?;
            while (at as usize) < schema::MIGRATIONS.len() {
                self.conn.execute_batch(schema::MIGRATIONS[at as usize])?;
                at += 1;
                self.conn.pragma_update(None, "user_version", at)?;
            }
            Ok(())
        })();
        match result {
            Ok(()) => self.conn.execute_batch("COMMIT").map_err(&err),
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(err(e))
            }
        }
    }

    /// A transaction that writes. IMMEDIATE: the write lock is taken (waiting out another
    /// writer) before anything is read, so it never has to upgrade a stale read snapshot.
    fn write_transaction(&self) -> rusqlite::Result<rusqlite::Transaction<'_>> {
        rusqlite::Transaction::new_unchecked(&self.conn, rusqlite::TransactionBehavior::Immediate)
    }

    /// Record an attempt, all of it or nothing. One already there (same uid) is kept.
    pub fn record(&self, a: &Attempt) -> Result<bool, StoreError> {
        let err = self.query_err();
        let tx = self.write_transaction().map_err(&err)?;
        let inserted = tx
            .execute(
                "INSERT OR IGNORE INTO attempts
                 (uid, course, lab, lab_digest, project, source, started_ms, finished_ms, score, max_score)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    a.uid,
                    a.course,
                    a.lab,
                    a.lab_digest,
                    a.project,
                    a.source,
                    a.started_ms,
                    a.finished_ms,
                    a.score,
                    a.max_score
                ],
            )
            .map_err(&err)?;
        if inserted == 1 {
            let id = tx.last_insert_rowid();
            let mut stmt = tx
                .prepare(
                    "INSERT INTO results (attempt, check_id, status, points, max_points, duration_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(&err)?;
            for c in &a.checks {
                stmt.execute(params![
                    id,
                    c.check,
                    c.status,
                    c.points,
                    c.max_points,
                    c.duration_ms
                ])
                .map_err(&err)?;
            }
        }
        tx.commit().map_err(&err)?;
        Ok(inserted == 1)
    }

    /// Record a start of a lab. One already there (same uid) is kept.
    pub fn record_start(&self, s: &Start) -> Result<bool, StoreError> {
        let n = self
            .conn
            .execute(
                "INSERT OR IGNORE INTO starts (uid, course, lab, at_ms) VALUES (?1, ?2, ?3, ?4)",
                params![s.uid, s.course, s.lab, s.at_ms],
            )
            .map_err(self.query_err())?;
        Ok(n == 1)
    }

    /// Every attempt of the course (or of one lab), oldest first.
    pub fn attempts(&self, course: &str, lab: Option<&str>) -> Result<Vec<Attempt>, StoreError> {
        let err = self.query_err();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, uid, course, lab, lab_digest, project, source, started_ms, finished_ms, score, max_score
                 FROM attempts WHERE course = ?1 AND (?2 IS NULL OR lab = ?2)
                 ORDER BY finished_ms, id",
            )
            .map_err(&err)?;
        let rows = stmt
            .query_map(params![course, lab], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    Attempt {
                        uid: r.get(1)?,
                        course: r.get(2)?,
                        lab: r.get(3)?,
                        lab_digest: r.get(4)?,
                        project: r.get(5)?,
                        source: r.get(6)?,
                        started_ms: r.get(7)?,
                        finished_ms: r.get(8)?,
                        score: r.get(9)?,
                        max_score: r.get(10)?,
                        checks: Vec::new(),
                    },
                ))
            })
            .map_err(&err)?;
        let mut out = Vec::new();
        let mut checks = self
            .conn
            .prepare(
                "SELECT check_id, status, points, max_points, duration_ms FROM results
                 WHERE attempt = ?1 ORDER BY rowid",
            )
            .map_err(&err)?;
        for row in rows {
            let (id, mut a) = row.map_err(&err)?;
            a.checks = checks
                .query_map(params![id], |r| {
                    Ok(CheckRow {
                        check: r.get(0)?,
                        status: r.get(1)?,
                        points: r.get(2)?,
                        max_points: r.get(3)?,
                        duration_ms: r.get(4)?,
                    })
                })
                .map_err(&err)?
                .collect::<Result<_, _>>()
                .map_err(&err)?;
            out.push(a);
        }
        Ok(out)
    }

    /// Every start of the course (or of one lab), oldest first.
    pub fn starts(&self, course: &str, lab: Option<&str>) -> Result<Vec<Start>, StoreError> {
        let err = self.query_err();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT uid, course, lab, at_ms FROM starts
                 WHERE course = ?1 AND (?2 IS NULL OR lab = ?2) ORDER BY at_ms",
            )
            .map_err(&err)?;
        let rows = stmt
            .query_map(params![course, lab], |r| {
                Ok(Start {
                    uid: r.get(0)?,
                    course: r.get(1)?,
                    lab: r.get(2)?,
                    at_ms: r.get(3)?,
                })
            })
            .map_err(&err)?;
        rows.collect::<Result<_, _>>().map_err(&err)
    }

    /// How many attempts and starts `delete` would remove.
    pub fn count(&self, course: &str, lab: Option<&str>) -> Result<(u64, u64), StoreError> {
        let err = self.query_err();
        let attempts: u64 = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM attempts WHERE course = ?1 AND (?2 IS NULL OR lab = ?2)",
                params![course, lab],
                |r| r.get(0),
            )
            .map_err(&err)?;
        let starts: u64 = self
            .conn
            .query_row(
                "SELECT COUNT(*) FROM starts WHERE course = ?1 AND (?2 IS NULL OR lab = ?2)",
                params![course, lab],
                |r| r.get(0),
            )
            .map_err(&err)?;
        Ok((attempts, starts))
    }

    /// Forget the course's progress (or one lab's). Returns attempts removed.
    pub fn delete(&self, course: &str, lab: Option<&str>) -> Result<u64, StoreError> {
        let err = self.query_err();
        let tx = self.write_transaction().map_err(&err)?;
        let n = tx
            .execute(
                "DELETE FROM attempts WHERE course = ?1 AND (?2 IS NULL OR lab = ?2)",
                params![course, lab],
            )
            .map_err(&err)?;
        tx.execute(
            "DELETE FROM starts WHERE course = ?1 AND (?2 IS NULL OR lab = ?2)",
            params![course, lab],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)?;
        Ok(n as u64)
    }

    /// Take the write lock and let it go: what `lab doctor` asks before a student's attempt
    /// would need it (a read-only file or folder fails here, nothing is written).
    pub fn check_writable(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE; CREATE TABLE lab_doctor_probe(x); ROLLBACK;")
            .map_err(self.query_err())
    }

    /// `PRAGMA integrity_check`: `ok`, or what is wrong.
    pub fn integrity(&self) -> Result<String, StoreError> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .optional()
            .map_err(self.query_err())
            .map(|r| r.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(uid: &str) -> Attempt {
        Attempt {
            uid: uid.into(),
            course: "c".into(),
            lab: "w1".into(),
            lab_digest: "d".into(),
            project: "w1".into(),
            source: "check".into(),
            started_ms: 1,
            finished_ms: 2,
            score: 1,
            max_score: 2,
            checks: vec![CheckRow {
                check: "a".into(),
                status: "pass".into(),
                points: 1,
                max_points: 1,
                duration_ms: 5,
            }],
        }
    }

    #[test]
    fn a_store_of_an_older_schema_is_brought_up_to_date() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("progress.db");
        // A store as the first version wrote it, with an attempt in it.
        {
            let conn = Connection::open(&path).expect("open");
            conn.execute_batch(schema::MIGRATIONS[0]).expect("v1");
            conn.pragma_update(None, "user_version", 1)
                .expect("version");
            conn.execute(
                "INSERT INTO attempts (uid, course, lab, lab_digest, project, started_ms, finished_ms, score, max_score)
                 VALUES ('old', 'c', 'w1', 'd', 'w1', 1, 2, 3, 4)",
                [],
            )
            .expect("insert");
        }
        let store = Store::open(&path).expect("open and migrate");
        let found: u32 = store
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .expect("version");
        assert_eq!(found, schema::current());
        let old = store.attempts("c", None).expect("attempts");
        assert_eq!(
            (old.len(), old[0].score, old[0].source.as_str()),
            (1, 3, "check")
        );
        assert!(
            store
                .record_start(&Start {
                    uid: "s".into(),
                    course: "c".into(),
                    lab: "w1".into(),
                    at_ms: 5,
                })
                .expect("the new table is there")
        );
    }

    #[test]
    fn a_newer_store_is_refused_and_records_are_unique() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("progress.db");
        let store = Store::open(&path).expect("open");
        assert!(store.record(&attempt("x")).expect("record"));
        assert!(!store.record(&attempt("x")).expect("again"), "kept once");
        assert_eq!(
            store.attempts("c", Some("w1")).expect("read")[0]
                .checks
                .len(),
            1
        );
        assert_eq!(store.delete("c", Some("w1")).expect("delete"), 1);
        store
            .conn
            .pragma_update(None, "user_version", 99)
            .expect("set");
        drop(store);
        assert!(matches!(
            Store::open(&path),
            Err(StoreError::Newer { found: 99, .. })
        ));
    }
}
