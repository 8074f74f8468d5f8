//! The batch pipeline's unit tests: input kinds, order across workers,
//! chunk sizes, errors mid-stream, `map_records`.

use super::*;

const PLAYBOOK: &str = "enum Stage { early, late }\nfacts { stage: Stage\n note: text? }\nsignal late_stage { when stage == late weight 2 }\nverdict v \"V\" {\n hot \"Hot\" when late_stage\n cold \"Cold\" otherwise\n}\n";

#[derive(Default)]
struct Memory {
    out: Vec<u8>,
    messages: Vec<String>,
}

impl Sink for Memory {
    fn output(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.extend_from_slice(bytes);
        Ok(())
    }
    fn message(&mut self, line: &str) {
        self.messages.push(line.to_string());
    }
}

fn run(kind: InputKind, input: Vec<u8>, jobs: usize) -> (Vec<Json>, Vec<String>, Totals) {
    run_playbook(PLAYBOOK, kind, input, jobs)
}

fn run_playbook(
    playbook: &str,
    kind: InputKind,
    input: Vec<u8>,
    jobs: usize,
) -> (Vec<Json>, Vec<String>, Totals) {
    run_reader(playbook, kind, Box::new(io::Cursor::new(input)), jobs)
}

fn run_reader(
    playbook: &str,
    kind: InputKind,
    reader: Box<dyn io::Read + Send>,
    jobs: usize,
) -> (Vec<Json>, Vec<String>, Totals) {
    let analysis = augur_check::analyze_text(playbook);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    let batch = Batch::new(
        &analysis,
        "",
        Options {
            format: OutputFormat::Jsonl,
            explain: false,
            strict: false,
            today: None,
            fallback_today: Date::parse("2026-11-29").unwrap(),
            jobs,
        },
    );
    let mut sink = Memory::default();
    let mut totals = Totals::default();
    batch
        .run(
            Input {
                name: "in.jsonl".into(),
                kind,
                reader,
            },
            &mut totals,
            &mut sink,
        )
        .unwrap();
    batch.finish(&mut totals, true, &mut sink).unwrap();
    let records = String::from_utf8(sink.out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (records, sink.messages, totals)
}

#[test]
fn hostile_lines_become_error_records_and_the_rest_goes_on() {
    let mut input = b"\xef\xbb\xbf{\"stage\": \"late\"}\r\n".to_vec();
    input.extend(b"{\"stage\": \"early\", \"note\": \"");
    input.extend(vec![b'x'; MAX_DEAL_BYTES + 10]);
    input.extend(b"\"}\n");
    input.extend(b"{\"stage\": \"l\xffte\"}\n");
    input.extend(b"   \n");
    input.extend("{\"stage\": \"early\", \"note\": \"王总\"}".as_bytes());
    for jobs in [1, 2] {
        let (records, messages, totals) = run(InputKind::Jsonl, input.clone(), jobs);
        assert_eq!(records.len(), 5, "4 records and the summary");
        assert_eq!(records[0]["verdicts"]["v"]["value"], "hot");
        assert_eq!(records[1]["deal"], "in.jsonl:2");
        assert!(records[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most"));
        assert_eq!(records[2]["deal"], "in.jsonl:3");
        assert!(records[2]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid UTF-8 (invalid byte at offset 12)"));
        // The blank line 4 is not a record; the last line has no newline.
        assert_eq!(records[3]["deal"], "in.jsonl:5");
        assert_eq!(records[3]["verdicts"]["v"]["value"], "cold");
        assert_eq!(records[4]["summary"]["failed"], 2);
        assert_eq!(
            records[4]["summary"]["verdicts"]["v"],
            serde_json::json!({"hot": 1, "cold": 1})
        );
        assert_eq!(totals.deals, 4);
        assert_eq!(messages.len(), 2, "{messages:?}");
    }
}

#[test]
fn stdin_is_json_lines_and_a_broken_first_line_costs_one_record() {
    let (records, messages, _) = run(
        InputKind::Stdin,
        b"{\"id\": \"s0\",\n{\"id\":\"s1\",\"stage\":\"late\"}\n".to_vec(),
        2,
    );
    assert_eq!(records.len(), 3, "{records:?}");
    assert_eq!(records[0]["deal"], "in.jsonl:1");
    assert!(records[0]["error"].is_object());
    assert_eq!(records[1]["deal"], "s1");
    assert_eq!(records[1]["score"], 2);
    assert!(messages[0].contains("--input json"), "{messages:?}");
    let (records, _, _) = run(
        InputKind::Json,
        b"{\n  \"stage\": \"late\"\n}\n".to_vec(),
        2,
    );
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["deal"], "in.jsonl");
    assert_eq!(records[0]["score"], 2);
    let (records, _, _) = run(
        InputKind::Stdin,
        b"{\"stage\": \"late\"}\n{\"stage\": \"early\"}\n".to_vec(),
        2,
    );
    assert_eq!(records.len(), 3);
    assert_eq!(records[1]["deal"], "in.jsonl:2");
}

/// Remembers the largest single write: the writer hands over one
/// chunk's output at a time, so this is the output held at once.
#[derive(Default)]
struct Largest {
    largest: usize,
    total: usize,
}

impl Sink for Largest {
    fn output(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.largest = self.largest.max(bytes.len());
        self.total += bytes.len();
        Ok(())
    }
    fn message(&mut self, _: &str) {}
}

#[test]
fn text_output_per_chunk_stays_bounded_whatever_the_report_size() {
    // 20 signals, each message about 10 KB: a text report of about
    // 200 KB a deal, so 512 deals a chunk would hold 100 MB.
    let mut playbook = String::from("facts { s: text }\n");
    for i in 0..20 {
        playbook.push_str(&format!(
            "signal s{i} {{ when len(s) > 0 weight 1\n message \"{{s}}\" }}\n"
        ));
    }
    let analysis = augur_check::analyze_text(&playbook);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    let batch = Batch::new(
        &analysis,
        "",
        Options {
            format: OutputFormat::Text,
            explain: false,
            strict: false,
            today: None,
            fallback_today: Date::parse("2026-11-29").unwrap(),
            jobs: 2,
        },
    );
    let line = format!("{{\"s\": \"{}\"}}\n", "x".repeat(10_000));
    let input = line.repeat(600).into_bytes();
    let mut sink = Largest::default();
    let mut totals = Totals::default();
    batch
        .run(
            Input {
                name: "in.jsonl".into(),
                kind: InputKind::Jsonl,
                reader: Box::new(io::Cursor::new(input)),
            },
            &mut totals,
            &mut sink,
        )
        .unwrap();
    assert_eq!(totals.deals, 600);
    assert!(sink.total > 100_000_000, "{}", sink.total);
    assert!(
        sink.largest <= CHUNK_OUTPUT_BYTES + 4 * 250_000,
        "one chunk's output was {} bytes",
        sink.largest
    );
}

#[test]
fn map_records_hands_every_record_back_in_order_and_reads_other_keys() {
    let analysis = augur_check::analyze_text(PLAYBOOK);
    let batch = Batch::new(
        &analysis,
        "",
        Options {
            format: OutputFormat::Jsonl,
            explain: false,
            strict: false,
            today: None,
            fallback_today: Date::parse("2026-11-29").unwrap(),
            jobs: 2,
        },
    );
    let mut input = String::new();
    for index in 0..(CHUNK_RECORDS * 2 + 7) {
        let stage = if index % 3 == 0 { "late" } else { "early" };
        input.push_str(&format!(
            "{{\"stage\": \"{stage}\", \"outcome\": \"o{index}\", \"nested\": {{\"outcome\": 1}}}}\n"
        ));
    }
    input.push_str("{not json\n");
    let mut seen = Vec::new();
    let mut chunks = std::collections::BTreeSet::new();
    map_records(
        Input {
            name: "in.jsonl".into(),
            kind: InputKind::Jsonl,
            reader: Box::new(io::Cursor::new(input.into_bytes())),
        },
        3,
        &|record| {
            let mut messages = Vec::new();
            let scored = batch
                .evaluate_record(record, &["outcome", "nested"], &mut messages)
                .map(|(_, outcome)| outcome.score);
            (record.name(), record.value_of("outcome"), scored, messages)
        },
        &mut |result, consumed| {
            seen.push(result);
            chunks.insert(consumed);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(seen.len(), CHUNK_RECORDS * 2 + 8);
    // Chunks grow past the first few records, as for `Batch::run`: each
    // chunk ends at a different byte of the input.
    assert!(chunks.len() < 20, "{} chunks", chunks.len());
    for (index, (name, outcome, scored, messages)) in
        seen.iter().take(CHUNK_RECORDS * 2 + 7).enumerate()
    {
        assert_eq!(name, &format!("in.jsonl:{}", index + 1));
        assert_eq!(outcome, &Some(Json::String(format!("o{index}"))));
        assert_eq!(scored, &Ok(if index % 3 == 0 { 2 } else { 0 }));
        assert!(
            messages.is_empty(),
            "quiet keys are not warned about: {messages:?}"
        );
    }
    let (_, outcome, scored, _) = seen.last().unwrap();
    assert_eq!(outcome, &None);
    assert!(scored
        .as_ref()
        .unwrap_err()
        .message
        .contains("malformed JSON"));

    // CSV: a column by its header name; an empty cell is absent.
    let mut seen = Vec::new();
    map_records(
        Input {
            name: "in.csv".into(),
            kind: InputKind::Csv,
            reader: Box::new(io::Cursor::new(
                b"stage,result\nlate,won\nearly,\n".to_vec(),
            )),
        },
        1,
        &|record| (record.value_of("result"), record.value_of("missing")),
        &mut |result, _| {
            seen.push(result);
            Ok(())
        },
    )
    .unwrap();
    assert_eq!(
        seen,
        vec![(Some(Json::String("won".into())), None), (None, None)]
    );
}

#[test]
fn many_chunks_keep_their_order() {
    let mut input = Vec::new();
    for index in 0..(CHUNK_RECORDS * 5 + 3) {
        let stage = if index % 7 == 0 { "late" } else { "early" };
        input.extend(format!("{{\"id\": {index}, \"stage\": \"{stage}\"}}\n").as_bytes());
    }
    let (records, _, totals) = run(InputKind::Jsonl, input, 3);
    assert_eq!(totals.deals as usize, CHUNK_RECORDS * 5 + 3);
    for (index, record) in records.iter().take(CHUNK_RECORDS * 5 + 3).enumerate() {
        assert_eq!(record["deal"], index);
    }
}

/// The messages `csv` gives reading each row of `input` as text (what the
/// reader did before rows were read as bytes), `None` for a good row.
fn csv_crate_errors(input: &[u8]) -> Vec<Option<String>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let _ = reader.headers();
    let mut errors = Vec::new();
    loop {
        let mut row = csv::StringRecord::new();
        match reader.read_record(&mut row) {
            Ok(false) => return errors,
            Ok(true) => errors.push(None),
            Err(e) => errors.push(Some(format!("malformed CSV row: {e}"))),
        }
    }
}

#[test]
fn csv_rows_that_are_not_utf8_get_the_csv_crates_message() {
    let mut input = "stage,note\nlate,王总\n".as_bytes().to_vec();
    input.extend(b"late,bad \xff byte\n");
    // A character cut in two by a comma: each cell is broken, though the
    // cells side by side would spell a character.
    input.extend(b"late,\xe7,\x8e\x8b\n");
    input.extend(b"\xe7\x8e\x8b,x\n");
    input.extend(b"early,\"quoted \xc3\"\n");
    input.extend(b"early,");
    input.extend(vec![b'x'; MAX_DEAL_BYTES]);
    input.extend(b"\xff\n");
    input.extend(b"early,");
    input.extend(vec![b'x'; MAX_DEAL_BYTES]);
    input.extend(b"\n");
    input.extend("early,好\n".as_bytes());
    let expected = csv_crate_errors(&input);
    assert_eq!(expected.len(), 8);
    let (records, _, totals) = run(InputKind::Csv, input, 2);
    assert_eq!(totals.deals, 8);
    for (index, expected) in expected.iter().enumerate() {
        let record = &records[index];
        assert_eq!(record["deal"], format!("in.jsonl:{}", index + 2));
        match expected {
            Some(message) => assert_eq!(record["error"]["message"], *message, "row {index}"),
            None if index == 6 => assert!(record["error"]["message"]
                .as_str()
                .unwrap()
                .contains("at most")),
            None if index == 3 => assert!(record["error"]["message"]
                .as_str()
                .unwrap()
                .contains("not a valid")),
            None => assert!(record.get("error").is_none(), "row {index}: {record}"),
        }
    }
    assert!(records[1]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("invalid UTF-8 in field 1"));
}

/// A chunk reuses one outcome for all its deals: a deal whose evaluation
/// stops with an error midway must leave nothing behind for the next one.
#[test]
fn a_deal_after_an_evaluation_error_is_evaluated_afresh() {
    let playbook = "facts { n: int?  x: number? }\n\
                    signal big { when n * n > 100 weight 4 message \"n is {n}\" }\n\
                    signal small { when x > 0 weight 1 }\n\
                    advice a \"A\" when big { \"ask about {n}\" }\n";
    let run_on = |input: &str| run_playbook(playbook, InputKind::Jsonl, input.into(), 1).0;
    let good = r#"{"id":"g","n":20}"#;
    let other = r#"{"id":"o","x":1}"#;
    let overflow = r#"{"id":"e","n":9223372036854775807,"x":1}"#;
    let together = run_on(&format!("{good}\n{overflow}\n{other}\n{good}\n"));
    // Four results, then the summary record `finish` writes.
    assert_eq!(together.len(), 5);
    assert!(together[1].get("error").is_some(), "{}", together[1]);
    assert_eq!(together[0], run_on(good)[0]);
    assert_eq!(together[2], run_on(other)[0]);
    assert_eq!(together[3], run_on(good)[0]);
}

/// Spaces around a line (ASCII or not) and a byte-order mark before it are
/// not part of the deal, whichever way the line is trimmed.
#[test]
fn a_line_is_read_without_the_spaces_around_it() {
    let deal = "{\"id\": \"d\", \"stage\": \"late\"}";
    let lines = [
        deal.to_string(),
        format!("  {deal}\t"),
        format!("\u{feff}{deal}"),
        format!("\u{feff}\u{feff} {deal} "),
        format!("\u{3000}{deal}\u{3000}"),
        format!("{deal}\r"),
    ];
    let mut input = Vec::new();
    for line in &lines {
        input.extend_from_slice(line.as_bytes());
        input.push(b'\n');
    }
    let (records, messages, totals) = run(InputKind::Jsonl, input, 1);
    assert_eq!(totals.failed, 0, "{messages:?}");
    // The last record is the summary.
    let results = records.get(..lines.len()).unwrap();
    assert_eq!(results.len() + 1, records.len());
    for record in results {
        assert_eq!(record, &results[0]);
        assert_eq!(record["verdicts"]["v"]["value"], "hot");
    }
}

/// A reader that hands out a few bytes at a time, as a pipe may.
struct Trickle(io::Cursor<Vec<u8>>, usize);

impl io::Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let most = buf.len().min(self.1);
        self.0.read(&mut buf[..most])
    }
}

/// A line is read where the read buffer holds it when it is whole there,
/// and gathered from several reads when it is not: both give the same
/// records, numbers and errors, lines of any length and blank lines
/// included.
#[test]
fn lines_read_in_place_or_gathered_are_the_same() {
    let mut input = Vec::new();
    for index in 0..300 {
        let line = match index % 7 {
            0 => String::new(),
            1 => "{\"id\": \"bad\"".to_string(),
            2 => format!(
                "{{\"id\": \"d{index}\", \"stage\": \"late\", \"note\": \"{}\"}}",
                "长".repeat(index * 40)
            ),
            3 => "  \u{feff}".to_string(),
            _ => format!("{{\"id\": \"d{index}\", \"stage\": \"early\"}}"),
        };
        input.extend_from_slice(line.as_bytes());
        input.push(b'\n');
    }
    // The last line without its newline.
    input.extend_from_slice(b"{\"id\": \"last\", \"stage\": \"late\"}");
    let whole = run(InputKind::Jsonl, input.clone(), 1);
    assert!(whole.0.len() > 200);
    assert!(whole.2.failed > 0);
    for step in [1, 7, 4096] {
        let reader = Box::new(Trickle(io::Cursor::new(input.clone()), step));
        let trickled = run_reader(PLAYBOOK, InputKind::Jsonl, reader, 1);
        assert_eq!(trickled.0, whole.0, "{step}");
        assert_eq!(trickled.1, whole.1, "{step}");
        assert_eq!(trickled.2.failed, whole.2.failed, "{step}");
    }
}
