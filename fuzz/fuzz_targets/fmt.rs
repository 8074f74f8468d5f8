//! `augur-fmt` on any text: never panics; a file with parse errors is refused;
//! otherwise the output is idempotent, meaning-preserving (AST equal ignoring
//! spans), comment-preserving and clean. The properties are the very ones
//! augur-fmt's own tests state (shared source file, not a copy).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../crates/augur-fmt/tests/common/mod.rs"]
mod properties;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = properties::check(text);
});
