//! A synthetic won/lost history for `examples/standing.augur`, made from a
//! planted model: which behaviours of the customer really lead to a win.
//! `augur backtest` and `augur backtest --fit` are tested on it: they must
//! recover the planted relationships from the outcomes alone.
//!
//! SYNTHETIC: no real deal is in it. The facts of each deal are drawn by
//! stage with fixed frequencies; the outcome is drawn as won with
//! probability `1 / (1 + e^-x)`, where `x` is [`BASE_LOG_ODDS`] plus the
//! log-odds of every behaviour the deal shows ([`PLANTED`]). The model
//! mostly agrees with the playbook, with two planted disagreements a
//! backtest should find: reliance on us (`customer_relies_on_us`, weight +2
//! in the playbook) really *lowers* the odds, and stage confusion (decision
//! near but the customer says an earlier stage) has no effect at all.
//!
//! Not product code: only tests and `augur-history` (the generator of
//! `examples/history/deals.jsonl`) use it.

use crate::Rng;
use augur_syntax::Date;
use serde_json::{json, Map, Value as Json};

/// The log-odds of winning before any behaviour.
pub const BASE_LOG_ODDS: f64 = -0.2;

/// The planted model: each behaviour, named by the playbook signal that
/// watches it, and its true effect on the log-odds of winning.
pub const PLANTED: &[(&str, f64)] = &[
    // early stage
    ("many_questions", 0.8),
    ("few_questions", -0.9),
    ("generous_time", 0.5),
    ("little_time", -0.6),
    ("all_answers", -1.0),
    ("exec_door_open", 1.2),
    ("exec_door_closed", -0.7),
    ("sole_decider", -0.5),
    ("broad_interest", 0.6),
    ("narrow_interest", -0.8),
    ("price_lever", -1.6),
    // middle stage
    ("we_sell_ideas", 1.0),
    ("sparring_partner", -1.4),
    ("planned_together", 1.1),
    ("chores", -0.5),
    ("deep_requirements", 1.2),
    ("filler", -1.3),
    ("demo_systematic", 0.5),
    ("demo_critic", -0.9),
    ("key_roles_present", 0.3),
    ("key_roles_missing", -0.3),
    ("relies_on_us", -0.6),
    // late stage
    ("sudden_objection", -2.0),
    ("price_bundled", 1.3),
    ("price_checked_once", -1.2),
    ("extra_commitments", 0.7),
    ("boss_seen", 1.4),
    ("boss_absent", -1.0),
    ("boss_never_met", -1.0),
    ("chosen_by_champion", 0.6),
    ("nobody_chose_us", -0.6),
    // anywhere
    ("stage_confusion", 0.0),
];

/// The planted effect of a behaviour (0 when it has none).
pub fn planted(signal: &str) -> f64 {
    PLANTED
        .iter()
        .find(|(name, _)| *name == signal)
        .map_or(0.0, |(_, effect)| *effect)
}

/// A number in `[0, 1)`.
fn unit(rng: &mut Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// One of `choices`, drawn with the given percentages (the rest: `None`).
fn pick<'a>(rng: &mut Rng, choices: &[(&'a str, u64)]) -> Option<&'a str> {
    let mut roll = rng.below(100);
    for (choice, percent) in choices {
        if roll < *percent {
            return Some(choice);
        }
        roll -= percent;
    }
    None
}

/// Generates `count` deals with a reproducible `seed`, as JSON objects with
/// `id`, `as_of`, the facts of examples/standing.augur and `outcome`.
pub fn history(seed: u64, count: usize) -> Vec<Json> {
    let mut rng = Rng::new(seed);
    let start = Date::from_ymd(2025, 1, 6).map_or(0, Date::days);
    (0..count)
        .map(|index| {
            let as_of = start + i32::try_from(rng.below(690)).unwrap_or(0);
            deal(&mut rng, index, as_of)
        })
        .collect()
}

fn day(days: i32) -> String {
    Date::from_days(days).to_string()
}

