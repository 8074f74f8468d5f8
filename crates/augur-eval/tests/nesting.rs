//! A record type may contain itself, so a deal's value can nest as deep as
//! its text allows. Both decoders refuse values nested deeper than
//! `MAX_VALUE_DEPTH` with the same message, instead of recursing until the
//! stack runs out.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use augur_eval::{decode_deal_text, DealDecoder, MAX_VALUE_DEPTH};

const PLAYBOOK: &str = "record Step { name: text, next: list<Step> }\n\
facts { plan: list<Step> }\n\
signal planned { when count(plan) > 0 weight 1 }\n";

/// A plan whose steps are nested `levels` deep.
fn plan(levels: usize) -> String {
    let mut text = String::from(r#"{"id":"d","plan":"#);
    for _ in 0..levels {
        text.push_str(r#"[{"name":"a","next":"#);
    }
    text.push_str("[]");
    for _ in 0..levels {
        text.push_str("}]");
    }
    text.push('}');
    text
}

#[test]
fn values_nested_too_deep_are_refused_by_both_decoders() {
    let analysis = augur_check::analyze_text(PLAYBOOK);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    let program = &analysis.program;
    let decoder = DealDecoder::new(program);
    let limit = MAX_VALUE_DEPTH as usize;
    // Each level is a list and a record.
    let fine = plan(limit / 2);
    assert!(decode_deal_text(program, &fine).is_ok());
    assert!(decoder.decode_fast(&fine).is_some());
    for levels in [limit / 2 + 1, limit, 1_000, 20_000] {
        let deep = plan(levels);
        let error = decode_deal_text(program, &deep).expect_err("too deep");
        assert!(
            error.message.contains("nested more than"),
            "{}",
            error.message
        );
        assert!(decoder.decode_fast(&deep).is_none());
        let through_fast = decoder.decode_text(&deep).expect_err("too deep");
        assert_eq!(through_fast.message, error.message);
        assert_eq!(through_fast.path, error.path);
    }
}
