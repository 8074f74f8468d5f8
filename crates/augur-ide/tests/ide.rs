//! Unit tests of every editor answer, on fixtures with the cursor marked by
//! `$0` (including positions right after Chinese and astral characters).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use augur_check::{analyze, analyze_text, Analysis, MemoryLoader};
use augur_ide::*;
use augur_syntax::FileId;

const FIXTURE: &str = include_str!("fixture.augur");

/// The fixture analysed, and the offset of `$0` inside `needle` (which must
/// occur once in the fixture once the marker is removed).
fn cursor(needle: &str) -> (Analysis, usize) {
    let marker = needle.find("$0").expect("needle has $0");
    let plain = needle.replace("$0", "");
    let found = FIXTURE
        .find(&plain)
        .unwrap_or_else(|| panic!("{plain:?} not in fixture"));
    assert_eq!(FIXTURE.matches(&plain).count(), 1, "{plain:?} is ambiguous");
    (analyze_text(FIXTURE), found + marker)
}

/// A text with one `$0`: analysed without the marker, and its offset.
fn marked(text: &str) -> (Analysis, usize) {
    let offset = text.find("$0").expect("text has $0");
    (analyze_text(&text.replace("$0", "")), offset)
}

fn labels(items: &[CompletionItem]) -> Vec<String> {
    let mut items: Vec<&CompletionItem> = items.iter().collect();
    items.sort_by(|a, b| a.sort_text.cmp(&b.sort_text));
    items.iter().map(|i| i.label.clone()).collect()
}

fn hover_text(needle: &str) -> String {
    let (analysis, offset) = cursor(needle);
    hover(&analysis, FileId::ROOT, offset)
        .unwrap_or_else(|| panic!("no hover at {needle}"))
        .markdown
}

#[test]
fn fixture_is_clean() {
    let analysis = analyze_text(FIXTURE);
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
}

#[test]
fn hover_shows_facts_variants_fields_lets_signals_verdicts_and_builtins() {
    let fact = hover_text("when stage == l$0ate weight 3");
    assert!(fact.contains("Stage.late"), "{fact}");
    let fact = hover_text("when st$0age == late weight 3");
    assert!(fact.contains("fact stage: Stage"), "{fact}");
    assert!(fact.contains("Phase of the buying process"), "{fact}");
    // Right after a Chinese name (the cursor touches its end).
    let optional = hover_text("when 态度值$0 == 反对");
    assert!(optional.contains("fact 态度值: 态度?"), "{optional}");
    assert!(optional.contains("May be unknown"), "{optional}");
    let variant = hover_text("态度值 == 反$0对");
    assert!(variant.contains("态度.反对"), "{variant}");
    let field = hover_text("days_since(最近.o$0n)");
    assert!(field.contains("Event.on: date"), "{field}");
    assert!(field.contains("哪天"), "{field}");
    let let_ = hover_text("days_since(最$0近.on)");
    assert!(let_.contains("let 最近: Event?"), "{let_}");
    let signal = hover_text("backup \"Backup\" when 问$0题少");
    for part in [
        "signal 问题少",
        "客户问题少 😀",
        "group: `early_g`",
        "weight: -2",
        "对手 {note} 已经影响了客户",
    ] {
        assert!(signal.contains(part), "{part} in {signal}");
    }
    let verdict = hover_text("when stand$0ing == reference");
    assert!(verdict.contains("Where we stand"), "{verdict}");
    assert!(
        verdict.contains("`reference` “Reference” otherwise"),
        "{verdict}"
    );
    assert!(
        verdict.contains("`first` “First” when `score >= 3`"),
        "{verdict}"
    );
    let builtin = hover_text("let 最近 = la$0st(events)");
    assert!(builtin.contains("last(list<T>) -> T?"), "{builtin}");
    let group = hover_text("group ear$0ly_g");
    assert!(
        group.contains("Early 𠮷") && group.contains("`问题少`"),
        "{group}"
    );
    let (analysis, offset) = cursor("# 类$0型");
    assert_eq!(hover(&analysis, FileId::ROOT, offset), None);
}

