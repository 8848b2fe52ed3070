//! Every day under one key, grouped on the one worker that owns it: right answer, no spread.
//! Caught by: ex6_1_two_workers_bring_each_symbol_together, ex6_1_two_processes_of_two_workers_give_the_same_answer
pub fn daily_bars<'scope>(
    files: StreamVec<'scope, u64, (String, Vec<Bar>)>,
) -> StreamVec<'scope, u64, (String, Vec<Day>)> {
    use timely::dataflow::operators::vec::Map;
    // One key for every day: the whole group-by lands on the one worker that owns it.
    let days = files.flat_map(|(symbol, bars)| {
        mutant_days_of(&bars)
            .into_iter()
            .map(move |day| (0u8, (symbol.clone(), day)))
    });
    crate::engine::aggregate_by_key(
        days,
        "AllDays",
        |all: &mut std::collections::BTreeMap<String, Vec<Day>>, (symbol, day)| {
            all.entry(symbol).or_default().push(day)
        },
    )
    .flat_map(|(_, all)| {
        all.into_iter().map(|(symbol, mut days)| {
            days.sort_by_key(|day| day.date);
            (symbol, days)
        })
    })
}

fn mutant_days_of(bars: &[Bar]) -> Vec<Day> {
    let mut days: Vec<Day> = Vec::new();
    for bar in bars {
        let date = bar.timestamp.date();
        match days.last_mut() {
            Some(day) if day.date == date => {
                day.high = day.high.max(bar.high);
                day.low = day.low.min(bar.low);
                day.close = bar.close;
                day.volume += bar.volume;
            }
            _ => days.push(Day {
                date,
                open: bar.open,
                high: bar.high,
                low: bar.low,
                close: bar.close,
                volume: bar.volume,
            }),
        }
    }
    days
}
