//! Reading inputs into chunks: JSON Lines (a line per deal), one JSON
//! document (a deal or an array of deals), and CSV (a header, then a row per
//! deal). Cuts a chunk early whenever the input has nothing more buffered,
//! so a deal piped in on stdin is answered at once.

use super::*;

/// Cuts an input into chunks and hands each to `emit`, which returns false
/// to stop (the pipeline is shutting down).
pub(super) fn read_chunks<'r>(
    name: &str,
    kind: InputKind,
    reader: Box<dyn Read + Send + 'r>,
    buffers: &Buffers,
    csv: CsvRules<'_>,
    mut emit: impl FnMut(Chunk, std::sync::Arc<Source>) -> bool,
) -> Result<(), String> {
    match kind {
        InputKind::Json => {
            let source = Source::new(name, Default::default());
            let (consumed, chunk) = read_document(reader, Vec::new())?;
            emit(chunk.into_chunk(consumed), source);
            Ok(())
        }
        InputKind::Csv => read_csv(name, reader, buffers, csv, emit),
        InputKind::Jsonl | InputKind::Stdin => read_lines(name, kind, reader, buffers, emit),
    }
}

/// A whole-document deal, read with its size bounded.
pub(super) struct Document {
    body: RawBody,
    text: String,
}

impl Document {
    pub(super) fn into_chunk(self, consumed: u64) -> Chunk {
        Chunk {
            seq: 0,
            consumed,
            text: self.text,
            records: vec![RawRecord {
                number: 0,
                body: self.body,
            }],
            notes: Vec::new(),
        }
    }
}

/// Reads one JSON document (what is in `start`, then the rest of `reader`),
/// refusing it past [`MAX_DEAL_BYTES`] without reading further.
pub(super) fn read_document(reader: impl Read, start: Vec<u8>) -> Result<(u64, Document), String> {
    let mut bytes = start;
    let room = (MAX_DEAL_BYTES + 1).saturating_sub(bytes.len()) as u64;
    reader
        .take(room)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    let consumed = bytes.len() as u64;
    let document = match check_deal_size(bytes.len())
        .and_then(|()| String::from_utf8(bytes).map_err(|e| not_utf8(e.utf8_error())))
    {
        Ok(text) => {
            let start = text.len() - text.trim_start_matches('\u{feff}').len();
            Document {
                body: RawBody::Json(start..text.len()),
                text,
            }
        }
        Err(error) => Document {
            body: RawBody::Unreadable(error),
            text: String::new(),
        },
    };
    Ok((consumed, document))
}

/// Reads one line of at most [`MAX_DEAL_BYTES`] into `line` (without its
/// `\n`). A longer line is skipped to its end without being kept, and
/// reported as `Err(length)`. `Ok(None)` at the end of the input.
pub(super) fn read_line(
    reader: &mut impl BufRead,
    line: &mut Vec<u8>,
) -> io::Result<Option<Result<u64, u64>>> {
    line.clear();
    let mut length: u64 = 0;
    let mut too_long = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            if length == 0 {
                return Ok(None);
            }
            break;
        }
        let (part, found_newline) = match memchr::memchr(b'\n', available) {
            Some(end) => (available.get(..end).unwrap_or_default(), true),
            None => (available, false),
        };
        let taken = part.len() + usize::from(found_newline);
        length += taken as u64;
        if !too_long {
            if line.len() + part.len() > MAX_DEAL_BYTES {
                too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(part);
            }
        }
        reader.consume(taken);
        if found_newline {
            break;
        }
    }
    Ok(Some(if too_long { Err(length) } else { Ok(length) }))
}

pub(super) fn read_lines<'r>(
    name: &str,
    kind: InputKind,
    reader: Box<dyn Read + Send + 'r>,
    buffers: &Buffers,
    mut emit: impl FnMut(Chunk, std::sync::Arc<Source>) -> bool,
) -> Result<(), String> {
    let source = Source::new(name, Default::default());
    let mut reader = BufReader::with_capacity(READ_BUFFER_BYTES, reader);
    let mut line_buffer = Vec::new();
    let mut number: u64 = 0;
    let mut consumed: u64 = 0;
    let mut chunks = Chunker::new(buffers);
    let mut first_record = kind == InputKind::Stdin;
    loop {
        // Mostly the whole line is in the read buffer already: it is read
        // there, not copied out first (it is copied once, into the chunk).
        let in_place = match reader.fill_buf() {
            Ok(buffered) => memchr::memchr(b'\n', buffered),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("cannot read: {e}")),
        };
        let (read, line) = match in_place {
            Some(end) => (
                Ok(end as u64 + 1),
                reader.buffer().get(..end).unwrap_or_default(),
            ),
            None => match read_line(&mut reader, &mut line_buffer)
                .map_err(|e| format!("cannot read: {e}"))?
            {
                Some(read) => (read, line_buffer.as_slice()),
                None => break,
            },
        };
        number += 1;
        let body = match read {
            Err(length) => {
                consumed += length;
                Some(RawBody::Unreadable(DealError {
                    message: format!(
                        "this deal is over {MAX_DEAL_BYTES} bytes; one deal may be at most {MAX_DEAL_BYTES} bytes"
                    ),
                    path: "$".into(),
                }))
            }
            Ok(length) => {
                consumed += length;
                match std::str::from_utf8(line) {
                    Err(e) => Some(RawBody::Unreadable(not_utf8(e))),
                    Ok(text) => {
                        // A line that starts with printable ASCII has no
                        // byte-order mark to pass.
                        let text = match text.as_bytes().first() {
                            Some(first) if first.is_ascii_graphic() => crate::decode::trimmed(text),
                            _ => text.trim_start_matches('\u{feff}').trim(),
                        };
                        if text.is_empty() {
                            None
                        } else {
                            if std::mem::take(&mut first_record) && starts_a_document(text) {
                                chunks.chunk.notes.push(format!(
                                    "hint: {name} is read as JSON Lines (one deal a line); \
                                     to read it as one pretty-printed deal, pass --input json"
                                ));
                            }
                            let text_so_far = &mut chunks.chunk.text;
                            let start = text_so_far.len();
                            text_so_far.push_str(text);
                            Some(RawBody::Json(start..text_so_far.len()))
                        }
                    }
                }
            }
        };
        if let Some(end) = in_place {
            reader.consume(end + 1);
        }
        if let Some(body) = body {
            chunks.chunk.records.push(RawRecord { number, body });
        }
        let full = chunks.chunk.records.len() >= buffers.chunk_records()
            || chunks.chunk.text.len() >= CHUNK_BYTES;
        // Nothing more buffered: the next read may wait on a pipe, so hand
        // over what we have and let its results out first.
        let waiting = reader.buffer().is_empty();
        if (full || waiting) && !chunks.ship(consumed, &source, &mut emit) {
            return Ok(());
        }
    }
    chunks.ship(consumed, &source, &mut emit);
    Ok(())
}

