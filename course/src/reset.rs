//! `cargo course reset N.M`: puts exercise N.M's stub back, as the course shipped it, and
//! leaves the rest of the exercise file alone (like rustlings' `reset`).
//!
//! The stub comes from git: the newest commit of the exercise file in which the function of
//! N.M still holds its `todo!("exercise N.M: …")` (so an answer the learner committed is
//! skipped over). The function is found by name in both versions, from its doc comment to
//! its closing brace.

use std::ops::Range;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use crate::lessons::{Id, Lesson};

/// What a reset would do, or did.
#[derive(Debug, PartialEq, Eq)]
pub enum Reset {
    /// The function is already the stub: nothing to do.
    AlreadyTheStub,
    /// The new text of the exercise file, and the answer it throws away.
    Replace {
        file_text: String,
        discarded: String,
    },
}

/// Works out the reset of exercise `id` in `lesson`, without writing anything: every
/// function of the committed stub whose body holds the marker `"exercise N.M:` (6.3 has two)
/// replaces the function of the same name in the current file.
pub fn plan(root: &Path, lesson: &Lesson, id: Id) -> anyhow::Result<Reset> {
    let file = lesson.exercise_file();
    let relative = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
    let current = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let stub = committed_stub(root, &relative, id)?;
    let mut replacements = Vec::new();
    for stub_range in stub_items(&stub, id) {
        let stub_item = &stub[stub_range];
        let name = function_name(stub_item).context("the stub's function has no name")?;
        let Some(range) = item_named(&current, &name) else {
            bail!(
                "cannot find `fn {name}` in {}, or where it ends (do its braces balance?). \
                 Restore the whole file with `git checkout -- {}` (this discards every answer \
                 in it)",
                relative.display(),
                relative.display()
            );
        };
        if current[range.clone()] != *stub_item {
            replacements.push((range, stub_item.to_string()));
        }
    }
    if replacements.is_empty() {
        return Ok(Reset::AlreadyTheStub);
    }
    // From the end of the file to its start, so that earlier ranges stay valid.
    replacements.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut file_text = current.clone();
    let mut discarded = Vec::new();
    for (range, stub_item) in replacements {
        discarded.push(current[range.clone()].to_string());
        file_text.replace_range(range, &stub_item);
    }
    discarded.reverse();
    Ok(Reset::Replace {
        file_text,
        discarded: discarded.join("\n"),
    })
}

