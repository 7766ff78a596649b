//! Loading a course: find it, read it, decode every block, report every mistake with its
//! file, line and column. Produces the plain data of [`crate::model`].

pub mod decode;
pub mod diag;
mod lab;
pub mod load;
pub mod markdown;
mod needs;
mod syntax;
pub mod yaml;

pub use diag::{Diagnostic, Diagnostics, Severity};
pub use load::{
    LoadOptions, find_course_root, lint_lab_in_course, load_course, load_course_linted, load_lab,
    load_lab_linted, missing_solutions, parse_lab, parse_stack,
};
