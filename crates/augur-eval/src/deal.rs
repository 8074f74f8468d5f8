//! Deals: decoding a JSON object into fact values, with errors that name the
//! JSON path (`$.events[2].on`) and the valid choices.

use crate::value::{Blame, Value};
use augur_check::ir::{FieldInfo, Program, Type};
use augur_syntax::Date;
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Arc;

/// Longest list a deal may hold.
pub const MAX_LIST_ITEMS: usize = 100_000;

/// Largest deal record, in bytes of JSON text (one `.json` file, one JSONL
/// line, one CSV row). Checked before parsing so a hostile deal cannot make
/// the reader build a huge tree.
pub const MAX_DEAL_BYTES: usize = 1024 * 1024;

/// The error for a deal record of `bytes` bytes, if it is over
/// [`MAX_DEAL_BYTES`].
pub fn check_deal_size(bytes: usize) -> Result<(), DealError> {
    if bytes > MAX_DEAL_BYTES {
        return Err(DealError {
            message: format!(
                "this deal is {bytes} bytes; one deal may be at most {MAX_DEAL_BYTES} bytes"
            ),
            path: "$".into(),
        });
    }
    Ok(())
}

/// A deal ready to evaluate.
#[derive(Clone, Debug)]
pub struct Deal {
    /// The deal's `"id"`, if it has one.
    pub id: Option<serde_json::Value>,
    pub as_of: Option<Date>,
    /// One value per fact, in declaration order.
    pub facts: Vec<Value>,
    /// Keys that are not facts (a warning; an error with `--strict`).
    pub unknown_keys: Vec<String>,
}

/// Why a deal could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DealError {
    pub message: String,
    /// JSON path of the bad value, e.g. `$.events[2].on`.
    pub path: String,
}

impl std::fmt::Display for DealError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

fn err(path: &str, message: String) -> DealError {
    DealError {
        message,
        path: path.to_string(),
    }
}

