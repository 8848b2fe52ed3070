//! `settle` answers without the bad file but reports nothing skipped.
//! Caught by: ex6_3_one_worker_names_the_bad_file_and_line
pub fn settle(days: Vec<(String, Vec<Day>)>, problems: Vec<Problem>) -> Result<GroupBy, BadInput> {
    Ok(GroupBy {
        symbols: days.into_iter().collect(),
        skipped: { let _ = problems; Vec::new() },
    })
}

#[allow(clippy::type_complexity)]
pub fn split<'scope>(
    read: StreamVec<'scope, u64, Read>,
) -> (
    StreamVec<'scope, u64, (String, Vec<Bar>)>,
    StreamVec<'scope, u64, Problem>,
) {
    use timely::dataflow::operators::vec::Map;
    let worker = read.scope().index();
    let results = read.map(move |Read { path, bars }| {
        let problem = |line, error| Problem {
            worker,
            file: path.clone(),
            line,
            error,
        };
        match (market::files::symbol_of(&path), bars) {
            (Some(symbol), Ok(bars)) => Ok((symbol.to_string(), bars)),
            (None, _) => Err(problem(None, "not in a symbol's folder".into())),
            (_, Err(unreadable)) => Err(problem(unreadable.line, unreadable.error)),
        }
    });
    let good = results.clone().flat_map(Result::ok);
    let problems = results.flat_map(Result::err);
    (good, problems)
}