fn deal(rng: &mut Rng, index: usize, as_of: i32) -> Json {
    let mut facts = Map::new();
    let mut shown: Vec<&str> = Vec::new();
    let put = |facts: &mut Map<String, Json>, key: &str, value: Json| {
        facts.insert(key.to_string(), value);
    };
    let stage = pick(rng, &[("early", 30), ("mid", 40), ("late", 30)]).unwrap_or("late");
    put(&mut facts, "stage", json!(stage));
    let mut events = Vec::new();
    match stage {
        "early" => {
            let questions = pick(rng, &[("many", 35), ("some", 35), ("few", 30)]);
            let only_differences = rng.chance(20);
            if let Some(q) = questions {
                put(&mut facts, "customer_questions", json!(q));
            }
            put(
                &mut facts,
                "questions_only_on_differences",
                json!(only_differences),
            );
            if questions == Some("many") && !only_differences {
                shown.push("many_questions");
            }
            if questions == Some("few") || only_differences {
                shown.push("few_questions");
            }
            let minutes = 15 + rng.below(106);
            let agenda = pick(rng, &[("us", 40), ("customer", 35), ("jointly", 25)]);
            put(&mut facts, "session_minutes", json!(minutes));
            if let Some(a) = agenda {
                put(&mut facts, "agenda_set_by", json!(a));
            }
            if minutes >= 60 {
                shown.push("generous_time");
            }
            if minutes < 30 || agenda == Some("customer") {
                shown.push("little_time");
            }
            let all_answers = rng.chance(25);
            put(&mut facts, "customer_has_all_answers", json!(all_answers));
            if all_answers {
                shown.push("all_answers");
            }
            let access = pick(
                rng,
                &[
                    ("met", 20),
                    ("offered", 15),
                    ("refused", 20),
                    ("gatekeeper", 15),
                    ("not_asked", 30),
                ],
            );
            if let Some(access) = access {
                put(&mut facts, "exec_access", json!(access));
                match access {
                    "met" | "offered" => shown.push("exec_door_open"),
                    "refused" => shown.push("exec_door_closed"),
                    "gatekeeper" => shown.push("sole_decider"),
                    _ => {}
                }
            }
            if let Some(scope) = pick(rng, &[("broad", 40), ("narrow", 35), ("price_only", 25)]) {
                put(&mut facts, "discussion_scope", json!(scope));
                shown.push(match scope {
                    "broad" => "broad_interest",
                    "narrow" => "narrow_interest",
                    _ => "price_lever",
                });
            }
            events.push(json!({"kind": "workshop", "on": day(as_of - 3 - rng.below(20) as i32)}));
        }
        "mid" => {
            if let Some(flow) = pick(rng, &[("we_sell", 45), ("they_sell", 35)]) {
                put(&mut facts, "ideas_flow", json!(flow));
                shown.push(if flow == "we_sell" {
                    "we_sell_ideas"
                } else {
                    "sparring_partner"
                });
            }
            if let Some(by) = pick(rng, &[("jointly", 30), ("us", 15), ("customer", 40)]) {
                put(&mut facts, "next_steps_set_by", json!(by));
                shown.push(if by == "customer" {
                    "chores"
                } else {
                    "planned_together"
                });
            }
            if let Some(depth) = pick(rng, &[("deep", 45), ("broad", 40)]) {
                put(&mut facts, "requirement_depth", json!(depth));
                shown.push(if depth == "deep" {
                    "deep_requirements"
                } else {
                    "filler"
                });
            }
            if let Some(focus) = pick(rng, &[("systematic", 50), ("differences_only", 35)]) {
                put(&mut facts, "demo_focus", json!(focus));
                shown.push(if focus == "systematic" {
                    "demo_systematic"
                } else {
                    "demo_critic"
                });
            }
            if let Some(present) = pick(rng, &[("true", 55), ("false", 35)]) {
                let present = present == "true";
                put(&mut facts, "key_roles_at_demo", json!(present));
                shown.push(if present {
                    "key_roles_present"
                } else {
                    "key_roles_missing"
                });
            }
            let relies = rng.chance(40);
            put(&mut facts, "customer_relies_on_us", json!(relies));
            if relies {
                shown.push("relies_on_us");
            }
            events.push(json!({"kind": "demo", "on": day(as_of - 5 - rng.below(30) as i32)}));
        }
        _ => {
            let objection = pick(rng, &[("none", 60), ("unsolvable", 15), ("price", 15)]);
            if let Some(o) = objection {
                put(&mut facts, "late_objection", json!(o));
                if o != "none" {
                    shown.push("sudden_objection");
                }
            }
            let tied = rng.chance(45);
            put(&mut facts, "price_tied_to_scope_and_risk", json!(tied));
            if tied {
                shown.push("price_bundled");
            }
            let price_talks = rng.below(4);
            for talk in 0..price_talks {
                events.push(
                    json!({"kind": "price_discussion", "on": day(as_of - 2 - 9 * talk as i32)}),
                );
            }
            if price_talks == 1 && !tied {
                shown.push("price_checked_once");
            }
            let commitments = rng.chance(35);
            put(&mut facts, "extra_commitments_asked", json!(commitments));
            if commitments {
                shown.push("extra_commitments");
            }
            match pick(rng, &[("recent", 40), ("old", 30)]) {
                Some("recent") => {
                    events.push(
                        json!({"kind": "exec_meeting", "on": day(as_of - rng.below(30) as i32)}),
                    );
                    shown.push("boss_seen");
                }
                Some(_) => {
                    events.push(json!({"kind": "exec_meeting", "on": day(as_of - 31 - rng.below(90) as i32)}));
                    shown.push("boss_absent");
                }
                None => shown.push("boss_never_met"),
            }
            if let Some(said) = pick(rng, &[("true", 40), ("false", 45)]) {
                let said = said == "true";
                put(&mut facts, "champion_said_they_choose_us", json!(said));
                shown.push(if said {
                    "chosen_by_champion"
                } else {
                    "nobody_chose_us"
                });
            }
            put(
                &mut facts,
                "decision_on",
                json!(day(as_of + 3 + rng.below(40) as i32)),
            );
        }
    }
    // Stage confusion: the decision is near, whatever the stage says.
    if stage != "late" && rng.chance(15) {
        put(
            &mut facts,
            "decision_on",
            json!(day(as_of + 5 + rng.below(20) as i32)),
        );
        shown.push("stage_confusion");
    }
    put(&mut facts, "events", Json::Array(events));
    let log_odds = BASE_LOG_ODDS + shown.iter().map(|s| planted(s)).sum::<f64>();
    let won = unit(rng) < 1.0 / (1.0 + (-log_odds).exp());
    let mut deal = Map::new();
    deal.insert("id".into(), json!(format!("H-{:05}", index + 1)));
    deal.insert("as_of".into(), json!(day(as_of)));
    deal.extend(facts);
    deal.insert("outcome".into(), json!(if won { "won" } else { "lost" }));
    Json::Object(deal)
}
