//! Shift_JIS on the wire: trail bytes that are ASCII, Windows-31J characters both ways, POST form bodies, and
//! the paths the API answers on.

use encoding_rs::SHIFT_JIS;
use iryo_mock::hiyari::{DEFAULT_PATH, HiyariMock, NEW_REPORT_PATH};

use crate::common::{client, get, get_at, mock, post_form, send, spawn};

const SAMPLE_1: &str = "item=LSTFACTOR&word=%89%df%98J%20%94%e6%98J&condition=any";

#[tokio::test]
async fn trail_byte_0x5c_searches_work() {
    let mock = mock().await;
    // ソタロール: ソ is 83 5C, whose trail byte is ASCII `\`.
    let sotalol = get(&mock, "item=DATMEDNAME&word=%83%5C%83%5E%83%8D%81%5B%83%8B").await;
    assert_eq!(sotalol.months(), ["2009-10", "2009-05"]);
    assert!(
        sotalol
            .text()
            .contains("<DATMEDNAME>ソタロール塩酸塩錠40mg「試験」</DATMEDNAME>")
    );
    // 期限表: 表 is 95 5C.
    let table = get(&mock, "item=DATIMPROVEMENTTEXT&word=%8A%FA%8C%C0%95%5C").await;
    assert_eq!(
        table.months(),
        ["2014-04", "2013-11", "2013-06", "2010-06", "2010-01"]
    );
    // The answer carries the trail bytes raw, as Shift_JIS does.
    let needle = [0x83, 0x5C, 0x83, 0x5E, 0x83, 0x8D];
    assert!(sotalol.body.windows(needle.len()).any(|w| w == needle));
}

#[tokio::test]
async fn windows_31j_characters_survive_the_round_trip() {
    let mock = mock().await;
    // ① (87 40, an NEC special character) in the search and in the answer.
    let circled = get(&mock, "item=DATIMPROVEMENTTEXT&word=%87%40&condition=all").await;
    assert_eq!(
        circled.months(),
        [
            "2009-02", "2013-12", "2015-08", "2013-07", "2015-03", "2013-02"
        ]
    );
    let text = circled.text();
    assert!(text.contains("①バーコード照合、②声に出しての確認"));
    assert!(text.contains("①名称②剤形③規格"));
    // 髙 and 﨑 sent as NEC-selected IBM extensions (EE E0, ED 95) find the same reports as the IBM
    // extensions (FB FC, FA B1); the answer uses the IBM codes, as encoding_rs (WHATWG) encodes.
    let nec = get(&mock, "item=DATMANNAME&word=%EE%E0%ED%95&count=all").await;
    let ibm = get(&mock, "item=DATMANNAME&word=%FB%FC%FA%B1&count=all").await;
    assert_eq!(nec.body, ibm.body);
    assert_eq!(nec.counts().total, 14);
    assert!(
        nec.text()
            .contains("<DATMANNAME>髙﨑ファーマ株式会社</DATMANNAME>")
    );
    let ibm_bytes = [0xFB, 0xFC, 0xFA, 0xB1];
    assert!(nec.body.windows(4).any(|w| w == ibm_bytes));
    // ～ is FULLWIDTH TILDE U+FF5E (81 60) in Windows-31J, not WAVE DASH U+301C.
    let tilde = get(&mock, "item=DATIMPROVEMENTTEXT&word=%92%A9%81%60%97%5B").await;
    assert_eq!(tilde.months(), ["2012-07", "2012-02"]);
    assert!(tilde.text().contains("服用時点（朝\u{FF5E}夕）ごとに"));
    assert!(!tilde.text().contains('\u{301C}'));
}

#[tokio::test]
async fn the_whole_answer_decodes_without_replacement() {
    let mock = mock().await;
    let reply = get(&mock, "count=all").await;
    let (_, _, malformed) = SHIFT_JIS.decode(&reply.body);
    assert!(!malformed);
    assert_eq!(reply.reports().len(), 41);
}

#[tokio::test]
async fn a_post_form_body_is_read_like_a_query() {
    let mock = mock().await;
    let by_get = get(&mock, SAMPLE_1).await;
    let by_post = post_form(&mock, "", SAMPLE_1).await;
    assert_eq!(by_post.status, 200);
    assert_eq!(by_post.body, by_get.body);
    // The query string of a POST counts too, before the body.
    let split = post_form(&mock, "order=2", "fyear=2010&fmonth=12").await;
    let recorded = mock.last_request();
    assert_eq!(
        recorded
            .as_ref()
            .map(|r| (r.method.as_str(), r.raw_query.as_str())),
        Some(("POST", "order=2&fyear=2010&fmonth=12"))
    );
    assert_eq!(
        split.body,
        get(&mock, "order=2&fyear=2010&fmonth=12").await.body
    );
}

