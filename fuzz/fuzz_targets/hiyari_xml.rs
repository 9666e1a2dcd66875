//! Raw bytes as a saved 薬局ヒヤリ・ハット answer: `ReportReader` in both invalid-byte modes, and
//! `read_result_set`, must give reports or an error, never a panic or a hang.

#![no_main]

use iryo_hiyari::decode::InvalidBytes;
use iryo_hiyari::{ReportReader, read_result_set};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    for mode in [InvalidBytes::Fail, InvalidBytes::Replace] {
        if let Ok(reader) = ReportReader::with_invalid_bytes(bytes, mode) {
            let _ = reader.result_set();
            for report in reader {
                if report.is_err() {
                    break;
                }
            }
        }
    }
    let _ = read_result_set(bytes);
});