/// Whether the first line on stdin opens a JSON document spread over several
/// lines (rather than being one JSON Lines record).
pub(super) fn starts_a_document(first_line: &str) -> bool {
    match serde_json::from_str::<serde::de::IgnoredAny>(first_line) {
        Ok(_) => false,
        Err(e) => e.is_eof(),
    }
}

/// The chunk being filled, and the numbering of the chunks handed over.
pub(super) struct Chunker<'b> {
    chunk: Chunk,
    seq: u64,
    buffers: &'b Buffers,
}

impl<'b> Chunker<'b> {
    pub(super) fn new(buffers: &'b Buffers) -> Self {
        Chunker {
            chunk: new_chunk(0, buffers),
            seq: 0,
            buffers,
        }
    }

    /// Hands over the chunk so far, if it holds any record, with `consumed`
    /// bytes of the input read. False when the pipeline is shutting down.
    pub(super) fn ship(
        &mut self,
        consumed: u64,
        source: &std::sync::Arc<Source>,
        emit: &mut impl FnMut(Chunk, std::sync::Arc<Source>) -> bool,
    ) -> bool {
        if self.chunk.records.is_empty() && self.chunk.notes.is_empty() {
            return true;
        }
        self.seq += 1;
        let mut full = std::mem::replace(&mut self.chunk, new_chunk(self.seq, self.buffers));
        full.consumed = consumed;
        emit(full, source.clone())
    }
}

pub(super) fn new_chunk(seq: u64, buffers: &Buffers) -> Chunk {
    Chunk {
        seq,
        consumed: 0,
        text: buffers.text(),
        records: Vec::new(),
        notes: Vec::new(),
    }
}

/// What reading a CSV header needs to know.
pub(super) struct CsvRules<'p> {
    /// The playbook whose facts the columns are checked against (warnings
    /// for the others); `None` when records are decoded per playbook later.
    pub(super) program: Option<&'p augur_check::ir::Program>,
    pub(super) strict: bool,
}

pub(super) fn read_csv<'r>(
    name: &str,
    reader: Box<dyn Read + Send + 'r>,
    buffers: &Buffers,
    rules: CsvRules<'_>,
    mut emit: impl FnMut(Chunk, std::sync::Arc<Source>) -> bool,
) -> Result<(), String> {
    // Flexible: a ragged row reaches the deal decoder, which names it.
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let columns: Vec<String> = csv
        .headers()
        .map_err(|e| format!("cannot read the header row: {e}"))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let header = match rules.program {
        Some(program) => crate::csv_deals::check_header(program, columns)?,
        None => crate::csv_deals::unchecked_header(columns)?,
    };
    if rules.strict {
        if let Some(warning) = header.warnings.first() {
            return Err(format!("{warning} (--strict)"));
        }
    }
    let notes = header
        .warnings
        .iter()
        .map(|w| format!("warning: {}: {w}", record_name(name, 1)))
        .collect();
    let source = Source::new(name, header);
    let mut chunks = Chunker::new(buffers);
    chunks.chunk.notes = notes;
    // Rows count the header as row 1, as spreadsheets do.
    let mut row_number: u64 = 1;
    // Each row gets the room the last one needed, so reading it does not
    // grow its buffers cell by cell.
    let (mut row_bytes, mut row_cells) = (0, 0);
    loop {
        let mut row = csv::ByteRecord::with_capacity(row_bytes, row_cells);
        let body = match csv.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => RawBody::Csv(row),
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                return Err(format!("cannot read: {e}"));
            }
            Err(e) => RawBody::Unreadable(DealError {
                message: format!("malformed CSV row: {e}"),
                path: "$".into(),
            }),
        };
        row_number += 1;
        if let RawBody::Csv(row) = &body {
            (row_bytes, row_cells) = (row.as_slice().len(), row.len());
            if let Err(error) = check_deal_size(row.as_slice().len()) {
                // A row that is not UTF-8 is reported as such, whatever its
                // size (its UTF-8 is checked here only when it is too big).
                let error = csv_text(row).err().unwrap_or(error);
                chunks.chunk.records.push(RawRecord {
                    number: row_number,
                    body: RawBody::Unreadable(error),
                });
                continue;
            }
        }
        chunks.chunk.records.push(RawRecord {
            number: row_number,
            body,
        });
        if chunks.chunk.records.len() >= buffers.chunk_records()
            && !chunks.ship(csv.position().byte(), &source, &mut emit)
        {
            return Ok(());
        }
    }
    chunks.ship(csv.position().byte(), &source, &mut emit);
    Ok(())
}
