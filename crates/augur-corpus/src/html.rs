//! The backtest report as one self-contained HTML page: inline CSS, charts
//! as inline SVG drawn here by hand (no script, no font, nothing fetched),
//! so it can be mailed or attached to a pull request as a single file.
//!
//! Charts: win rate per verdict arm with its 95% interval, lift per signal
//! (wrong-sign signals marked), and a calibration plot of score against
//! win rate. Every chart is followed by the table of its figures. The page
//! is well-formed XML (polyglot HTML), which the tests rely on to parse it.
//! This module only renders a [`Report`]; it computes nothing.

use crate::backtest::{Group, Report};
use augur_check::ir::Program;
use std::fmt::Write;

/// The page's `lang`: `zh` when the playbook's title or verdict labels are
/// written in Chinese (the rule augur-guide uses to pick its words), else
/// `en`. The page's own words are English; the labels, which are most of
/// what a reader reads, decide.
pub fn lang_of(program: &Program) -> &'static str {
    let is_cjk = |c: char| matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x3000..=0x303F | 0xFF00..=0xFFEF);
    let chinese = program
        .title
        .iter()
        .map(String::as_str)
        .chain(program.verdicts.iter().flat_map(|v| {
            std::iter::once(v.label.as_str()).chain(v.arms.iter().map(|a| a.label.as_str()))
        }))
        .any(|text| text.chars().any(is_cjk));
    if chinese {
        "zh"
    } else {
        "en"
    }
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}\
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;margin:1em 0;font-size:.9em}th,td{padding:.25em .6em;border-bottom:1px solid #eee;text-align:right}\
th:first-child,td:first-child{text-align:left}.warn{color:#b00020;font-weight:600}.small{color:#777;font-style:italic}\
svg{display:block;margin:1em 0}.note{color:#555;font-size:.9em}";

fn pct(value: Option<f64>) -> String {
    value.map_or("–".to_string(), |v| format!("{:.1}%", v * 100.0))
}

fn interval(value: Option<(f64, f64)>) -> String {
    value.map_or("–".to_string(), |(l, h)| {
        format!("{:.1}–{:.1}%", l * 100.0, h * 100.0)
    })
}

/// The page for `report`, titled after the playbook, in language `lang`
/// (see [`lang_of`]).
pub fn page(title: &str, lang: &str, report: &Report) -> String {
    let mut out = String::new();
    let title = escape(title);
    let lang = escape(lang);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>Backtest: {title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>Backtest: {title}</h1>\n"
    );
    let _ = write!(
        out,
        "<p>{} deal(s) with an outcome: {} won, {} lost, win rate {} (95% interval {}).",
        report.deals,
        report.won,
        report.deals - report.won,
        pct(report.win_rate),
        interval(report.interval)
    );
    if report.skipped > 0 {
        let _ = write!(out, " {} skipped (no outcome).", report.skipped);
    }
    if report.failed > 0 {
        let _ = write!(out, " {} could not be evaluated.", report.failed);
    }
    out.push_str("</p>\n");
    for verdict in &report.verdicts {
        let _ = writeln!(
            out,
            "<h2>{} (<code>{}</code>): win rate per arm</h2>",
            escape(&verdict.label),
            escape(&verdict.name)
        );
        out.push_str(&rate_chart(
            &format!("arms-{}", verdict.name),
            &verdict.arms,
        ));
        out.push_str(&group_table(
            &format!("arms-{}", verdict.name),
            "arm",
            &verdict.arms,
        ));
    }
    out.push_str("<h2>Signals: lift</h2>\n<p class=\"note\">Lift is the win rate when the signal fired divided by the win rate of the deals it applies to (its group's deals, e.g. the late stage, or all deals): above 1 it goes with wins, below 1 with losses. Red: the weight's sign disagrees with a significant difference in the history.</p>\n");
    out.push_str(&lift_chart(report));
    out.push_str(&signal_table(report));
    if !report.never_fired.is_empty() || !report.always_fired.is_empty() {
        out.push_str("<ul>");
        if !report.never_fired.is_empty() {
            let _ = write!(
                out,
                "<li>Never fired: {}</li>",
                escape(&report.never_fired.join(", "))
            );
        }
        if !report.always_fired.is_empty() {
            let _ = write!(
                out,
                "<li>Always fired: {}</li>",
                escape(&report.always_fired.join(", "))
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("<h2>Calibration: score against win rate</h2>\n<p class=\"note\">Deals grouped by score (adjacent scores merged until each group is large enough); a well-ordered score rises from left to right.</p>\n");
    out.push_str(&calibration_chart(report));
    let bins: Vec<Group> = report.calibration.iter().map(|b| b.group.clone()).collect();
    out.push_str(&group_table("calibration", "score", &bins));
    out.push_str("<h2>Advice: how often given</h2>\n");
    out.push_str(&group_table("advice", "advice", &report.advice));
    if let Some(fit) = &report.fit {
        out.push_str(&fit_section(fit));
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn group_table(id: &str, what: &str, groups: &[Group]) -> String {
    let mut out = format!(
        "<table id=\"table-{}\">\n<tr><th>{what}</th><th>deals</th><th>won</th><th>lost</th><th>win rate</th><th>95% interval</th></tr>\n",
        escape(id)
    );
    for group in groups {
        let _ = writeln!(
            out,
            "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&group.label),
            if group.small {
                " <span class=\"small\">(small sample)</span>"
            } else {
                ""
            },
            group.deals,
            group.won,
            group.lost,
            pct(group.win_rate),
            interval(group.interval)
        );
    }
    out.push_str("</table>\n");
    out
}

fn signal_table(report: &Report) -> String {
    let mut out = String::from("<table id=\"table-signals\">\n<tr><th>signal</th><th>weight</th><th>fired</th><th>win rate fired</th><th>not fired</th><th>lift</th><th></th></tr>\n");
    for s in &report.signals {
        let mut notes = Vec::new();
        if s.wrong_sign {
            notes.push("<span class=\"warn\">wrong sign?</span>");
        }
        if s.small {
            notes.push("<span class=\"small\">small sample</span>");
        }
        if s.fired == 0 {
            notes.push("<span class=\"small\">never fired</span>");
        }
        let _ = writeln!(
            out,
            "<tr><td>{} <code>{}</code></td><td>{:+}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&s.label),
            escape(&s.name),
            s.weight,
            s.fired,
            pct(s.win_rate_fired),
            pct(s.win_rate_not_fired),
            s.lift.map_or("–".to_string(), |l| format!("{l:.2}")),
            notes.join(" ")
        );
    }
    out.push_str("</table>\n");
    out
}

/// Horizontal bars of win rate (0–100%) with interval whiskers.
fn rate_chart(id: &str, groups: &[Group]) -> String {
    let (left, width, row) = (180.0, 520.0, 28.0);
    let height = row * groups.len() as f64 + 40.0;
    let mut out = format!(
        "<svg id=\"chart-{}\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\"><title>Win rate per arm</title>\n",
        escape(id),
        left + width + 60.0
    );
    axis(
        &mut out,
        left,
        width,
        height - 25.0,
        &["0%", "25%", "50%", "75%", "100%"],
    );
    for (index, group) in groups.iter().enumerate() {
        let y = 10.0 + row * index as f64;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>",
            left - 8.0,
            y + 14.0,
            escape(&group.label)
        );
        if let Some(rate) = group.win_rate {
            let _ = writeln!(
                out,
                "<rect x=\"{left}\" y=\"{y}\" width=\"{:.1}\" height=\"18\" fill=\"{}\"/>",
                rate * width,
                if group.small { "#b7c7e0" } else { "#4a78b5" }
            );
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{}\" font-size=\"11\">{}</text>",
                left + width + 6.0,
                y + 14.0,
                pct(Some(rate))
            );
        }
        if let Some((low, high)) = group.interval {
            let _ = writeln!(
                out,
                "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{}\" y2=\"{}\" stroke=\"#222\" stroke-width=\"1.5\"/>",
                left + low * width,
                left + high * width,
                y + 9.0,
                y + 9.0
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

fn axis(out: &mut String, left: f64, width: f64, y: f64, labels: &[&str]) {
    let _ = writeln!(
        out,
        "<line x1=\"{left}\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#999\"/>",
        left + width
    );
    let steps = labels.len().saturating_sub(1).max(1) as f64;
    for (index, label) in labels.iter().enumerate() {
        let x = left + width * index as f64 / steps;
        let _ = writeln!(
            out,
            "<text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#555\">{}</text>",
            y + 14.0,
            escape(label)
        );
    }
}

/// Bars of lift around 1.0, one per signal that fired.
fn lift_chart(report: &Report) -> String {
    let signals: Vec<_> = report.signals.iter().filter(|s| s.lift.is_some()).collect();
    let largest = signals
        .iter()
        .filter_map(|s| s.lift)
        .fold(2.0f64, f64::max)
        .min(10.0);
    let (left, width, row) = (200.0, 480.0, 20.0);
    let height = row * signals.len() as f64 + 40.0;
    let mut out = format!(
        "<svg id=\"chart-lift\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\"><title>Lift per signal</title>\n",
        left + width + 60.0
    );
    let x_of = |lift: f64| left + width * (lift.min(largest) / largest);
    let labels: Vec<String> = (0..=4)
        .map(|i| format!("{:.1}", largest * i as f64 / 4.0))
        .collect();
    let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
    axis(&mut out, left, width, height - 25.0, &labels);
    let one = x_of(1.0);
    let _ = writeln!(
        out,
        "<line x1=\"{one:.1}\" x2=\"{one:.1}\" y1=\"5\" y2=\"{}\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>",
        height - 25.0
    );
    for (index, signal) in signals.iter().enumerate() {
        let lift = signal.lift.unwrap_or(1.0);
        let y = 8.0 + row * index as f64;
        let (from, to) = if lift >= 1.0 {
            (one, x_of(lift))
        } else {
            (x_of(lift), one)
        };
        let colour = if signal.wrong_sign {
            "#b00020"
        } else if lift >= 1.0 {
            "#2e7d32"
        } else {
            "#c77800"
        };
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\">{}</text>",
            left - 6.0,
            y + 11.0,
            escape(&signal.name)
        );
        let _ =
            writeln!(
            out,
            "<rect x=\"{from:.1}\" y=\"{y}\" width=\"{:.1}\" height=\"14\" fill=\"{colour}\"{}/>",
            (to - from).max(1.0),
            if signal.small { " fill-opacity=\"0.4\"" } else { "" }
        );
    }
    out.push_str("</svg>\n");
    out
}

/// Points of win rate per score bin, with interval whiskers.
fn calibration_chart(report: &Report) -> String {
    let bins = &report.calibration;
    let (left, width, top, plot_height) = (60.0, 600.0, 10.0, 240.0);
    let mut out = format!(
        "<svg id=\"chart-calibration\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" role=\"img\"><title>Score against win rate</title>\n",
        left + width + 20.0,
        top + plot_height + 40.0
    );
    let y_of = |rate: f64| top + plot_height * (1.0 - rate);
    for (index, label) in ["0%", "50%", "100%"].iter().enumerate() {
        let y = y_of(index as f64 / 2.0);
        let _ = writeln!(
            out,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#eee\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"10\" fill=\"#555\">{label}</text>",
            left + width,
            left - 6.0,
            y + 3.0
        );
    }
    let count = bins.len().max(1) as f64;
    let step = width / count;
    for (index, bin) in bins.iter().enumerate() {
        let x = left + step * (index as f64 + 0.5);
        if let Some((low, high)) = bin.group.interval {
            let _ = writeln!(
                out,
                "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#888\"/>",
                y_of(low),
                y_of(high)
            );
        }
        if let Some(rate) = bin.group.win_rate {
            let _ = writeln!(
                out,
                "<circle cx=\"{x:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"#4a78b5\"/>",
                y_of(rate)
            );
        }
        let _ = writeln!(
            out,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#555\">{}</text>",
            top + plot_height + 16.0,
            escape(&bin.group.label)
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\">score</text>",
        left + width / 2.0,
        top + plot_height + 34.0
    );
    out.push_str("</svg>\n");
    out
}

fn fit_section(fit: &crate::backtest::FitReport) -> String {
    let mut out = format!(
        "<h2>Fitted weights</h2>\n<p class=\"note\">A logistic regression of won/lost on the fired signals, scaled to the playbook's weight range ({:.2} weight per unit of log-odds). Nothing was rewritten: the author decides.</p>\n<table id=\"table-fit\">\n<tr><th>signal</th><th>current</th><th>suggested</th><th>95% interval</th></tr>\n",
        fit.fit.scale
    );
    for signal in &fit.fit.signals {
        let (suggested, range) = match signal.suggested {
            Some((w, l, h)) => (format!("{w:+}"), format!("{l:+.1} to {h:+.1}")),
            None => ("–".to_string(), "no estimate".to_string()),
        };
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{:+}</td><td>{suggested}</td><td>{range}</td></tr>",
            escape(&signal.name),
            signal.current
        );
    }
    out.push_str("</table>\n");
    if let Some(adoption) = &fit.adoption {
        let _ = writeln!(
            out,
            "<p>If adopted, {} of {} deal(s) would change a verdict.</p>",
            adoption.verdicts_changed, adoption.deals
        );
        out.push_str("<table id=\"table-adoption\">\n<tr><th>verdict</th><th>hit rate now</th><th>with fitted weights</th></tr>\n");
        for (name, before, after) in &adoption.hits {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(name),
                pct(crate::stats::rate(*before, adoption.deals)),
                pct(crate::stats::rate(*after, adoption.deals))
            );
        }
        out.push_str("</table>\n");
    }
    out
}
