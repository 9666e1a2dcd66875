//! The live feed against the `iryo-mock` pusher over real WebSocket and HTTP on loopback.

mod common;
mod faults;
mod flood;
mod gaps;
mod redaction;
mod stalled;
mod steady;
