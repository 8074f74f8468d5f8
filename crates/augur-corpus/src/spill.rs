//! Changed deals kept in severity order without holding them in memory:
//! each is rendered when it arrives and appended to the temporary file of
//! its severity; at the end the files are copied out most severe first.
//! Text, Markdown and JSON output of `augur diff` put the summary first and
//! the deals after it, so they cannot stream; this keeps their memory flat.

use crate::diff::Severity;
use std::io::{self, Read, Seek, Write};

/// Rendered changes, one temporary file per [`Severity`].
pub struct Spill {
    files: [Option<io::BufWriter<std::fs::File>>; 3],
    /// Changes written per severity.
    pub counts: [u64; 3],
}

impl Spill {
    pub fn new() -> Self {
        Spill {
            files: [None, None, None],
            counts: [0; 3],
        }
    }

    /// Appends `bytes` (one rendered change) to the file of `severity`.
    pub fn push(&mut self, severity: Severity, bytes: &[u8]) -> io::Result<()> {
        let index = severity as usize;
        let slot = self
            .files
            .get_mut(index)
            .ok_or_else(|| io::Error::other("unknown severity"))?;
        if slot.is_none() {
            *slot = Some(io::BufWriter::new(tempfile::tempfile()?));
        }
        if let Some(file) = slot {
            file.write_all(bytes)?;
        }
        if let Some(count) = self.counts.get_mut(index) {
            *count += 1;
        }
        Ok(())
    }

    /// Copies every change to `out`, most severe first, calling `between`
    /// before each severity's group that holds any change.
    pub fn drain(
        self,
        out: &mut dyn Write,
        between: &mut dyn FnMut(Severity, u64, &mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        let severities = [Severity::Verdict, Severity::Score, Severity::Detail];
        for ((file, severity), count) in self.files.into_iter().zip(severities).zip(self.counts) {
            let Some(file) = file else { continue };
            between(severity, count, out)?;
            let mut file = file.into_inner().map_err(|e| e.into_error())?;
            file.seek(io::SeekFrom::Start(0))?;
            let mut buffer = vec![0; 64 * 1024];
            loop {
                let n = file.read(&mut buffer)?;
                if n == 0 {
                    break;
                }
                out.write_all(buffer.get(..n).unwrap_or_default())?;
            }
        }
        Ok(())
    }
}

impl Default for Spill {
    fn default() -> Self {
        Spill::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_come_out_most_severe_first_in_arrival_order() {
        let mut spill = Spill::new();
        spill.push(Severity::Detail, b"d1\n").unwrap();
        spill.push(Severity::Verdict, b"v1\n").unwrap();
        spill.push(Severity::Score, b"s1\n").unwrap();
        spill.push(Severity::Verdict, b"v2\n").unwrap();
        let mut out = Vec::new();
        spill
            .drain(&mut out, &mut |severity, count, out| {
                writeln!(out, "# {severity:?} {count}")
            })
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "# Verdict 2\nv1\nv2\n# Score 1\ns1\n# Detail 1\nd1\n"
        );
    }
}
