//! Pearson correlation, the measure lessons 2, 3 and 6 compute between price series.

/// Why two series have no correlation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CorrelationError {
    #[error(
        "the series have different lengths ({0} and {1}); align them on the same timestamps first"
    )]
    LengthMismatch(usize, usize),
    #[error("correlation needs at least 2 points, got {0}")]
    TooShort(usize),
    #[error("one series is constant, so its correlation with anything is undefined")]
    Constant,
}

/// Pearson's r between `x` and `y`: +1 when they move together exactly, −1 when they move
/// exactly opposite, near 0 when unrelated.
///
/// Uses the two-pass formula (means first, then centred sums): the one-pass
/// `Σxy − n·x̄·ȳ` form loses most of its digits on prices around 100 that vary by cents.
pub fn pearson(x: &[f64], y: &[f64]) -> Result<f64, CorrelationError> {
    if x.len() != y.len() {
        return Err(CorrelationError::LengthMismatch(x.len(), y.len()));
    }
    let n = x.len();
    if n < 2 {
        return Err(CorrelationError::TooShort(n));
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n as f64;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return Err(CorrelationError::Constant);
    }
    Ok((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Log returns `ln(p[i+1] / p[i])`: what correlations between stocks are usually taken of,
/// since two trending price series correlate whether or not they are related.
pub fn log_returns(prices: &[f64]) -> Vec<f64> {
    prices.windows(2).map(|w| (w[1] / w[0]).ln()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert!((pearson(&x, &[2.0, 4.0, 6.0, 8.0]).unwrap() - 1.0).abs() < 1e-12);
        assert!((pearson(&x, &[8.0, 6.0, 4.0, 2.0]).unwrap() + 1.0).abs() < 1e-12);
        // Computed by hand: r = 0.8 for this classic example.
        let r = pearson(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 1.0, 4.0, 3.0, 5.0]).unwrap();
        assert!((r - 0.8).abs() < 1e-12, "{r}");
    }

    #[test]
    fn stays_accurate_on_large_offsets() {
        let x: Vec<f64> = (0..1000).map(|i| 1e8 + (i % 7) as f64 * 0.001).collect();
        let y: Vec<f64> = x.iter().map(|v| 3.0 * v + 5.0).collect();
        assert!((pearson(&x, &y).unwrap() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn errors() {
        assert_eq!(
            pearson(&[1.0], &[1.0, 2.0]),
            Err(CorrelationError::LengthMismatch(1, 2))
        );
        assert_eq!(pearson(&[1.0], &[1.0]), Err(CorrelationError::TooShort(1)));
        assert_eq!(
            pearson(&[1.0, 1.0], &[1.0, 2.0]),
            Err(CorrelationError::Constant)
        );
        assert_eq!(log_returns(&[1.0, std::f64::consts::E]), vec![1.0]);
    }
}
