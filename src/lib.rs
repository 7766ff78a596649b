//! `lab`: a toolkit for teaching container orchestration.
//!
//! A course is markdown: each lab a README.md with a YAML front matter, a `yaml stack`
//! block (a subset of Compose) and `yaml check` blocks. The data flows one way:
//!
//! ```text
//! course files → course (load, validate, diagnose) → model (plain data)
//!   → engine (the only code that talks to Docker) → checks (one file per kind)
//!   → session (up, grade, down, solve, verify: what every command does) → report
//! cli parses and calls session; ui draws its events and the reports.
//! ```
//!
//! ```
//! use lab::course::{LoadOptions, load_course};
//! let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/example");
//! let course = load_course(&root, &LoadOptions::default()).expect("the example course is valid");
//! assert!(!course.labs.is_empty());
//! ```

pub mod checks;
pub mod cli;
pub mod course;
pub mod engine;
pub mod exit;
pub mod model;
pub mod platform;
pub mod proc;
pub mod progress;
pub mod report;
pub mod session;
pub mod text;
pub mod ui;
