//! Benchmark support: a reproducible corpus of deals for any checked
//! playbook. The `augur-bench` binary uses it to measure batch evaluation;
//! tests use it to compare the fast and the reference decoders on many
//! varied deals.
//!
//! Not a test-data generator for users: it writes plausible values of each
//! fact's type, not plausible sales situations.

pub mod history;

use augur_check::ir::{Program, Type};
use augur_syntax::Date;
use serde_json::{Map, Value as Json};

/// A small, fast, seeded random number generator (xorshift64*): the same
/// seed gives the same corpus on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Texts for text facts and fields: English, Chinese, quotes and escapes.
const TEXTS: &[&str] = &[
    "Met the CIO; he asked about the roll-out plan.",
    "副总裁没时间见我们，让我们找IT部门。",
    "\"Can you go lower?\" \"Yes.\" They never came back to price.",
    "Workshop with the technical centre: 3 hours, every requirement.",
    "客户主动安排了下周的演示，关键角色都会参加。",
    "Quote sent.\tFollow-up on Monday.",
    "",
];

/// One CSV cell, quoted when it holds a comma, quote or line break.
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// Generates deals for `program`: every fact by its declared type, optional
/// facts sometimes missing or `null`, lists of 0–12 items.
pub struct Corpus<'p> {
    program: &'p Program,
    rng: Rng,
    next_id: u64,
    /// Longest list generated (lists have 0 to this many items).
    max_list: u64,
}

impl<'p> Corpus<'p> {
    pub fn new(program: &'p Program, seed: u64) -> Self {
        Corpus {
            program,
            rng: Rng::new(seed),
            next_id: 1,
            max_list: 12,
        }
    }

    /// Lists of 0 to `max` items (12 unless set), for corpora of long
    /// event lists.
    pub fn with_max_list(mut self, max: u64) -> Self {
        self.max_list = max;
        self
    }

    /// The CSV header row for [`Corpus::csv_row`]: `id`, `as_of`, then
    /// every fact.
    pub fn csv_header(&self) -> String {
        let mut cells = vec!["id".to_string(), "as_of".to_string()];
        cells.extend(self.program.facts.iter().map(|f| csv_cell(&f.name)));
        cells.join(",")
    }

    /// A deal as one CSV row under [`Corpus::csv_header`]: an absent or
    /// `null` value is an empty cell, a list or record its JSON text.
    pub fn csv_row(&self, deal: &Json) -> String {
        let names = ["id", "as_of"]
            .into_iter()
            .chain(self.program.facts.iter().map(|f| f.name.as_str()));
        let cells: Vec<String> = names
            .map(|name| match deal.get(name) {
                None | Some(Json::Null) => String::new(),
                Some(Json::String(text)) => csv_cell(text),
                Some(other) => csv_cell(&other.to_string()),
            })
            .collect();
        cells.join(",")
    }

    /// The next deal as one line of JSON (no newline).
    pub fn next_line(&mut self) -> String {
        self.next_deal().to_string()
    }

    pub fn next_deal(&mut self) -> Json {
        let mut deal = Map::new();
        deal.insert("id".into(), Json::from(format!("deal-{:07}", self.next_id)));
        self.next_id += 1;
        let as_of = self.date();
        deal.insert("as_of".into(), Json::from(as_of));
        for fact in &self.program.facts {
            if fact.ty.maybe_unknown {
                if self.rng.chance(15) {
                    continue;
                }
                if self.rng.chance(5) {
                    deal.insert(fact.name.clone(), Json::Null);
                    continue;
                }
            }
            let value = self.value(&fact.ty.ty);
            deal.insert(fact.name.clone(), value);
        }
        Json::Object(deal)
    }

    fn date(&mut self) -> String {
        let start = Date::from_ymd(2026, 1, 1).map_or(0, Date::days);
        let offset = i32::try_from(self.rng.below(330)).unwrap_or(0);
        Date::from_days(start + offset).to_string()
    }

    fn value(&mut self, ty: &Type) -> Json {
        match ty {
            Type::Bool => Json::Bool(self.rng.chance(50)),
            Type::Int => Json::from(self.rng.below(240)),
            Type::Number => {
                let cents = self.rng.below(100_000_000);
                serde_json::from_str(&format!("{}.{:02}", cents / 100, cents % 100))
                    .unwrap_or(Json::Null)
            }
            Type::Text => {
                let index = self.rng.below(TEXTS.len() as u64) as usize;
                Json::from(TEXTS.get(index).copied().unwrap_or_default())
            }
            Type::Date => Json::from(self.date()),
            Type::Enum(id) => {
                let variants = self
                    .program
                    .enums
                    .get(*id as usize)
                    .map_or(&[][..], |e| e.variants.as_slice());
                let index = self.rng.below(variants.len() as u64) as usize;
                variants
                    .get(index)
                    .map_or(Json::Null, |v| Json::from(v.name.as_str()))
            }
            Type::Record(id) => {
                let mut record = Map::new();
                let fields = self
                    .program
                    .records
                    .get(*id as usize)
                    .map_or(&[][..], |r| r.fields.as_slice());
                for field in fields {
                    if field.ty.maybe_unknown && self.rng.chance(30) {
                        continue;
                    }
                    let value = self.value(&field.ty.ty);
                    record.insert(field.name.clone(), value);
                }
                Json::Object(record)
            }
            Type::List(element) => {
                let length = self.rng.below(self.max_list + 1);
                Json::Array((0..length).map(|_| self.value(element)).collect())
            }
            Type::Verdict(_) | Type::Nothing | Type::Error => Json::Null,
        }
    }
}