#[test]
fn completion_offers_variants_after_comparison_and_in_lists() {
    let (analysis, offset) = marked(&FIXTURE.replace(
        "signal late_s { when stage == late",
        "signal late_s { when stage == $0",
    ));
    let items = completions(&analysis, FileId::ROOT, offset);
    assert_eq!(&labels(&items)[..3], ["early", "late", "mid"]);
    assert!(
        labels(&items).contains(&"态度值".to_string()),
        "values follow"
    );

    let (analysis, offset) =
        marked(&FIXTURE.replace("when 态度值 == 反对", "when 态度值 in [支持, $0"));
    let items = completions(&analysis, FileId::ROOT, offset);
    assert_eq!(&labels(&items)[..2], ["反对", "支持"]);

    // Typed prefix: the replace span covers it.
    let (analysis, offset) = marked(&FIXTURE.replace("when 态度值 == 反对", "when 态度值 == 反$0"));
    let items = completions(&analysis, FileId::ROOT, offset);
    let item = items.iter().find(|i| i.label == "反对").unwrap();
    assert_eq!(item.replace.end - item.replace.start, "反".len());

    // Arms of a verdict.
    let (analysis, offset) = marked(&FIXTURE.replace(
        "advice leave when standing == reference",
        "advice leave when standing == $0",
    ));
    let items = completions(&analysis, FileId::ROOT, offset);
    assert_eq!(&labels(&items)[..3], ["backup", "first", "reference"]);
}

#[test]
fn completion_offers_fields_variants_groups_types_and_keywords() {
    let (analysis, offset) = marked(&FIXTURE.replace("days_since(最近.on)", "days_since(最近.$0)"));
    assert_eq!(
        labels(&completions(&analysis, FileId::ROOT, offset)),
        ["kind", "on"]
    );
    // A field of every item of a list.
    let (analysis, offset) = marked(&FIXTURE.replace("last(events)", "last(events.$0)"));
    assert_eq!(
        labels(&completions(&analysis, FileId::ROOT, offset)),
        ["kind", "on"]
    );
    let (analysis, offset) = marked(&FIXTURE.replace("score >= 3", "Stage.$0"));
    assert_eq!(
        labels(&completions(&analysis, FileId::ROOT, offset)),
        ["early", "late", "mid"]
    );
    let (analysis, offset) = marked(&FIXTURE.replace("score >= 3", "score($0) >= 3"));
    assert_eq!(
        labels(&completions(&analysis, FileId::ROOT, offset)),
        ["early_g"]
    );
    let (analysis, offset) = marked(&FIXTURE.replace("  note: text?", "  note: $0"));
    let types = labels(&completions(&analysis, FileId::ROOT, offset));
    assert!(
        types.contains(&"Event".to_string())
            && types.contains(&"态度".to_string())
            && types.contains(&"date".to_string()),
        "{types:?}"
    );
    // Item keywords at the start of a top-level line.
    let (analysis, offset) = marked(&format!("{FIXTURE}\nsi$0"));
    let items = completions(&analysis, FileId::ROOT, offset);
    assert!(
        labels(&items).contains(&"signal".to_string())
            && labels(&items).contains(&"verdict".to_string())
    );
    assert!(!labels(&items).contains(&"stage".to_string()));
    // Clause keywords inside a signal.
    let (analysis, offset) = marked(&FIXTURE.replace("    weight -2\n", "    weight -2\n    $0\n"));
    let items = labels(&completions(&analysis, FileId::ROOT, offset));
    assert!(
        items.contains(&"when".to_string()) && items.contains(&"message".to_string()),
        "{items:?}"
    );
    // Inside a group, only `signal` starts something.
    let (analysis, offset) =
        marked(&FIXTURE.replace("when stage == early {\n", "when stage == early {\n  $0\n"));
    assert_eq!(
        labels(&completions(&analysis, FileId::ROOT, offset)),
        ["signal"]
    );
    // Test statements.
    let (analysis, offset) =
        marked(&FIXTURE.replace("  expect not 问题少\n", "  expect not 问题少\n  $0\n"));
    let items = labels(&completions(&analysis, FileId::ROOT, offset));
    assert!(
        items.contains(&"expect".to_string()) && items.contains(&"given".to_string()),
        "{items:?}"
    );
    // Fact names and variants inside an inline deal.
    let (analysis, offset) =
        marked(&FIXTURE.replace("given { stage = early }", "given { stage = $0 }"));
    assert_eq!(
        labels(&completions(&analysis, FileId::ROOT, offset)),
        ["early", "late", "mid"]
    );
}

