//! The CSV fast path of [`DealDecoder`]: a row's cells straight into fact
//! slots, by each fact's type, with the reference path (the row as a deal's
//! JSON text, then [`crate::decode_deal_text`]) deciding on anything unusual.

use super::scan::{date_of, decimal_of, whole_of, Scan};
use super::*;

impl<'p> DealDecoder<'p> {
    /// Decodes one CSV row under `header` (a header checked against this
    /// playbook, or one left unchecked for several playbooks). The result,
    /// value or error, is that of the reference path:
    /// [`crate::csv_deals::row_to_text`], then [`crate::decode_deal_text`].
    pub fn decode_row(&self, header: &Header, row: &[&str]) -> Result<Deal, DealError> {
        self.decode_cells(header, row.len(), row.iter().copied())
    }

    /// [`DealDecoder::decode_row`] for a row as the `csv` crate reads it.
    pub fn decode_record(
        &self,
        header: &Header,
        row: &csv::StringRecord,
    ) -> Result<Deal, DealError> {
        self.decode_cells(header, row.len(), row.iter())
    }

    /// [`DealDecoder::decode_row`] for a row of `len` cells given one by
    /// one (the fast path reads them in order; the reference path, if it
    /// must decide, collects them).
    pub fn decode_cells<'c>(
        &self,
        header: &Header,
        len: usize,
        cells: impl Iterator<Item = &'c str> + Clone,
    ) -> Result<Deal, DealError> {
        let fast = if self.slow_only {
            None
        } else {
            with_scratch(|scratch| self.row(header, len, cells.clone(), scratch))
        };
        match fast {
            Some(deal) => Ok(deal),
            None => self.decode_row_reference(header, &cells.collect::<Vec<_>>()),
        }
    }

    /// The CSV fast path alone: `None` when it gives up. Public so tests
    /// and fuzzing can compare it with the reference path.
    pub fn decode_row_fast(&self, header: &Header, row: &[&str]) -> Option<Deal> {
        if self.slow_only {
            return None;
        }
        with_scratch(|scratch| self.row(header, row.len(), row.iter().copied(), scratch))
    }

    /// The reference path for a CSV row: the row as the JSON text of a
    /// deal, decoded.
    fn decode_row_reference(&self, header: &Header, row: &[&str]) -> Result<Deal, DealError> {
        let program = self.program;
        let text = if header.checked {
            row_to_text(program, header, row)
        } else {
            row_to_text(program, &header.for_program(program), row)
        };
        text.and_then(|text| self.decode_text(&text))
    }

    /// Where the cells of column `index` (named `name`) go: from the header
    /// when it was checked against this playbook, else found by name.
    #[inline]
    fn slot(&self, slots: &[Column], index: usize, name: &str) -> Column {
        if let Some(slot) = slots.get(index) {
            return *slot;
        }
        let count = self.program.facts.len();
        match self.keys.find(name.as_bytes()) {
            Some(index) if index < count => Column::Fact(index as u32),
            Some(index) if index == count => Column::Id,
            Some(_) => Column::AsOf,
            None => Column::Skip,
        }
    }

    /// One CSV row of `len` cells, each read straight into its slot.
    fn row<'c>(
        &self,
        header: &Header,
        len: usize,
        cells: impl Iterator<Item = &'c str>,
        scratch: &mut Vec<Value>,
    ) -> Step<Deal> {
        if len != header.columns.len() {
            return Err(Bail);
        }
        let program = self.program;
        let count = program.facts.len();
        // A checked header knows its columns' slots; an unchecked one is
        // read by name (one hashed lookup a column).
        let slots = if header.checked { header.slots() } else { &[] };
        let mut deal = unfilled_deal(count);
        let mut seen = Seen::new(count);
        for (index, (name, cell)) in header.columns.iter().zip(cells).enumerate() {
            let slot = self.slot(slots, index, name);
            // A blank cell is unknown: as if the deal left the key out.
            if slot == Column::Skip || trimmed(cell).is_empty() {
                continue;
            }
            match slot {
                Column::Skip => {}
                Column::Id => deal.id = Some(serde_json::Value::String(cell.to_owned())),
                Column::AsOf => deal.as_of = Some(date_of(cell.as_bytes())?),
                Column::Fact(fact) => {
                    let index = fact as usize;
                    let info = program.facts.get(index).ok_or(Bail)?;
                    if !seen.insert(index) {
                        return Err(Bail);
                    }
                    let value = match self.cell(cell, &info.ty.ty, fact, scratch)? {
                        Some(value) => value,
                        None => missing(info, fact).ok_or(Bail)?,
                    };
                    *deal.facts.get_mut(index).ok_or(Bail)? = value;
                }
            }
        }
        for (index, (slot, fact)) in deal.facts.iter_mut().zip(&program.facts).enumerate() {
            if !seen.contains(index) {
                *slot = missing(fact, index as u32).ok_or(Bail)?;
            }
        }
        Ok(deal)
    }

    /// One non-blank CSV cell read as `ty`, as [`crate::csv_deals`] reads
    /// it; `None` for a list or record cell holding `null`.
    fn cell(
        &self,
        cell: &str,
        ty: &Type,
        blame: u32,
        scratch: &mut Vec<Value>,
    ) -> Step<Option<Value>> {
        Ok(Some(match ty {
            Type::Int => Value::Int(whole_of(number_cell(trimmed(cell))?)?),
            Type::Number => Value::Number(decimal_of(number_cell(trimmed(cell))?)?),
            Type::Bool => Value::Bool(bool_cell(trimmed(cell))?),
            // Text, dates and variants are taken as written, spaces kept.
            Type::Text => Value::Text(Arc::from(cell)),
            Type::Date => Value::Date(date_of(cell.as_bytes())?),
            Type::Enum(id) => {
                let table = self.variants.get(*id as usize).ok_or(Bail)?;
                Value::Variant(table.find(cell.as_bytes()).ok_or(Bail)? as u32)
            }
            // JSON inside the cell, decoded as a deal's value is.
            Type::List(_) | Type::Record(_) => {
                let mut scan = Scan::new(cell);
                let value = self.value(&mut scan, ty, blame, scratch, 0)?;
                scan.ws();
                if scan.pos != scan.bytes.len() {
                    return Err(Bail);
                }
                return Ok(value);
            }
            _ => return Err(Bail),
        }))
    }
}

/// `cell.trim()`, without its cost when the cell starts and ends with a
/// printable ASCII character (none of them is white space). Also for the
/// lines of JSON Lines input.
#[inline]
pub(crate) fn trimmed(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

/// A number cell (spaces trimmed) checked against JSON's number grammar,
/// which is what [`crate::number`] accepts.
fn number_cell(text: &str) -> Step<&str> {
    let mut scan = Scan::new(text);
    let number = scan.number()?;
    if scan.pos != text.len() {
        return Err(Bail);
    }
    Ok(number)
}

/// A yes/no cell (spaces trimmed): one of [`TRUE_WORDS`] or [`FALSE_WORDS`]
/// ignoring case. Comparing ignoring ASCII case is what lower-casing the
/// cell does here: the words' only non-ASCII letters (`是`, `否`) have no
/// case, and no other letter lower-cases to an ASCII one of the words.
fn bool_cell(word: &str) -> Step<bool> {
    if TRUE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(word)) {
        Ok(true)
    } else if FALSE_WORDS.iter().any(|w| w.eq_ignore_ascii_case(word)) {
        Ok(false)
    } else {
        Err(Bail)
    }
}
