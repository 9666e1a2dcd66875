//! Every row of every table file, checked against the generated enums. The oracle is the table
//! file itself (`specs/codes/*.json`), not the generated code.

use std::collections::BTreeSet;

use iryo_orca_codes::{
    HospitalStayRequest, PatientMode, PushErrorCode, SendCharacterCode, SocketErrorCode, UpdateCode,
};
use iryo_testkit::check_code_table;

#[test]
fn every_table_of_this_crate_round_trips() {
    let checked: BTreeSet<String> = [
        check_code_table!(PushErrorCode, "orca-push-error-code"),
        check_code_table!(PatientMode, "orca-patient-mode"),
        check_code_table!(HospitalStayRequest, "orca-hospital-stay-request"),
        check_code_table!(UpdateCode, "orca-update-code"),
        check_code_table!(SendCharacterCode, "orca-send-character-code"),
        check_code_table!(SocketErrorCode, "orca-socket-error-code"),
    ]
    .into();
    assert_eq!(checked, iryo_testkit::tables_of_crate("iryo-orca-codes"));
}

#[test]
fn error_0089_keeps_all_six_messages() {
    let code = PushErrorCode::SystemInformationUnavailable;
    assert_eq!(code.code(), "0089");
    assert_eq!(code.labels().len(), 6);
    assert!(
        code.labels()
            .contains(&"グループ医療機関が不整合です。処理を終了して下さい。")
    );
}
