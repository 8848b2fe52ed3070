//! The records' channel unbounded: a slow aggregator lets the parsers run ahead without limit.
//! Caught by: ex4_3_a_slow_aggregator_holds_the_parsers_back
pub fn pipeline<C, A>(
    count: usize,
    read: impl Fn(usize) -> C + Sync,
    parse: impl Fn(C) -> Vec<A::Record> + Sync,
    bound: Option<usize>,
    parsers: usize,
) -> A
where
    C: Send,
    A: Aggregate,
    A::Record: Send,
{
    let (chunks_out, chunks_in) = mutant_channel::<C>(bound);
    let (records_out, records_in) = mutant_channel::<Vec<A::Record>>(None);
    let _ = bound;
    let (read, parse) = (&read, &parse);
    std::thread::scope(|s| {
        s.spawn(move || {
            for i in 0..count {
                // `send` waits while the channel is full: backpressure. It fails only if
                // every parser is gone, and then there is no one to read for.
                if chunks_out.send(read(i)).is_err() {
                    break;
                }
            }
        }); // `chunks_out` is dropped here: the parsers' loops end once the channel is empty
        for _ in 0..parsers.max(1) {
            let (chunks_in, records_out) = (chunks_in.clone(), records_out.clone());
            s.spawn(move || {
                for chunk in chunks_in {
                    if records_out.send(parse(chunk)).is_err() {
                        break;
                    }
                }
            });
        }
        // Only the threads may hold these now: the aggregator's loop below ends when the
        // last parser drops its sender.
        drop((chunks_in, records_out));
        let mut all = A::default();
        for batch in records_in {
            for record in &batch {
                all.add(record);
            }
        }
        all
    })
}

fn mutant_channel<T>(bound: Option<usize>) -> (crossbeam_channel::Sender<T>, crossbeam_channel::Receiver<T>) {
    match bound {
        Some(n) => crossbeam_channel::bounded(n),
        None => crossbeam_channel::unbounded(),
    }
}
