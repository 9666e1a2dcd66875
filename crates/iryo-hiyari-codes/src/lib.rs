//! Code tables of the 薬局ヒヤリ・ハット事例検索 API, generated from `specs/codes/hiyari-*.json`:
//! the XML tags you can search under ([`Item`]), the itemcodes of a code search ([`ItemCode`]),
//! and one enum per code list (発生月, 発生要因, 事例の内容, ...), each with its Japanese label.
//!
//! ```
//! use iryo_hiyari_codes::{IncidentFactor, Item, ItemCode};
//!
//! let factor: IncidentFactor = "010101".parse().unwrap();
//! assert_eq!(factor.label(), Some("確認を怠った"));
//! assert_eq!(Item::MedicineName.code(), "DATMEDNAME");
//! assert_eq!(Item::MedicineName.parents(), &[Item::MedicineA, Item::MedicineB]);
//! assert_eq!(ItemCode::from_known_code("0210010").unwrap().values(), Some("hiyari-factor"));
//! ```

#[rustfmt::skip]
mod generated;

pub use generated::*;
