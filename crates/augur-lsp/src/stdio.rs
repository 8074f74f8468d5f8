//! The stdio transport's guard: one malformed message must not end the
//! session.
//!
//! tower-lsp reads stdin through a framed decoder that stops for good after
//! the first body that is not JSON (it replies -32700, then the stream
//! ends and the server exits). So the server does not read stdin itself:
//! [`guard`] reads each message (`Content-Length` header, then the body),
//! hands the well-formed ones to the server through an in-memory pipe, and
//! answers a malformed one itself with a JSON-RPC parse error (-32700, `id`
//! null) before carrying on with the next message. The server's output goes
//! through a second pipe and is written to stdout whole message by whole
//! message, so a parse-error reply is never interleaved into another reply.
//!
//! Not here: what the messages mean (that is tower-lsp and `lib.rs`).

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::mpsc;

/// Largest message body accepted; a bigger one is skipped unread and
/// answered with a parse error. (A playbook is at most 8 MiB.)
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// Bytes of the in-memory pipes between the guard and the server.
const PIPE_BYTES: usize = 1024 * 1024;

/// What reading one message from the client gave.
enum Incoming {
    /// A whole message whose body is JSON, as bytes to pass on.
    Message(Vec<u8>),
    /// A message that cannot be parsed; the reason for the reply.
    Malformed(String),
    /// The end of the input.
    End,
}

/// The body of a parse-error reply, framed.
fn parse_error(reason: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": -32700, "message": format!("Parse error: {reason}") },
    })
    .to_string();
    frame(body.as_bytes())
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Reads one message: header lines up to an empty line, then
/// `Content-Length` bytes of body.
async fn read_message(input: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Incoming> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        if input.read_until(b'\n', &mut line).await? == 0 {
            return Ok(if saw_header {
                Incoming::Malformed("the input ended inside a message's headers".into())
            } else {
                Incoming::End
            });
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(
                    value
                        .trim()
                        .parse::<usize>()
                        .map_err(|_| format!("bad Content-Length `{}`", value.trim())),
                );
            }
        }
    }
    let length = match length {
        Some(Ok(length)) => length,
        Some(Err(reason)) => return Ok(Incoming::Malformed(reason)),
        None => {
            return Ok(Incoming::Malformed(
                "a message without Content-Length".into(),
            ))
        }
    };
    if length > MAX_MESSAGE_BYTES {
        // Skip the body without keeping it.
        let skipped =
            tokio::io::copy(&mut input.take(length as u64), &mut tokio::io::sink()).await?;
        let _ = skipped;
        return Ok(Incoming::Malformed(format!(
            "a message of {length} bytes; at most {MAX_MESSAGE_BYTES} are accepted"
        )));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body).await?;
    match serde_json::from_slice::<serde::de::IgnoredAny>(&body) {
        Ok(_) => Ok(Incoming::Message(frame(&body))),
        Err(error) => Ok(Incoming::Malformed(error.to_string())),
    }
}

/// Puts the guard between `input`/`output` (stdin and stdout) and the
/// server: returns the reader and writer to give `tower_lsp::Server`.
/// Spawns its tasks on the current tokio runtime.
pub fn guard(
    input: impl AsyncRead + Unpin + Send + 'static,
    mut output: impl AsyncWrite + Unpin + Send + 'static,
) -> (
    impl AsyncRead + Unpin + Send,
    impl AsyncWrite + Unpin + Send,
) {
    let (server_input, mut to_server) = tokio::io::duplex(PIPE_BYTES);
    let (from_server, server_output) = tokio::io::duplex(PIPE_BYTES);
    let (replies, mut outgoing) = mpsc::channel::<Vec<u8>>(64);

    // The client's messages: well-formed ones to the server, a parse error
    // reply for the others.
    let errors = replies.clone();
    tokio::spawn(async move {
        let mut input = BufReader::new(input);
        loop {
            match read_message(&mut input).await {
                Ok(Incoming::Message(bytes)) => {
                    if to_server.write_all(&bytes).await.is_err() {
                        break;
                    }
                }
                Ok(Incoming::Malformed(reason)) => {
                    if errors.send(parse_error(&reason)).await.is_err() {
                        break;
                    }
                }
                Ok(Incoming::End) | Err(_) => break,
            }
        }
        // Closing the pipe is the server's end of input.
        let _ = to_server.shutdown().await;
    });

    // The server's messages, whole, to the writer.
    tokio::spawn(async move {
        let mut from_server = BufReader::new(from_server);
        while let Ok(Incoming::Message(bytes)) = read_message(&mut from_server).await {
            if replies.send(bytes).await.is_err() {
                break;
            }
        }
    });

    // One writer: each message written and flushed whole.
    tokio::spawn(async move {
        while let Some(bytes) = outgoing.recv().await {
            if output.write_all(&bytes).await.is_err() || output.flush().await.is_err() {
                break;
            }
        }
    });

    (server_input, server_output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn messages_are_read_whole_and_garbage_is_reported() {
        let input = b"Content-Length: 2\r\n\r\n{}Content-Length: 10\r\n\r\n{garbage!}content-length: 4\r\n\r\nnull";
        let mut reader = BufReader::new(&input[..]);
        assert!(matches!(
            read_message(&mut reader).await,
            Ok(Incoming::Message(_))
        ));
        assert!(matches!(
            read_message(&mut reader).await,
            Ok(Incoming::Malformed(_))
        ));
        assert!(matches!(
            read_message(&mut reader).await,
            Ok(Incoming::Message(_))
        ));
        assert!(matches!(read_message(&mut reader).await, Ok(Incoming::End)));
    }
}
