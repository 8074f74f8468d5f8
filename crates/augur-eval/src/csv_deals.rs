//! CSV deals: the header row names facts, each row is one deal. A cell is
//! read by its fact's declared type; an empty cell is unknown; a list or
//! record fact is written as JSON inside its cell.
//!
//! Each row becomes the JSON object a deal file would hold, so the one deal
//! decoder ([`crate::decode_deal`]) checks every value.

use augur_check::ir::{Program, Type};
use serde_json::{Map, Value as Json};

/// Turns one CSV row into a deal object. `Err` names the column.
pub fn row_to_json(
    program: &Program,
    header: &[String],
    row: &[String],
) -> Result<Json, crate::DealError> {
    let mut deal = Map::new();
    for (column, cell) in header.iter().zip(row.iter()) {
        if cell.is_empty() {
            continue;
        }
        let ty = program
            .fact_index(column)
            .and_then(|f| program.facts.get(f as usize))
            .map(|f| f.ty.ty.clone());
        let value = match ty {
            None => Json::String(cell.clone()),
            Some(Type::Int | Type::Number) => cell
                .trim()
                .parse::<serde_json::Number>()
                .map(Json::Number)
                .map_err(|_| crate::DealError {
                    message: format!("column `{column}`: expected a number, found \"{cell}\""),
                    path: format!("$.{column}"),
                })?,
            Some(Type::Bool) => match cell.trim().to_lowercase().as_str() {
                "true" | "yes" => Json::Bool(true),
                "false" | "no" => Json::Bool(false),
                _ => {
                    return Err(crate::DealError {
                        message: format!(
                            "column `{column}`: expected true or false, found \"{cell}\""
                        ),
                        path: format!("$.{column}"),
                    })
                }
            },
            Some(Type::List(_) | Type::Record(_)) => {
                serde_json::from_str(cell).map_err(|e| crate::DealError {
                    message: format!("column `{column}`: expected JSON in the cell ({e})"),
                    path: format!("$.{column}"),
                })?
            }
            Some(_) => Json::String(cell.clone()),
        };
        deal.insert(column.clone(), value);
    }
    Ok(Json::Object(deal))
}