fn describe(json: &serde_json::Value) -> String {
    let text = json.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

/// Decodes a deal object against the playbook's facts.
pub fn decode_deal(program: &Program, json: &serde_json::Value) -> Result<Deal, DealError> {
    let serde_json::Value::Object(map) = json else {
        return Err(err(
            "$",
            format!(
                "expected a deal as a JSON object {{…}}, found {}",
                describe(json)
            ),
        ));
    };
    let mut deal = Deal {
        id: None,
        as_of: None,
        facts: Vec::with_capacity(program.facts.len()),
        unknown_keys: Vec::new(),
    };
    if let Some(id) = map.get("id") {
        match id {
            serde_json::Value::String(_) | serde_json::Value::Number(_) => {
                deal.id = Some(id.clone())
            }
            serde_json::Value::Null => {}
            other => {
                return Err(err(
                    "$.id",
                    format!(
                        "expected the deal's id as a string or number, found {}",
                        describe(other)
                    ),
                ))
            }
        }
    }
    if let Some(as_of) = map.get("as_of").filter(|v| !v.is_null()) {
        deal.as_of = Some(decode_date("$.as_of", as_of)?);
    }
    for (index, fact) in program.facts.iter().enumerate() {
        let path = format!("$.{}", fact.name);
        let value = decode_field(program, fact, map.get(&fact.name), &path, index as u32)?;
        deal.facts.push(value);
    }
    for key in map.keys() {
        if key != "id" && key != "as_of" && program.fact_index(key).is_none() {
            deal.unknown_keys.push(key.clone());
        }
    }
    Ok(deal)
}

fn decode_field(
    program: &Program,
    field: &FieldInfo,
    json: Option<&serde_json::Value>,
    path: &str,
    blame: u32,
) -> Result<Value, DealError> {
    match json {
        None | Some(serde_json::Value::Null) => {
            if matches!(field.ty.ty, Type::List(_)) {
                return Ok(Value::List(Arc::from(Vec::new())));
            }
            if field.ty.maybe_unknown {
                Ok(Value::Unknown(Blame::fact(blame)))
            } else {
                Err(err(
                    path,
                    format!(
                        "`{}` must be given: it is not optional in this playbook",
                        field.name
                    ),
                ))
            }
        }
        Some(json) => decode_value(program, &field.ty.ty, json, path, blame),
    }
}

fn decode_date(path: &str, json: &serde_json::Value) -> Result<Date, DealError> {
    match json.as_str().and_then(Date::parse) {
        Some(date) => Ok(date),
        None => Err(err(
            path,
            format!("expected a date \"YYYY-MM-DD\", found {}", describe(json)),
        )),
    }
}

/// Decodes one JSON value as `ty`. `blame` is the fact an unknown inside it
/// is attributed to.
pub fn decode_value(
    program: &Program,
    ty: &Type,
    json: &serde_json::Value,
    path: &str,
    blame: u32,
) -> Result<Value, DealError> {
    use serde_json::Value as Json;
    Ok(match (ty, json) {
        (Type::Bool, Json::Bool(b)) => Value::Bool(*b),
        (Type::Bool, other) => {
            return Err(err(
                path,
                format!("expected true or false, found {}", describe(other)),
            ))
        }
        (Type::Int, Json::Number(n)) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => return Err(err(path, format!("expected a whole number, found {n}"))),
        },
        (Type::Int, other) => {
            return Err(err(
                path,
                format!("expected a whole number, found {}", describe(other)),
            ))
        }
        (Type::Number, Json::Number(n)) => match Decimal::from_str(&n.to_string())
            .or_else(|_| Decimal::from_scientific(&n.to_string()))
        {
            Ok(d) => Value::Number(d),
            Err(_) => return Err(err(path, format!("the number {n} is out of range"))),
        },
        (Type::Number, other) => {
            return Err(err(
                path,
                format!("expected a number, found {}", describe(other)),
            ))
        }
        (Type::Text, Json::String(s)) => Value::Text(s.as_str().into()),
        (Type::Text, other) => {
            return Err(err(
                path,
                format!("expected text in double quotes, found {}", describe(other)),
            ))
        }
        (Type::Date, json) => Value::Date(decode_date(path, json)?),
        (Type::Enum(_), Json::String(s)) => {
            let names = program.variant_names(ty);
            match names.iter().position(|n| n == s) {
                Some(index) => Value::Variant(index as u32),
                None => {
                    return Err(err(
                        path,
                        format!(
                            "\"{s}\" is not a valid {}; the choices are: {}",
                            program.type_name(ty),
                            names.join(", ")
                        ),
                    ))
                }
            }
        }
        (Type::Enum(_), other) => {
            let names = program.variant_names(ty);
            return Err(err(
                path,
                format!(
                    "expected one of {}, found {}",
                    names.join(", "),
                    describe(other)
                ),
            ));
        }
        (Type::Record(id), Json::Object(map)) => {
            let Some(record) = program.records.get(*id as usize) else {
                return Ok(Value::unknown());
            };
            let mut fields = Vec::with_capacity(record.fields.len());
            for field in &record.fields {
                let field_path = format!("{path}.{}", field.name);
                fields.push(decode_field(
                    program,
                    field,
                    map.get(&field.name),
                    &field_path,
                    blame,
                )?);
            }
            if let Some(extra) = map
                .keys()
                .find(|k| !record.fields.iter().any(|f| &f.name == *k))
            {
                let names: Vec<&str> = record.fields.iter().map(|f| f.name.as_str()).collect();
                return Err(err(
                    &format!("{path}.{extra}"),
                    format!(
                        "`{}` has no field `{extra}`; its fields are: {}",
                        record.name,
                        names.join(", ")
                    ),
                ));
            }
            Value::Record(fields.into())
        }
        (Type::Record(_), other) => {
            return Err(err(
                path,
                format!("expected an object {{…}}, found {}", describe(other)),
            ))
        }
        (Type::List(element), Json::Array(items)) => {
            if items.len() > MAX_LIST_ITEMS {
                return Err(err(
                    path,
                    format!(
                        "this list has {} items; at most {MAX_LIST_ITEMS} are allowed",
                        items.len()
                    ),
                ));
            }
            let mut values = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                let item_path = format!("{path}[{index}]");
                if item.is_null() {
                    return Err(err(
                        &item_path,
                        "a list item cannot be null; leave unknown items out".into(),
                    ));
                }
                values.push(decode_value(program, element, item, &item_path, blame)?);
            }
            Value::List(values.into())
        }
        (Type::List(_), other) => {
            return Err(err(
                path,
                format!("expected a list [...], found {}", describe(other)),
            ))
        }
        (Type::Verdict(_) | Type::Nothing | Type::Error, _) => Value::unknown(),
    })
}
