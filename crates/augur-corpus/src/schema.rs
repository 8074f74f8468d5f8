//! `augur schema`: the JSON Schema (draft 2020-12) of a deal for one
//! playbook, so a CRM form or an import job can validate deals before they
//! reach Augur, and the CSV header row a CRM export should have.
//!
//! The schema says what the deal decoder (`augur_eval::decode_deal`)
//! accepts: each fact by its type, enum variants with their descriptions,
//! records closed to other fields, optional facts (`T?`) may be missing or
//! `null`, lists may be missing (an empty list), the reserved keys `id`,
//! `as_of` and `outcome`. Keys that are not facts are allowed (the
//! decoder warns about them unless `--strict`). It describes; it does not
//! validate.

use augur_check::ir::{FieldInfo, Program, Type};
use serde_json::{json, Map, Value as Json};

/// The schema of a deal for `program`.
pub fn deal_schema(program: &Program) -> Json {
    let mut properties = Map::new();
    properties.insert(
        "id".into(),
        json!({ "description": "The deal's name in reports", "type": ["string", "number", "null"] }),
    );
    properties.insert(
        "as_of".into(),
        json!({ "description": "The date the deal is evaluated on (default: today)", "anyOf": [date(), { "type": "null" }] }),
    );
    properties.insert(
        "outcome".into(),
        json!({ "description": "How the deal ended, for `augur backtest`", "enum": ["won", "lost", null] }),
    );
    let mut required = Vec::new();
    for fact in &program.facts {
        properties.insert(fact.name.clone(), field_schema(program, fact));
        if is_required(fact) {
            required.push(Json::from(fact.name.as_str()));
        }
    }
    let mut defs = Map::new();
    for record in &program.records {
        let mut fields = Map::new();
        let mut record_required = Vec::new();
        for field in &record.fields {
            fields.insert(field.name.clone(), field_schema(program, field));
            if is_required(field) {
                record_required.push(Json::from(field.name.as_str()));
            }
        }
        let mut schema = json!({
            "type": "object",
            "properties": fields,
            "required": record_required,
            "additionalProperties": false,
        });
        if let (Some(doc), Some(object)) = (&record.doc, schema.as_object_mut()) {
            object.insert("description".into(), json!(doc));
        }
        defs.insert(record.name.clone(), schema);
    }
    for info in &program.enums {
        let variants: Vec<Json> = info
            .variants
            .iter()
            .map(|v| match &v.doc {
                Some(doc) => json!({ "const": v.name, "description": doc }),
                None => json!({ "const": v.name }),
            })
            .collect();
        let mut schema = json!({ "type": "string", "oneOf": variants });
        if let (Some(doc), Some(object)) = (&info.doc, schema.as_object_mut()) {
            object.insert("description".into(), json!(doc));
        }
        defs.insert(info.name.clone(), schema);
    }
    let title = program
        .title
        .as_ref()
        .map_or_else(|| "A deal".to_string(), |t| format!("A deal for \"{t}\""));
    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "description": "Facts of one deal. Optional facts (T?) may be missing or null; keys that are not facts are allowed and ignored (an error with --strict).",
        "type": "object",
        "properties": properties,
        "required": required,
    });
    if let (false, Some(object)) = (defs.is_empty(), schema.as_object_mut()) {
        object.insert("$defs".into(), Json::Object(defs));
    }
    schema
}

/// A fact or field must be present unless it is optional or a list.
fn is_required(field: &FieldInfo) -> bool {
    !field.ty.maybe_unknown && !matches!(field.ty.ty, Type::List(_))
}

fn date() -> Json {
    json!({ "type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" })
}

fn field_schema(program: &Program, field: &FieldInfo) -> Json {
    let mut schema = type_schema(program, &field.ty.ty);
    if field.ty.maybe_unknown || matches!(field.ty.ty, Type::List(_)) {
        schema = json!({ "anyOf": [schema, { "type": "null" }] });
    }
    if let Some(object) = schema.as_object_mut() {
        let doc = field.doc.clone().unwrap_or_default();
        let described = if doc.is_empty() {
            program.ty_name(&field.ty)
        } else {
            format!("{doc} ({})", program.ty_name(&field.ty))
        };
        object.insert("description".into(), json!(described));
    }
    schema
}

fn type_schema(program: &Program, ty: &Type) -> Json {
    match ty {
        Type::Bool => json!({ "type": "boolean" }),
        Type::Int => json!({ "type": "integer" }),
        Type::Number => json!({ "type": "number" }),
        Type::Text => json!({ "type": "string" }),
        Type::Date => date(),
        Type::Enum(id) => program.enums.get(*id as usize).map_or(
            json!({ "type": "string" }),
            |e| json!({ "$ref": format!("#/$defs/{}", e.name) }),
        ),
        Type::Record(id) => program.records.get(*id as usize).map_or(
            json!({ "type": "object" }),
            |r| json!({ "$ref": format!("#/$defs/{}", r.name) }),
        ),
        Type::List(element) => json!({ "type": "array", "items": type_schema(program, element) }),
        Type::Verdict(_) | Type::Nothing | Type::Error => json!({}),
    }
}

/// The CSV header row of a deal export: `id`, `as_of`, then every fact in
/// declaration order (a list or record fact holds JSON in its cell).
pub fn csv_header(program: &Program) -> String {
    let mut names = vec!["id".to_string(), "as_of".to_string()];
    names.extend(program.facts.iter().map(|f| f.name.clone()));
    names
        .iter()
        .map(|name| {
            if name.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", name.replace('"', "\"\""))
            } else {
                name.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}
