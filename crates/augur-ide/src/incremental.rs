//! Incremental re-parsing for the editor: after an edit, only the top-level
//! items around the change are parsed again.
//!
//! Parsing dominates the cost of re-checking a large playbook (pest reads
//! about 3 MB/s), so the server re-parses just the changed region and
//! splices it between the unchanged items before and after it, whose spans
//! are shifted by the edit's length difference. The result is the parse the
//! whole text would give because:
//!
//! - the region starts at an item start one item *before* the item the edit
//!   touches, so everything before it was parsed from unchanged text and
//!   looked ahead only at unchanged text;
//! - the region ends at an unchanged item that starts a line with its item
//!   keyword, the point where the grammar's error recovery stops and that no
//!   item can run on into (every item keyword is reserved); that item's first
//!   line is parsed along, so a syntax error at the end of the region names
//!   the same token it would in a full parse.
//!
//! Anything unusual (size or depth limits, no usable boundary) falls back to
//! a full parse. A test compares the two on many random edits.

use augur_syntax::ast::*;
use augur_syntax::shift::Shift;
use augur_syntax::{Code, Diagnostic, Parse};

/// The parse of `new_text`, reusing `old` (the parse of `old_text`).
pub fn reparse(old_text: &str, old: &Parse, new_text: &str) -> Parse {
    if old_text == new_text {
        return old.clone();
    }
    // Shifting spans recurses along nested types and data (bounded by the
    // parser's limits); make sure of the stack room, as the parser does.
    augur_syntax::with_stack(|| spliced(old_text, old, new_text))
        .unwrap_or_else(|| augur_syntax::parse(new_text))
}

fn is_limit(d: &Diagnostic) -> bool {
    matches!(d.code, Code::TooLarge | Code::TooDeep)
}

fn spliced(old_text: &str, old: &Parse, new_text: &str) -> Option<Parse> {
    if old.diagnostics.iter().any(is_limit) {
        return None;
    }
    let (old_b, new_b) = (old_text.as_bytes(), new_text.as_bytes());
    let prefix = old_b.iter().zip(new_b).take_while(|(a, b)| a == b).count();
    let room = old_b.len().min(new_b.len()) - prefix;
    let suffix = old_b
        .iter()
        .rev()
        .zip(new_b.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    let old_change_end = old_b.len() - suffix;
    let delta = new_b.len() as isize - old_b.len() as isize;
    let items = &old.file.items;
    // The item the change starts in (or after), then one more item back.
    let touched = items.iter().rposition(|item| item.span.start < prefix);
    let first = touched.map_or(0, |i| i.saturating_sub(1));
    let region_start = match touched {
        Some(t) if t >= 1 => items.get(first)?.span.start,
        _ => 0,
    };
    // The first unchanged item after the change that starts a line.
    let tail = items
        .iter()
        .enumerate()
        .skip(first)
        .find(|(_, item)| {
            item.span.start > old_change_end
                && item.span.start > region_start
                && old_text
                    .get(..item.span.start)
                    .is_some_and(|b| b.ends_with('\n'))
        })
        .map(|(i, _)| i);
    let (region_old_end, tail_index) = match tail {
        Some(i) => (items.get(i)?.span.start, i),
        None => (old_b.len(), items.len()),
    };
    let region_new_end = usize::try_from(region_old_end as isize + delta).ok()?;
    let region_len = region_new_end.checked_sub(region_start)?;
    // The region plus the first line of the next item: error messages name
    // the token found after a broken region, which is that item's keyword.
    // What the extra line parses to is dropped below.
    let lookahead = new_text
        .get(region_new_end..)?
        .find('\n')
        .map_or(new_b.len(), |i| region_new_end + i + 1);
    let region_text = new_text.get(region_start..lookahead)?;
    let mut sub = augur_syntax::parse(region_text);
    if sub.diagnostics.iter().any(is_limit) {
        return None;
    }
    sub.file.items.retain(|item| item.span.start < region_len);
    sub.file.comments.retain(|c| c.span.start < region_len);
    // A broken stretch just before the region is explained at the token
    // where it stops: the region's first token, reported by the old parse.
    sub.diagnostics
        .retain(|d| d.span.start <= region_len && (d.span.start > 0 || region_start == 0));
    let head_items = if touched.is_some() { first } else { 0 };
    if head_items + sub.file.items.len() + (items.len() - tail_index)
        > augur_syntax::limits::MAX_ITEMS
    {
        return None;
    }

    let mut file = File::default();
    file.items.extend(items.iter().take(head_items).cloned());
    file.items
        .extend(sub.file.items.into_iter().map(|mut item| {
            Shift(region_start as isize).item(&mut item);
            item
        }));
    file.items
        .extend(items.iter().skip(tail_index).cloned().map(|mut item| {
            Shift(delta).item(&mut item);
            item
        }));
    let comments = &old.file.comments;
    file.comments.extend(
        comments
            .iter()
            .filter(|c| c.span.end <= region_start)
            .cloned(),
    );
    file.comments
        .extend(sub.file.comments.into_iter().map(|mut c| {
            Shift(region_start as isize).span(&mut c.span);
            c
        }));
    file.comments.extend(
        comments
            .iter()
            .filter(|c| c.span.start >= region_old_end)
            .cloned()
            .map(|mut c| {
                Shift(delta).span(&mut c.span);
                c
            }),
    );
    let broken = &old.file.broken;
    file.broken.extend(
        broken
            .iter()
            .filter(|b| b.name.span.end <= region_start)
            .cloned(),
    );
    file.broken.extend(
        sub.file
            .broken
            .into_iter()
            .filter(|b| b.name.span.start < region_len)
            .map(|mut b| {
                Shift(region_start as isize).span(&mut b.name.span);
                b
            }),
    );
    file.broken.extend(
        broken
            .iter()
            .filter(|b| b.name.span.start >= region_old_end)
            .cloned()
            .map(|mut b| {
                Shift(delta).span(&mut b.name.span);
                b
            }),
    );
    let mut diagnostics: Vec<Diagnostic> = old
        .diagnostics
        .iter()
        .filter(|d| {
            d.span.start < region_start || (d.span.start == region_start && region_start > 0)
        })
        .cloned()
        .collect();
    diagnostics.extend(sub.diagnostics.into_iter().map(|mut d| {
        Shift(region_start as isize).diagnostic(&mut d);
        d
    }));
    diagnostics.extend(
        old.diagnostics
            .iter()
            // One at the tail's first token explains the region: taken from
            // the new parse above.
            .filter(|d| d.span.start > region_old_end)
            .cloned()
            .map(|mut d| {
                Shift(delta).diagnostic(&mut d);
                d
            }),
    );
    Some(Parse { file, diagnostics })
}
