//! The book's structure: every chapter SUMMARY.md lists exists, every relative link in a
//! chapter leads to a file that exists (labs included), and every lab of the course has a
//! chapter that links it. (`.ci/run` also builds the book with mdBook.)

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `[text](target)` links of a markdown file, without anchors; external links skipped.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        let Some(end) = rest.find(')') else { break };
        let target = rest[..end]
            .split('#')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        if !target.is_empty() && !target.contains("://") && !target.starts_with("mailto:") {
            out.push(target);
        }
        rest = &rest[end..];
    }
    out
}

fn chapters(src: &Path) -> Vec<PathBuf> {
    let summary = std::fs::read_to_string(src.join("SUMMARY.md")).expect("book/src/SUMMARY.md");
    links(&summary).into_iter().map(|l| src.join(l)).collect()
}

#[test]
fn summary_chapters_exist_and_links_resolve() {
    let book = root().join("book");
    if !book.join("book.toml").is_file() {
        // The book lands with the course; until then there is nothing to check.
        assert!(
            !root().join("book/src/SUMMARY.md").exists(),
            "book/src exists without book/book.toml"
        );
        return;
    }
    let src = book.join("src");
    let mut missing = Vec::new();
    for chapter in chapters(&src) {
        if !chapter.is_file() {
            missing.push(format!(
                "SUMMARY.md lists {}, which does not exist",
                chapter.display()
            ));
            continue;
        }
        let text = std::fs::read_to_string(&chapter).expect("chapter");
        for link in links(&text) {
            let target = chapter.parent().unwrap_or(&src).join(&link);
            if !target.exists() {
                missing.push(format!(
                    "{} links {link}, which does not exist",
                    chapter.strip_prefix(root()).unwrap_or(&chapter).display()
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn every_lab_has_a_chapter_that_links_it() {
    let src = root().join("book/src");
    let course = root().join("labs/course.yaml");
    if !src.join("SUMMARY.md").is_file() || !course.is_file() {
        return;
    }
    let loaded = lab::course::load_course(&root(), &lab::course::LoadOptions::default())
        .expect("the course loads");
    let all_text: String = chapters(&src)
        .iter()
        .filter_map(|c| std::fs::read_to_string(c).ok())
        .collect();
    for l in &loaded.labs {
        let needle = format!("labs/{}/README.md", l.id);
        assert!(
            all_text.contains(&needle),
            "no chapter of the book links {needle}"
        );
    }
}
