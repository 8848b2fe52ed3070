//! Min and max as a check, then a `store`: a lower (higher) close stored meanwhile is overwritten.
//! Caught by: ex4_2_loses_no_update_when_two_threads_take_turns
pub fn add_atomic(table: &[AtomicExtremes], record: &Record) {
    use std::sync::atomic::Ordering;
    let slot = &table[usize::from(record.symbol)];
    let bits = record.close.to_bits();
    slot.count.fetch_add(1, Ordering::Relaxed);
    if bits < slot.min.load(Ordering::Relaxed) {
        slot.min.store(bits, Ordering::Relaxed);
    }
    if bits > slot.max.load(Ordering::Relaxed) {
        slot.max.store(bits, Ordering::Relaxed);
    }
}
