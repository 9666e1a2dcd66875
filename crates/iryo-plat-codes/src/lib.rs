//! Code tables of the PLAneTs API, generated from `specs/codes/plat-*.json`.
//!
//! ```
//! use iryo_plat_codes::{ApprovalStatus, DeletedFlag, PlatErrorCode};
//!
//! assert_eq!("1".parse::<ApprovalStatus>().unwrap().label(), Some("承認済み"));
//! // deletedFlg is an integer on the wire
//! assert_eq!(serde_json::from_str::<DeletedFlag>("1").unwrap(), DeletedFlag::Deleted);
//! assert_eq!(serde_json::to_string(&DeletedFlag::Deleted).unwrap(), "1");
//! assert_eq!(PlatErrorCode::ServerError.code(), "PLAT500");
//! ```

#[rustfmt::skip]
mod generated;

pub use generated::*;
