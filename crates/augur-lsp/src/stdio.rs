//! The stdio transport's guard: one malformed message must not end the
//! session.
//!
//! tower-lsp reads stdin through a framed decoder that stops for good after
//! the first body that is not JSON (it replies -32700, then the stream
//! ends and the server exits). So the server does not read stdin itself:
//! [`guard`] reads each message (`Content-Length` header, then the body),
//! hands the well-formed ones to the server through an in-memory pipe, and
//! answers a malformed one itself before carrying on with the next message:
//! a body that is not JSON gets a parse error (-32700, `id` null), and JSON
//! that is not a JSON-RPC 2.0 request, notification or response (`42`, `{}`,
//! `[]`, `"jsonrpc": "1.0"`, an `id` that is an object) gets an invalid
//! request error (-32600), since tower-lsp would stop at those too. The shape
//! is judged by tower-lsp's own `Request` and `Response` types, so the guard
//! and the server cannot disagree. The server's output goes
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
    /// A whole message: its body from [`read_body`], the framed message to
    /// pass on from [`read_message`].
    Message(Vec<u8>),
    /// A message that cannot be parsed; the reason for the reply.
    Malformed(String),
    /// JSON that is not a JSON-RPC message: the reason, and the `id` to
    /// answer with (the message's own when it is a valid id, else null).
    Invalid(String, serde_json::Value),
    /// The end of the input.
    End,
}

/// The body of a parse-error reply, framed.
fn parse_error(reason: &str) -> Vec<u8> {
    error_reply(
        -32700,
        &format!("Parse error: {reason}"),
        serde_json::Value::Null,
    )
}

/// An error reply with `code`, `message` and `id`, framed.
fn error_reply(code: i64, message: &str, id: serde_json::Value) -> Vec<u8> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": { "code": code, "message": message },
    })
    .to_string();
    frame(body.as_bytes())
}

/// Judges a JSON body the way tower-lsp will: a response or a request
/// (notifications included), by tower-lsp's own types.
fn judge(body: &[u8]) -> Incoming {
    let value = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) => value,
        Err(error) => return Incoming::Malformed(error.to_string()),
    };
    let is_message = serde_json::from_value::<tower_lsp::jsonrpc::Response>(value.clone()).is_ok()
        || serde_json::from_value::<tower_lsp::jsonrpc::Request>(value.clone()).is_ok();
    if is_message {
        return Incoming::Message(frame(body));
    }
    let id = value
        .get("id")
        .filter(|id| id.is_string() || id.is_i64())
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    let reason = match &value {
        serde_json::Value::Object(fields) => match fields.get("jsonrpc") {
            Some(serde_json::Value::String(version)) if version == "2.0" => {
                "not a JSON-RPC request, notification or response (check `method`, `id`, `params`, `result` and `error`)".to_owned()
            }
            Some(_) => "`jsonrpc` must be \"2.0\"".to_owned(),
            None => "a message without `\"jsonrpc\": \"2.0\"`".to_owned(),
        },
        _ => "a message must be a JSON object".to_owned(),
    };
    Incoming::Invalid(format!("Invalid Request: {reason}"), id)
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Reads one client message: [`read_body`], then [`judge`].
async fn read_message(input: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Incoming> {
    Ok(match read_body(input).await? {
        Incoming::Message(body) => judge(&body),
        other => other,
    })
}

/// Reads one message: header lines up to an empty line, then
/// `Content-Length` bytes of body, returned unframed and unjudged.
async fn read_body(input: &mut (impl AsyncBufRead + Unpin)) -> std::io::Result<Incoming> {
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
    Ok(Incoming::Message(body))
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
                Ok(Incoming::Invalid(reason, id)) => {
                    if errors.send(error_reply(-32600, &reason, id)).await.is_err() {
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
        // The server's own messages are well formed: framed again as they
        // are, not judged.
        while let Ok(Incoming::Message(body)) = read_body(&mut from_server).await {
            if replies.send(frame(&body)).await.is_err() {
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
        let exit = br#"{"jsonrpc":"2.0","method":"exit"}"#;
        let mut input = format!("Content-Length: {}\r\n\r\n", exit.len()).into_bytes();
        input.extend_from_slice(exit);
        input.extend_from_slice(
            b"Content-Length: 10\r\n\r\n{garbage!}content-length: 4\r\n\r\nnull",
        );
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
            Ok(Incoming::Invalid(..))
        ));
        assert!(matches!(read_message(&mut reader).await, Ok(Incoming::End)));
    }

    #[test]
    fn json_that_is_not_a_json_rpc_message_is_an_invalid_request() {
        for body in [
            "42",
            "null",
            "{}",
            "[]",
            "\"x\"",
            r#"{"jsonrpc":"1.0","method":"initialized"}"#,
            r#"{"jsonrpc":"2.0","id":{},"method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0","id":1.5,"method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0","method":7}"#,
        ] {
            assert!(
                matches!(judge(body.as_bytes()), Incoming::Invalid(..)),
                "{body} should be an invalid request"
            );
        }
        let Incoming::Invalid(_, id) = judge(br#"{"jsonrpc":"2.0","id":7,"method":3}"#) else {
            panic!("a method that is not a string is an invalid request");
        };
        assert_eq!(id, serde_json::json!(7), "the reply keeps a valid id");
        for body in [
            r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":"a","result":null}"#,
            r#"{"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"no"}}"#,
        ] {
            assert!(
                matches!(judge(body.as_bytes()), Incoming::Message(_)),
                "{body} is a JSON-RPC message"
            );
        }
    }
}
