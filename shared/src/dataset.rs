//! Where the dataset lives and what it holds.
//!
//! The dataset is found in `$PARALLEL_RUST_DATA` if set, else in the workspace's `data/`
//! folder. `data/manifest.json`, written last by the generator, says which files a complete
//! dataset has, how big each is, and the spec (seed, symbols, dates) that made them: its
//! absence means the dataset was never made (or a run was interrupted), and the error says the
//! exact command to run.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Environment variable that points the lessons at a dataset somewhere else.
pub const DATA_ENV: &str = "PARALLEL_RUST_DATA";

/// Name of the manifest file inside the dataset folder.
pub const MANIFEST: &str = "manifest.json";

/// The record a generator run writes before its first file and deletes after the manifest:
/// found with no manifest, it means a run was interrupted (see [`Unfinished`]).
pub const GENERATING: &str = ".generating.json";

/// What [`GENERATING`] holds: the spec being written, and the generator's options that make
/// it, so that the "no dataset" hint can offer to finish exactly that run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unfinished {
    pub spec: Spec,
    pub generator_args: Vec<String>,
}

impl Unfinished {
    /// The record in `root`, if there is one that reads.
    pub fn read(root: &Path) -> Option<Unfinished> {
        let text = fs::read_to_string(root.join(GENERATING)).ok()?;
        serde_json::from_str(&text).ok()
    }
}

/// Version of the file layout described by [`Manifest`]; bumped when files change shape.
pub const LAYOUT_VERSION: u32 = 1;

/// How [`find_folder`] chose the dataset folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// `$PARALLEL_RUST_DATA` names it.
    Env,
    /// The `data/` of the course's workspace that holds the current folder.
    Workspace,
    /// The current folder is not inside the course: the `data/` of the workspace this
    /// program was built in, which may be an old copy of the course.
    BuildTime,
}

/// The course's workspace that holds `dir`: the nearest folder at or above it whose
/// `Cargo.toml` declares a `[workspace]` and which has the generator's `data/Cargo.toml`.
pub fn workspace_around(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| {
            d.join("data").join("Cargo.toml").is_file()
                && fs::read_to_string(d.join("Cargo.toml"))
                    .is_ok_and(|text| text.lines().any(|l| l.trim() == "[workspace]"))
        })
        .map(Path::to_path_buf)
}

/// The workspace's `data/` folder, where `cargo run --release -p data` writes by default:
/// that of the workspace around the current folder (so that a moved or copied clone uses
/// its own), else that of the workspace this program was built in.
pub fn default_root() -> PathBuf {
    root_and_rule().0
}

fn root_and_rule() -> (PathBuf, Found) {
    let around = std::env::current_dir()
        .ok()
        .and_then(|dir| workspace_around(&dir));
    match around {
        Some(workspace) => (workspace.join("data"), Found::Workspace),
        None => {
            let shared = Path::new(env!("CARGO_MANIFEST_DIR"));
            (
                shared.parent().unwrap_or(shared).join("data"),
                Found::BuildTime,
            )
        }
    }
}

/// Where programs look for the dataset, and by which rule: `$PARALLEL_RUST_DATA` if set,
/// else the `data/` of the workspace around the current folder, else the build-time one.
pub fn find_folder() -> (PathBuf, Found) {
    match std::env::var_os(DATA_ENV) {
        Some(dir) if !dir.is_empty() => (PathBuf::from(dir), Found::Env),
        _ => root_and_rule(),
    }
}

/// Where programs look for the dataset (see [`find_folder`]).
pub fn default_folder() -> PathBuf {
    find_folder().0
}

/// The lines a program prints first: which dataset folder it reads (and why that one), and
/// where it writes. `reads` is the dataset's folder, `writes` the program's output (if any).
/// When the folder was found by the build-time rule, a warning follows: the program may be
/// reading another copy of the course.
pub fn location_lines(reads: &Path, writes: Option<&Path>) -> String {
    let mut out = format!("Reads:  {}{}", reads.display(), why_this_folder(reads));
    if let Some(writes) = writes {
        out += &format!("\nWrites: {}", writes.display());
    }
    out += &build_time_warning(reads);
    out
}

