//! What would change the answer: for one deal, which arms of each verdict are
//! still possible over every completion of its unknown facts, which unknown
//! facts are decisive (can change a verdict or an advice), why each better
//! arm was not chosen and the smallest changes of facts that reach it, and
//! which question the interview (`augur ask`) asks next.
//!
//! It sits above `augur-eval` and uses its evaluator only: the as-recorded
//! [`augur_eval::evaluate`] (what `verdicts.<name>.value` means, and what
//! `--set` replays) and the three-valued [`augur_eval::evaluate_three_valued`]
//! (what is settled whatever the unknown facts turn out to be). It does not
//! read files, print, or prompt: the CLI and the language server do.
//!
//! ```
//! let analysis = augur_check::analyze_text(
//!     "enum Stage { early, late }\nfacts { stage: Stage, ok: bool? }\n\
//!      verdict v { good when ok  bad otherwise }\n",
//! );
//! let deal = augur_eval::decode_deal(&analysis.program, &serde_json::json!({"stage": "late"})).unwrap();
//! let today = augur_syntax::Date::parse("2026-11-20").unwrap();
//! let guidance = augur_guide::Guide::new(&analysis).guide(&deal, today).unwrap();
//! assert_eq!(guidance.verdicts[0].possible, vec![0, 1]);
//! assert_eq!(guidance.find_out_next[0].fact, 1);
//! ```
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

mod bound;
pub mod classes;
pub mod cone;
pub mod report;
pub mod search;
pub mod whynot;
pub mod words;

use augur_check::ir::{ExprKind, FactId, Program, Type};
use augur_check::Analysis;
use augur_eval::{evaluate, Deal, EvalError, Partial, Value};
use augur_syntax::Date;
pub use classes::Classes;
pub use search::{Search, Target};
pub use whynot::{Change, Failed, Reason, WhyNot};

/// Bounds on the work spent on one deal.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Three-valued evaluations for possible verdicts and decisive facts.
    pub search: u64,
    /// As-recorded evaluations for the change sets of one arm.
    pub changes: u64,
    /// Most facts in one change set.
    pub change_size: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            search: 20_000,
            changes: 150,
            change_size: 3,
        }
    }
}

/// A playbook ready to guide deals (the value classes are computed once).
pub struct Guide<'a> {
    pub analysis: &'a Analysis,
    pub program: &'a Program,
    pub classes: Classes,
    pub budget: Budget,
    /// What each rule can read, to evaluate a changed deal again in part.
    pub(crate) steps: cone::StepCones,
}

/// Everything the guide says about one deal.
#[derive(Clone, Debug)]
pub struct Guidance {
    pub verdicts: Vec<VerdictGuide>,
    /// The decisive unknown facts, most decisive first.
    pub find_out_next: Vec<Decisive>,
    /// Unknown facts needed only to complete a message or an advice text.
    pub message_only: Vec<FactId>,
    /// Per advice of the program: `false` when it is given as recorded but
    /// not settled (some completion of the unknown facts would not give it).
    pub settled: Vec<bool>,
    /// The three-valued reading of the deal as recorded.
    pub partial: Partial,
    /// Evaluations spent.
    pub evaluations: u64,
    /// A budget (or a list fact) cut some search: `find_out_next` may then
    /// miss a fact or an arm.
    pub approximate: bool,
    /// The day the deal was evaluated on (where date classes fall).
    pub today: Date,
}

#[derive(Clone, Debug)]
pub struct VerdictGuide {
    pub verdict: u32,
    /// The arm chosen from what is recorded (`verdicts.<name>.value`).
    pub value: u32,
    /// The arms some completion reaches, in arm order.
    pub possible: Vec<u32>,
    pub decided: bool,
    /// The budget (or a list fact) cut the search: `possible` may hold arms
    /// no completion reaches, never the other way round.
    pub approximate: bool,
    /// The parts of the chosen arm's condition that held, with the values
    /// they read (empty for `otherwise`).
    pub why: Vec<Failed>,
    /// For each arm before the chosen one.
    pub why_not: Vec<WhyNot>,
}

/// An unknown fact that can change a verdict or an advice.
#[derive(Clone, Debug)]
pub struct Decisive {
    pub fact: FactId,
    /// Per verdict it can change: the arms that occur in a pair of
    /// completions differing only in this fact with different arms.
    pub verdicts: Vec<(u32, Vec<u32>)>,
    /// The advice it can give or take away.
    pub advice: Vec<u32>,
    /// Per verdict: for each value of the fact, the arms still possible.
    pub effects: Vec<Effect>,
}

/// What one value (class) of a decisive fact leaves possible for a verdict.
#[derive(Clone, Debug)]
pub struct Effect {
    pub verdict: u32,
    pub value: Value,
    pub arms: Vec<u32>,
}

impl<'a> Guide<'a> {
    pub fn new(analysis: &'a Analysis) -> Self {
        Guide {
            analysis,
            program: &analysis.program,
            classes: Classes::new(&analysis.program),
            budget: Budget::default(),
            steps: cone::StepCones::new(&analysis.program),
        }
    }

