//! Arbitrary text as a PLAneTs (Gson) date: a value or an error, never a panic; a value writes
//! text that reads back as itself.

#![no_main]

use iryo_plat::GsonDateTime;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(date) = GsonDateTime::parse(text) {
        let written = date.to_string();
        assert_eq!(
            GsonDateTime::parse(&written),
            Ok(date),
            "{text:?} -> {written:?}"
        );
    }
});
