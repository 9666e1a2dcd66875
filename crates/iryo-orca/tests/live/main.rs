//! The live feed against the `iryo-mock` pusher over real WebSocket and HTTP on loopback.

mod clock;
mod common;
mod faults;
mod gaps;
mod poison;
mod reconnect;
mod steady;
