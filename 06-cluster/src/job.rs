//! The lesson's two jobs, wired from your answers: the group-by of exercises 6.1 and 6.3,
//! and the parameter search of exercise 6.2. The program, the tests and every process of a
//! cluster build them with these functions, so that every worker builds the same dataflow.
//!
//! ```text
//! group-by  files ─ share ─▶ read (probe) ─▶ split (6.3) ─▶ daily_bars (6.1) ─┐
//!                                              └────────── problems ──────────┴▶ worker 0: settle (6.3)
//! search    windows at worker 0 ─▶ scores (6.2) (probe) ─▶ worker 0: order, folds
//! ```

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use market::strategy::{Fold, Scored, Search, Window};
use serde::{Deserialize, Serialize};
use shared::read::ReadError;
use timely::dataflow::StreamVec;
use timely::dataflow::operators::vec::Map;
use timely::dataflow::operators::{Concat, Probe};

use crate::answers::Answers;
use crate::engine::{self, Feed, Layout, Progress, RunError};

pub use crate::records::{BadInput, Day, GroupBy, Problem, Read, Score, Unreadable};

// ANCHOR: read_files
/// Reads each file of the stream on the worker that holds it (given: the worker's share of
/// the files comes from [`engine::run`] with [`Feed::Shared`]).
pub fn read_files<'scope>(files: StreamVec<'scope, u64, PathBuf>) -> StreamVec<'scope, u64, Read> {
    files.map(|path| {
        let bars = shared::read::read_csv(&path).map_err(|error| Unreadable {
            line: error.line(),
            // What went wrong, without the path and line, which a problem shows anyway.
            error: match error {
                ReadError::Parse { message, .. } => message,
                ReadError::Io { error, .. } => format!("cannot read it: {error}"),
                ReadError::Empty { .. } => "it is empty".into(),
            },
        });
        Read { path, bars }
    })
}
// ANCHOR_END: read_files

/// Why a job gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Run(#[from] RunError),
    #[error(
        "{symbol} came back {times} times: a symbol's days must all meet on one worker \
         before they are put together (an exchange by symbol, book section 6.1)"
    )]
    SymbolTwice { symbol: String, times: usize },
    #[error(transparent)]
    Unscored(#[from] Unscored),
}

/// What worker 0 collects from the group-by: each symbol with the worker that put its days
/// together, and each problem.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Collected {
    Symbol(String, Vec<Day>, usize),
    Problem(Problem),
}

/// Which worker put each symbol's days together (the worker on which `daily_bars` gave it
/// out): how the group-by's work spread over the cluster.
pub type Owners = BTreeMap<String, usize>;

// ANCHOR: group_by
/// Runs the group-by of exercises 6.1 and 6.3 with `answers` over `files` (every
/// process passes the same list) on `layout`. Process 0 gets `Some` answer: what `answers`'
/// `settle` made of it; other processes get `None`.
pub fn group_by(
    answers: Answers,
    layout: &Layout,
    files: Vec<PathBuf>,
    progress: Option<Progress>,
) -> Result<Option<Result<GroupBy, BadInput>>, JobError> {
    Ok(group_by_with_owners(answers, layout, files, progress)?.map(|(answer, _)| answer))
}

/// [`group_by`], and which worker put each symbol together.
#[allow(clippy::type_complexity)]
pub fn group_by_with_owners(
    answers: Answers,
    layout: &Layout,
    files: Vec<PathBuf>,
    progress: Option<Progress>,
) -> Result<Option<(Result<GroupBy, BadInput>, Owners)>, JobError> {
    let job = engine::job(move |files, probe| {
        let read = read_files(files).probe_with(probe);
        let worker = read.scope().index();
        let (good, problems) = answers.split(read);
        // `map` runs where its input is: on the worker that gave the symbol out.
        let days = answers
            .daily_bars(good)
            .map(move |(symbol, days)| Collected::Symbol(symbol, days, worker));
        days.concat(problems.map(Collected::Problem))
    });
    let Some(collected) = engine::run(layout, files, Feed::Shared, job, progress)? else {
        return Ok(None);
    };
    let (mut days, mut problems, mut owners) = (Vec::new(), Vec::new(), Owners::new());
    for record in collected {
        match record {
            Collected::Symbol(symbol, d, worker) => {
                owners.insert(symbol.clone(), worker);
                days.push((symbol, d));
            }
            Collected::Problem(problem) => problems.push(problem),
        }
    }
    // Records reach worker 0 in no particular order; settle sees them in one.
    days.sort_by(|a, b| a.0.cmp(&b.0));
    for run in days.chunk_by(|a, b| a.0 == b.0) {
        if run.len() > 1 {
            let (symbol, times) = (run[0].0.clone(), run.len());
            return Err(JobError::SymbolTwice { symbol, times });
        }
    }
    problems.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(Some((answers.settle(days, problems), owners)))
}
// ANCHOR_END: group_by

