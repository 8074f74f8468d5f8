//! The few statistics a backtest needs: rates with Wilson 95% intervals,
//! a two-proportion test, and what counts as a small sample. Plain `f64`
//! arithmetic; no input can make these panic (empty samples give `None`).

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Fewer deals than this is a small sample, and is labelled so.
pub const SMALL_SAMPLE: u64 = 30;

/// `successes / trials`, or `None` for no trials.
pub fn rate(successes: u64, trials: u64) -> Option<f64> {
    (trials > 0).then(|| successes as f64 / trials as f64)
}

/// The Wilson score interval (95%) of a proportion; `None` for no trials.
/// Unlike `p ± z·se` it stays inside [0, 1] and is honest for small
/// samples and for rates near 0 or 1.
pub fn wilson(successes: u64, trials: u64) -> Option<(f64, f64)> {
    if trials == 0 {
        return None;
    }
    let n = trials as f64;
    let p = successes.min(trials) as f64 / n;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// The z statistic comparing two proportions (pooled); `None` when either
/// sample is empty or there is no variation at all.
pub fn two_proportion_z(a: u64, a_trials: u64, b: u64, b_trials: u64) -> Option<f64> {
    if a_trials == 0 || b_trials == 0 {
        return None;
    }
    let (na, nb) = (a_trials as f64, b_trials as f64);
    let pooled = (a + b) as f64 / (na + nb);
    let se = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
    (se > 0.0).then(|| (a as f64 / na - b as f64 / nb) / se)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), example: 81 of 263 → 0.2553 to 0.3662.
        let (low, high) = wilson(81, 263).unwrap();
        assert!(
            (low - 0.2553).abs() < 5e-4 && (high - 0.3662).abs() < 5e-4,
            "{low} {high}"
        );
        // 0 of 10 → 0 to 0.2775.
        let (low, high) = wilson(0, 10).unwrap();
        assert!(low == 0.0 && (high - 0.2775).abs() < 5e-4, "{high}");
        assert_eq!(wilson(0, 0), None);
        assert_eq!(rate(1, 0), None);
    }

    #[test]
    fn two_proportions() {
        let z = two_proportion_z(60, 100, 40, 100).unwrap();
        assert!((z - 2.828).abs() < 1e-3, "{z}");
        assert_eq!(two_proportion_z(0, 10, 0, 10), None);
    }
}
