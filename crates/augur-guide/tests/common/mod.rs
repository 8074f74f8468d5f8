//! What the property tests over the example playbooks share: the two
//! editions of the flagship playbook, checked once, and values of a fact's
//! type drawn from a number.
#![allow(dead_code)]

use augur_check::ir::{Program, Type};
use augur_eval::Value;
use augur_syntax::Date;

/// The flagship playbook, in English or in Chinese, checked.
pub fn example(chinese: bool) -> &'static augur_check::Analysis {
    static EDITIONS: std::sync::OnceLock<[augur_check::Analysis; 2]> = std::sync::OnceLock::new();
    let editions = EDITIONS.get_or_init(|| {
        ["standing.augur", "standing.zh.augur"].map(|file| {
            let path = format!("{}/../../examples/{file}", env!("CARGO_MANIFEST_DIR"));
            let analysis = augur_check::analyze_text(&std::fs::read_to_string(path).unwrap());
            assert!(!analysis.has_errors(), "{file}: {:?}", analysis.diagnostics);
            analysis
        })
    });
    &editions[usize::from(chinese)]
}

/// A value of the fact's type drawn from `pick` (`None` for a list, a
/// record or a text: the tests leave those as the deal has them).
pub fn any_value(program: &Program, ty: &Type, pick: u64) -> Option<Value> {
    Some(match ty {
        Type::Bool => Value::Bool(pick.is_multiple_of(2)),
        Type::Int => Value::Int((pick % 200) as i64 - 50),
        Type::Date => Value::Date(Date::from_days(
            Date::parse("2026-11-20").unwrap().days() + (pick % 120) as i32 - 60,
        )),
        Type::Enum(id) => {
            Value::Variant((pick % program.enums[*id as usize].variants.len() as u64) as u32)
        }
        _ => return None,
    })
}
