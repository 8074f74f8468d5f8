//! One record of an input before it is decoded ([`Record`]), where it came
//! from ([`Source`]), and reading its parts without decoding it for a
//! playbook: its name in reports, a top-level member (`outcome`), a CSV
//! row's cells as text.
//!
//! Not here: reading inputs into records (`read.rs`), evaluating them
//! (`mod.rs`).

use super::{RawBody, RawRecord};
use crate::deal::{Deal, DealError};
use crate::decode::DealDecoder;
use serde_json::Value as Json;

/// Where records come from, shared by the reader and the workers.
pub(super) struct Source {
    pub(super) name: String,
    /// The CSV header row, checked (empty for JSON inputs).
    pub(super) header: crate::csv_deals::Header,
}

impl Source {
    pub(super) fn new(name: &str, header: crate::csv_deals::Header) -> std::sync::Arc<Source> {
        std::sync::Arc::new(Source {
            name: name.to_string(),
            header,
        })
    }
}

/// One record of an input, not yet decoded: it can be decoded for any
/// playbook (`augur diff` decodes each record once per version, each by its
/// own facts).
pub struct Record<'c> {
    pub(super) source: &'c Source,
    pub(super) number: u64,
    pub(super) body: &'c RawBody,
    pub(super) text: &'c str,
}

impl<'c> Record<'c> {
    pub(super) fn new(source: &'c Source, record: &'c RawRecord, text: &'c str) -> Self {
        Record {
            source,
            number: record.number,
            body: &record.body,
            text,
        }
    }

    /// The record's name in reports: `deals.jsonl:17`, or the file's name
    /// for a whole-file deal.
    pub fn name(&self) -> String {
        record_name(&self.source.name, self.number)
    }

    /// [`Record::decode`] into `deal`, reusing its buffers for a JSON deal.
    pub fn decode_into(&self, decoder: &DealDecoder<'_>, deal: &mut Deal) -> Result<(), DealError> {
        match self.body {
            RawBody::Json(range) => match self.text.get(range.clone()) {
                Some(text) => decoder.decode_text_into(text, deal),
                None => Err(lost_text()),
            },
            _ => self.decode(decoder).map(|decoded| *deal = decoded),
        }
    }

    /// Decodes the record for the playbook of `decoder`.
    pub fn decode(&self, decoder: &DealDecoder<'_>) -> Result<Deal, DealError> {
        match self.body {
            RawBody::Json(range) => match self.text.get(range.clone()) {
                Some(text) => decoder.decode_text(text),
                None => Err(lost_text()),
            },
            RawBody::Csv(row) => {
                let text = csv_text(row)?;
                let cells = (0..row.len()).map(|index| csv_cell(row, text, index));
                decoder.decode_cells(&self.source.header, row.len(), cells)
            }
            RawBody::Unreadable(error) => Err(error.clone()),
        }
    }

    /// The record's top-level members with their values (JSON members that
    /// are not `null`, or the non-empty CSV cells as strings under their
    /// column), in order; empty when the record is unreadable. One parse,
    /// for callers that look through every key (rarely: per key, use
    /// [`Record::value_of`]).
    pub fn members(&self) -> Vec<(String, Json)> {
        match self.body {
            RawBody::Json(range) => self
                .text
                .get(range.clone())
                .and_then(|text| serde_json::from_str::<serde_json::Map<String, Json>>(text).ok())
                .map(|map| map.into_iter().filter(|(_, v)| !v.is_null()).collect())
                .unwrap_or_default(),
            RawBody::Csv(row) => {
                let Ok(text) = csv_text(row) else {
                    return Vec::new();
                };
                self.source
                    .header
                    .columns
                    .iter()
                    .enumerate()
                    .map(|(index, column)| (column, csv_cell(row, text, index)))
                    .filter(|(_, cell)| !cell.is_empty())
                    .map(|(column, cell)| (column.clone(), Json::String(cell.to_string())))
                    .collect()
            }
            RawBody::Unreadable(_) => Vec::new(),
        }
    }

