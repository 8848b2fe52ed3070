//! Progress bars for long work, one style for the whole course.
//!
//! Bars draw on stderr and only when it is a terminal, so piped output and CI logs stay
//! clean. Set `PARALLEL_RUST_NO_PROGRESS=1` to hide them in a terminal too. A
//! [`ProgressBar`] is a cheap handle that many threads may `inc` at once.

pub use indicatif::ProgressBar;
use indicatif::{ProgressDrawTarget, ProgressState, ProgressStyle};

/// A bar counting `len` items (files, tasks), labelled `label`.
pub fn items(len: u64, label: &str) -> ProgressBar {
    styled(
        len,
        label,
        "{msg:>12} [{bar:40.cyan/blue}] {human_pos}/{human_len} {rate} eta {eta}",
    )
}

/// A bar counting `len` bytes, labelled `label`.
pub fn bytes(len: u64, label: &str) -> ProgressBar {
    styled(
        len,
        label,
        "{msg:>12} [{bar:40.cyan/blue}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    )
}

fn styled(len: u64, label: &str, template: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), draw_target());
    let style = ProgressStyle::with_template(template)
        .expect("template above is valid")
        .progress_chars("=> ")
        // indicatif's own `{per_sec}` prints four decimals ("1234.5678/s"): whole numbers read better.
        .with_key(
            "rate",
            |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                let _ = write!(out, "{:.0}/s", state.per_sec());
            },
        );
    bar.set_style(style);
    bar.set_message(label.to_string());
    bar
}

fn draw_target() -> ProgressDrawTarget {
    if std::env::var_os("PARALLEL_RUST_NO_PROGRESS").is_some_and(|v| !v.is_empty()) {
        ProgressDrawTarget::hidden()
    } else {
        // indicatif hides this target by itself when stderr is not a terminal.
        ProgressDrawTarget::stderr_with_hz(10)
    }
}

/// A progress bar that clears itself when dropped, also when the work it follows panics
/// (a learner's `todo!` mid-run must not leave a half-drawn bar above the error). Derefs to
/// the bar, so `bar.inc(1)` works as on a [`ProgressBar`].
pub struct ClearOnDrop(pub ProgressBar);

impl std::ops::Deref for ClearOnDrop {
    type Target = ProgressBar;
    fn deref(&self) -> &ProgressBar {
        &self.0
    }
}

impl Drop for ClearOnDrop {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}
