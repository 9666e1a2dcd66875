//! The live feed against the `iryo-mock` pusher over real WebSocket and HTTP on loopback.

mod clock;
mod common;
mod faults;
mod flood;
mod gaps;
mod held;
mod poison;
mod reconnect;
mod redaction;
mod stalled;
mod steady;
