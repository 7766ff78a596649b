//! Exit codes, in one place (PRODUCT.md): what a script or CI job can rely on.

use std::process::ExitCode;

/// Everything passed, or the command did what was asked.
pub const OK: u8 = 0;
/// Checks ran and some failed.
pub const CHECKS_FAILED: u8 = 1;
/// Invalid input: a lab with mistakes, a bad flag, an unknown lab id.
pub const INVALID_INPUT: u8 = 2;
/// The environment is not usable: engine unreachable, image missing, port taken.
pub const ENVIRONMENT: u8 = 3;
/// Interrupted by Ctrl-C.
pub const INTERRUPTED: u8 = 130;

pub fn code(c: u8) -> ExitCode {
    ExitCode::from(c)
}
