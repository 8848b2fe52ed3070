//! Count, sum, min and max: the group-by value of lessons 3, 4 and 5.

// ANCHOR: stats
/// Count, sum, smallest and largest of some prices. The mean is `sum / count`.
// Serde: lesson 5's workers send these back to its client.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Stats {
    pub count: u64,
    pub sum: f64,
    pub min: f64,
    pub max: f64,
}

impl Stats {
    /// The stats of no prices at all: count 0, and a min and max that any price replaces.
    pub const EMPTY: Stats = Stats {
        count: 0,
        sum: 0.0,
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
    };

    /// Adds one price.
    pub fn push(&mut self, price: f64) {
        self.count += 1;
        self.sum += price;
        self.min = self.min.min(price);
        self.max = self.max.max(price);
    }

    /// Adds every price `other` has seen: the stats of two parts are the stats of the whole
    /// (up to the last bits of the sum, which depend on the order of the additions).
    pub fn merge(&mut self, other: &Stats) {
        self.count += other.count;
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// The mean price, `None` for no prices.
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum / self.count as f64)
    }
}

// ANCHOR_END: stats

impl Default for Stats {
    fn default() -> Self {
        Stats::EMPTY
    }
}

#[cfg(test)]
mod tests {
    use super::Stats;

    #[test]
    fn merging_two_parts_gives_the_stats_of_the_whole() {
        let prices = [3.0, 1.0, 4.0, 1.0, 5.0];
        let (mut whole, mut left, mut right) = (Stats::EMPTY, Stats::EMPTY, Stats::EMPTY);
        prices.iter().for_each(|&p| whole.push(p));
        prices[..2].iter().for_each(|&p| left.push(p));
        prices[2..].iter().for_each(|&p| right.push(p));
        left.merge(&right);
        assert_eq!(left, whole);
        assert_eq!(whole.mean(), Some(2.8));
        assert_eq!(Stats::EMPTY.mean(), None);
    }
}
