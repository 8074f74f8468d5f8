//! Deals: decoding a JSON object into fact values, with errors that name the
//! JSON path (`$.events[2].on`) and the valid choices.

use crate::number::NumberError;
use crate::value::{Blame, Value};
use augur_check::ir::{FieldInfo, Program, Type};
use augur_syntax::Date;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::sync::Arc;

/// Longest list a deal may hold.
pub const MAX_LIST_ITEMS: usize = 100_000;

/// Largest deal record, in bytes of JSON text (one `.json` file, one JSONL
/// line, one CSV row). Checked before parsing so a hostile deal cannot make
/// the reader build a huge tree.
pub const MAX_DEAL_BYTES: usize = 1024 * 1024;

/// Most levels of lists and records inside one another in a deal's value. A
/// record type may contain itself (`record Step { next: list<Step> }`), so
/// only this bounds how deep decoding (and everything after it) recurses.
pub const MAX_VALUE_DEPTH: u32 = 32;

/// The deal keys that are not facts yet are never warned about: `id` and
/// `as_of` (read by every command) and `outcome` (how the deal ended, read
/// by `augur backtest`; ignored by the rest). A fact of the same name wins.
pub const RESERVED_KEYS: [&str; 3] = ["id", "as_of", "outcome"];

/// Whether `key` is one of [`RESERVED_KEYS`].
pub fn is_reserved_key(key: &str) -> bool {
    RESERVED_KEYS.contains(&key)
}

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
#[derive(Clone, Debug, Default)]
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

/// A value as shown in a message, cut to 40 characters. Numbers are shown
/// as written (never through `f64`).
fn describe(raw: &RawValue) -> String {
    let written = raw.get();
    let text = if crate::number::looks_numeric(written) {
        written.to_string()
    } else {
        serde_json::from_str::<serde_json::Value>(written)
            .map_or_else(|_| written.to_string(), |v| v.to_string())
    };
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

/// A JSON object's entries in document order, duplicates kept (so they can
/// be reported), each value as its own text.
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;
        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<'de>, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, &'de RawValue>()? {
                    entries.push((key, value));
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(EntriesVisitor)
    }
}

/// The deal's text, for saying where in it something is.
#[derive(Clone, Copy)]
struct Doc<'a> {
    text: &'a str,
}

impl Doc<'_> {
    /// Where `raw` (a value cut from this text) starts: `column 12`, or
    /// `line 3, column 5` in a text of several lines.
    fn place(&self, raw: &RawValue) -> String {
        let offset = (raw.get().as_ptr() as usize)
            .checked_sub(self.text.as_ptr() as usize)
            .filter(|offset| *offset <= self.text.len())
            .unwrap_or(0);
        let before = self.text.get(..offset).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |at| at + 1);
        let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
        if self.text.trim_end().contains('\n') {
            let line = before.matches('\n').count() + 1;
            format!("line {line}, column {column}")
        } else {
            format!("column {column}")
        }
    }

    /// The object's entries, or an error naming the first key given twice
    /// and both places.
    fn entries<'r>(
        &self,
        raw: &'r RawValue,
        path: &str,
        what: &str,
    ) -> Result<Entries<'r>, DealError> {
        let entries: Entries<'r> = serde_json::from_str(raw.get())
            .map_err(|e| err(path, format!("malformed JSON: {e}")))?;
        for (index, (key, value)) in entries.0.iter().enumerate() {
            let earlier = entries.0.iter().take(index).find(|(other, _)| other == key);
            if let Some((_, first)) = earlier {
                return Err(err(
                    &format!("{path}.{key}"),
                    format!(
                        "`{key}` is given twice in {what}: at {} and again at {}; keep one",
                        self.place(first),
                        self.place(value)
                    ),
                ));
            }
        }
        Ok(entries)
    }
}

fn get<'r>(entries: &Entries<'r>, key: &str) -> Option<&'r RawValue> {
    entries
        .0
        .iter()
        .find(|(name, _)| name == key)
        .map(|(_, value)| *value)
}

fn is_null(raw: &RawValue) -> bool {
    raw.get() == "null"
}

/// A deal's text as one raw JSON object, or the error a deal file gets when
/// it is not JSON or not an object.
fn deal_object(text: &str) -> Result<&RawValue, DealError> {
    let raw: &RawValue = serde_json::from_str(text).map_err(|e| DealError {
        message: format!("malformed JSON: {e}"),
        path: "$".into(),
    })?;
    if !raw.get().starts_with('{') {
        return Err(err(
            "$",
            format!(
                "expected a deal as a JSON object {{…}}, found {}",
                describe(raw)
            ),
        ));
    }
    Ok(raw)
}