#[test]
fn completion_in_expressions_has_values_and_builtin_snippets() {
    let (analysis, offset) = marked(&FIXTURE.replace(
        "let recent_days = days_since(最近.on)",
        "let recent_days = $0",
    ));
    let items = completions(&analysis, FileId::ROOT, offset);
    let names = labels(&items);
    for name in [
        "stage",
        "态度值",
        "最近",
        "问题少",
        "standing",
        "count",
        "score",
        "today",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    let count = items.iter().find(|i| i.label == "count").unwrap();
    assert!(count.is_snippet);
    assert_eq!(count.insert_text.as_deref(), Some("count(${1:list})"));
    assert_eq!(count.kind, CompletionKind::Function);
}

#[test]
fn completion_works_in_a_half_typed_file_and_not_in_comments_or_strings() {
    // The last item is broken (does not parse); the rest still answers.
    let (analysis, offset) = marked(&format!("{FIXTURE}\nsignal half {{\n  when sta$0"));
    assert!(analysis.has_errors());
    let items = completions(&analysis, FileId::ROOT, offset);
    assert!(
        labels(&items).contains(&"stage".to_string()),
        "{:?}",
        labels(&items)
    );
    let (analysis, offset) = cursor("# 类$0型");
    assert!(completions(&analysis, FileId::ROOT, offset).is_empty());
    let (analysis, offset) = cursor("\"对手 {no$0te}");
    assert!(completions(&analysis, FileId::ROOT, offset).is_empty());
}

#[test]
fn definition_and_references_follow_names() {
    let (analysis, offset) = cursor("backup \"Backup\" when 问$0题少");
    let def = definition(&analysis, FileId::ROOT, offset).unwrap();
    let text = FIXTURE.get(def.span.start..def.span.end).unwrap();
    assert_eq!(text, "问题少");
    assert!(FIXTURE[..def.span.start].ends_with("signal "));
    let refs = references(&analysis, FileId::ROOT, offset, true);
    assert_eq!(refs.len(), 3, "definition, verdict arm, test");
    assert_eq!(references(&analysis, FileId::ROOT, offset, false).len(), 2);
    // A variant, also used in the inline deal? Only checked expressions.
    let (analysis, offset) = cursor("when stage == l$0ate weight 3");
    let def = definition(&analysis, FileId::ROOT, offset).unwrap();
    assert_eq!(&FIXTURE[def.span.start..def.span.end], "late");
}

#[test]
fn rename_validates_and_edits_every_occurrence() {
    let (analysis, offset) = cursor("backup \"Backup\" when 问$0题少");
    let span = prepare_rename(&analysis, FileId::ROOT, offset).unwrap();
    assert_eq!(&FIXTURE[span.start..span.end], "问题少");
    let edits = rename(&analysis, FileId::ROOT, offset, "少问题").unwrap();
    assert_eq!(edits.len(), 3);
    let mut text = FIXTURE.to_string();
    let mut edits = edits;
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    for edit in &edits {
        text.replace_range(edit.span.start..edit.span.end, &edit.new_text);
    }
    assert!(!text.contains("signal 问题少") && text.matches("少问题").count() == 3);
    assert!(!analyze_text(&text).has_errors());
    for bad in ["1x", "when", "has space", "", "score"] {
        assert!(
            rename(&analysis, FileId::ROOT, offset, bad).is_err(),
            "{bad}"
        );
    }
    let taken = rename(&analysis, FileId::ROOT, offset, "stage").unwrap_err();
    assert!(taken.contains("a fact"), "{taken}");
    let (analysis, offset) = cursor("# 类$0型");
    assert!(prepare_rename(&analysis, FileId::ROOT, offset).is_err());

    // A variant is renamed in expressions and in inline test deals too.
    let (analysis, offset) = cursor("enum Stage \"买方阶段\" { ea$0rly");
    let edits = rename(&analysis, FileId::ROOT, offset, "初期").unwrap();
    assert_eq!(edits.len(), 3, "declaration, group condition, given");
    let renamed = apply(FIXTURE, &edits);
    assert!(renamed.contains("given { stage = 初期 }"), "{renamed}");
    assert!(!analyze_text(&renamed).has_errors());
}

#[test]
fn rename_reaches_imported_files() {
    let loader = MemoryLoader::new([
        ("main.augur", "import \"common/types.augur\"\nfacts { stage: Stage }\nsignal s { when stage == early weight 1 }\n"),
        ("common/types.augur", "enum Stage { early, late }\n"),
    ]);
    let analysis = analyze("main.augur", &loader);
    assert!(!analysis.has_errors(), "{:#?}", analysis.diagnostics);
    let main = analysis.sources[0].text.to_string();
    let offset = main.find("early").unwrap() + 1;
    let edits = rename(&analysis, FileId::ROOT, offset, "初期").unwrap();
    let files: Vec<&str> = edits
        .iter()
        .map(|e| analysis.source(e.file).unwrap().path.as_str())
        .collect();
    assert!(
        files.contains(&"main.augur") && files.contains(&"common/types.augur"),
        "{files:?}"
    );
    let def = definition(&analysis, FileId::ROOT, offset).unwrap();
    assert_eq!(
        analysis.source(def.file).unwrap().path,
        "common/types.augur"
    );
}

#[test]
fn outline_nests_signals_arms_variants_and_fields() {
    let analysis = analyze_text(FIXTURE);
    let symbols = document_symbols(&analysis, FileId::ROOT);
    let outline: Vec<String> = symbols
        .iter()
        .map(|s| {
            let children: Vec<&str> = s.children.iter().map(|c| c.name.as_str()).collect();
            format!("{:?} {} [{}]", s.kind, s.name, children.join(", "))
        })
        .collect();
    insta::assert_snapshot!(outline.join("\n"), @r###"
    Header 测试 []
    Enum Stage [early, mid, late]
    Enum 态度 [支持, 反对]
    Record Event [kind, on]
    Facts facts [stage, 态度值, events, note]
    Let 最近 []
    Let recent_days []
    Group early_g [问题少]
    Signal late_s []
    Verdict standing [first, backup, reference]
    Advice leave []
    Test t []
    "###);
    let found = workspace_symbols(&analysis, "问题");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0.kind, SymbolKind::Signal);
}

#[test]
fn folding_covers_multi_line_items_and_comment_runs() {
    let analysis = analyze_text(FIXTURE);
    let ranges = folding_ranges(&analysis, FileId::ROOT);
    let starts: Vec<&str> = ranges
        .iter()
        .map(|r| FIXTURE[r.span.start..].lines().next().unwrap())
        .collect();
    assert!(starts.contains(&"# 类型"), "{starts:?}");
    assert!(starts.contains(&"facts {"));
    assert!(starts.iter().any(|s| s.starts_with("group early_g")));
    assert!(starts.iter().any(|s| s.starts_with("signal 问题少")));
    assert!(
        !starts.iter().any(|s| s.starts_with("enum Stage")),
        "one line"
    );
}

#[test]
fn semantic_tokens_classify_names_by_what_they_mean() {
    let analysis = analyze_text(FIXTURE);
    let tokens = semantic_tokens(&analysis, FileId::ROOT);
    let kind_of = |needle: &str, nth: usize| {
        let start = FIXTURE.match_indices(needle).nth(nth).unwrap().0;
        tokens
            .iter()
            .find(|t| t.span.start == start)
            .map(|t| (t.kind, t.modifiers))
    };
    assert_eq!(
        kind_of("态度值", 0),
        Some((TokenKind::Variable, 3)),
        "fact declaration: readonly + declaration"
    );
    assert_eq!(kind_of("态度值", 1), Some((TokenKind::Variable, 2)));
    assert_eq!(kind_of("问题少", 2), Some((TokenKind::Event, 0)));
    assert_eq!(kind_of("反对", 1), Some((TokenKind::EnumMember, 0)));
    assert_eq!(kind_of("# 类型", 0).map(|k| k.0), Some(TokenKind::Comment));
    assert_eq!(
        kind_of("\"客户问题少 😀\"", 0).map(|k| k.0),
        Some(TokenKind::String)
    );
    assert_eq!(kind_of("last", 0).map(|k| k.0), Some(TokenKind::Function));
    assert_eq!(kind_of("when", 0).map(|k| k.0), Some(TokenKind::Keyword));
    let mut last = 0;
    for token in &tokens {
        assert!(token.span.start >= last, "in order, not overlapping");
        last = token.span.end;
    }
    assert_eq!(TOKEN_KINDS.len(), TokenKind::Type as usize + 1);
}

fn apply(text: &str, edits: &[TextEdit]) -> String {
    let mut text = text.to_string();
    let mut edits = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    for edit in edits {
        text.replace_range(edit.span.start..edit.span.end, &edit.new_text);
    }
    text
}

/// Applies the action titled `title` at the first diagnostic and returns the new text.
fn fix(text: &str, title_start: &str) -> String {
    let analysis = analyze_text(text);
    let d = analysis
        .diagnostics
        .iter()
        .find(|d| d.is_error())
        .expect("an error");
    let actions = code_actions(&analysis, FileId::ROOT, d.span);
    let action = actions
        .iter()
        .find(|a| a.title.starts_with(title_start))
        .unwrap_or_else(|| panic!("no {title_start:?} in {actions:#?}"));
    apply(text, &action.edits)
}

#[test]
fn code_actions_fix_typos_otherwise_undeclared_facts_and_missing_variants() {
    let typo = FIXTURE.replace("when stage == late weight 3", "when stage == lat weight 3");
    let fixed = fix(&typo, "Change to `late`");
    assert_eq!(fixed, FIXTURE);
    let analysis = analyze_text(&typo);
    let d = analysis
        .diagnostics
        .iter()
        .position(|d| d.is_error())
        .unwrap();
    let actions = code_actions(&analysis, FileId::ROOT, analysis.diagnostics[d].span);
    assert!(actions[0].preferred && actions[0].diagnostic == d);

    let no_otherwise = FIXTURE.replace("  reference \"Reference\" otherwise\n", "");
    let fixed = fix(&no_otherwise, "Add an `otherwise`");
    assert!(fixed.contains("otherwise"));
    let after = analyze_text(&fixed.replace("standing == reference", "standing == backup"));
    assert!(!after.has_errors(), "{:#?}", after.diagnostics);

    let undeclared = FIXTURE.replace("when stage == late weight 3", "when 预算批准 weight 3");
    let fixed = fix(&undeclared, "Declare `预算批准`");
    assert!(fixed.contains("  预算批准: bool?\n}"), "{fixed}");
    assert!(!analyze_text(&fixed).has_errors());

    let missing = FIXTURE.replace("态度值 == 反对", "态度值 == 中立");
    let fixed = fix(&missing, "Add `中立` to enum `态度`");
    assert!(fixed.contains("enum 态度 { 支持, 反对, 中立 }"), "{fixed}");
    assert!(!analyze_text(&fixed).has_errors());

    // A multi-line enum gets the variant on its own line; no facts block
    // gets a new one.
    let text = "enum Stage {\n  early\n  late\n}\nsignal s { when stage == mid weight 1 }\n";
    let analysis = analyze_text(text);
    let fixes: Vec<String> = analysis
        .diagnostics
        .iter()
        .flat_map(|d| code_actions(&analysis, FileId::ROOT, d.span))
        .map(|a| apply(text, &a.edits))
        .collect();
    assert!(
        fixes
            .iter()
            .any(|f| f.contains("facts {\n  stage: text?\n}")),
        "{fixes:#?}"
    );
}

#[test]
fn formatting_only_when_it_changes_and_parses() {
    assert_eq!(format(FIXTURE).and_then(|f| format(&f)), None, "idempotent");
    let messy = "facts {   stage:int }\nsignal s{when stage>1 weight 1}\n";
    let formatted = format(messy).expect("changes");
    assert_eq!(format(&formatted), None, "already formatted");
    assert_eq!(format("signal s { when"), None, "does not parse");
}

#[test]
fn every_feature_answers_at_every_offset_of_broken_text_without_panicking() {
    let broken = format!(
        "{}\nsignal 半 \"𠮷 {{\n  when 态度值 == \nverdict v {{ a when\n",
        &FIXTURE[..FIXTURE.find("verdict").unwrap()]
    );
    let analysis = analyze_text(&broken);
    for offset in 0..=broken.len() + 2 {
        let _ = hover(&analysis, FileId::ROOT, offset);
        let _ = completions(&analysis, FileId::ROOT, offset);
        let _ = definition(&analysis, FileId::ROOT, offset);
        let _ = references(&analysis, FileId::ROOT, offset, true);
        let _ = prepare_rename(&analysis, FileId::ROOT, offset);
        let _ = rename(&analysis, FileId::ROOT, offset, "新名");
        let _ = code_actions(
            &analysis,
            FileId::ROOT,
            augur_syntax::Span::new(offset, offset + 3),
        );
    }
    let _ = document_symbols(&analysis, FileId::ROOT);
    let _ = folding_ranges(&analysis, FileId::ROOT);
    let _ = semantic_tokens(&analysis, FileId(7));
    let _ = hover(&analysis, FileId(7), 0);
}

#[test]
fn completion_inside_where_offers_the_item_fields_and_their_variants() {
    let (analysis, offset) = marked(&FIXTURE.replace("last(events)", "last(events where $0)"));
    let items = labels(&completions(&analysis, FileId::ROOT, offset));
    assert_eq!(&items[..2], ["kind", "on"], "{items:?}");
    assert!(items.contains(&"it".to_string()) && items.contains(&"stage".to_string()));
    let (analysis, offset) =
        marked(&FIXTURE.replace("last(events)", "last(events where kind == $0)"));
    let items = labels(&completions(&analysis, FileId::ROOT, offset));
    assert_eq!(&items[..3], ["early", "late", "mid"], "{items:?}");
    // Outside the filter, the fields are not in scope.
    let (analysis, offset) = marked(&FIXTURE.replace(
        "let recent_days = days_since(最近.on)",
        "let recent_days = $0",
    ));
    let items = labels(&completions(&analysis, FileId::ROOT, offset));
    assert!(!items.contains(&"kind".to_string()), "{items:?}");
}

#[test]
fn names_interpolated_in_messages_are_tokens_of_their_own() {
    let analysis = analyze_text(FIXTURE);
    let tokens = semantic_tokens(&analysis, FileId::ROOT);
    let message = FIXTURE.find("\"对手 {note}").unwrap();
    let note = message + FIXTURE[message..].find("note").unwrap();
    let pieces: Vec<(TokenKind, &str)> = tokens
        .iter()
        .filter(|t| {
            t.span.start >= message
                && t.span.end <= message + "\"对手 {note} 已经影响了客户\"".len()
        })
        .map(|t| (t.kind, &FIXTURE[t.span.start..t.span.end]))
        .collect();
    assert_eq!(
        pieces,
        [
            (TokenKind::String, "\"对手 {"),
            (TokenKind::Variable, "note"),
            (TokenKind::String, "} 已经影响了客户\""),
        ]
    );
    assert!(note > message);
}

#[test]
fn deeply_nested_input_is_answered_on_a_small_stack() {
    let deep = format!(
        "facts {{ x: {}int{} }}\nlet y = {}1{}\n",
        "list<".repeat(3000),
        ">".repeat(3000),
        "(".repeat(3000),
        ")".repeat(3000)
    );
    // A 2 MiB thread, like tokio's blocking pool.
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let analysis = analyze_text(&deep);
            let old = analysis.sources[0].parse.clone();
            let edited = deep.replacen("int", "text", 1);
            let _ = augur_ide::incremental::reparse(&deep, &old, &edited);
            for offset in [0, 10, deep.len() / 2, deep.len()] {
                let _ = hover(&analysis, FileId::ROOT, offset);
                let _ = completions(&analysis, FileId::ROOT, offset);
            }
            let _ = semantic_tokens(&analysis, FileId::ROOT);
            let _ = document_symbols(&analysis, FileId::ROOT);
            let _ = format(&deep);
        })
        .unwrap()
        .join()
        .unwrap();
}
