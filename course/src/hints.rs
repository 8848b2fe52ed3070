//! Hints that unfold: a hints file `NN-topic/hints/N.M.md` is a series of levels, each
//! between `<!-- ANCHOR: levelK -->` and `<!-- ANCHOR_END: levelK -->` (the markers the
//! book's `{{#include …:levelK}}` folds one by one). Level 1 is an idea with no code, level
//! 2 names the API, level 3 sketches the shape; the learner writes the decisive lines.
//! A file without markers is one level.
//!
//! `cargo course verify --hints` counts what the hints hand over: spans of code of 20 or
//! more characters (whitespace ignored) that appear verbatim in the lesson's `solution.rs`.

/// The levels of a hints file, in order, without their markers.
pub fn levels(text: &str) -> Vec<String> {
    let mut levels = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in text.lines() {
        let marker = line.trim();
        if marker.starts_with("<!-- ANCHOR: level") {
            current = Some(Vec::new());
        } else if marker.starts_with("<!-- ANCHOR_END: level") {
            if let Some(lines) = current.take() {
                levels.push(lines.join("\n").trim().to_string());
            }
        } else if let Some(lines) = &mut current {
            lines.push(line);
        }
    }
    if levels.is_empty() {
        levels.push(text.trim().to_string());
    }
    levels
}

/// Whether the file is written in levels (has the markers).
pub fn has_levels(text: &str) -> bool {
    text.lines()
        .any(|line| line.trim().starts_with("<!-- ANCHOR: level"))
}

/// The code in a level: its inline `code` spans and the lines of its fenced blocks.
pub fn code_spans(level: &str) -> Vec<String> {
    let mut spans = Vec::new();
    let mut fenced = false;
    for line in level.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            spans.push(line.to_string());
            continue;
        }
        let mut parts = line.split('`');
        parts.next();
        while let (Some(code), Some(_)) = (parts.next(), parts.next()) {
            spans.push(code.to_string());
        }
    }
    spans
}

/// Spans of code long enough to be an answer's line: this many characters, whitespace
/// ignored.
pub const LONG: usize = 20;

/// The spans of `level` of [`LONG`] characters or more that appear in `solution`
/// (whitespace ignored on both sides).
pub fn leaks(level: &str, solution: &str) -> Vec<String> {
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let solution = squeeze(solution);
    code_spans(level)
        .into_iter()
        .filter(|span| {
            let span = squeeze(span);
            span.chars().count() >= LONG && solution.contains(&span)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "<!-- ANCHOR: level1 -->\n**The idea.** Submit, then wait.\n<!-- ANCHOR_END: level1 -->\n\n<!-- ANCHOR: level2 -->\n**The API.** `pool.spawn_with_handle(future)` and:\n\n```rust\n    pool.spawn_with_handle(async move { slow.add(i, j) })\n```\n<!-- ANCHOR_END: level2 -->\n";

    #[test]
    fn a_file_unfolds_into_its_levels() {
        let levels = levels(FILE);
        assert_eq!(levels.len(), 2);
        assert_eq!(levels[0], "**The idea.** Submit, then wait.");
        assert!(levels[1].starts_with("**The API.**"));
        assert!(has_levels(FILE));
        assert_eq!(super::levels("- one hint\n- two\n"), ["- one hint\n- two"]);
    }

    #[test]
    fn long_code_found_in_the_solution_is_a_leak() {
        let solution = "pool.spawn_with_handle(async move {\n    slow.add(i, j)\n})";
        let levels = levels(FILE);
        assert!(leaks(&levels[0], solution).is_empty());
        let found = leaks(&levels[1], solution);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("async move { slow.add(i, j) }"));
        // Short spans, and spans not in the solution, are not leaks.
        assert!(
            code_spans(&levels[1])
                .iter()
                .any(|s| s == "pool.spawn_with_handle(future)")
        );
    }
}
