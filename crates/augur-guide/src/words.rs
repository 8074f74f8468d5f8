//! The few fixed words of the guided text report, in English and Chinese.
//! Everything else comes from the playbook (labels, doc strings), so the
//! report follows the playbook's language: a playbook whose title or labels
//! are written in Chinese gets the Chinese words.

use crate::whynot::Reason;
use augur_check::ir::{FactId, Program};

pub struct Words {
    pub deal: &'static str,
    pub not_settled: &'static str,
    pub settled: &'static str,
    pub cut_short: &'static str,
    pub out_of_reach: &'static str,
    pub because: &'static str,
    pub score: &'static str,
    pub signals: &'static str,
    pub no_signals: &'static str,
    pub advice: &'static str,
    pub advice_not_settled: &'static str,
    pub find_out_next: &'static str,
    pub can_change_advice: &'static str,
    pub nothing_left: &'static str,
    pub only_message: &'static str,
    pub every_signal: &'static str,
    pub fired: &'static str,
    pub not_fired: &'static str,
    pub undecided: &'static str,
    pub read: &'static str,
    pub not_known: &'static str,
    pub or: &'static str,
    pub and: &'static str,
    pub list_sep: &'static str,
    zh: bool,
}

pub const EN: Words = Words {
    deal: "Deal",
    not_settled: "not settled",
    settled: "settled",
    cut_short: "(search cut short: possibly less open than shown)",
    out_of_reach: " is out of reach",
    because: "because",
    score: "score",
    signals: "Signals",
    no_signals: "No signals fired.",
    advice: "Advice",
    advice_not_settled: "(not settled: given because something is not known yet)",
    find_out_next: "Find out next",
    can_change_advice: "can change the advice",
    nothing_left: "Nothing left to find out changes the verdict or the advice.",
    only_message: "Only to complete a message",
    every_signal: "Every signal",
    fired: "fired",
    not_fired: "not fired",
    undecided: "undecided",
    read: "read",
    not_known: "not known",
    or: " or ",
    and: " and ",
    list_sep: ", ",
    zh: false,
};

pub const ZH: Words = Words {
    deal: "商机",
    not_settled: "尚未确定",
    settled: "已确定",
    cut_short: "（搜索因预算提前结束：实际可能没有显示的这么不确定）",
    out_of_reach: "已无可能",
    because: "依据",
    score: "得分",
    signals: "信号",
    no_signals: "没有信号触发。",
    advice: "建议",
    advice_not_settled: "（尚未确定：因为有些情况还不知道才给出）",
    find_out_next: "接下来要弄清楚",
    can_change_advice: "会影响建议",
    nothing_left: "还不知道的情况都不会改变判断或建议。",
    only_message: "只用于补全说明文字",
    every_signal: "所有信号",
    fired: "触发",
    not_fired: "未触发",
    undecided: "未定",
    read: "读取",
    not_known: "未知",
    or: "或",
    and: "且",
    list_sep: "、",
    zh: true,
};

/// The fixed words of the rep interview (`augur ask`), in the playbook's
/// language as the report's are.
pub struct AskWords {
    /// "Answers are saved to" (followed by the path).
    pub saved_to: &'static str,
    pub dont_know: &'static str,
    /// The hint under a question read one answer a line.
    pub line_hint: &'static str,
    /// The help under a terminal prompt.
    pub stop_hint: &'static str,
    /// The help of a free-text terminal prompt.
    pub empty_hint: &'static str,
    /// Before why an answer was not understood (with its separator).
    pub not_understood: &'static str,
    pub stopped_early: &'static str,
    /// The two choices of a yes/no question (spellings a `bool` cell
    /// accepts, see `augur_eval::csv_deals::TRUE_WORDS`).
    pub yes: &'static str,
    pub no: &'static str,
}

const ASK_EN: AskWords = AskWords {
    saved_to: "Answers are saved to",
    dont_know: "don't know yet",
    line_hint: "(empty line: don't know yet; q: stop)",
    stop_hint: "Esc stops; every answer is saved",
    empty_hint: "empty: don't know yet",
    not_understood: "not understood: ",
    stopped_early: "Stopped before the deal had every required fact.",
    yes: "yes",
    no: "no",
};

const ASK_ZH: AskWords = AskWords {
    saved_to: "回答保存在",
    dont_know: "还不知道",
    line_hint: "（空行：还不知道；q：结束）",
    stop_hint: "Esc 结束；每个回答都已保存",
    empty_hint: "留空：还不知道",
    not_understood: "没看懂：",
    stopped_early: "在商机的必填事实都填好之前就结束了。",
    yes: "是",
    no: "否",
};

