//! Inputs generated while they are read, of any size or endless, so that tests and benches of
//! hostile inputs commit no large files and hold no large buffers.

use std::io::{self, Read};

/// `prefix`, then `repeat` `times` times (for ever when `None`), then `suffix`, as a `Read`.
pub struct Generated {
    prefix: Vec<u8>,
    repeat: Vec<u8>,
    suffix: Vec<u8>,
    /// Bytes of repeats left; `None` for ever.
    left: Option<u64>,
    /// Offset in the current part.
    at: usize,
    phase: Phase,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Prefix,
    Repeat,
    Suffix,
    Done,
}

impl Generated {
    /// The input; `repeat` must not be empty when `times` is `None` or above 0.
    pub fn new(prefix: &str, repeat: &str, times: Option<u64>, suffix: &str) -> Self {
        Generated::bytes(
            prefix.as_bytes(),
            repeat.as_bytes(),
            times,
            suffix.as_bytes(),
        )
    }

    /// As [`Generated::new`], from bytes.
    pub fn bytes(prefix: &[u8], repeat: &[u8], times: Option<u64>, suffix: &[u8]) -> Self {
        assert!(!repeat.is_empty() || times == Some(0), "nothing to repeat");
        Generated {
            prefix: prefix.to_vec(),
            repeat: repeat.to_vec(),
            suffix: suffix.to_vec(),
            left: times.map(|t| t.saturating_mul(repeat.len() as u64)),
            at: 0,
            phase: Phase::Prefix,
        }
    }

    /// The total length, `None` when endless.
    pub fn total_len(&self) -> Option<u64> {
        let repeats = self.left?;
        Some(self.prefix.len() as u64 + repeats + self.suffix.len() as u64)
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            let part: &[u8] = match self.phase {
                Phase::Prefix => &self.prefix,
                Phase::Repeat => &self.repeat,
                Phase::Suffix => &self.suffix,
                Phase::Done => break,
            };
            let mut available = part.len() - self.at;
            if self.phase == Phase::Repeat
                && let Some(left) = self.left
            {
                available = available.min(usize::try_from(left).unwrap_or(usize::MAX));
            }
            if available == 0 {
                self.at = 0;
                match self.phase {
                    Phase::Prefix => self.phase = Phase::Repeat,
                    Phase::Repeat if self.left.is_none_or(|l| l > 0) => {}
                    Phase::Repeat => self.phase = Phase::Suffix,
                    Phase::Suffix | Phase::Done => self.phase = Phase::Done,
                }
                continue;
            }
            let take = available.min(buf.len() - n);
            buf[n..n + take].copy_from_slice(&part[self.at..self.at + take]);
            n += take;
            self.at += take;
            if self.phase == Phase::Repeat
                && let Some(left) = &mut self.left
            {
                *left -= take as u64;
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_come_in_order_whatever_the_read_size() {
        for size in [1, 3, 7, 64, 4096] {
            let mut input = Generated::new("<a>", "xy", Some(5), "</a>");
            let mut out = Vec::new();
            let mut buf = vec![0; size];
            loop {
                let n = input.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            assert_eq!(out, b"<a>xyxyxyxyxy</a>", "read size {size}");
        }
        let mut endless = Generated::new("", "z", None, "");
        let mut buf = [0; 10_000];
        assert_eq!(endless.read(&mut buf).unwrap(), 10_000);
        assert_eq!(Generated::new("ab", "c", Some(3), "d").total_len(), Some(6));
    }
}
