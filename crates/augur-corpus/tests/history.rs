//! `backtest` and `--fit` on the synthetic history of examples/history/
//! (issue 13): they must recover the planted model of
//! `augur_bench::history` from the outcomes alone — the signs and the
//! ranking of the lifts, the wrong-sign signal, and the signs and order of
//! the fitted weights.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_bench::history::{history, planted, PLANTED};
use augur_corpus::backtest::{self, Adoption, AdoptionCheck, Backtest, Report, Totals};
use augur_eval::batch::{map_records, Input, InputKind, Options, OutputFormat};
use augur_syntax::Date;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn analysis() -> augur_check::Analysis {
    let (loader, name) =
        augur_check::FsLoader::for_playbook(&root().join("examples/standing.augur"));
    let analysis = augur_check::analyze(&name, &loader);
    assert!(!analysis.has_errors());
    analysis
}

fn options() -> Options {
    Options {
        format: OutputFormat::Jsonl,
        explain: false,
        strict: false,
        today: None,
        fallback_today: Date::parse("2026-12-01").unwrap(),
        jobs: 2,
    }
}

fn history_text() -> String {
    std::fs::read_to_string(root().join("examples/history/deals.jsonl")).unwrap()
}

fn input(text: &str) -> Input<'_> {
    Input {
        name: "deals.jsonl".into(),
        kind: InputKind::Jsonl,
        reader: Box::new(std::io::Cursor::new(text.as_bytes())),
    }
}

fn run(backtest: &Backtest<'_>, text: &str) -> Totals {
    let mut totals = backtest.totals();
    map_records(
        input(text),
        2,
        &|r| backtest.observe(r),
        &mut |(_, observed), _| {
            backtest.count(&mut totals, observed);
            Ok(())
        },
    )
    .unwrap();
    totals
}

fn report() -> (Report, Totals) {
    let analysis = analysis();
    let backtest = Backtest::new(&analysis, "", options(), backtest::OUTCOME_KEY);
    let totals = run(&backtest, &history_text());
    (backtest.report(&totals), totals)
}

/// Spearman's rank correlation (no ties expected among these values).
fn spearman(pairs: &[(f64, f64)]) -> f64 {
    let ranks = |values: Vec<f64>| -> Vec<f64> {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&a, &b| values[a].partial_cmp(&values[b]).unwrap());
        let mut ranks = vec![0.0; values.len()];
        for (rank, index) in order.into_iter().enumerate() {
            ranks[index] = rank as f64;
        }
        ranks
    };
    let a = ranks(pairs.iter().map(|p| p.0).collect());
    let b = ranks(pairs.iter().map(|p| p.1).collect());
    let n = pairs.len() as f64;
    let d2: f64 = a.iter().zip(&b).map(|(x, y)| (x - y) * (x - y)).sum();
    1.0 - 6.0 * d2 / (n * (n * n - 1.0))
}

#[test]
fn the_history_file_is_what_the_seeded_generator_writes() {
    let generated: String = history(2026, 3000)
        .iter()
        .map(|deal| format!("{deal}\n"))
        .collect();
    assert!(
        generated == history_text(),
        "run `cargo run -p augur-bench --bin augur-history > examples/history/deals.jsonl`"
    );
}

#[test]
fn lifts_recover_the_planted_signs_and_ranking() {
    let (report, _) = report();
    assert_eq!(report.deals, 3000);
    let mut pairs = Vec::new();
    for signal in &report.signals {
        let effect = planted(&signal.name);
        let lift = signal.lift.unwrap();
        if effect.abs() >= 0.5 {
            assert_eq!(
                lift > 1.0,
                effect > 0.0,
                "{}: lift {lift}, planted {effect}",
                signal.name
            );
        }
        if effect != 0.0 {
            pairs.push((effect, lift));
        }
    }
    assert_eq!(pairs.len(), PLANTED.len() - 1);
    let rho = spearman(&pairs);
    assert!(
        rho > 0.85,
        "rank correlation of lift with the planted effects: {rho}"
    );
}

#[test]
fn the_planted_disagreement_is_flagged_and_nothing_else() {
    let (report, _) = report();
    let flagged: Vec<&str> = report
        .signals
        .iter()
        .filter(|s| s.wrong_sign)
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(flagged, ["relies_on_us"]);
    assert!(report.never_fired.is_empty() && report.always_fired.is_empty());
}

#[test]
fn arms_are_ordered_and_intervals_hold_their_rates() {
    let (report, _) = report();
    let arms = &report.verdicts[0].arms;
    let rates: Vec<f64> = arms.iter().map(|a| a.win_rate.unwrap()).collect();
    assert!(rates[0] > rates[1] && rates[1] > rates[2], "{rates:?}");
    for arm in arms {
        let (low, high) = arm.interval.unwrap();
        assert!(low <= arm.win_rate.unwrap() && arm.win_rate.unwrap() <= high);
        assert_eq!(arm.deals, arm.won + arm.lost);
    }
    assert_eq!(arms.iter().map(|a| a.deals).sum::<u64>(), 3000);
    // The calibration bins rise with the score, overall.
    let bins = &report.calibration;
    assert!(bins.len() >= 5);
    assert!(bins.first().unwrap().group.win_rate < bins.last().unwrap().group.win_rate);
    assert_eq!(bins.iter().map(|b| b.group.deals).sum::<u64>(), 3000);
}