/// The keys of a deal object written as JSON text, in order, each with its
/// value's JSON text exactly as written (numbers keep every digit): how a
/// test's `given "file.json"` is merged with its other `given`s before the
/// deal is decoded. A key given twice is an error naming both places; text
/// that is not a JSON object is an error too.
pub fn deal_entries(text: &str) -> Result<Vec<(String, String)>, DealError> {
    let entries = Doc { text }.entries(deal_object(text)?, "$", "this deal")?;
    Ok(entries
        .0
        .into_iter()
        .map(|(key, value)| (key, value.get().to_owned()))
        .collect())
}

/// Decodes a deal object against the playbook's facts.
///
/// Numbers in a `serde_json::Value` are already `f64` or whole; to read a
/// deal's numbers exactly, give its text to [`decode_deal_text`].
pub fn decode_deal(program: &Program, json: &serde_json::Value) -> Result<Deal, DealError> {
    decode_deal_text(program, &json.to_string())
}

/// Decodes a deal written as JSON text (one `.json` file, one JSONL line):
/// the reference decoder, whose errors every path reports. Numbers are read
/// from their text, exactly; a key given twice is an error naming both
/// places.
pub fn decode_deal_text(program: &Program, text: &str) -> Result<Deal, DealError> {
    let doc = Doc { text };
    let map = doc.entries(deal_object(text)?, "$", "this deal")?;
    let mut deal = Deal {
        id: None,
        as_of: None,
        facts: Vec::with_capacity(program.facts.len()),
        unknown_keys: Vec::new(),
    };
    if let Some(id) = get(&map, "id") {
        match id.get().as_bytes().first() {
            Some(b'"' | b'-' | b'0'..=b'9') => {
                match serde_json::from_str::<serde_json::Value>(id.get()) {
                    Ok(value) => deal.id = Some(value),
                    Err(_) => {
                        return Err(err(
                            "$.id",
                            format!("the deal's id {} is out of range", describe(id)),
                        ))
                    }
                }
            }
            _ if is_null(id) => {}
            _ => {
                return Err(err(
                    "$.id",
                    format!(
                        "expected the deal's id as a string or number, found {}",
                        describe(id)
                    ),
                ))
            }
        }
    }
    if let Some(as_of) = get(&map, "as_of").filter(|v| !is_null(v)) {
        deal.as_of = Some(decode_date("$.as_of", as_of)?);
    }
    for (index, fact) in program.facts.iter().enumerate() {
        let path = format!("$.{}", fact.name);
        let value = decode_field(
            program,
            fact,
            get(&map, &fact.name),
            &path,
            index as u32,
            doc,
            0,
        )?;
        deal.facts.push(value);
    }
    for (key, _) in &map.0 {
        if !is_reserved_key(key) && program.fact_index(key).is_none() {
            deal.unknown_keys.push(key.clone());
        }
    }
    Ok(deal)
}

