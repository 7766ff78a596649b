//! `lab new ID`: scaffold a lab and its reference solution, and list it in course.yaml.

use std::path::Path;

use super::Global;
use crate::course::{LoadOptions, find_course_root, load_lab};
use crate::exit;
use crate::ui::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The new lab's id: its folder name (kebab-case, e.g. week5 or health-checks).
    id: String,
    /// The lab's title.
    #[arg(long)]
    title: Option<String>,
}

pub fn run(global: &Global, args: Args) -> super::CliResult {
    let id = args.id.trim().to_string();
    if !crate::course::decode::is_kebab(&id) {
        output::err(&format!(
            "error: \"{id}\" is not a lab id: use lowercase letters, digits and dashes (e.g. week5)\n"
        ));
        return Err(super::CliError::Reported(exit::INVALID_INPUT));
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let root = match find_course_root(global.course.as_deref(), &cwd) {
        Ok(r) => r,
        Err(d) => {
            output::err(&d.render(None, false));
            return Err(super::CliError::Reported(exit::INVALID_INPUT));
        }
    };
    let lab_dir = root.join("labs").join(&id);
    let solution_dir = root.join("solutions").join(&id);
    for existing in [&lab_dir, &solution_dir] {
        if existing.exists() {
            output::err(&format!(
                "error: {} already exists; nothing was written\n",
                existing.display()
            ));
            return Err(super::CliError::Reported(exit::INVALID_INPUT));
        }
    }
    let title = args.title.unwrap_or_else(|| format!("Lab {id}"));
    let course_yaml = root.join("labs/course.yaml");
    let listed = match std::fs::read_to_string(&course_yaml).map(|t| add_to_course(&t, &id)) {
        Ok(Some(t)) => t,
        Ok(None) => {
            output::err(
                "error: could not find the `labs:` list in labs/course.yaml; nothing was written\n",
            );
            return Err(super::CliError::Reported(exit::INVALID_INPUT));
        }
        Err(e) => {
            output::err(&format!(
                "error: could not read {}: {e}\n",
                course_yaml.display()
            ));
            return Err(super::CliError::Reported(exit::INVALID_INPUT));
        }
    };
    let io = |e: std::io::Error| {
        super::CliError::Environment(format!("could not write the new lab: {e}"))
    };
    write(&lab_dir.join("README.md"), &readme(&id, &title)).map_err(io)?;
    let solve = solution_dir.join("solve.sh");
    write(&solve, &solution(&id)).map_err(io)?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&solve, std::fs::Permissions::from_mode(0o755)).map_err(io)?;
    // Prove the scaffold is a valid lab before touching the course's list.
    if let Err(d) = load_lab(&lab_dir, &root, &LoadOptions::default()) {
        output::err(&format!("internal error: the scaffold does not lint:\n{d}"));
        return Err(super::CliError::Reported(exit::INVALID_INPUT));
    }
    std::fs::write(&course_yaml, listed).map_err(io)?;
    output::out(&format!(
        "created labs/{id}/README.md and solutions/{id}/solve.sh, and listed {id} in labs/course.yaml\n\
         next: edit the lab, then `lab lint labs/{id}` and `lab verify {id}`\n"
    ));
    Ok(exit::OK)
}

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

/// Add `id` to the `labs:` list, keeping the file's own layout (flow or block list).
pub fn add_to_course(text: &str, id: &str) -> Option<String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with("labs:"))?;
    let line = lines[at].clone();
    if let (Some(open), Some(close)) = (line.find('['), line.rfind(']')) {
        let inner = line[open + 1..close].trim();
        let items = if inner.is_empty() {
            id.to_string()
        } else {
            format!("{inner}, {id}")
        };
        lines[at] = format!("{}[{items}]{}", &line[..open], &line[close + 1..]);
    } else {
        // A block list: append after its last item, with the same indentation.
        let mut last = at;
        let mut indent = "  ".to_string();
        for (i, l) in lines.iter().enumerate().skip(at + 1) {
            let t = l.trim_start();
            if t.starts_with("- ") {
                last = i;
                indent = l[..l.len() - t.len()].to_string();
            } else if !t.is_empty() && !t.starts_with('#') {
                break;
            }
        }
        lines.insert(last + 1, format!("{indent}- {id}"));
    }
    let mut out = lines.join("\n");
    out.push('\n');
    Some(out)
}

fn readme(id: &str, title: &str) -> String {
    format!(
        r#"---
title: {title}
timeout: 10s
---

# {title}

What this lab teaches, in a paragraph or two. Students see this first.

```yaml stack
services:
  web:
    image: busybox:1.36
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    ports: ["8080"]
```

## Serve a page

Ask the student to do one thing, and say how they can tell it worked.

```yaml check
id: page-served
title: web serves index.html
points: 1
hint: Create /www/index.html inside the web container (docker exec -it {id}-web sh).
eventually: 5s
http: {{ service: web, port: 8080, path: /, status: 200 }}
```
"#
    )
}

fn solution(id: &str) -> String {
    format!(
        r#"#!/bin/sh
# Reference solution for {id}: takes a freshly started lab to full marks, the way a
# student would. Runs with cwd = a fresh workspace; LAB_PROJECT names the running project.
set -eu
docker exec "$LAB_PROJECT-web" sh -c 'mkdir -p /www && echo "<h1>hello</h1>" > /www/index.html'
"#
    )
}

#[cfg(test)]
mod tests {
    use super::add_to_course;

    #[test]
    fn flow_and_block_lists() {
        assert_eq!(
            add_to_course("format_version: 1\nlabs: [a, b]\ntitle: T\n", "c").as_deref(),
            Some("format_version: 1\nlabs: [a, b, c]\ntitle: T\n")
        );
        assert_eq!(
            add_to_course("labs: []\n", "c").as_deref(),
            Some("labs: [c]\n")
        );
        assert_eq!(
            add_to_course("labs:\n  - a\n  - b\ntitle: T\n", "c").as_deref(),
            Some("labs:\n  - a\n  - b\n  - c\ntitle: T\n")
        );
        assert_eq!(add_to_course("title: T\n", "c"), None);
    }
}
