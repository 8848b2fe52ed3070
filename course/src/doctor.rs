//! `cargo course doctor`: is this machine ready for the course? Cores, memory, free disk,
//! the toolchain, the dataset, the build and the browser driver, each with the command that
//! fixes what is missing. For the day before a workshop, and for the first minute of it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One line of the report.
struct Check {
    what: &'static str,
    /// What was found.
    found: String,
    /// `None` when all is well; else what to run or do.
    fix: Option<String>,
    /// A missing step (the dataset, the build), as opposed to advice.
    required: bool,
}

/// Prints the report; `Ok(false)` when a required step is missing.
pub fn doctor(root: &Path) -> anyhow::Result<bool> {
    let checks = [
        cores(),
        memory(),
        disk(root),
        toolchain(root),
        dataset(root),
        build(root),
        chromedriver(),
    ];
    let mut ready = true;
    for check in &checks {
        let mark = match (&check.fix, check.required) {
            (None, _) => "ok     ",
            (Some(_), true) => "MISSING",
            (Some(_), false) => "note   ",
        };
        println!("{mark} {:<13} {}", check.what, check.found);
        if let Some(fix) = &check.fix {
            println!("        {:<13} {fix}", "");
        }
        ready &= check.fix.is_none() || !check.required;
    }
    println!();
    println!(
        "{}",
        if ready {
            "All in place: `cargo course` lists the lessons."
        } else {
            "Run the commands above, in that order, then `cargo course doctor` again."
        }
    );
    Ok(ready)
}

fn cores() -> Check {
    let n = std::thread::available_parallelism().map_or(1, |n| n.get());
    Check {
        what: "cores",
        found: format!("{n}"),
        fix: (n < 2).then(|| {
            "one core: every parallel table will show no speed-up; read the book's figures".into()
        }),
        required: false,
    }
}

/// `MemTotal` and `MemAvailable` of `/proc/meminfo`, in bytes.
fn meminfo() -> Option<(u64, u64)> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|l| l.starts_with(name))?;
        Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
    };
    Some((field("MemTotal:")?, field("MemAvailable:")?))
}

fn memory() -> Check {
    const NEEDED: u64 = 4 << 30;
    match meminfo() {
        Some((total, available)) => Check {
            what: "memory",
            found: format!("{} total, {} available", gib(total), gib(available)),
            fix: (available < NEEDED).then(|| {
                format!(
                    "under {} available: close other programs before the lessons' timed runs",
                    gib(NEEDED)
                )
            }),
            required: false,
        },
        None => Check {
            what: "memory",
            found: "unknown (no /proc/meminfo)".into(),
            fix: None,
            required: false,
        },
    }
}

fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// Free bytes on the file system of `path`, from `df -Pk`.
fn free_bytes(path: &Path) -> Option<u64> {
    let output = Command::new("df").arg("-Pk").arg(path).output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    let kb: u64 = text
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()?;
    Some(kb * 1024)
}

fn disk(root: &Path) -> Check {
    // The dataset (about 1 GB) and one release build of the workspace (a few GB).
    const NEEDED: u64 = 8 << 30;
    match free_bytes(root) {
        Some(free) => Check {
            what: "free disk",
            found: format!("{} free at {}", gib(free), root.display()),
            fix: (free < NEEDED).then(|| {
                format!(
                    "the build and the dataset need about {}: free some space",
                    gib(NEEDED)
                )
            }),
            required: false,
        },
        None => Check {
            what: "free disk",
            found: "unknown (`df` did not answer)".into(),
            fix: None,
            required: false,
        },
    }
}

/// The workspace's `rust-version` (`"1.88"`), from its `Cargo.toml`.
fn rust_version(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join("Cargo.toml")).ok()?;
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("rust-version"))?;
    Some(line.split('"').nth(1)?.to_string())
}

/// `(major, minor)` of a version such as `1.88` or `rustc 1.95.0 (…)`.
fn major_minor(text: &str) -> Option<(u32, u32)> {
    let version = text
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))?;
    let mut parts = version.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

fn toolchain(root: &Path) -> Check {
    let output = Command::new("rustc").arg("--version").output();
    let found = output.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let needed = rust_version(root);
    let (have, want) = (
        found.as_deref().ok().and_then(major_minor),
        needed.as_deref().and_then(major_minor),
    );
    let old = matches!((have, want), (Some(have), Some(want)) if have < want);
    Check {
        what: "toolchain",
        found: format!(
            "{} (the course needs {} or later)",
            found.as_deref().unwrap_or("no rustc"),
            needed.as_deref().unwrap_or("?")
        ),
        fix: (old || have.is_none()).then(|| "run: rustup update stable".into()),
        required: old || have.is_none(),
    }
}