#[tokio::test]
async fn the_new_report_path_and_a_configured_path_answer_the_same() {
    let mock = mock().await;
    let reference = get(&mock, SAMPLE_1).await;
    let newer = get_at(&mock, NEW_REPORT_PATH, SAMPLE_1).await;
    assert_eq!(newer.body, reference.body);

    let custom = spawn(HiyariMock::builder().path("/jq/search")).await;
    assert_eq!(
        custom.endpoint(),
        format!("{}/jq/search", custom.base_url())
    );
    assert_eq!(
        get_at(&custom, "/jq/search", SAMPLE_1).await.body,
        reference.body
    );
    assert_eq!(
        get_at(&custom, NEW_REPORT_PATH, SAMPLE_1).await.body,
        reference.body
    );
    let old = get_at(&custom, DEFAULT_PATH, SAMPLE_1).await;
    assert_eq!((old.status, old.body.len()), (404, 0));

    let refused = HiyariMock::builder().path("/__mock/hiyari/x").spawn().await;
    assert_eq!(
        refused.err().map(|e| e.kind()),
        Some(std::io::ErrorKind::InvalidInput)
    );
}

#[tokio::test]
async fn other_methods_and_paths_are_empty_errors() {
    let mock = mock().await;
    let put = send(client().put(mock.endpoint()).body(SAMPLE_1)).await;
    assert_eq!((put.status, put.body.len()), (405, 0));
    let unknown = get_at(&mock, "/phsearch/SearchReport.action", SAMPLE_1).await;
    assert_eq!((unknown.status, unknown.body.len()), (404, 0));
    let slash = get_at(&mock, "/phsearch/SearchReportApi.action/", "").await;
    assert_eq!(slash.status, 404);
    // The refused requests were not recorded.
    assert_eq!(mock.last_request(), None);
}

#[tokio::test]
async fn a_data_set_of_any_size_is_deterministic() {
    let only_sample = spawn(HiyariMock::builder().with_generated(0)).await;
    assert_eq!(only_sample.report_count(), 1);
    assert_eq!(get(&only_sample, "").await.months(), ["2009-01"]);

    let big = spawn(
        HiyariMock::builder()
            .with_generated(500)
            .document_sample(false),
    )
    .await;
    assert_eq!(big.report_count(), 500);
    let first = get(&big, "count=all&order=2").await;
    assert_eq!(first.counts().total, 500);
    let again = spawn(
        HiyariMock::builder()
            .with_generated(500)
            .document_sample(false),
    )
    .await;
    assert_eq!(get(&again, "count=all&order=2").await.body, first.body);
    // 83 generated reports take every month from 2009-02 through 2015-12 once; the sample has 2009-01.
    let every_month = spawn(HiyariMock::builder().with_generated(83)).await;
    let months = get(&every_month, "count=all&order=2").await.months();
    let mut expected = Vec::new();
    for year in (2009..=2015).rev() {
        for month in (1..=12).rev() {
            expected.push(format!("{year}-{month:02}"));
        }
    }
    assert_eq!(months, expected);
}

#[tokio::test]
async fn reports_of_your_own_follow_the_data_set() {
    let own = "<PHARMACY_REPORT>\n  <VERSION>1.0</VERSION>\n  <DATYEAR>2016</DATYEAR>\n  \
               <DATMONTH CODE=\"03\" />\n  <DATSUMMARY CODE=\"08\" />\n  \
               <DATCONTENTTEXT>自作の事例 &amp; 確認用</DATCONTENTTEXT>\n</PHARMACY_REPORT>";
    let mock = spawn(HiyariMock::builder().with_generated(0).report_xml(own)).await;
    assert_eq!(mock.report_count(), 2);
    let reply = get(&mock, "fyear=2016").await;
    assert_eq!(reply.months(), ["2016-03"]);
    assert!(
        reply
            .text()
            .contains("<DATCONTENTTEXT>自作の事例 &amp; 確認用</DATCONTENTTEXT>")
    );

    for bad in [
        "<PHARMACY_REPORT><DATNOTE>x</DATNOTE></PHARMACY_REPORT>",
        "<PHARMACY_REPORT><DATCONTENTTEXT>波ダッシュ〜</DATCONTENTTEXT></PHARMACY_REPORT>",
    ] {
        let refused = HiyariMock::builder().report_xml(bad).spawn().await;
        assert_eq!(
            refused.err().map(|e| e.kind()),
            Some(std::io::ErrorKind::InvalidInput),
            "{bad}"
        );
    }
}
