//! How busy this machine is: timings taken while other programs compete for the cores are
//! not comparable with the book's, and a test that waits for an answer must not call a
//! slow machine's answer a deadlock.

/// The number of cores this process may use.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The 1-minute load average (how many threads wanted a core, on average, over the last
/// minute), where the system tells it (Linux's `/proc/loadavg`).
pub fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// "the 1-minute load average is 3.4 on 2 cores", when the load exceeds the cores.
pub fn busy() -> Option<String> {
    busy_with(load_average(), cores())
}

/// [`busy`], with the load and the cores given.
pub fn busy_with(load: Option<f64>, cores: usize) -> Option<String> {
    let load = load?;
    (load > cores as f64).then(|| {
        format!(
            "the 1-minute load average is {load:.1} on {cores} core{}",
            if cores == 1 { "" } else { "s" }
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_load_above_the_cores_is_busy() {
        assert_eq!(busy_with(Some(1.9), 2), None);
        assert_eq!(
            busy_with(Some(3.42), 2).as_deref(),
            Some("the 1-minute load average is 3.4 on 2 cores")
        );
        assert_eq!(busy_with(None, 2), None);
    }
}