/// The search's scores did not come back once per window.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Unscored {
    #[error(
        "window {index} ({window:?}) came back {times} times: each window must be scored \
         once, on one worker (see book section 6.2)"
    )]
    Twice {
        index: usize,
        window: Window,
        times: usize,
    },
    #[error("window {index} ({window:?}) never came back (see book section 6.2)")]
    Missing { index: usize, window: Window },
    #[error(
        "a score came back for window {index}, but there are only {count} (see book section 6.2)"
    )]
    Unknown { index: usize, count: usize },
    #[error(
        "window {index} is {window:?}, but its score says {said:?} with {years_found} yearly \
         scores for {years} years (see book section 6.2)"
    )]
    Mismatch {
        index: usize,
        window: Window,
        said: Window,
        years_found: usize,
        years: usize,
    },
}

// ANCHOR: search
/// Runs the parameter search of exercise 6.2 with `answers` on `layout`: the candidates
/// enter at worker 0 (numbered, as `(index, window)`), `answers`' `scores` spreads and scores
/// them, and worker 0 puts the scores back in the candidates' order and builds the folds
/// with lesson 3's reference. Process 0 gets `Some` answer, other processes `None`.
pub fn search(
    answers: Answers,
    layout: &Layout,
    candidates: Vec<Window>,
    years: usize,
    score: Score,
    progress: Option<Progress>,
) -> Result<Option<Search>, JobError> {
    let numbered: Vec<(usize, Window)> = candidates.iter().copied().enumerate().collect();
    let job = engine::job(move |windows, probe| {
        answers
            .scores(windows, years, Arc::clone(&score))
            .probe_with(probe)
    });
    let Some(collected) = engine::run(layout, numbered, Feed::AtFirstWorker, job, progress)? else {
        return Ok(None);
    };
    Ok(Some(in_order(&candidates, years, collected)?))
}

/// The scores in the candidates' order, and the folds of lesson 3's cross-validation.
fn in_order(
    candidates: &[Window],
    years: usize,
    collected: Vec<(usize, Scored)>,
) -> Result<Search, Unscored> {
    let mut slots: Vec<Vec<Scored>> = vec![Vec::new(); candidates.len()];
    for (index, scored) in collected {
        let slot = slots.get_mut(index).ok_or(Unscored::Unknown {
            index,
            count: candidates.len(),
        })?;
        slot.push(scored);
    }
    let mut scored = Vec::with_capacity(candidates.len());
    for (index, mut slot) in slots.into_iter().enumerate() {
        let window = candidates[index];
        match slot.len() {
            0 => return Err(Unscored::Missing { index, window }),
            1 => {
                let found = slot.remove(0);
                if found.window != window || found.per_year.len() != years {
                    return Err(Unscored::Mismatch {
                        index,
                        window,
                        said: found.window,
                        years_found: found.per_year.len(),
                        years,
                    });
                }
                scored.push(found);
            }
            times => {
                return Err(Unscored::Twice {
                    index,
                    window,
                    times,
                });
            }
        }
    }
    let folds = folds(&scored, years);
    Ok(Search { scored, folds })
}

/// The cross-validation's folds from the table of scores, on worker 0, the way lesson 3
/// defines them: for each held-out year, the first candidate with the highest mean over
/// the other years (summed in year order), and its score on the held-out year. Cheap next
/// to the scoring, so one plain loop.
fn folds(scored: &[Scored], years: usize) -> Vec<Fold> {
    if years < 2 {
        return Vec::new();
    }
    (0..years)
        .filter_map(|held_out| {
            let mut best: Option<(&Scored, f64)> = None;
            for s in scored {
                let sum: f64 = (s.per_year.iter().enumerate())
                    .filter(|&(y, _)| y != held_out)
                    .map(|(_, v)| v)
                    .sum();
                let train = sum / (years - 1) as f64;
                if best.is_none_or(|(_, b)| train > b) {
                    best = Some((s, train));
                }
            }
            best.map(|(s, train)| Fold {
                held_out,
                chosen: s.window,
                train,
                validation: s.per_year[held_out],
            })
        })
        .collect()
}
// ANCHOR_END: search