    /// Guidance for `deal` evaluated on `today`.
    pub fn guide(&self, deal: &Deal, today: Date) -> Result<Guidance, EvalError> {
        // One deep stack for the hundreds of evaluations below, rather than
        // one fresh stack per evaluation on a small thread.
        augur_syntax::with_stack(|| self.guide_on_this_stack(deal, today))
    }

    fn guide_on_this_stack(&self, deal: &Deal, today: Date) -> Result<Guidance, EvalError> {
        let program = self.program;
        let outcome = evaluate(program, deal, today)?;
        let search = Search::new(program, &self.classes, deal, today, self.budget.search);
        let partial = match search.partial(&Vec::new())? {
            Some(root) => (*root).clone(),
            None => augur_eval::evaluate_three_valued(program, deal, today)?,
        };
        let mut verdicts = Vec::with_capacity(program.verdicts.len());
        for (id, value) in outcome.verdicts.iter().enumerate() {
            let before = search.take_approximate();
            let bits = search.possible(Target::Verdict(id as u32), &mut Vec::new())?;
            let approximate = search.take_approximate();
            search.mark_approximate(before || approximate);
            let possible = search::arms_of(bits);
            let why_not = whynot::why_not(self, deal, today, &partial, id as u32, *value)?;
            let why = match program
                .verdicts
                .get(id)
                .and_then(|v| v.arms.get(*value as usize))
                .and_then(|a| a.when.as_ref())
            {
                Some(when) => whynot::held_parts(self, deal, today, &partial, when)?,
                None => Vec::new(),
            };
            verdicts.push(VerdictGuide {
                verdict: id as u32,
                value: *value,
                decided: possible.len() == 1,
                possible,
                approximate,
                why,
                why_not,
            });
        }
        let find_out_next = self.decisive(&search)?;
        let settled = outcome_settled(program, &outcome, &partial);
        let message_only = message_only(program, deal, &outcome, &find_out_next);
        Ok(Guidance {
            verdicts,
            find_out_next,
            message_only,
            settled,
            partial,
            evaluations: search.evaluations(),
            approximate: search.approximate(),
            today,
        })
    }

    /// The decisive unknown facts, most decisive first.
    fn decisive(&self, search: &Search<'_>) -> Result<Vec<Decisive>, EvalError> {
        let program = self.program;
        let mut targets: Vec<Target> = (0..program.verdicts.len() as u32)
            .map(Target::Verdict)
            .collect();
        targets.extend((0..program.advice.len() as u32).map(Target::Advice));
        // Targets already decided with every unknown fact open need no search.
        let root = search.partial(&Vec::new())?;
        let open_targets: Vec<Target> = targets
            .into_iter()
            .filter(|t| {
                root.as_ref()
                    .is_none_or(|p| Search::read(p, *t).0.is_none())
            })
            .collect();
        let mut found = Vec::new();
        for fact in search.open_facts().collect::<Vec<_>>() {
            let mut entry = Decisive {
                fact,
                verdicts: Vec::new(),
                advice: Vec::new(),
                effects: Vec::new(),
            };
            for target in &open_targets {
                let bits = search.decisive(*target, fact)?;
                if bits == 0 {
                    continue;
                }
                match *target {
                    Target::Verdict(v) => {
                        entry.verdicts.push((v, search::arms_of(bits)));
                        for (class, value) in search.class_values(fact).iter().enumerate() {
                            let arms = search.possible(*target, &mut vec![(fact, class as u16)])?;
                            entry.effects.push(Effect {
                                verdict: v,
                                value: value.clone(),
                                arms: search::arms_of(arms),
                            });
                        }
                    }
                    Target::Advice(a) => entry.advice.push(a),
                }
            }
            if !entry.verdicts.is_empty() || !entry.advice.is_empty() {
                found.push(entry);
            }
        }
        // Most decisive first: more verdict arms at stake, then more advice.
        found.sort_by_key(|d| {
            let arms: usize = d.verdicts.iter().map(|(_, a)| a.len()).sum();
            (
                std::cmp::Reverse(arms),
                std::cmp::Reverse(d.advice.len()),
                d.fact,
            )
        });
        Ok(found)
    }

    /// The fact the interview asks about next: the most decisive one.
    pub fn next_question(&self, deal: &Deal, today: Date) -> Result<Option<FactId>, EvalError> {
        augur_syntax::with_stack(|| {
            let search = Search::new(self.program, &self.classes, deal, today, self.budget.search);
            Ok(self.decisive(&search)?.first().map(|d| d.fact))
        })
    }

    /// The question for a fact: its doc string, or its name.
    pub fn question(&self, fact: FactId) -> String {
        self.program
            .facts
            .get(fact as usize)
            .map(|f| f.doc.clone().unwrap_or_else(|| f.name.clone()))
            .unwrap_or_default()
    }
}

