//! Any bytes as a lab's README.md: the parser and the diagnostics renderer must never panic.
#![no_main]

use std::path::Path;

use lab::course::{LoadOptions, parse_lab};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = Path::new("labs/fuzz/README.md");
    if let Err(diags) = parse_lab(text, "fuzz", file, Path::new("/nonexistent/lab"), &LoadOptions::default()) {
        for d in diags.iter() {
            let _ = d.render(Some(text), false);
        }
    }
});
