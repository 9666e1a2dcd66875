//! Every row of every table file, checked against the generated enums (oracle: the table files).

use std::collections::BTreeSet;

use iryo_plat_codes::{
    ApprovalStatus, DeletedFlag, GrantStatus, HolderKind, Location, OAuthErrorCode, Operator,
    PermissionKind, PlatErrorCode,
};
use iryo_testkit::check_code_table;

#[test]
fn every_table_of_this_crate_round_trips() {
    let checked: BTreeSet<String> = [
        check_code_table!(ApprovalStatus, "plat-approval-status"),
        check_code_table!(DeletedFlag, "plat-deleted-flag"),
        check_code_table!(PlatErrorCode, "plat-error-code"),
        check_code_table!(GrantStatus, "plat-grant-status"),
        check_code_table!(HolderKind, "plat-holder-kind"),
        check_code_table!(Location, "plat-location"),
        check_code_table!(OAuthErrorCode, "plat-oauth-error"),
        check_code_table!(Operator, "plat-operator"),
        check_code_table!(PermissionKind, "plat-permission-kind"),
    ]
    .into();
    assert_eq!(checked, iryo_testkit::tables_of_crate("iryo-plat-codes"));
}

#[test]
fn deleted_flag_travels_as_an_integer_and_accepts_a_string() {
    assert_eq!(serde_json::to_string(&DeletedFlag::Deleted).unwrap(), "1");
    assert_eq!(
        serde_json::from_str::<DeletedFlag>("0").unwrap(),
        DeletedFlag::NotDeleted
    );
    assert_eq!(
        serde_json::from_str::<DeletedFlag>("\"1\"").unwrap(),
        DeletedFlag::Deleted
    );
    let unknown: DeletedFlag = serde_json::from_str("7").unwrap();
    assert_eq!(unknown.code(), "7");
    assert_eq!(serde_json::to_string(&unknown).unwrap(), "7");
    assert!(serde_json::from_str::<DeletedFlag>("[1]").is_err());
}

#[test]
fn a_location_list_of_organisations_is_kept_as_sent() {
    let ids: Location = "1310000001,1310000002".parse().unwrap();
    assert_eq!(ids.code(), "1310000001,1310000002");
    assert_eq!(ids.label(), None);
    assert_eq!("self".parse::<Location>().unwrap(), Location::Own);
}