/// Why `folder` is the dataset folder, as " (…)", when [`find_folder`] chose it.
pub fn why_this_folder(folder: &Path) -> &'static str {
    let (found, rule) = find_folder();
    match rule {
        _ if !same_folder(folder, &found) => "",
        Found::Env => " (from $PARALLEL_RUST_DATA)",
        Found::Workspace => " (the data/ of the workspace around the current folder)",
        Found::BuildTime => " (the data/ of the workspace this program was built in)",
    }
}

/// "\nwarning: …" when `folder` was chosen by [`Found::BuildTime`], else nothing.
pub fn build_time_warning(folder: &Path) -> String {
    let (found, rule) = find_folder();
    match rule == Found::BuildTime && same_folder(folder, &found) {
        true => format!(
            "\nwarning: the current folder is not inside the course, so this uses the data/ of \
             the copy it was built in, which may be an old one. Run it from the course's folder, \
             or, to use this folder on purpose, `export {DATA_ENV}={}`.",
            found.display()
        ),
        false => String::new(),
    }
}

/// What a generator run promised to write: its spec and every file, with sizes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub layout_version: u32,
    pub spec: Spec,
    /// Every file of the dataset, relative to its root, in a fixed order.
    pub files: Vec<FileRecord>,
    pub total_bytes: u64,
    pub total_rows: u64,
    /// The generator's options that make exactly this spec (`["--size", "small"]`), so that
    /// every "run this" hint can repeat them. `None` in manifests of older generators.
    #[serde(default)]
    pub generator_args: Option<Vec<String>>,
}

/// The inputs that fully determine a dataset's bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spec {
    pub seed: u64,
    pub symbols: Vec<String>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// How many of the last trading days go into each `json/{SYM}.json`.
    pub json_days: usize,
}

/// One file of the dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Relative to the dataset root, with `/` separators: `minute/AAPL/2016-01-04.csv`.
    pub path: String,
    pub bytes: u64,
    pub rows: u64,
}

/// The dataset could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error(
        "no dataset in {root} (there is no {MANIFEST} there).\n\
         Make it with:\n\n    {full}\n\n\
         (about 1 GB, a few seconds to a minute), or `{small}` for a smaller one, or set \
         {DATA_ENV} to the folder of an existing dataset.",
        full = generator_command(root, &[], ""),
        small = generator_command(root, &["--size".into(), "small".into()], ""),
    )]
    Missing { root: PathBuf },
    #[error(
        "no dataset in {root} yet: a generator run was interrupted before it finished (its \
         record {GENERATING} is there, its {MANIFEST} is not).\n\
         Finish it with the same options:\n\n    {command}\n",
        command = generator_command(root, &unfinished.generator_args, ""),
    )]
    Interrupted {
        root: PathBuf,
        unfinished: Unfinished,
    },
    #[error(
        "the dataset manifest {path} cannot be read ({reason}); an interrupted or older generator \
         may have left it. Rebuild the dataset with `{command}`; for a dataset other than the \
         full one, put the options you made it with (such as `--size small`) before --force.",
        command = generator_command(path.parent().unwrap_or(path), &[], "--force"),
    )]
    BadManifest { path: PathBuf, reason: String },
}

/// An opened dataset: its root folder and manifest.
#[derive(Debug, Clone)]
pub struct Dataset {
    root: PathBuf,
    manifest: Manifest,
}

impl Dataset {
    /// Opens the dataset named by `$PARALLEL_RUST_DATA`, else the `data/` of the workspace
    /// around the current folder (see [`find_folder`]).
    pub fn locate() -> Result<Dataset, DatasetError> {
        Dataset::open(&default_folder())
    }

