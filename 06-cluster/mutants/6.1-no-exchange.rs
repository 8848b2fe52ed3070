//! Each worker's own days grouped where they were read, with no exchange: a symbol comes back from several workers.
//! Caught by: ex6_1_two_workers_bring_each_symbol_together, ex6_1_two_processes_of_two_workers_give_the_same_answer
pub fn daily_bars<'scope>(
    files: StreamVec<'scope, u64, (String, Vec<Bar>)>,
) -> StreamVec<'scope, u64, (String, Vec<Day>)> {
    use timely::dataflow::operators::vec::Map;
    files.map(|(symbol, bars)| {
        let mut days: Vec<Day> = Vec::new();
        for bar in &bars {
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
        (symbol, days)
    })
}
