//! The PUSH通知 live feed: ORCA's WebSocket (`/ws`) with catch-up through `pusheventgetv2`.

mod frame_id;

pub use crate::generated::frames;
pub use frame_id::FrameId;
