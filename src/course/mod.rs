//! Loading a course: find it, read it, decode every block, report every mistake with its
//! file, line and column. Produces the plain data of [`crate::model`].

pub mod decode;
pub mod diag;
mod lab;
pub mod load;
pub mod markdown;
mod needs;
pub mod yaml;

pub use diag::{Diagnostic, Diagnostics};
pub use load::{LoadOptions, find_course_root, load_course, load_lab, parse_lab, parse_stack};
