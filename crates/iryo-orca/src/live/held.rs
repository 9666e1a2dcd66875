//! What the feed holds of the socket while it cannot deliver yet (events that arrive while the
//! subscriptions are answered, or during a catch-up): bounded in notifications and in bytes, so
//! that a server flooding large frames meanwhile ends the connection instead of growing memory.
//! Nothing is lost by that: the cursor has not moved, and the next catch-up asks for them again.

use super::LiveError;
use super::socket::Incoming;

/// What a held notification costs beyond its text: the typed value and its strings' headers.
const PER_ITEM_BYTES: usize = 256;
/// An undelivered notification is named by a few fields of at most 64 characters each.
const UNDELIVERED_BYTES: usize = 512;

/// The bounds: notifications and bytes held.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HeldLimits {
    pub items: usize,
    pub bytes: usize,
}

/// A count of what is held against [`HeldLimits`].
#[derive(Debug)]
pub(crate) struct Held {
    limits: HeldLimits,
    items: usize,
    bytes: usize,
}

impl Held {
    pub(crate) fn new(limits: HeldLimits) -> Self {
        Held {
            limits,
            items: 0,
            bytes: 0,
        }
    }

    /// Counts `incoming` in; fails once either bound is passed.
    pub(crate) fn hold(&mut self, incoming: &Incoming) -> Result<(), LiveError> {
        self.items += 1;
        self.bytes = self.bytes.saturating_add(held_bytes(incoming));
        if self.items > self.limits.items {
            return Err(LiveError::BufferFull(self.limits.items));
        }
        if self.bytes > self.limits.bytes {
            return Err(LiveError::BufferBytesFull(self.limits.bytes));
        }
        Ok(())
    }
}

/// About what `incoming` occupies while held: its texts and a typed value's overhead.
fn held_bytes(incoming: &Incoming) -> usize {
    match incoming {
        Incoming::Event(data) => {
            let texts =
                data.body.get().len() + data.event.len() + data.user.len() + data.extra.text_len();
            texts + PER_ITEM_BYTES
        }
        Incoming::Undelivered(_) => UNDELIVERED_BYTES,
        Incoming::Error(_) => 0,
    }
}
