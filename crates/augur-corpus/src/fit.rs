//! `augur backtest --fit`: weights fitted to the history by a logistic
//! regression of won/lost on the fired signals.
//!
//! A small Newton–Raphson (IRLS) solver with a light ridge penalty (so
//! signals that always appear together, or that perfectly separate wins
//! from losses, still get finite estimates), standard errors from the
//! inverse of the penalised Hessian, and Gaussian elimination with partial
//! pivoting. Deals are grouped by their pattern of fired signals, so the
//! work is per distinct pattern, not per deal. The fitted log-odds are then
//! scaled to the playbook's own weight range and rounded to whole weights.
//!
//! It suggests; it never rewrites a playbook.

use crate::stats::Z95;
use std::collections::HashMap;

/// The ridge penalty on each signal's coefficient (not the intercept).
pub const RIDGE: f64 = 1.0;

/// Newton steps at most.
const MAX_ITERATIONS: usize = 100;

/// Deals grouped by the signals that fired: pattern (bitset) → `[won, lost]`.
pub type Patterns = HashMap<Vec<u64>, [u64; 2]>;

/// Whether bit `index` is set in a pattern.
pub fn bit(pattern: &[u64], index: usize) -> bool {
    pattern
        .get(index / 64)
        .is_some_and(|word| word & (1 << (index % 64)) != 0)
}

/// A pattern of fired signals as a bitset.
pub fn pattern(fired: &[bool]) -> Vec<u64> {
    let mut words = vec![0u64; fired.len().div_ceil(64)];
    for (index, _) in fired.iter().enumerate().filter(|(_, f)| **f) {
        if let Some(word) = words.get_mut(index / 64) {
            *word |= 1 << (index % 64);
        }
    }
    words
}

/// One signal's fitted weight.
#[derive(Clone, Debug)]
pub struct FittedSignal {
    pub name: String,
    /// The weight in the playbook now.
    pub current: i64,
    /// The fitted change in log-odds of winning when it fires, and its 95%
    /// interval; `None` for a signal that never or always fired.
    pub log_odds: Option<(f64, f64, f64)>,
    /// The fitted weight on the playbook's scale, rounded, and its interval.
    pub suggested: Option<(i64, f64, f64)>,
}

/// The result of a fit.
#[derive(Clone, Debug)]
pub struct Fit {
    pub intercept: f64,
    pub signals: Vec<FittedSignal>,
    /// Playbook weight units per unit of log-odds.
    pub scale: f64,
    pub iterations: usize,
    pub converged: bool,
}

impl Fit {
    /// The suggested weight of each signal (the current one where there is
    /// no estimate), in the playbook's order.
    pub fn weights(&self) -> Vec<i64> {
        self.signals
            .iter()
            .map(|s| s.suggested.map_or(s.current, |(w, _, _)| w))
            .collect()
    }
}

/// Fits `won ~ intercept + Σ βᵢ·firedᵢ` over the signals that vary in the
/// data. `names` and `weights` are the playbook's signals in order.
pub fn fit(names: &[String], weights: &[i64], patterns: &Patterns) -> Result<Fit, String> {
    let total: u64 = patterns.values().map(|[w, l]| w + l).sum();
    let won: u64 = patterns.values().map(|[w, _]| *w).sum();
    if total == 0 {
        return Err("no deal with an outcome to fit".into());
    }
    if won == 0 || won == total {
        return Err("every deal has the same outcome; there is nothing to fit".into());
    }
    // Columns: the signals that fired in some deals but not all.
    let columns: Vec<usize> = (0..names.len())
        .filter(|&s| {
            let fired: u64 = patterns
                .iter()
                .filter(|(p, _)| bit(p, s))
                .map(|(_, [w, l])| w + l)
                .sum();
            fired > 0 && fired < total
        })
        .collect();
    let k = columns.len() + 1;
    // Rows: (features, won count, lost count).
    let rows: Vec<(Vec<f64>, f64, f64)> = patterns
        .iter()
        .map(|(p, [w, l])| {
            let mut x = Vec::with_capacity(k);
            x.push(1.0);
            x.extend(columns.iter().map(|&s| if bit(p, s) { 1.0 } else { 0.0 }));
            (x, *w as f64, *l as f64)
        })
        .collect();
    let mut beta = vec![0.0; k];
    let base = won as f64 / total as f64;
    if let Some(b0) = beta.first_mut() {
        *b0 = (base / (1.0 - base)).ln();
    }
    let mut converged = false;
    let mut iterations = 0;
    let mut hessian = vec![vec![0.0; k]; k];
    for _ in 0..MAX_ITERATIONS {
        iterations += 1;
        let mut gradient = vec![0.0; k];
        hessian = vec![vec![0.0; k]; k];
        for (x, w, l) in &rows {
            let eta: f64 = x.iter().zip(&beta).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-eta).exp());
            let n = w + l;
            let residual = w - n * p;
            let weight = n * p * (1.0 - p);
            for (i, xi) in x.iter().enumerate() {
                if *xi == 0.0 {
                    continue;
                }
                if let Some(g) = gradient.get_mut(i) {
                    *g += xi * residual;
                }
                for (j, xj) in x.iter().enumerate() {
                    if let Some(h) = hessian.get_mut(i).and_then(|r| r.get_mut(j)) {
                        *h += xi * xj * weight;
                    }
                }
            }
        }
        for i in 1..k {
            if let (Some(g), Some(b)) = (gradient.get_mut(i), beta.get(i)) {
                *g -= RIDGE * b;
            }
            if let Some(h) = hessian.get_mut(i).and_then(|r| r.get_mut(i)) {
                *h += RIDGE;
            }
        }
        let step = solve(&hessian, &gradient).ok_or("the fit is singular")?;
        let largest = step.iter().fold(0.0f64, |m, s| m.max(s.abs()));
        for (b, s) in beta.iter_mut().zip(&step) {
            *b += s;
        }
        if !largest.is_finite() {
            return Err("the fit did not converge".into());
        }
        if largest < 1e-9 {
            converged = true;
            break;
        }
    }
    let variances: Vec<f64> = (0..k)
        .map(|i| {
            let mut unit = vec![0.0; k];
            if let Some(u) = unit.get_mut(i) {
                *u = 1.0;
            }
            solve(&hessian, &unit)
                .and_then(|column| column.get(i).copied())
                .unwrap_or(f64::NAN)
        })
        .collect();
    let largest_weight = weights
        .iter()
        .map(|w| w.unsigned_abs())
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let largest_beta = beta.iter().skip(1).fold(0.0f64, |m, b| m.max(b.abs()));
    let scale = if largest_beta > 0.0 {
        largest_weight / largest_beta
    } else {
        1.0
    };
    let signals = names
        .iter()
        .enumerate()
        .map(|(s, name)| {
            let current = weights.get(s).copied().unwrap_or(0);
            let column = columns.iter().position(|&c| c == s).map(|c| c + 1);
            let log_odds = column.and_then(|c| {
                let b = *beta.get(c)?;
                let se = variances.get(c)?.max(0.0).sqrt();
                Some((b, b - Z95 * se, b + Z95 * se))
            });
            let suggested = log_odds
                .map(|(b, low, high)| ((b * scale).round() as i64, low * scale, high * scale));
            FittedSignal {
                name: name.clone(),
                current,
                log_odds,
                suggested,
            }
        })
        .collect();
    Ok(Fit {
        intercept: beta.first().copied().unwrap_or(0.0),
        signals,
        scale,
        iterations,
        converged,
    })
}

