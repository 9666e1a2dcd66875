//! Code tables of the ORCA 日レセ PUSH notification API, generated from `specs/codes/orca-*.json`.
//!
//! Every enum keeps codes it does not list as `Unknown`, so reading a server's answer never fails:
//!
//! ```
//! use iryo_orca_codes::PushErrorCode;
//!
//! let code: PushErrorCode = "0007".parse().unwrap();
//! assert_eq!(code, PushErrorCode::NoPushEvents);
//! assert_eq!(code.label(), Some("対象となるＰＵＳＨ通知が存在しませんでした。"));
//!
//! let unknown: PushErrorCode = "9999".parse().unwrap();
//! assert_eq!(unknown.code(), "9999");
//! assert_eq!(unknown.label(), None);
//! assert_eq!(PushErrorCode::from_known_code("9999"), None);
//! ```

#[rustfmt::skip]
mod generated;

pub use generated::*;