/// The keys of a deal's text that are not facts (nor reserved keys), for
/// warning about them even when the deal cannot be decoded. Empty when the
/// text is not a JSON object.
pub fn unknown_keys_of(program: &Program, text: &str) -> Vec<String> {
    let Ok(map) = serde_json::from_str::<Entries<'_>>(text) else {
        return Vec::new();
    };
    let mut keys: Vec<String> = Vec::new();
    for (key, _) in map.0 {
        if !is_reserved_key(&key) && program.fact_index(&key).is_none() && !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

fn decode_field(
    program: &Program,
    field: &FieldInfo,
    json: Option<&RawValue>,
    path: &str,
    blame: u32,
    doc: Doc<'_>,
    depth: u32,
) -> Result<Value, DealError> {
    match json.filter(|raw| !is_null(raw)) {
        None => {
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
        Some(json) => decode_raw(program, &field.ty.ty, json, path, blame, doc, depth),
    }
}

fn decode_date(path: &str, json: &RawValue) -> Result<Date, DealError> {
    match serde_json::from_str::<&str>(json.get())
        .ok()
        .and_then(Date::parse)
        .or_else(|| {
            serde_json::from_str::<String>(json.get())
                .ok()
                .and_then(|s| Date::parse(&s))
        }) {
        Some(date) => Ok(date),
        None => Err(err(
            path,
            format!("expected a date \"YYYY-MM-DD\", found {}", describe(json)),
        )),
    }
}

/// The message for a number that could not be read as `what`.
fn number_error(path: &str, text: &str, error: NumberError, whole: bool) -> DealError {
    let message = match (error, whole) {
        (NumberError::OutOfRange, true) => format!(
            "the whole number {text} is out of range: whole numbers go from {} to {}",
            i64::MIN,
            i64::MAX
        ),
        (NumberError::OutOfRange, false) => format!(
            "the number {text} is out of range: a number holds at most 29 digits, \
             28 of them after the point, and is never rounded"
        ),
        (_, true) => format!("expected a whole number, found {text}"),
        (_, false) => format!("expected a number, found {text}"),
    };
    err(path, message)
}

/// Decodes one JSON value as `ty`. `blame` is the fact an unknown inside it
/// is attributed to. (Numbers in a `serde_json::Value` are already `f64`
/// or whole.)
pub fn decode_value(
    program: &Program,
    ty: &Type,
    json: &serde_json::Value,
    path: &str,
    blame: u32,
) -> Result<Value, DealError> {
    let text = json.to_string();
    let raw: &RawValue = serde_json::from_str(&text).map_err(|e| DealError {
        message: format!("malformed JSON: {e}"),
        path: path.to_string(),
    })?;
    decode_raw(program, ty, raw, path, blame, Doc { text: &text }, 0)
}

/// `depth`: how many lists and records hold this value.
fn decode_raw(
    program: &Program,
    ty: &Type,
    json: &RawValue,
    path: &str,
    blame: u32,
    doc: Doc<'_>,
    depth: u32,
) -> Result<Value, DealError> {
    if depth > MAX_VALUE_DEPTH && matches!(ty, Type::List(_) | Type::Record(_)) {
        return Err(err(
            path,
            format!(
                "this value is nested more than {MAX_VALUE_DEPTH} lists and records deep; \
                 a deal's values may nest at most {MAX_VALUE_DEPTH} levels"
            ),
        ));
    }
    let written = json.get();
    let first = written.as_bytes().first().copied().unwrap_or(b' ');
    Ok(match (ty, first) {
        (Type::Bool, b't' | b'f') if written == "true" || written == "false" => {
            Value::Bool(written == "true")
        }
        (Type::Bool, _) => {
            return Err(err(
                path,
                format!("expected true or false, found {}", describe(json)),
            ))
        }
        (Type::Int, b'-' | b'0'..=b'9') => match crate::number::parse_whole(written) {
            Ok(i) => Value::Int(i),
            Err(e) => return Err(number_error(path, written, e, true)),
        },
        (Type::Int, _) => {
            return Err(err(
                path,
                format!("expected a whole number, found {}", describe(json)),
            ))
        }
        (Type::Number, b'-' | b'0'..=b'9') => match crate::number::parse_decimal(written) {
            Ok(d) => Value::Number(d),
            Err(e) => return Err(number_error(path, written, e, false)),
        },
        (Type::Number, _) => {
            return Err(err(
                path,
                format!("expected a number, found {}", describe(json)),
            ))
        }
        (Type::Text, b'"') => match serde_json::from_str::<String>(written) {
            Ok(s) => Value::Text(s.as_str().into()),
            Err(e) => return Err(err(path, format!("malformed JSON: {e}"))),
        },
        (Type::Text, _) => {
            return Err(err(
                path,
                format!("expected text in double quotes, found {}", describe(json)),
            ))
        }
        (Type::Date, _) => Value::Date(decode_date(path, json)?),
        (Type::Enum(_), b'"') => {
            let s = serde_json::from_str::<String>(written).unwrap_or_default();
            let names = program.variant_names(ty);
            match names.iter().position(|n| *n == s) {
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
        (Type::Enum(_), _) => {
            let names = program.variant_names(ty);
            return Err(err(
                path,
                format!(
                    "expected one of {}, found {}",
                    names.join(", "),
                    describe(json)
                ),
            ));
        }
        (Type::Record(id), b'{') => {
            let Some(record) = program.records.get(*id as usize) else {
                return Ok(Value::unknown());
            };
            let map = doc.entries(json, path, &format!("this `{}`", record.name))?;
            let mut fields = Vec::with_capacity(record.fields.len());
            for field in &record.fields {
                let field_path = format!("{path}.{}", field.name);
                fields.push(decode_field(
                    program,
                    field,
                    get(&map, &field.name),
                    &field_path,
                    blame,
                    doc,
                    depth + 1,
                )?);
            }
            if let Some((extra, _)) = map
                .0
                .iter()
                .find(|(k, _)| !record.fields.iter().any(|f| &f.name == k))
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
        (Type::Record(_), _) => {
            return Err(err(
                path,
                format!("expected an object {{…}}, found {}", describe(json)),
            ))
        }
        (Type::List(element), b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(written)
                .map_err(|e| err(path, format!("malformed JSON: {e}")))?;
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
                if is_null(item) {
                    return Err(err(
                        &item_path,
                        "a list item cannot be null; leave unknown items out".into(),
                    ));
                }
                values.push(decode_raw(
                    program,
                    element,
                    item,
                    &item_path,
                    blame,
                    doc,
                    depth + 1,
                )?);
            }
            Value::List(values.into())
        }
        (Type::List(_), _) => {
            return Err(err(
                path,
                format!("expected a list [...], found {}", describe(json)),
            ))
        }
        (Type::Verdict(_) | Type::Nothing | Type::Error, _) => Value::unknown(),
    })
}