    /// The value under a top-level key of the record (a JSON member, or a
    /// non-empty CSV cell as a string), whether or not it is a fact: e.g. a
    /// deal's `outcome`. `None` when absent, `null`, or unreadable.
    pub fn value_of(&self, key: &str) -> Option<Json> {
        match self.body {
            RawBody::Json(range) => {
                let text = self.text.get(range.clone())?;
                let mut deserializer = serde_json::Deserializer::from_str(text);
                serde::de::DeserializeSeed::deserialize(MemberSeed(key), &mut deserializer)
                    .ok()
                    .flatten()
                    .filter(|value| !value.is_null())
            }
            RawBody::Csv(row) => {
                let column = self.source.header.columns.iter().position(|h| h == key)?;
                let text = csv_text(row).ok()?;
                Some(csv_cell(row, text, column))
                    .filter(|cell| !cell.is_empty())
                    .map(|cell| Json::String(cell.to_string()))
            }
            RawBody::Unreadable(_) => None,
        }
    }
}

/// A CSV row's cells, all of them, as one text: checked to be UTF-8 in one
/// pass, and each cell to start on a character (so every cell is UTF-8 as
/// well). A row that is not gets the error the `csv` crate gives when it
/// reads the row as text, word for word.
pub(super) fn csv_text(row: &csv::ByteRecord) -> Result<&str, DealError> {
    let text = std::str::from_utf8(row.as_slice()).ok().filter(|text| {
        (0..row.len()).all(|index| {
            row.range(index)
                .is_some_and(|range| text.is_char_boundary(range.start))
        })
    });
    text.ok_or_else(|| {
        let detail = match csv::StringRecord::from_byte_record(row.clone()) {
            Err(error) => {
                let error = error.utf8_error();
                match row.position() {
                    // The csv crate's message (`csv::Error`'s `Display` for
                    // a row read with its position).
                    Some(at) => format!(
                        "CSV parse error: record {} (line {}, field: {}, byte: {}): {error}",
                        at.record(),
                        at.line(),
                        error.field(),
                        at.byte()
                    ),
                    None => format!("CSV parse error: field {}: {error}", error.field()),
                }
            }
            Ok(_) => "invalid UTF-8".to_string(),
        };
        DealError {
            message: format!("malformed CSV row: {detail}"),
            path: "$".into(),
        }
    })
}

/// Cell `index` of a row whose text [`csv_text`] checked.
pub(super) fn csv_cell<'t>(row: &csv::ByteRecord, text: &'t str, index: usize) -> &'t str {
    row.range(index)
        .and_then(|range| text.get(range))
        .unwrap_or_default()
}

/// Reads one member of a JSON object, skipping the others without building
/// them.
struct MemberSeed<'k>(&'k str);

impl<'de> serde::de::DeserializeSeed<'de> for MemberSeed<'_> {
    type Value = Option<Json>;
    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> serde::de::Visitor<'de> for MemberSeed<'_> {
    type Value = Option<Json>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == self.0 && found.is_none() {
                found = Some(map.next_value::<Json>()?);
            } else {
                map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// A record's name in reports: `deals.jsonl:17`, or the file for a
/// whole-file deal.
pub(super) fn record_name(source: &str, number: u64) -> String {
    if number == 0 {
        source.to_string()
    } else {
        format!("{source}:{number}")
    }
}

pub(super) fn not_utf8(error: std::str::Utf8Error) -> DealError {
    DealError {
        message: format!(
            "not valid UTF-8 (invalid byte at offset {})",
            error.valid_up_to()
        ),
        path: "$".into(),
    }
}

/// A record whose text is not in its chunk: a bug, said as one.
fn lost_text() -> DealError {
    DealError {
        message: "internal error: lost the text of this deal".into(),
        path: "$".into(),
    }
}
