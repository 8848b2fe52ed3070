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

/// Works out the reset of exercise `id` in `lesson`, without writing anything.
pub fn plan(root: &Path, lesson: &Lesson, id: Id) -> anyhow::Result<Reset> {
    let file = lesson.exercise_file();
    let relative = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
    let current = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let stub = committed_stub(root, &relative, id)?;
    let stub_item = &stub[item_of(&stub, id, None)
        .with_context(|| format!("the committed {} has no stub of {id}", relative.display()))?];
    let name = function_name(stub_item).context("the stub's function has no name")?;
    let Some(range) = item_of(&current, id, Some(&name)) else {
        bail!(
            "cannot find `fn {name}` in {}, or where it ends (do its braces balance?). \
             Restore the whole file with `git checkout -- {}` (this discards every answer in it)",
            relative.display(),
            relative.display()
        );
    };
    if current[range.clone()] == *stub_item {
        return Ok(Reset::AlreadyTheStub);
    }
    let discarded = current[range.clone()].to_string();
    let mut file_text = current;
    file_text.replace_range(range, stub_item);
    Ok(Reset::Replace {
        file_text,
        discarded,
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
        let text = git(&["show", &format!("{commit}:{file}")])?;
        if item_of(&text, id, None).is_some() {
            return Ok(text);
        }
    }
    bail!("no commit of {file} has the stub of exercise {id}")
}

/// The byte range of an item: from the first line of its doc comment (and attributes) to
/// the end of the line of its closing brace. With `name`, the function of that name; without,
/// the function whose body holds the stub marker `"exercise N.M:`.
pub fn item_of(text: &str, id: Id, name: Option<&str>) -> Option<Range<usize>> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < text.len())
        .collect();
    let line = |n: usize| &text[starts[n]..starts.get(n + 1).copied().unwrap_or(text.len())];
    let is_signature = |l: &str| {
        let l = l.trim_start();
        ["pub fn ", "pub async fn ", "fn ", "async fn "]
            .iter()
            .any(|p| l.starts_with(p))
    };
    let signature = match name {
        Some(name) => (0..starts.len())
            .find(|&n| is_signature(line(n)) && function_name(line(n)).as_deref() == Some(name))?,
        None => {
            let marker = format!("\"exercise {id}:");
            let todo = (0..starts.len()).find(|&n| line(n).contains(&marker))?;
            (0..=todo).rev().find(|&n| is_signature(line(n)))?
        }
    };
    let mut first = signature;
    while first > 0 {
        let above = line(first - 1).trim_start();
        if above.starts_with("///") || above.starts_with("#[") {
            first -= 1;
        } else {
            break;
        }
    }
    let end = closing_brace(text, starts[signature])?;
    let end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    Some(starts[first]..end)
}

/// The name in `fn NAME` or `fn NAME<…>(`.
fn function_name(item: &str) -> Option<String> {
    let after = item.split("fn ").nth(1)?;
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
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                continue;
            }
            b'r' if matches!(bytes.get(i + 1), Some(b'"' | b'#'))
                && (i == 0 || !is_ident(bytes[i - 1])) =>
            {
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
                    i += text[i + 2..].find('\'').map_or(bytes.len(), |n| n + 2);
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

#[cfg(test)]
mod tests {
    use super::*;

    const STUB: &str = "use x;\n\n/// Exercise 1.1: twice.\n#[inline]\npub fn double(x: u32) -> u32 {\n    let _ = x;\n    todo!(\"exercise 1.1: double it\")\n}\n\n/// Exercise 1.2: three times.\npub fn triple(x: u32) -> u32 {\n    todo!(\"exercise 1.2: triple it\")\n}\n";

    #[test]
    fn finds_an_item_by_its_marker_and_by_its_name() {
        let range = item_of(STUB, Id(1, 1), None).unwrap();
        assert!(STUB[range.clone()].starts_with("/// Exercise 1.1"));
        assert!(STUB[range.clone()].ends_with("}\n"));
        assert!(STUB[range.end..].starts_with("\n/// Exercise 1.2"));
        assert_eq!(item_of(STUB, Id(1, 1), Some("double")), Some(range));
        assert!(item_of(STUB, Id(1, 3), None).is_none());
    }

    #[test]
    fn braces_in_strings_comments_and_characters_do_not_count() {
        let answer = STUB.replace(
            "    let _ = x;\n    todo!(\"exercise 1.1: double it\")\n",
            "    let s = \"}\"; let r = r#\"}\"#; let c = '}'; // }\n    /* } */ let _ = (s, r, c);\n    fn inner<'a>(s: &'a str) -> &'a str { s }\n    x * 2\n",
        );
        let range = item_of(&answer, Id(1, 1), Some("double")).unwrap();
        assert!(
            answer[range.clone()].ends_with("    x * 2\n}\n"),
            "{}",
            &answer[range]
        );
    }

    #[test]
    fn unbalanced_braces_are_not_guessed_at() {
        let broken = STUB.replace("let _ = x;", "if x > 0 {");
        assert!(item_of(&broken, Id(1, 1), Some("double")).is_none());
    }
}
