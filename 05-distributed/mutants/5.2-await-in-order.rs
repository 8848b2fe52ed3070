//! Each future awaited in turn: the bar stays still while a later future finishes first.
//! Caught by: ex5_2_progress_moves_as_each_future_finishes
pub async fn gather<T: DeserializeOwned>(
    futures: Vec<TaskFuture<T>>,
    progress: &ProgressBar,
) -> Result<Vec<T>, ClientError> {
    let mut outcomes = Vec::new();
    for future in futures {
        outcomes.push(future.await);
        progress.inc(1);
    }
    outcomes.into_iter().collect()
}
