//! Text a deal produces: messages and advice rendered from their templates
//! (an unknown value shows as a named placeholder, `‹budget›`), sentences
//! joined without a space in Chinese and Japanese, and the per-deal output
//! budget that every rendered byte is charged against.

use super::*;

impl Frame<'_> {
    /// Renders a message, advice or text template, charging its bytes to
    /// the deal's output budget.
    pub(super) fn render(
        &mut self,
        template: &ir::Template,
        location: ir::Location,
    ) -> Result<String, EvalError> {
        let mut out = String::new();
        self.render_into(template, location, &mut out)?;
        Ok(out)
    }

    /// [`Frame::render`] into a buffer the caller reuses (emptied first).
    pub(super) fn render_into(
        &mut self,
        template: &ir::Template,
        location: ir::Location,
        out: &mut String,
    ) -> Result<(), EvalError> {
        out.clear();
        for part in &template.parts {
            match part {
                ir::TemplatePart::Text(text) => out.push_str(text),
                ir::TemplatePart::Value(expr) => {
                    let value = self.eval(expr)?;
                    if value.is_unknown() {
                        // A readable placeholder naming what is missing.
                        out.push('‹');
                        out.push_str(placeholder_name(self.program, expr));
                        out.push('›');
                        continue;
                    }
                    value.render(&expr.ty.ty, self.program, out);
                    check_text_len(out.len(), expr)?;
                }
            }
        }
        self.charge(out.len(), location)
    }

    /// Counts `bytes` of text built for this deal against
    /// [`MAX_DEAL_OUTPUT_BYTES`].
    pub(super) fn charge(&mut self, bytes: usize, location: ir::Location) -> Result<(), EvalError> {
        self.output_bytes = self.output_bytes.saturating_add(bytes);
        if self.output_bytes as u64 > MAX_DEAL_OUTPUT_BYTES {
            return Err(EvalError {
                message: format!(
                    "this deal's messages, advice and texts would pass {MAX_DEAL_OUTPUT_BYTES} bytes \
                     (the limit for one deal); a message that repeats a long text is the usual cause. \
                     The limit was reached"
                ),
                location,
            });
        }
        Ok(())
    }
}

/// What an unknown value in a message is called: the fact or `let` it
/// reads, or "unknown".
pub(super) fn placeholder_name<'p>(program: &'p Program, expr: &ir::Expr) -> &'p str {
    match &expr.kind {
        ExprKind::Fact(id) => program.facts.get(*id as usize).map(|f| f.name.as_str()),
        ExprKind::Let(id) => program.lets.get(*id as usize).map(|l| l.name.as_str()),
        ExprKind::GroupScore(g) => program.groups.get(*g as usize).map(|g| g.name.as_str()),
        _ => None,
    }
    .unwrap_or("unknown")
}

pub(super) fn check_text_len(bytes: usize, expr: &ir::Expr) -> Result<(), EvalError> {
    if bytes > MAX_TEXT_BYTES {
        return Err(EvalError {
            message: format!(
                "this text would be {bytes} bytes long; texts may be at most {MAX_TEXT_BYTES} bytes"
            ),
            location: expr.location,
        });
    }
    Ok(())
}

/// Whether two sentences of an advice are joined with a space: yes between
/// words of scripts that use spaces, no where either side is Chinese or
/// Japanese ("担忧。别相信", not "担忧。 别相信").
pub(crate) fn needs_space_between(before: &str, after: &str) -> bool {
    let (Some(last), Some(first)) = (before.chars().next_back(), after.chars().next()) else {
        return false;
    };
    !(is_wide_script(last) || is_wide_script(first))
}

/// Han ideographs, CJK punctuation, kana and full-width forms: scripts
/// written without spaces between sentences.
pub(super) fn is_wide_script(c: char) -> bool {
    matches!(
        u32::from(c),
        0x3000..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF
    )
}
