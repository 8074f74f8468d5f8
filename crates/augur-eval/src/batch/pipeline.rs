//! The three stages and the channels between them (reader thread, worker
//! threads, the writer on the caller's thread), shared by `eval`, `diff`
//! and `backtest` through [`map_records`]: chunks go out numbered and come
//! back in input order, buffers are pooled. A single JSON document (one
//! deal file), or any input with one worker (`--jobs 1`), skips the
//! threads: each chunk is read, evaluated and written on the caller's
//! thread.

use super::*;

/// Runs `work` on every record of `input` on `jobs` worker threads, and
/// hands each result to `each` on the caller's thread, in input order, with
/// the bytes of the input consumed so far. The pipeline of [`Batch::run`]
/// (same reader, chunks, bounded channels), for callers that do their own
/// per-record work. `Err` means the input as a whole could not be read, or
/// `each` failed.
pub fn map_records<T: Send>(
    input: Input<'_>,
    jobs: usize,
    work: &(dyn Fn(&Record<'_>) -> T + Sync),
    each: &mut dyn FnMut(T, u64) -> io::Result<()>,
) -> Result<(), String> {
    let Input { name, kind, reader } = input;
    let name = if kind == InputKind::Stdin && name == "-" {
        "stdin".to_string()
    } else {
        name
    };
    let buffers = Buffers::new();
    let buffers = &buffers;
    // No one playbook reads these records (`augur diff` decodes each for
    // two): the header is checked for duplicates here, and which columns
    // are facts is decided per playbook when a record is decoded.
    let csv = CsvRules {
        program: None,
        strict: false,
    };
    pipeline(
        &name,
        kind,
        reader,
        csv,
        jobs.max(1),
        buffers,
        &|chunk, source| {
            let results: Vec<T> = chunk
                .records
                .iter()
                .map(|record| work(&Record::new(source, record, &chunk.text)))
                .collect();
            let seq = chunk.seq;
            let consumed = chunk.consumed;
            // Size the next chunks as `Batch::run` does, by the records'
            // own text (the results' size is the caller's): without this
            // every chunk keeps the first chunks' handful of records, and
            // the hand-offs between threads cost more than the work.
            buffers.observe(chunk.records.len(), chunk.text.len());
            buffers.give_text(chunk.text);
            (seq, (results, consumed))
        },
        &mut |(results, consumed)| {
            for result in results {
                each(result, consumed)?;
            }
            Ok(())
        },
    )
}

/// The three stages of a batch: a reader thread cutting `reader` into
/// chunks, `jobs` workers running `work` on each, and the caller's thread
/// handing the results to `write` in chunk order.
#[allow(clippy::too_many_arguments)]
pub(super) fn pipeline<D: Send>(
    name: &str,
    kind: InputKind,
    reader: Box<dyn Read + Send + '_>,
    csv: CsvRules<'_>,
    jobs: usize,
    buffers: &Buffers,
    work: &(dyn Fn(Chunk, &Source) -> (u64, D) + Sync),
    write: &mut dyn FnMut(D) -> io::Result<()>,
) -> Result<(), String> {
    if matches!(kind, InputKind::Json) || jobs == 1 {
        // One deal (`augur eval playbook deal.json`), or one worker: each
        // chunk is read, evaluated and written here, in turn. Starting
        // three threads for one record is most of a cold start's waiting
        // on a busy machine; and with one worker the hand-offs between a
        // reader, the worker and the writer cost more than the little
        // reading they would overlap (see docs/performance.md). A chunk is
        // still cut whenever the input has nothing more buffered, so
        // stdin's results still come out while stdin is open.
        let mut write_error = None;
        // One deeper stack for the whole run: evaluation asks for one
        // (`augur_syntax::with_stack`), and the caller's may be too
        // shallow; growing it here once saves growing it for every deal.
        let read = augur_syntax::with_stack(|| {
            read_chunks(name, kind, reader, buffers, csv, |chunk, source| {
                let (_, done) = work(chunk, &source);
                match write(done) {
                    Ok(()) => true,
                    Err(error) => {
                        write_error = Some(error);
                        false
                    }
                }
            })
        });
        if let Some(error) = write_error {
            return Err(format!("cannot write the results: {error}"));
        }
        return read.map_err(|e| format!("{name}: {e}"));
    }
    std::thread::scope(|scope| {
        let (chunk_tx, chunk_rx) =
            crossbeam_channel::bounded::<(Chunk, std::sync::Arc<Source>)>(jobs * 2);
        let (done_tx, done_rx) = crossbeam_channel::bounded::<(u64, D)>(jobs * 2);
        let reader_name = name.to_string();
        let reader = std::thread::Builder::new()
            .name("augur-reader".into())
            .spawn_scoped(scope, move || {
                read_chunks(&reader_name, kind, reader, buffers, csv, |chunk, source| {
                    chunk_tx.send((chunk, source)).is_ok()
                })
            })
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        for index in 0..jobs {
            let chunks = chunk_rx.clone();
            let results = done_tx.clone();
            std::thread::Builder::new()
                .name(format!("augur-worker-{index}"))
                .stack_size(WORKER_STACK_BYTES)
                .spawn_scoped(scope, move || {
                    for (chunk, source) in chunks {
                        if results.send(work(chunk, &source)).is_err() {
                            break;
                        }
                    }
                })
                .map_err(|e| format!("cannot start a thread: {e}"))?;
        }
        drop((chunk_rx, done_tx));
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        let mut write_error = None;
        'receive: for (seq, done) in &done_rx {
            waiting.insert(seq, done);
            while let Some(done) = waiting.remove(&next) {
                if let Err(e) = write(done) {
                    write_error = Some(e);
                    break 'receive;
                }
                next += 1;
            }
        }
        // Dropping the receiver stops the workers, and through them the
        // reader, when writing failed (e.g. `augur eval … | head`).
        drop(done_rx);
        let read = reader
            .join()
            .unwrap_or_else(|_| Err("the reader stopped unexpectedly".into()));
        if let Some(error) = write_error {
            return Err(format!("cannot write the results: {error}"));
        }
        read.map_err(|e| format!("{name}: {e}"))
    })
}
