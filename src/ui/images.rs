//! `lab images` for people: the table of what the course needs, and sizes in the engine's
//! own units (decimal, as `docker images` prints them), so the numbers match.

use crate::session::images::{Got, Kind, Needed};

use super::{Style, table};

/// One row per image: name, what it is to the course, the labs using it, here or not.
pub fn list(needed: &[Needed], style: Style) -> String {
    let rows: Vec<Vec<String>> = needed
        .iter()
        .map(|n| {
            let present = match (n.present, n.size) {
                (true, Some(size)) => style.green(&format!("yes, {}", size_text(size))),
                (true, None) => style.green("yes"),
                (false, _) => style.red("missing"),
            };
            vec![n.name.clone(), kinds(n), n.labs.join(", "), present]
        })
        .collect();
    table::render(&["IMAGE", "KIND", "LABS", "PRESENT"], &rows, style)
}

/// "built from labs/week2/files/app", "pulled, base of a build", "helper".
pub fn kinds(n: &Needed) -> String {
    n.kinds
        .iter()
        .map(|k| match k {
            Kind::Pulled => "pulled".to_string(),
            Kind::Built => match &n.built_from {
                Some(from) => format!("built from {from}"),
                None => "built".to_string(),
            },
            Kind::Base => "base of a build".to_string(),
            Kind::Helper => "helper".to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The line under the table: how many, and what to do next.
pub fn list_summary(needed: &[Needed]) -> String {
    let missing = needed.iter().filter(|n| !n.present).count();
    let total: u64 = needed.iter().filter_map(|n| n.size).sum();
    let images = match needed.len() {
        1 => "1 image".to_string(),
        n => format!("{n} images"),
    };
    if missing == 0 {
        format!(
            "all here: {images}, {}; `lab images save FILE` puts them in one archive\n",
            size_text(total)
        )
    } else {
        format!(
            "{missing} of {images} missing; `lab images pull` gets them, or `lab images load FILE` loads an archive\n"
        )
    }
}

/// One line per image of what `lab images pull` did; failures with their reasons.
pub fn pulled(needed: &[Needed], got: &[Got], style: Style) -> String {
    let mut out = String::new();
    for (n, g) in needed.iter().zip(got) {
        let line = match g {
            Got::Present => format!("{} {} (already here)", style.green("✓"), n.name),
            Got::Pulled => format!("{} {} (pulled)", style.green("✓"), n.name),
            Got::Built => format!("{} {} (built)", style.green("✓"), n.name),
            Got::Failed(why) => format!("{} {}: {why}", style.red("✗"), n.name),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Bytes as `docker images` shows them: 1.99MB → "2.0 MB".
pub fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit + 1 < UNITS.len() {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::size_text;

    #[test]
    fn sizes_read_as_docker_prints_them() {
        assert_eq!(size_text(512), "512 B");
        assert_eq!(size_text(1_990_000), "2.0 MB");
        assert_eq!(size_text(12_345_678_901), "12.3 GB");
    }
}
