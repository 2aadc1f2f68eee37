//! The `steward` command: parses arguments and dispatches to the library; no logic lives here.

fn main() {}