/// The newest committed version of `file` (relative to `root`) that still has N.M's stub.
fn committed_stub(root: &Path, file: &Path, id: Id) -> anyhow::Result<String> {
    let git = |args: &[&str]| -> anyhow::Result<String> {
        let output = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .context("cannot run git, which `reset` reads the stubs from; is it installed?")?;
        if !output.status.success() {
            bail!(
                "git {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let file = file.to_string_lossy().replace('\\', "/");
    let commits = git(&["log", "--format=%H", "--", &file]).with_context(|| {
        format!("`reset` needs the course's git history (a clone), to read the stub of {id}")
    })?;
    for commit in commits.lines().take(200) {
        // `./`: relative to the course's folder, which may be a subfolder of the repository.
        // A commit that deleted the file has none to show: skip it.
        let Ok(text) = git(&["show", &format!("{commit}:./{file}")]) else {
            continue;
        };
        if !stub_items(&text, id).is_empty() {
            return Ok(text);
        }
    }
    bail!("no commit of {file} has the stub of exercise {id}")
}

/// The lines of `text`, as byte ranges (each with its `\n`).
fn lines(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices('\n') {
        out.push(start..i + 1);
        start = i + 1;
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    out
}

/// Whether `line` starts a function: `fn`, after any of `pub`, `pub(crate)`, `const`,
/// `async`, `unsafe`, `extern "C"`.
fn is_signature(line: &str) -> bool {
    let mut words = line.split_whitespace();
    for word in words.by_ref() {
        match word {
            "fn" => return true,
            "const" | "async" | "unsafe" | "extern" | "\"C\"" => {}
            w if w == "pub" || w.starts_with("pub(") => {}
            _ => return false,
        }
    }
    false
}

/// The byte range of the item whose signature is on line `signature`: from the first line of
/// its doc comment (and attributes) to the end of the line of its closing brace.
fn item_at(text: &str, lines: &[Range<usize>], signature: usize) -> Option<Range<usize>> {
    let mut first = signature;
    while first > 0 {
        let above = text[lines[first - 1].clone()].trim_start();
        if above.starts_with("///") || above.starts_with("#[") {
            first -= 1;
        } else {
            break;
        }
    }
    let end = closing_brace(text, lines[signature].start)?;
    let end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    Some(lines[first].start..end)
}

/// Every function whose body holds the stub marker `"exercise N.M:`, in file order.
pub fn stub_items(text: &str, id: Id) -> Vec<Range<usize>> {
    let lines = lines(text);
    let marker = format!("\"exercise {id}:");
    let mut items: Vec<Range<usize>> = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        if !text[line.clone()].contains(&marker) {
            continue;
        }
        let Some(signature) = (0..=n)
            .rev()
            .find(|&s| is_signature(&text[lines[s].clone()]))
        else {
            continue;
        };
        if let Some(item) = item_at(text, &lines, signature)
            && !items.contains(&item)
        {
            items.push(item);
        }
    }
    items
}

/// The function named `name` (its first definition), from its doc comment to its end.
pub fn item_named(text: &str, name: &str) -> Option<Range<usize>> {
    let lines = lines(text);
    let signature = (0..lines.len()).find(|&n| {
        let line = &text[lines[n].clone()];
        is_signature(line) && function_name(line).as_deref() == Some(name)
    })?;
    item_at(text, &lines, signature)
}

/// The function named `name` whose signature is not indented (no method, no inner
/// function), from its doc comment to its end.
pub fn top_level_item_named(text: &str, name: &str) -> Option<Range<usize>> {
    let lines = lines(text);
    let signature = (0..lines.len()).find(|&n| {
        let line = &text[lines[n].clone()];
        !line.starts_with(char::is_whitespace)
            && is_signature(line)
            && function_name(line).as_deref() == Some(name)
    })?;
    item_at(text, &lines, signature)
}

/// The first function of `text` whose signature is not indented, from its doc comment to
/// its end.
pub fn first_top_level_fn(text: &str) -> Option<Range<usize>> {
    let lines = lines(text);
    let signature = (0..lines.len()).find(|&n| {
        let line = &text[lines[n].clone()];
        !line.starts_with(char::is_whitespace) && is_signature(line)
    })?;
    item_at(text, &lines, signature)
}

/// The name in `fn NAME` or `fn NAME<…>(`, read from the item's signature line (its doc
/// comment may say "fn" too).
pub fn function_name(item: &str) -> Option<String> {
    let signature = item.lines().find(|line| is_signature(line))?;
    let after = signature.split("fn ").nth(1)?;
    let name: String = after
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// The index just past the `}` that closes the first `{` at or after `from`, skipping
/// braces in strings, characters and comments; `None` if they never balance.
fn closing_brace(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = from;
    let mut opened = false;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                // Block comments nest in Rust.
                let mut depth = 0usize;
                while i < bytes.len() {
                    if bytes[i..].starts_with(b"/*") {
                        depth += 1;
                        i += 2;
                    } else if bytes[i..].starts_with(b"*/") {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'r' if matches!(bytes.get(i + 1), Some(b'"' | b'#')) && raw_prefix(bytes, i) => {
                // A raw string: r"…" or r#"…"#.
                let hashes = bytes[i + 1..].iter().take_while(|&&b| b == b'#').count();
                if bytes.get(i + 1 + hashes) == Some(&b'"') {
                    let close = format!("\"{}", "#".repeat(hashes));
                    let body = i + 2 + hashes;
                    i = text[body..]
                        .find(&close)
                        .map_or(bytes.len(), |n| body + n + close.len());
                    continue;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' => {
                // A character ('x', '\n', '{') rather than a lifetime ('a).
                if bytes.get(i + 1) == Some(&b'\\') {
                    // '\n', '\'', '\u{…}': the backslash and the character after it, then
                    // up to the closing quote.
                    let after = (i + 3).min(bytes.len());
                    i = text[after..].find('\'').map_or(bytes.len(), |n| after + n);
                } else if bytes.get(i + 2) == Some(&b'\'') {
                    i += 2;
                } else if let Some(c) = text[i + 1..].chars().next()
                    && text[i + 1 + c.len_utf8()..].starts_with('\'')
                {
                    i += c.len_utf8() + 1;
                }
            }
            b'{' => {
                depth += 1;
                opened = true;
            }
            b'}' => {
                depth = depth.checked_sub(1)?;
                if opened && depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether the `r` at `i` starts a raw string: `r"…"`, `br"…"` or `cr"…"`, not the end of
/// an identifier such as `bar"`.
fn raw_prefix(bytes: &[u8], i: usize) -> bool {
    let before = |k: usize| i.checked_sub(k).map(|j| bytes[j]);
    match before(1) {
        None => true,
        Some(b'b' | b'c') => !before(2).is_some_and(is_ident),
        Some(b) => !is_ident(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STUB: &str = "use x;\n\n/// Exercise 1.1: twice.\n#[inline]\npub fn double(x: u32) -> u32 {\n    let _ = x;\n    todo!(\"exercise 1.1: double it\")\n}\n\n/// Exercise 1.2: three times.\npub fn triple(x: u32) -> u32 {\n    todo!(\"exercise 1.2: triple it\")\n}\n";

    #[test]
    fn finds_an_item_by_its_marker_and_by_its_name() {
        let range = stub_items(STUB, Id(1, 1)).remove(0);
        assert!(STUB[range.clone()].starts_with("/// Exercise 1.1"));
        assert!(STUB[range.clone()].ends_with("}\n"));
        assert!(STUB[range.end..].starts_with("\n/// Exercise 1.2"));
        assert_eq!(item_named(STUB, "double"), Some(range));
        assert!(stub_items(STUB, Id(1, 3)).is_empty());
    }

    #[test]
    fn braces_in_strings_comments_and_characters_do_not_count() {
        let answer = STUB.replace(
            "    let _ = x;\n    todo!(\"exercise 1.1: double it\")\n",
            "    let s = \"}\"; let r = r#\"}\"#; let b = br\"}\"; let c = '}'; // }\n    /* } /* } */ } */ let _ = (s, r, b, c, ('\\'', '{'), '\\u{7d}');\n    fn inner<'a>(s: &'a str) -> &'a str { s }\n    x * 2\n",
        );
        let range = item_named(&answer, "double").unwrap();
        assert!(
            answer[range.clone()].ends_with("    x * 2\n}\n"),
            "{}",
            &answer[range]
        );
    }

    #[test]
    fn unbalanced_braces_are_not_guessed_at() {
        let broken = STUB.replace("let _ = x;", "if x > 0 {");
        assert!(item_named(&broken, "double").is_none());
    }

    /// Exercise 6.3 has two stubs (`split` and `settle`): both are its items, and signatures
    /// are found whatever their qualifiers, by the name on the signature line, not the doc's.
    #[test]
    fn an_exercise_may_have_several_stubs() {
        let text = "/// Exercise 6.3: split; the fn below.\npub(crate) fn split() {\n    todo!(\"exercise 6.3: split\")\n}\n\n/// Exercise 6.3, continued.\npub const fn settle() {\n    todo!(\"exercise 6.3: settle\")\n}\n";
        let items = stub_items(text, Id(6, 3));
        assert_eq!(items.len(), 2);
        let names: Vec<String> = items
            .iter()
            .map(|r| function_name(&text[r.clone()]).unwrap())
            .collect();
        assert_eq!(names, ["split", "settle"]);
    }
}
