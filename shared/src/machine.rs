//! How busy this machine is: timings taken while other programs compete for the cores are
//! not comparable with the book's, and a test that waits for an answer must not call a
//! slow machine's answer a deadlock.
//!
//! Linux only: the load average comes from `/proc/loadavg`; elsewhere [`busy`] never says
//! so. The load is the whole machine's, so it is compared with the machine's online cores,
//! not with the share a container may be given.

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

/// The machine's online cores (Linux's `/sys/devices/system/cpu/online`, e.g. `0-15`),
/// else [`cores`].
pub fn online_cores() -> usize {
    std::fs::read_to_string("/sys/devices/system/cpu/online")
        .ok()
        .and_then(|text| count_cpus(text.trim()))
        .unwrap_or_else(cores)
}

/// `0-3,8,10-11` → 7.
fn count_cpus(list: &str) -> Option<usize> {
    list.split(',').try_fold(0, |count, part| {
        let n = match part.split_once('-') {
            Some((a, b)) => b.parse::<usize>().ok()?.checked_sub(a.parse().ok()?)? + 1,
            None => part.parse::<usize>().map(|_| 1).ok()?,
        };
        Some(count + n)
    })
}

/// "the 1-minute load average is 3.4 on 2 cores", when the load exceeds the machine's
/// cores; `None` when it does not, or where the load cannot be read.
pub fn busy() -> Option<String> {
    busy_with(load_average(), online_cores())
}

/// The load average when this program began its first timed run, noted by
/// [`note_load_before_timing`].
static BEFORE_TIMING: std::sync::OnceLock<Option<f64>> = std::sync::OnceLock::new();

/// Notes the load average before this program times anything (the first call counts;
/// [`time_runs`](crate::report::time_runs) calls it).
pub fn note_load_before_timing() {
    BEFORE_TIMING.get_or_init(load_average);
}

/// [`busy`] for a timing table: the load from before the program's first timed run when it
/// was noted, since the load at the end counts this program's own threads too (a variant
/// with 10,000 threads leaves a load of 100 behind it, on a machine nobody else uses).
pub fn busy_for_timings() -> Option<String> {
    match BEFORE_TIMING.get() {
        Some(&load) => busy_with(load, online_cores()).map(|b| b + " before the timed runs began"),
        None => busy(),
    }
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

    #[test]
    fn a_timing_table_judges_the_load_from_before_its_runs() {
        note_load_before_timing();
        let before = *BEFORE_TIMING.get().expect("noted");
        let expected =
            busy_with(before, online_cores()).map(|b| b + " before the timed runs began");
        assert_eq!(busy_for_timings(), expected);
        // A later, higher load (this program's own threads) does not change the note.
        note_load_before_timing();
        assert_eq!(*BEFORE_TIMING.get().expect("noted"), before);
    }

    #[test]
    fn online_cpu_lists_are_counted() {
        assert_eq!(count_cpus("0-15"), Some(16));
        assert_eq!(count_cpus("0-3,8,10-11"), Some(7));
        assert_eq!(count_cpus("0"), Some(1));
        assert_eq!(count_cpus("x"), None);
    }
}