/// Where the programs look for the dataset: `$PARALLEL_RUST_DATA`, else `data/` here.
fn data_folder(root: &Path) -> PathBuf {
    match std::env::var_os("PARALLEL_RUST_DATA") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => root.join("data"),
    }
}

fn dataset(root: &Path) -> Check {
    let folder = data_folder(root);
    let out = match std::env::var_os("PARALLEL_RUST_DATA") {
        Some(dir) if !dir.is_empty() => format!(" -- --out {}", PathBuf::from(dir).display()),
        _ => String::new(),
    };
    let (found, fix) = match manifest(&folder) {
        Ok(files) => (
            format!("generated in {} ({files} files)", folder.display()),
            None,
        ),
        Err(None) => (
            format!("not there in {}", folder.display()),
            Some(format!("run: cargo run --release -p data{out}")),
        ),
        Err(Some(why)) => (
            format!("a damaged manifest in {}: {why}", folder.display()),
            Some(format!(
                "run: cargo run --release -p data{} --force (with the options you made it \
                 with; --check first tells what is wrong)",
                if out.is_empty() { " --" } else { &out }
            )),
        ),
    };
    Check {
        what: "dataset",
        found,
        fix,
        required: true,
    }
}

/// How many files the dataset in `folder` lists, read from its manifest: `Err(None)`
/// when there is none, `Err(Some(why))` when it is not one the generator wrote. (Only
/// the manifest: `cargo run -p data -- --check` reads every file.)
fn manifest(folder: &Path) -> Result<usize, Option<String>> {
    let path = folder.join("manifest.json");
    if !path.is_file() {
        return Err(None);
    }
    // A manifest is a few megabytes at most.
    let size = std::fs::metadata(&path)
        .map_err(|e| Some(e.to_string()))?
        .len();
    if size > 64 << 20 {
        return Err(Some(format!(
            "it is {size} bytes, far too big for a manifest"
        )));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Some(e.to_string()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Some(format!("not JSON ({e})")))?;
    let files = value.get("files").and_then(serde_json::Value::as_array);
    let spec = value
        .get("spec")
        .and_then(|s| s.get("symbols"))
        .and_then(serde_json::Value::as_array);
    match (files, spec) {
        (Some(files), Some(symbols)) if !files.is_empty() && !symbols.is_empty() => Ok(files.len()),
        _ => Err(Some("it lists no files or no symbols".into())),
    }
}

/// The lessons' binaries a workshop's pre-build makes, and where they go.
fn build(root: &Path) -> Check {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let release = target.join("release");
    let missing: Vec<String> = (1..=6)
        .flat_map(|n| [format!("exercise-0{n}"), format!("solution-0{n}")])
        .filter(|bin| !release.join(bin).is_file() && !release.join(format!("{bin}.exe")).is_file())
        .collect();
    Check {
        what: "build",
        found: if missing.is_empty() {
            format!("every lesson's program is built in {}", release.display())
        } else {
            format!(
                "{} of 12 lesson programs not built in {}",
                missing.len(),
                release.display()
            )
        },
        fix: (!missing.is_empty())
            .then(|| "run: cargo build --release --workspace (once, before the day)".into()),
        required: true,
    }
}

fn chromedriver() -> Check {
    let output = Command::new("chromedriver").arg("--version").output();
    let found = output.ok().filter(|o| o.status.success());
    Check {
        what: "chromedriver",
        found: found.map_or(
            "not found (only lesson 5's dashboard test needs it)".into(),
            |o| String::from_utf8_lossy(&o.stdout).trim().to_string(),
        ),
        fix: None,
        required: false,
    }
}

#[cfg(test)]
mod tests {
    use super::major_minor;

    #[test]
    fn versions_compare_by_major_and_minor() {
        assert_eq!(
            major_minor("rustc 1.95.0 (59807616e 2026-04-14)"),
            Some((1, 95))
        );
        assert_eq!(major_minor("1.88"), Some((1, 88)));
        assert!(major_minor("1.88").unwrap() < major_minor("rustc 1.95.0").unwrap());
        assert_eq!(major_minor("no version"), None);
    }
}
