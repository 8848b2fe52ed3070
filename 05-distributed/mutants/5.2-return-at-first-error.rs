//! Return as soon as any future fails (`try_join_all`'s way): the others are still running, and the error is not the first in order.
//! Caught by: ex5_2_the_first_error_in_order_comes_back_once_all_have_finished
pub async fn gather<T: DeserializeOwned>(
    futures: Vec<TaskFuture<T>>,
    progress: &ProgressBar,
) -> Result<Vec<T>, ClientError> {
    use futures::StreamExt as _;
    let mut outcomes: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    let mut finishing: futures::stream::FuturesUnordered<_> = futures
        .into_iter()
        .enumerate()
        .map(|(i, future)| async move { (i, future.await) })
        .collect();
    while let Some((i, outcome)) = finishing.next().await {
        progress.inc(1);
        outcomes[i] = Some(outcome?);
    }
    Ok(outcomes.into_iter().map(|o| o.expect("finished")).collect())
}
