//! 200 concurrent deletes against the mock, each of its own approval; every answer is checked.

use iryo_mock::plat::{DEMO_TOKEN, PlatMock};
use iryo_plat::{Client, DeletedFlag};
use serde_json::json;

const CONCURRENT: u64 = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_deletes_all_get_their_answer() {
    let mock = PlatMock::builder().fixtures(false).spawn().await.unwrap();
    for i in 0..CONCURRENT {
        mock.insert_group(json!({
            "permissionGroup": {
                "permissionGroupId": format!("00000000-0000-4000-8000-{i:012}"),
                "status": "1",
                "deletedFlg": 0,
                "requestedOrganizationId": "1310000001",
                "requestedDepartmentId": "",
                "requestedPersonalId": "ececfc9e-4b53-48c0-96da-482ffdf69a95",
                "requestedDatetime": "2021-10-07T19:51:02"
            },
            "permissionApproval": [{
                "permissionApprovalId": 1000 + i,
                "status": "1",
                "deletedFlg": 0,
                "allowablePersonalId": "db04b087-52ee-4d69-9861-07e4d3db325e",
                "approverPersonalId": "db04b087-52ee-4d69-9861-07e4d3db325e",
                "approvedDatetime": "2021-10-07T20:02:04"
            }],
            "permissionComment": []
        }))
        .unwrap();
    }
    let client = Client::new(mock.app_url(), DEMO_TOKEN).unwrap();
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..CONCURRENT {
        let client = client.clone();
        calls.spawn(async move {
            let id = (1000 + i).to_string();
            (
                i,
                client
                    .delete_provider_permission(&id, &format!("理由{i}"))
                    .await,
            )
        });
    }
    let mut answered = 0;
    while let Some(joined) = calls.join_next().await {
        let (i, result) = joined.unwrap();
        let result = result.unwrap_or_else(|e| panic!("delete {i}: {e}"));
        let group = result.group().unwrap();
        assert_eq!(
            group.permission_group_id.as_deref(),
            Some(format!("00000000-0000-4000-8000-{i:012}").as_str())
        );
        assert_eq!(group.deleted_flg, Some(DeletedFlag::Deleted));
        assert_eq!(
            result.permission_comment.last().unwrap().comment.as_deref(),
            Some(format!("理由{i}").as_str())
        );
        answered += 1;
    }
    assert_eq!(answered, CONCURRENT);
}