    /// Opens the dataset in `root`.
    pub fn open(root: &Path) -> Result<Dataset, DatasetError> {
        let path = root.join(MANIFEST);
        // A manifest is a few megabytes at most; a FIFO in its place would block the open.
        let checked = match crate::regular::check_regular(&path, 64 << 20) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
        let text = match checked.and_then(|()| fs::read_to_string(&path)) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let root = root.to_path_buf();
                return Err(match Unfinished::read(&root) {
                    Some(unfinished) => DatasetError::Interrupted { root, unfinished },
                    None => DatasetError::Missing { root },
                });
            }
            Err(e) => {
                return Err(DatasetError::BadManifest {
                    path,
                    reason: e.to_string(),
                });
            }
        };
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|e| DatasetError::BadManifest {
                path: path.clone(),
                reason: e.to_string(),
            })?;
        if manifest.layout_version != LAYOUT_VERSION {
            let reason = format!(
                "layout version {} but this course reads {LAYOUT_VERSION}",
                manifest.layout_version
            );
            return Err(DatasetError::BadManifest { path, reason });
        }
        Ok(Dataset {
            root: root.into(),
            manifest,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The symbols, in the generator's order.
    pub fn symbols(&self) -> &[String] {
        &self.manifest.spec.symbols
    }

    /// `json/{SYM}.json` for every symbol: lesson 1's inputs.
    pub fn json_files(&self) -> Vec<PathBuf> {
        self.symbols()
            .iter()
            .map(|s| json_path(&self.root, s))
            .collect()
    }

    /// `minute/{SYM}/{date}.csv` for every trading day of `symbol`, in date order.
    pub fn minute_files(&self, symbol: &str) -> Vec<PathBuf> {
        let prefix = format!("minute/{symbol}/");
        self.files_under(&prefix)
    }

    /// Every minute CSV file, symbol by symbol, in date order.
    pub fn all_minute_files(&self) -> Vec<PathBuf> {
        self.files_under("minute/")
    }

    /// Total size in bytes of the files whose relative path starts with `prefix`.
    pub fn bytes_under(&self, prefix: &str) -> u64 {
        self.manifest
            .files
            .iter()
            .filter(|f| f.path.starts_with(prefix))
            .map(|f| f.bytes)
            .sum()
    }

    fn files_under(&self, prefix: &str) -> Vec<PathBuf> {
        self.manifest
            .files
            .iter()
            .filter(|f| f.path.starts_with(prefix))
            .map(|f| self.root.join(&f.path))
            .collect()
    }
}

impl Dataset {
    /// The command that checks this dataset byte for byte: `--check` reads the spec from
    /// the manifest, so it only needs the folder (and refuses spec options).
    pub fn check_command(&self) -> String {
        generator_command(&self.root, &[], "--check")
    }

    /// The generator command for this dataset, with `flags` added (e.g. `--force`): the same
    /// spec and the same folder, so that running it never swaps this dataset for another.
    pub fn generator_command(&self, flags: &str) -> String {
        match &self.manifest.generator_args {
            Some(args) => generator_command(&self.root, args, flags),
            None => format!(
                "{} (adding the --size and other options you made it with)",
                generator_command(&self.root, &[], flags)
            ),
        }
    }
}

/// `cargo run --release -p data -- ARGS [--out ROOT] FLAGS`: the generator with the options
/// `args` and `flags`, writing to `root` (named unless it is the workspace's `data/`).
pub fn generator_command(root: &Path, args: &[String], flags: &str) -> String {
    let mut words: Vec<String> = args.iter().map(|a| shell_word(a)).collect();
    // Explicit unless it is the workspace's data/: the command must work in a new shell too,
    // where $PARALLEL_RUST_DATA may not be set.
    if !same_folder(root, &default_root()) {
        words.push("--out".into());
        words.push(shell_word(&root.display().to_string()));
    }
    words.extend(flags.split_whitespace().map(String::from));
    match words.is_empty() {
        true => "cargo run --release -p data".into(),
        false => format!("cargo run --release -p data -- {}", words.join(" ")),
    }
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// `word`, quoted for a POSIX shell when it needs to be.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+,:=@".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// What to do about a damaged file of a dataset: check, then repair, with the exact commands
/// for the dataset `path` belongs to (found by the manifest in a folder above it).
pub fn repair_hint(path: &Path) -> String {
    let dataset = path
        .ancestors()
        .skip(1)
        .take(3)
        .find(|dir| dir.join(MANIFEST).is_file())
        .and_then(|root| Dataset::open(root).ok());
    match dataset {
        Some(d) => format!(
            "check the dataset with `{}`; if the file is damaged, rewrite the dataset with `{}`",
            d.check_command(),
            d.generator_command("--force")
        ),
        None => "if this file belongs to a generated dataset, check it with \
                 `cargo run --release -p data -- --check` (with the --out and options you made \
                 it with) and rewrite it with `--force` instead of `--check`"
            .to_string(),
    }
}

/// Makes the output folder `out` and checks that files can be written in it, before any
/// work that would write there at the end: an error names the folder and what to do.
pub fn prepare_output(out: &Path) -> Result<(), String> {
    let fix = "choose another with --out DIR";
    if out.exists() && !out.is_dir() {
        return Err(format!(
            "the output folder {} is a file, not a folder: {fix}",
            out.display()
        ));
    }
    let probe = out.join(".parallel-rust-can-write");
    let written = fs::create_dir_all(out)
        .and_then(|()| fs::write(&probe, b""))
        .and_then(|()| fs::remove_file(&probe));
    written.map_err(|error| {
        format!(
            "cannot write in the output folder {}: {error}; {fix}",
            out.display()
        )
    })
}

/// The folder under the dataset root that [`crate::columnar::ensure`] fills.
pub const COLUMNAR_DIR: &str = "columnar";

/// Where the columnar file of `symbol` lives under `root`.
pub fn columnar_path(root: &Path, symbol: &str) -> PathBuf {
    root.join(COLUMNAR_DIR).join(format!("{symbol}.parquet"))
}

/// Where the JSON Lines file of `symbol` lives under `root`.
pub fn json_path(root: &Path, symbol: &str) -> PathBuf {
    root.join("json").join(format!("{symbol}.json"))
}

/// Where the minute CSV of `symbol` on `date` lives under `root`.
pub fn minute_path(root: &Path, symbol: &str, date: NaiveDate) -> PathBuf {
    root.join("minute").join(symbol).join(format!("{date}.csv"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_dataset_says_what_to_run_for_that_folder() {
        let dir = tempfile::tempdir().unwrap();
        let err = Dataset::open(dir.path()).unwrap_err().to_string();
        let out = format!("--out {}", dir.path().display());
        assert!(
            err.contains(&format!("cargo run --release -p data -- {out}\n")),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "cargo run --release -p data -- --size small {out}`"
            )),
            "{err}"
        );
    }

    /// A copy of the course elsewhere (a moved clone) is found from any folder inside it;
    /// a folder outside any course finds none.
    #[test]
    fn the_workspace_is_found_from_the_current_folder() {
        let dir = tempfile::tempdir().unwrap();
        let clone = dir.path().join("moved");
        fs::create_dir_all(clone.join("data")).unwrap();
        fs::create_dir_all(clone.join("03-datasets/src")).unwrap();
        fs::write(clone.join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
        fs::write(
            clone.join("data/Cargo.toml"),
            "[package]\nname = \"data\"\n",
        )
        .unwrap();
        assert_eq!(
            workspace_around(&clone.join("03-datasets/src")),
            Some(clone.clone())
        );
        assert_eq!(workspace_around(&clone), Some(clone.clone()));
        assert_eq!(workspace_around(dir.path()), None);
        // The data crate's own manifest has no [workspace]: it is not mistaken for one.
        assert_eq!(workspace_around(&clone.join("data")), Some(clone));
    }

    #[test]
    fn commands_name_the_folder_only_when_it_is_not_the_default() {
        let small = ["--size".to_string(), "small".to_string()];
        assert_eq!(
            generator_command(&default_root(), &small, "--force"),
            "cargo run --release -p data -- --size small --force"
        );
        assert_eq!(
            generator_command(Path::new("/tmp/my data"), &[], ""),
            "cargo run --release -p data -- --out '/tmp/my data'"
        );
    }

    #[test]
    fn a_damaged_manifest_says_how_to_rebuild() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(MANIFEST), "{ not json").unwrap();
        let err = Dataset::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("--force") && err.contains(MANIFEST), "{err}");
    }

    #[test]
    fn the_default_root_is_the_workspace_data_folder() {
        assert!(
            default_root().join("Cargo.toml").exists(),
            "{}",
            default_root().display()
        );
    }

    #[test]
    fn an_output_folder_that_cannot_be_written_is_refused_before_any_work() {
        let dir = tempfile::tempdir().unwrap();
        let made = dir.path().join("new/out");
        assert_eq!(prepare_output(&made), Ok(()));
        assert!(
            made.is_dir() && fs::read_dir(&made).unwrap().next().is_none(),
            "left empty"
        );
        let file = dir.path().join("a-file");
        fs::write(&file, "x").unwrap();
        let err = prepare_output(&file).unwrap_err();
        assert!(
            err.contains("is a file, not a folder") && err.contains("--out"),
            "{err}"
        );
        #[cfg(target_os = "linux")]
        {
            let err = prepare_output(Path::new("/proc/parallel-rust")).unwrap_err();
            assert!(
                err.starts_with("cannot write in the output folder /proc/parallel-rust"),
                "{err}"
            );
        }
    }
}