/// `deal` with `changes` applied, as `augur eval --set` applies them.
pub fn with_changes(deal: &Deal, changes: &[(FactId, Value)]) -> Deal {
    let mut changed = deal.clone();
    for (fact, value) in changes {
        if let Some(slot) = changed.facts.get_mut(*fact as usize) {
            *slot = value.clone();
        }
    }
    changed
}

fn outcome_settled(
    program: &Program,
    outcome: &augur_eval::Outcome,
    partial: &Partial,
) -> Vec<bool> {
    (0..program.advice.len())
        .map(|id| {
            let given = outcome.advice.iter().any(|(a, _)| *a as usize == id);
            !given || partial.advice.get(id).copied().flatten().is_some()
        })
        .collect()
}

/// Unknown facts read by the message of a fired signal or the text of a
/// given advice, that are not decisive.
fn message_only(
    program: &Program,
    deal: &Deal,
    outcome: &augur_eval::Outcome,
    decisive: &[Decisive],
) -> Vec<FactId> {
    let mut exprs = Vec::new();
    for (id, message) in outcome.messages.iter().enumerate() {
        if message.is_some() {
            if let Some(signal) = program.signals.get(id) {
                exprs.extend(signal.message.parts.iter().filter_map(part_expr));
            }
        }
    }
    for (id, _) in &outcome.advice {
        if let Some(advice) = program.advice.get(*id as usize) {
            for template in &advice.text {
                exprs.extend(template.parts.iter().filter_map(part_expr));
            }
        }
    }
    let facts = cone::facts_of(program, &exprs);
    facts
        .into_iter()
        .filter(|f| deal.facts.get(*f as usize).is_some_and(Value::is_unknown))
        .filter(|f| !decisive.iter().any(|d| d.fact == *f))
        .filter(|f| {
            program
                .facts
                .get(*f as usize)
                .is_some_and(|info| !matches!(info.ty.ty, Type::List(_)))
        })
        .collect()
}

fn part_expr(part: &augur_check::ir::TemplatePart) -> Option<&augur_check::ir::Expr> {
    match part {
        augur_check::ir::TemplatePart::Value(e) if !matches!(e.kind, ExprKind::Literal(_)) => {
            Some(e)
        }
        _ => None,
    }
}

/// Parses `FACT=VALUE` as `augur eval --set` reads it: the value as a CSV
/// cell of that fact's column is read (an empty value makes the fact
/// unknown; a list or record is JSON).
pub fn parse_set(program: &Program, text: &str) -> Result<(FactId, Value), String> {
    let Some((name, cell)) = text.split_once('=') else {
        return Err(format!("--set expects FACT=VALUE, found \"{text}\""));
    };
    let name = name.trim();
    let Some(fact) = program.fact_index(name) else {
        let known: Vec<&str> = program.facts.iter().map(|f| f.name.as_str()).collect();
        return Err(format!(
            "--set {name}: `{name}` is not a fact of this playbook (its facts: {})",
            known.join(", ")
        ));
    };
    let Some(info) = program.facts.get(fact as usize) else {
        return Err(format!("--set {name}: no such fact"));
    };
    if cell.is_empty() && !info.ty.maybe_unknown {
        return Err(format!(
            "--set {name}: `{name}` must be known (it is not optional)"
        ));
    }
    // Read exactly as a CSV cell of that column is read.
    match augur_eval::csv_deals::cell_value(program, name, cell) {
        // The cell was decoded on its own: its blame names this fact.
        Ok(Value::Unknown(_)) => Ok((fact, Value::Unknown(augur_eval::value::Blame::fact(fact)))),
        Ok(value) => Ok((fact, value)),
        Err(e) => Err(format!("--set {text}: {}", e.message)),
    }
}

/// Guidance as an [`augur_eval::batch::Augment`]: what `augur eval` adds to
/// each result.
pub struct Guided<'a> {
    pub guide: Guide<'a>,
}

impl<'a> Guided<'a> {
    pub fn new(analysis: &'a Analysis) -> Self {
        Guided {
            guide: Guide::new(analysis),
        }
    }
}

impl augur_eval::batch::Augment for Guided<'_> {
    fn json(
        &self,
        deal: &Deal,
        _outcome: &augur_eval::Outcome,
        today: Date,
        result: &mut serde_json::Value,
    ) {
        match self.guide.guide(deal, today) {
            Ok(guidance) => self.guide.add_json(&guidance, result),
            Err(error) => {
                if let Some(object) = result.as_object_mut() {
                    object.insert(
                        "guidance_error".into(),
                        serde_json::Value::from(error.message),
                    );
                }
            }
        }
    }

    fn text(
        &self,
        reporter: &augur_eval::Reporter<'_>,
        label: &str,
        deal: &Deal,
        outcome: &augur_eval::Outcome,
        today: Date,
        explain: bool,
    ) -> String {
        match self.guide.guide(deal, today) {
            Ok(guidance) => self.guide.text(label, deal, outcome, &guidance, explain),
            Err(error) => format!(
                "{}  (no guidance: {})\n",
                reporter.text(label, outcome),
                error.message
            ),
        }
    }
}
