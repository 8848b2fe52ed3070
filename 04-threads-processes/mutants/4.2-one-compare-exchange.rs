//! Min and max as one `compare_exchange`, not a loop: when it fails, the close is dropped.
//! Caught by: ex4_2_loses_no_update_when_two_threads_take_turns
pub fn add_atomic(table: &[AtomicExtremes], record: &Record) {
    use std::sync::atomic::Ordering;
    let slot = &table[usize::from(record.symbol)];
    let bits = record.close.to_bits();
    slot.count.fetch_add(1, Ordering::Relaxed);
    let min = slot.min.load(Ordering::Relaxed);
    if bits < min {
        let _ = slot.min.compare_exchange(min, bits, Ordering::Relaxed, Ordering::Relaxed);
    }
    let max = slot.max.load(Ordering::Relaxed);
    if bits > max {
        let _ = slot.max.compare_exchange(max, bits, Ordering::Relaxed, Ordering::Relaxed);
    }
}
