//! Parsing a big file's top-level items on several threads: the text is cut
//! at lines that start a top-level item, each piece is parsed as a file of
//! its own on its own thread, its spans are moved to where the piece sits,
//! and the pieces' items and comments are put end to end.
//!
//! The result is exactly the whole file's parse, because a piece is only
//! used when it reads as nothing but whole items, without a single
//! diagnostic: then no item of it looked past its end (every item keyword
//! is reserved, so nothing can run on into the next piece's first word).
//! Anything else (a syntax error anywhere, a limit, a cut that lands oddly)
//! gives `None`, and the caller parses the whole file the normal way, so
//! recovery and its explanations are always those of a whole-file parse.
//! `crates/augur-syntax/tests/pieces.rs` compares the two on every
//! playbook under `examples/` and `tests/` and on a generated big one.
//!
//! Not here: anything for small files (below [`PARALLEL_MIN_BYTES`] a
//! thread costs more than it saves) or for files with errors.

use super::screen::{in_table, SCAN_MARKS};
use super::*;
use crate::shift::Shift;

/// Files smaller than this are parsed on the calling thread only. Measured:
/// the flagship playbook (23 KB) in two pieces takes 28 % of the
/// instructions off a cold `augur eval`'s main thread, but is no faster in
/// wall time (starting and waking a second thread costs what it saves), so
/// it stays whole.
pub(super) const PARALLEL_MIN_BYTES: usize = 32 * 1024;
/// The least text worth a thread of its own.
const MIN_PIECE_BYTES: usize = 16 * 1024;
/// The most pieces one file is cut into.
const MAX_PIECES: usize = 8;
/// A piece's thread's stack: room for the bracket-depth limit, as
/// [`with_stack`] guarantees on the calling thread.
const PIECE_STACK_BYTES: usize = 32 * 1024 * 1024;

/// How many pieces a file of `len` bytes is cut into on this machine.
pub(super) fn pieces_for(len: usize) -> usize {
    if len < PARALLEL_MIN_BYTES {
        return 1;
    }
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(MAX_PIECES)
        .min(len / MIN_PIECE_BYTES)
        .max(1)
}

/// The file parsed as `pieces` pieces, each on its own thread (the first on
/// this one), or `None` when that does not give exactly the whole-file
/// parse's tree with no diagnostics; with what `meanwhile` returns, run on
/// this thread while the other threads parse. The caller has already
/// checked the size and bracket-depth limits.
pub(super) fn parse_in_pieces<T>(
    text: &str,
    pieces: usize,
    meanwhile: impl FnOnce() -> T,
) -> (Option<File>, T) {
    let cuts = item_cuts(text, pieces);
    if cuts.is_empty() {
        return (None, meanwhile());
    }
    let starts = std::iter::once(0).chain(cuts.iter().copied());
    let ends = cuts.iter().copied().chain(std::iter::once(text.len()));
    let bounds: Vec<(usize, usize)> = starts.zip(ends).collect();
    let (parsed, also) = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .iter()
            .skip(1)
            .map(|&(start, end)| {
                let piece = text.get(start..end);
                std::thread::Builder::new()
                    .stack_size(PIECE_STACK_BYTES)
                    .spawn_scoped(scope, move || piece.and_then(|p| parse_piece(p, start)))
            })
            .collect();
        let also = meanwhile();
        let first = bounds
            .first()
            .and_then(|&(start, end)| text.get(start..end))
            .and_then(|piece| parse_piece(piece, 0));
        let mut parsed = vec![first];
        for handle in handles {
            parsed.push(handle.ok().and_then(|h| h.join().ok().flatten()));
        }
        (parsed, also)
    });
    (joined(parsed), also)
}

/// The pieces' files end to end, if every piece gave one.
fn joined(parsed: Vec<Option<File>>) -> Option<File> {
    let mut whole = File::default();
    for piece in parsed {
        let piece = piece?;
        whole.items.extend(piece.items);
        whole.comments.extend(piece.comments);
    }
    // Past the item limit the whole-file parse reports it.
    (whole.items.len() <= limits::MAX_ITEMS).then_some(whole)
}

