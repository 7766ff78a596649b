//! The store's schema, as migrations by `user_version`: a store written by an older `lab`
//! is brought up to date when it is opened, and one written by a newer `lab` is refused
//! rather than misread.

/// One migration per version, in order: applying migration `n` takes a store from version
/// `n` to `n + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: attempts and their checks' results.
    "CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        course TEXT NOT NULL,
        lab TEXT NOT NULL,
        lab_digest TEXT NOT NULL,
        project TEXT NOT NULL,
        started_ms INTEGER NOT NULL,
        finished_ms INTEGER NOT NULL,
        score INTEGER NOT NULL,
        max_score INTEGER NOT NULL
    );
    CREATE INDEX attempts_by_lab ON attempts (course, lab, finished_ms);
    CREATE TABLE results (
        attempt INTEGER NOT NULL REFERENCES attempts (id) ON DELETE CASCADE,
        check_id TEXT NOT NULL,
        status TEXT NOT NULL,
        points INTEGER NOT NULL,
        max_points INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        PRIMARY KEY (attempt, check_id)
    );",
    // 2: where an attempt came from (`lab check`, `lab watch`), and the labs' starts, for
    // the time spent on a lab.
    "ALTER TABLE attempts ADD COLUMN source TEXT NOT NULL DEFAULT 'check';
    CREATE TABLE starts (
        uid TEXT NOT NULL UNIQUE,
        course TEXT NOT NULL,
        lab TEXT NOT NULL,
        at_ms INTEGER NOT NULL
    );
    CREATE INDEX starts_by_lab ON starts (course, lab, at_ms);",
];

/// The version this build of `lab` writes.
pub fn current() -> u32 {
    MIGRATIONS.len() as u32
}