impl Words {
    /// The words for a playbook: Chinese when its title or labels are.
    pub fn for_program(program: &Program) -> &'static Words {
        let mut texts =
            program
                .title
                .iter()
                .map(String::as_str)
                .chain(program.verdicts.iter().flat_map(|v| {
                    std::iter::once(v.label.as_str()).chain(v.arms.iter().map(|a| a.label.as_str()))
                }));
        if texts.any(|t| t.chars().any(is_cjk)) {
            &ZH
        } else {
            &EN
        }
    }

    /// "ARM if FACT CONDITION" / "若 FACT CONDITION，则为 ARM", where the
    /// condition is [`Words::is_values`] or a range (`≥ 30`).
    pub fn arm_if(&self, arm: &str, fact: &str, condition: &str, sure: bool) -> String {
        match (self.zh, sure) {
            (false, true) => format!("{arm} if {fact} {condition}"),
            (false, false) => format!("{arm} possible if {fact} {condition}"),
            (true, true) => format!("若 {fact} {condition}，则为{arm}"),
            (true, false) => format!("若 {fact} {condition}，可能为{arm}"),
        }
    }

    /// "is VALUES" / "为 VALUES".
    pub fn is_values(&self, values: &str) -> String {
        if self.zh {
            format!("为 {values}")
        } else {
            format!("is {values}")
        }
    }

    /// Values from `a` to `b`, both included.
    pub fn range(&self, a: &str, b: &str) -> String {
        if self.zh {
            format!("在 {a} 到 {b} 之间")
        } else {
            format!("between {a} and {b}")
        }
    }

    /// " (now VALUE)": what a known fact holds before a change.
    pub fn now_is(&self, value: &str) -> String {
        if self.zh {
            format!("（现为 {value}）")
        } else {
            format!(" (now {value})")
        }
    }

    /// After a signal in `--explain`: its group is off (or not known to be
    /// on), so it cannot fire.
    pub fn group_state(&self, group: &str, off: bool) -> String {
        match (self.zh, off) {
            (false, true) => format!("  (group {group} is off)"),
            (false, false) => format!("  (group {group} is not known to be on)"),
            (true, true) => format!("  （所在组 {group} 未启用）"),
            (true, false) => format!("  （所在组 {group} 是否启用未知）"),
        }
    }

    /// The fixed words of the rep interview (`augur ask`).
    pub fn ask(&self) -> &'static AskWords {
        if self.zh {
            &ASK_ZH
        } else {
            &ASK_EN
        }
    }

    /// "; and N more questions below".
    pub fn more_questions(&self, n: usize) -> String {
        match (self.zh, n) {
            (true, n) => format!("；另有 {n} 个问题见下文"),
            (false, 1) => "; and 1 more question below".to_string(),
            (false, n) => format!("; and {n} more questions below"),
        }
    }

    pub fn as_recorded_but(&self, arm: &str) -> String {
        if self.zh {
            format!("（按记录如此，但所有情况都知道后会是{arm}）")
        } else {
            format!(" as recorded, but once everything is known it is {arm}")
        }
    }

    /// Why-not changes: the unknown facts to find out, then the recorded
    /// ones that would have to change (either may be empty).
    pub fn it_would_take(&self, find_out: &str, must_change: &str) -> String {
        match (self.zh, find_out.is_empty(), must_change.is_empty()) {
            (_, true, true) => String::new(),
            (false, false, true) => format!(" (find out: {find_out})"),
            (false, true, false) => format!(" (it would take {must_change})"),
            (false, false, false) => {
                format!(" (find out: {find_out}; and it would take {must_change})")
            }
            (true, false, true) => format!("（需要弄清楚：{find_out}）"),
            (true, true, false) => format!("（需要改变：{must_change}）"),
            (true, false, false) => {
                format!("（需要弄清楚：{find_out}；并且需要改变：{must_change}）")
            }
        }
    }

    pub fn between(&self, low: &str, high: &str) -> String {
        if self.zh {
            format!("（所有情况都知道后在 {low} 到 {high} 之间）")
        } else {
            format!(" (between {low} and {high} once everything is known)")
        }
    }

    /// Why no change reaches an arm, in words.
    pub fn reason(&self, program: &Program, reason: &Reason) -> String {
        let names = |facts: &[FactId]| -> Vec<String> {
            facts
                .iter()
                .filter_map(|f| program.facts.get(*f as usize))
                .map(|f| f.name.clone())
                .collect()
        };
        let described = |facts: &[FactId]| -> Vec<String> {
            facts
                .iter()
                .filter_map(|f| program.facts.get(*f as usize))
                .map(|f| match &f.doc {
                    Some(doc) if self.zh => format!("`{}`（{doc}）", f.name),
                    Some(doc) => format!("`{}` ({doc})", f.name),
                    None => format!("`{}`", f.name),
                })
                .collect()
        };
        // What kind of entry it would take, in the playbook's own words:
        // the signals new entries could turn.
        let through_words = |signals: &[u32]| -> String {
            let labels: Vec<String> = signals
                .iter()
                .filter_map(|s| program.signals.get(*s as usize))
                .map(|s| format!("“{}”", s.label))
                .collect();
            match (labels.is_empty(), self.zh) {
                (true, _) => String::new(),
                (false, true) => format!("：这些记录要能改变{}是否成立", labels.join("或")),
                (false, false) => format!(
                    ": entries that change whether {} holds",
                    labels.join(" or ")
                ),
            }
        };
        let lists = |facts: &[FactId], through: &[u32]| -> String {
            let described = described(facts);
            if self.zh {
                format!(
                    "只有在 {} 中添加新记录才可能做到{}",
                    described.join("或"),
                    through_words(through)
                )
            } else {
                format!(
                    "only new entries in {} could reach it{}",
                    described.join(" or "),
                    through_words(through)
                )
            }
        };
        match (reason, self.zh) {
            (Reason::Unreachable { lists: l, through }, _) if !l.is_empty() => lists(l, through),
            (Reason::Unreachable { .. }, false) => "no value of the facts reaches it".into(),
            (Reason::Unreachable { .. }, true) => "任何取值都做不到".into(),
            (Reason::AtLeast(facts), false) => format!(
                "it would take changing at least {} facts ({})",
                facts.len(),
                names(facts).join(", ")
            ),
            (Reason::AtLeast(facts), true) => format!(
                "至少要改变 {} 项事实（{}）",
                facts.len(),
                names(facts).join("、")
            ),
            (
                Reason::NotByFindingOut {
                    lists: l,
                    through,
                    known,
                },
                zh,
            ) => {
                let mut out = if zh {
                    "弄清楚未知的情况也做不到".to_string()
                } else {
                    "no answer to what is not known yet reaches it".to_string()
                };
                if !l.is_empty() {
                    out.push_str(self.clause_sep());
                    let described = described(l);
                    if zh {
                        out.push_str(&format!(
                            "在 {} 中添加新记录也许可以{}",
                            described.join("或"),
                            through_words(through)
                        ));
                    } else {
                        out.push_str(&format!(
                            "new entries in {} might{}",
                            described.join(" or "),
                            through_words(through)
                        ));
                    }
                }
                if !known.is_empty() {
                    out.push_str(self.clause_sep());
                    if zh {
                        out.push_str(&format!(
                            "改变已记录的事实（{}）也许可以，但在搜索预算内没有找到这样的改变",
                            names(known).join("、")
                        ));
                    } else {
                        out.push_str(&format!(
                            "changing what is recorded ({}) might, but no such change was found within the search budget",
                            names(known).join(", ")
                        ));
                    }
                }
                out
            }
            (Reason::Budget(n), false) => {
                format!("no change of up to {n} facts found within the search budget")
            }
            (Reason::Budget(n), true) => format!("在搜索预算内没有找到至多 {n} 项事实的改变"),
            (Reason::NoChangeUpTo(n), false) => format!("no change of up to {n} facts reaches it"),
            (Reason::NoChangeUpTo(n), true) => format!("改变至多 {n} 项事实都做不到"),
        }
    }

    pub fn colon(&self) -> &'static str {
        if self.zh {
            "："
        } else {
            ": "
        }
    }

    pub fn dash(&self) -> &'static str {
        if self.zh {
            "——"
        } else {
            " — "
        }
    }

    pub fn stop(&self) -> &'static str {
        if self.zh {
            "。"
        } else {
            "."
        }
    }

    pub fn clause_sep(&self) -> &'static str {
        if self.zh {
            "；"
        } else {
            "; "
        }
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x3000..=0x303F | 0xFF00..=0xFFEF)
}
