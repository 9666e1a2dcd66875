//! A body gathered in blocks while it is read, joined once at its end. Growing one buffer by
//! doubling leaves a chain of freed buffers behind (up to twice the body in memory while a
//! server sends an endless body, more where the allocator keeps them resident), and keeping the
//! received chunks as they came would let a server's tiny chunks pin whole read buffers. Blocks
//! are filled by copy, so memory follows the bytes received, whatever their framing.

/// The first block of a body of unknown length; later blocks grow with the body.
const FIRST_BLOCK: usize = 16 * 1024;
/// The largest block: a body costs at most this much beyond its own bytes while it is read.
const MAX_BLOCK: usize = 1024 * 1024;

/// The bytes of one body so far.
pub(crate) struct Gathered {
    blocks: Vec<Vec<u8>>,
    len: usize,
}

impl Gathered {
    /// Room for a body announced as `declared` bytes (one block, never copied again), or for
    /// one of unknown length. The caller has checked `declared` against its limit.
    pub(crate) fn new(declared: Option<u64>) -> Self {
        let first = declared.map_or(FIRST_BLOCK, |d| usize::try_from(d).unwrap_or(usize::MAX));
        Gathered {
            blocks: vec![Vec::with_capacity(first)],
            len: 0,
        }
    }

    /// Bytes received so far.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends `chunk`, opening blocks as the last one fills.
    pub(crate) fn push(&mut self, mut chunk: &[u8]) {
        self.len += chunk.len();
        while !chunk.is_empty() {
            let block = self.open_block();
            let take = (block.capacity() - block.len()).min(chunk.len());
            block.extend_from_slice(&chunk[..take]);
            chunk = &chunk[take..];
        }
    }

    /// The last block, or a new one when it is full: as large as the body so far, within bounds.
    fn open_block(&mut self) -> &mut Vec<u8> {
        if self.blocks.last().is_none_or(|b| b.len() == b.capacity()) {
            let size = self.len.clamp(FIRST_BLOCK, MAX_BLOCK);
            self.blocks.push(Vec::with_capacity(size));
        }
        let last = self.blocks.len() - 1;
        &mut self.blocks[last]
    }

    /// The whole body in one buffer: the only block as it is, or the blocks copied once, each
    /// freed as soon as it is copied.
    pub(crate) fn join(mut self) -> Vec<u8> {
        if self.blocks.len() == 1 {
            return self.blocks.pop().unwrap_or_default();
        }
        let mut body = Vec::with_capacity(self.len);
        for block in self.blocks {
            body.extend_from_slice(&block);
        }
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_framing_joins_to_the_bytes_sent() {
        let sent: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        for chunk in [1, 7, 4096, 100_000, 3_000_000] {
            let mut gathered = Gathered::new(None);
            for piece in sent.chunks(chunk) {
                gathered.push(piece);
            }
            assert_eq!(gathered.len(), sent.len());
            assert_eq!(gathered.join(), sent, "chunks of {chunk}");
        }
    }

    #[test]
    fn blocks_hold_the_bytes_received_and_at_most_one_block_more() {
        let mut gathered = Gathered::new(None);
        for _ in 0..40_000 {
            gathered.push(&[1; 1000]);
        }
        let reserved: usize = gathered.blocks.iter().map(Vec::capacity).sum();
        assert!(reserved <= gathered.len() + MAX_BLOCK, "{reserved}");
        assert!(gathered.blocks.iter().all(|b| b.capacity() <= MAX_BLOCK));
    }

    #[test]
    fn an_announced_body_is_one_block_never_copied() {
        let mut gathered = Gathered::new(Some(5));
        gathered.push(b"abc");
        gathered.push(b"de");
        assert_eq!(gathered.blocks.len(), 1);
        assert_eq!(gathered.join(), b"abcde");
    }
}