#[test]
fn fit_recovers_the_planted_weights_signs_and_order() {
    let (_, totals) = report();
    let analysis = analysis();
    let backtest = Backtest::new(&analysis, "", options(), backtest::OUTCOME_KEY);
    let fit = backtest.fit(&totals).unwrap();
    assert!(fit.converged);
    let mut pairs = Vec::new();
    for signal in &fit.signals {
        let effect = planted(&signal.name);
        let (beta, low, high) = signal.log_odds.unwrap();
        assert!(low <= beta && beta <= high);
        if effect.abs() >= 0.5 {
            assert_eq!(
                beta > 0.0,
                effect > 0.0,
                "{}: fitted {beta}, planted {effect}",
                signal.name
            );
            let (weight, _, _) = signal.suggested.unwrap();
            assert_eq!(weight.signum(), effect.signum() as i64, "{}", signal.name);
        }
        if effect != 0.0 {
            pairs.push((effect, beta));
        }
    }
    let rho = spearman(&pairs);
    assert!(
        rho > 0.9,
        "rank correlation of the fitted with the planted effects: {rho}"
    );
    // Scaled to the playbook's range: the largest suggested weight is the
    // playbook's largest (5).
    let largest = fit
        .signals
        .iter()
        .filter_map(|s| s.suggested.map(|(w, _, _)| w.abs()))
        .max()
        .unwrap();
    assert_eq!(largest, 5);

    // What adopting the fit would change, counted on the same deals.
    let fitted = backtest::with_weights(&analysis, &fit.weights());
    let check = AdoptionCheck::new(
        Backtest::new(&analysis, "", options(), backtest::OUTCOME_KEY),
        Backtest::new(&fitted, "", options(), backtest::OUTCOME_KEY),
    );
    let mut adoption = Adoption::default();
    map_records(
        input(&history_text()),
        2,
        &|r| check.compare(r),
        &mut |c, _| {
            check.count(&mut adoption, c);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(adoption.deals, 3000);
    assert!(adoption.verdicts_changed > 0);
    assert_eq!(adoption.hits.len(), 1);
}

#[test]
fn outcomes_missing_or_unreadable_are_skipped_and_counted() {
    let analysis = analysis();
    let backtest = Backtest::new(&analysis, "", options(), "result");
    let text = "{\"stage\": \"early\", \"result\": \"won\"}\n{\"stage\": \"early\"}\n{\"stage\": \"early\", \"result\": \"maybe\"}\n{\"stage\": \"nowhere\", \"result\": \"lost\"}\n{\"stage\": \"mid\", \"result\": \"LOST\"}\n";
    let mut messages = Vec::new();
    let mut totals = backtest.totals();
    map_records(
        input(text),
        1,
        &|r| backtest.observe(r),
        &mut |(m, observed), _| {
            messages.extend(m);
            backtest.count(&mut totals, observed);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(
        (totals.deals, totals.won, totals.skipped, totals.failed),
        (2, 1, 2, 1)
    );
    assert!(
        messages.iter().any(|m| m.contains("found maybe")),
        "{messages:?}"
    );
    // "result" is the outcome key, never warned about as an unknown fact.
    assert!(
        !messages.iter().any(|m| m.contains("`result`")),
        "{messages:?}"
    );
    let report = backtest.report(&totals);
    assert!(report.verdicts[0].arms.iter().all(|a| a.small));
    let json = report.to_json();
    assert_eq!(json["deals"], 2);
    assert_eq!(json["skipped"], 2);
    assert!(json["arms"]["standing"]["backup"]["win_rate"].is_number());
}

#[test]
fn the_html_page_parses_and_holds_every_chart_and_table() {
    let (mut report, totals) = report();
    let analysis = analysis();
    let backtest = Backtest::new(&analysis, "", options(), backtest::OUTCOME_KEY);
    report.fit = Some(backtest::FitReport {
        fit: backtest.fit(&totals).unwrap(),
        adoption: Some(Adoption {
            deals: 3000,
            verdicts_changed: 12,
            hits: vec![("standing".into(), 2000, 2100)],
        }),
    });
    let page = augur_corpus::html::page("Where do we stand? <&>", "en", &report);
    // Self-contained: nothing is fetched.
    assert!(
        !page.contains("http://")
            || page.matches("http://").count()
                == page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
    );
    assert!(!page.contains("https://") && !page.contains("<script"));
    let body = page.trim_start_matches("<!DOCTYPE html>\n");
    let document = roxmltree::Document::parse(body).unwrap();
    let ids: Vec<&str> = document
        .descendants()
        .filter_map(|n| n.attribute("id"))
        .collect();
    for id in [
        "chart-arms-standing",
        "table-arms-standing",
        "chart-lift",
        "table-signals",
        "chart-calibration",
        "table-calibration",
        "table-advice",
        "table-fit",
        "table-adoption",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let svg = |id: &str| {
        document
            .descendants()
            .find(|n| n.attribute("id") == Some(id))
            .unwrap()
    };
    // One bar per arm, one bar per signal that fired, one point per bin.
    assert_eq!(
        svg("chart-arms-standing")
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .count(),
        3
    );
    assert_eq!(
        svg("chart-lift")
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .count(),
        report.signals.iter().filter(|s| s.fired > 0).count()
    );
    assert_eq!(
        svg("chart-calibration")
            .descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count(),
        report.calibration.len()
    );
    // The title is escaped.
    let title = document
        .descendants()
        .find(|n| n.has_tag_name("title"))
        .unwrap();
    assert_eq!(title.text(), Some("Backtest: Where do we stand? <&>"));
    // The wrong-sign signal is marked in the table.
    let row = document
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .find(|n| n.descendants().any(|c| c.text() == Some("relies_on_us")))
        .unwrap();
    assert!(row.descendants().any(|c| c.text() == Some("wrong sign?")));
}