/// One piece (starting at `offset` in the file) parsed as a file, with its
/// spans moved to the file's; `None` if anything in it needed a
/// diagnostic or recovery.
fn parse_piece(piece: &str, offset: usize) -> Option<File> {
    with_stack(|| {
        let pair = AugurParser::parse(Rule::file, piece).ok()?.next()?;
        if pair
            .clone()
            .into_inner()
            .any(|part| part.as_rule() == Rule::recovery)
        {
            return None;
        }
        let mut builder = Builder::new(piece);
        let mut file = builder.build_file(pair);
        if !builder.diagnostics.is_empty() || !file.broken.is_empty() {
            return None;
        }
        if offset > 0 {
            Shift(isize::try_from(offset).ok()?).file(&mut file);
        }
        Some(file)
    })
}

/// Up to `pieces - 1` offsets, in order, where the text may be cut into
/// pieces of about equal length: each is the start of a line, outside
/// any bracket, string or comment, that starts with an item keyword. A cut
/// in a wrong place (brackets in a string can mislead this count) makes a
/// piece fail to parse on its own, and the whole file is parsed instead.
fn item_cuts(text: &str, pieces: usize) -> Vec<usize> {
    let mut cuts = Vec::new();
    if pieces < 2 {
        return cuts;
    }
    let bytes = text.as_bytes();
    let mut target = text.len() / pieces;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (offset, byte) in bytes.iter().copied().enumerate() {
        if !in_table(&SCAN_MARKS, byte) && !escaped {
            continue;
        }
        if escaped {
            // The byte after a backslash in a string, whatever it is.
            escaped = false;
            continue;
        }
        match byte {
            b'\n' => {
                in_string = false;
                in_comment = false;
                let next = offset + 1;
                if depth == 0 && next >= target && starts_item(bytes.get(next..)) {
                    cuts.push(next);
                    if cuts.len() + 1 == pieces {
                        break;
                    }
                    target = text.len() / pieces * (cuts.len() + 1);
                }
            }
            _ if in_comment => {}
            b'\\' if in_string => escaped = true,
            b'"' => in_string = !in_string,
            _ if in_string => {}
            b'#' => in_comment = true,
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    cuts
}

/// Whether the text starts with an item keyword followed by a space, a
/// quote or a brace (so certainly the keyword, not a longer name).
fn starts_item(rest: Option<&[u8]>) -> bool {
    const KEYWORDS: [&[u8]; 11] = [
        b"playbook",
        b"import",
        b"enum",
        b"record",
        b"facts",
        b"let",
        b"group",
        b"signal",
        b"verdict",
        b"advice",
        b"test",
    ];
    let Some(rest) = rest else {
        return false;
    };
    KEYWORDS.iter().any(|keyword| {
        rest.strip_prefix(*keyword)
            .and_then(|after| after.first())
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'"' | b'{'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_fall_on_item_lines_outside_brackets_strings_and_comments() {
        let text = "let a = 1\n# let x = 2\ngroup g {\nsignal s { when a == 1 }\n}\nlet s = \"{\"\nlet b = 2\nenum E { x }\n";
        let cuts = item_cuts(text, 8);
        let starts: Vec<&str> = cuts
            .iter()
            .map(|&at| text[at..].lines().next().unwrap())
            .collect();
        assert_eq!(
            starts,
            ["group g {", "let s = \"{\"", "let b = 2", "enum E { x }"]
        );
    }

    #[test]
    fn a_keyword_that_starts_a_longer_name_is_no_cut() {
        assert!(!starts_item(Some(b"letter = 1")));
        assert!(!starts_item(Some(b"let")));
        assert!(starts_item(Some(b"let x = 1")));
        assert!(starts_item(Some(b"test \"t\" {")));
    }
}