/// Solves `a·x = b` by Gaussian elimination with partial pivoting; `None`
/// when `a` is singular.
fn solve(a: &[Vec<f64>], b: &[f64]) -> Option<Vec<f64>> {
    let n = b.len();
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .zip(b)
        .map(|(row, v)| {
            let mut row = row.clone();
            row.push(*v);
            row
        })
        .collect();
    for col in 0..n {
        let size = |i: usize| m.get(i).and_then(|r| r.get(col)).map_or(0.0, |x| x.abs());
        let pivot = (col..n).max_by(|&i, &j| {
            size(i)
                .partial_cmp(&size(j))
                .unwrap_or(std::cmp::Ordering::Equal)
        })?;
        m.swap(col, pivot);
        let head = m.get(col)?.clone();
        let p = *head.get(col)?;
        if p.abs() < 1e-12 {
            return None;
        }
        for (i, row) in m.iter_mut().enumerate() {
            if i == col {
                continue;
            }
            let factor = row.get(col).copied().unwrap_or(0.0) / p;
            if factor != 0.0 {
                for (x, h) in row.iter_mut().zip(&head) {
                    *x -= factor * h;
                }
            }
        }
    }
    (0..n)
        .map(|i| {
            let row = m.get(i)?;
            Some(row.get(n)? / row.get(i)?)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_linear_systems() {
        let x = solve(&[vec![2.0, 1.0], vec![1.0, 3.0]], &[3.0, 5.0]).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12);
        assert!(solve(&[vec![1.0, 2.0], vec![2.0, 4.0]], &[1.0, 2.0]).is_none());
    }

    #[test]
    fn recovers_a_known_logistic_model() {
        // Exact expected counts of a model with intercept -0.5, a = +1.5,
        // b = -1.0, independent a and b: the fit must land near them (the
        // ridge pulls slightly towards 0).
        let logistic = |x: f64| 1.0 / (1.0 + (-x).exp());
        let mut patterns = Patterns::new();
        for (a, b) in [(false, false), (true, false), (false, true), (true, true)] {
            let eta = -0.5 + if a { 1.5 } else { 0.0 } + if b { -1.0 } else { 0.0 };
            let n = 10_000.0;
            let won = (n * logistic(eta)).round() as u64;
            patterns.insert(pattern(&[a, b, false]), [won, 10_000 - won]);
        }
        let names: Vec<String> = ["a", "b", "never"].iter().map(|s| s.to_string()).collect();
        let fit = fit(&names, &[2, -3, 1], &patterns).unwrap();
        assert!(fit.converged);
        assert!((fit.intercept + 0.5).abs() < 0.02, "{}", fit.intercept);
        let (a, low, high) = fit.signals[0].log_odds.unwrap();
        assert!((a - 1.5).abs() < 0.02 && low < 1.5 && 1.5 < high, "{a}");
        let (b, _, _) = fit.signals[1].log_odds.unwrap();
        assert!((b + 1.0).abs() < 0.02, "{b}");
        assert!(fit.signals[2].log_odds.is_none());
        // Scaled so the largest fitted effect gets the largest weight (3).
        assert_eq!(fit.signals[0].suggested.unwrap().0, 3);
        assert_eq!(fit.signals[1].suggested.unwrap().0, -2);
        assert_eq!(fit.weights(), vec![3, -2, 1]);
    }

    #[test]
    fn one_outcome_only_is_an_error_not_a_panic() {
        let mut patterns = Patterns::new();
        patterns.insert(pattern(&[true]), [5, 0]);
        assert!(fit(&["a".into()], &[1], &patterns).is_err());
        assert!(fit(&["a".into()], &[1], &Patterns::new()).is_err());
    }
}
