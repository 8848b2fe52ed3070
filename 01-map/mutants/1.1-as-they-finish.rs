//! Results sent over a channel as they finish, and collected in that order.
//! Caught by: ex1_1_keeps_the_order_when_items_finish_out_of_order
pub fn par_map_rayon<T, R, F>(items: &[T], work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    use rayon::prelude::*;
    let (tx, rx) = std::sync::mpsc::channel();
    items.par_iter().for_each_with(tx, |tx, item| {
        let _ = tx.send(work(item));
    });
    rx.into_iter().collect()
}
