//! Parameter errors (`status="1"`, HTTP 200), the zero-hit answer, and requests that are not Shift_JIS.

use encoding_rs::SHIFT_JIS;

use crate::common::{NO_RESULTS, get, mock, sjis};

#[tokio::test]
async fn every_parameter_error_is_status_1_naming_the_parameter() {
    let mock = mock().await;
    let cases = [
        (
            "item=FOO&word=x",
            "パラメータ item の値「FOO」は XML タグ名ではありません。",
        ),
        (
            "item=lstfactor&word=x",
            "パラメータ item の値「lstfactor」は XML タグ名ではありません。",
        ),
        (
            "item=DATYEAR&word=a&word=b",
            "パラメータ word の数 (2) が item の数 (1) と一致しません。",
        ),
        (
            "word=2009",
            "パラメータ word の数 (1) が item の数 (0) と一致しません。",
        ),
        (
            "item=DATYEAR",
            "パラメータ word の数 (0) が item の数 (1) と一致しません。",
        ),
        (
            "item=DATYEAR&word=+",
            "パラメータ word に検索文字列がありません (1 番目)。",
        ),
        (
            "item=DATYEAR&word=2009&condition=or",
            "パラメータ condition の値「or」は all, any, not のいずれでもありません。",
        ),
        (
            "item=DATYEAR&word=2009&condition=all&condition=any",
            "パラメータ condition の数 (2) が item の数 (1) を超えています。",
        ),
        (
            "itemcode=0090011&code=08",
            "パラメータ itemcode の値「0090011」はコード検索の項目コードではありません。",
        ),
        (
            "itemcode=0090010&code=&text=",
            "パラメータ code と text がどちらも空です (itemcode 0090010)。",
        ),
        (
            "itemcode=0090010&code=08&text=&text=",
            "パラメータ text の数 (2) が itemcode の数 (1) を超えています。",
        ),
        (
            "fyear=20x9",
            "パラメータ fyear の値「20x9」は 4 桁の年ではありません。",
        ),
        (
            "tyear=15",
            "パラメータ tyear の値「15」は 4 桁の年ではありません。",
        ),
        (
            "fyear=2010&fmonth=13",
            "パラメータ fmonth の値「13」は 1 から 12 の月ではありません。",
        ),
        (
            "fyear=2010&fmonth=0",
            "パラメータ fmonth の値「0」は 1 から 12 の月ではありません。",
        ),
        (
            "tyear=2011&tmonth=1a",
            "パラメータ tmonth の値「1a」は 1 から 12 の月ではありません。",
        ),
        (
            "tmonth=3",
            "パラメータ tmonth には tyear の指定が必要です。",
        ),
        (
            "start=-1",
            "パラメータ start の値「-1」は 0 以上の整数ではありません。",
        ),
        (
            "start=x",
            "パラメータ start の値「x」は 0 以上の整数ではありません。",
        ),
        (
            "count=0",
            "パラメータ count の値「0」は 1 以上の整数でも all でもありません。",
        ),
        (
            "count=ALL",
            "パラメータ count の値「ALL」は 1 以上の整数でも all でもありません。",
        ),
        (
            "order=4",
            "パラメータ order の値「4」は 1, 2, 3 のいずれでもありません。",
        ),
        (
            "order=x",
            "パラメータ order の値「x」は 1, 2, 3 のいずれでもありません。",
        ),
    ];
    for (query, message) in cases {
        let reply = get(&mock, query).await;
        assert_eq!(reply.parameter_error(), message, "{query}");
        assert_eq!(reply.reports().len(), 0);
    }
}

#[tokio::test]
async fn an_error_document_has_the_results_layout() {
    let mock = mock().await;
    let reply = get(&mock, "item=%3Cx%26y%3E&word=1").await;
    let expected = "<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>\n\
                    <ResultSet count=\"0\" position=\"0\" status=\"1\" total=\"0\">\n  \
                    <Error>パラメータ item の値「&lt;x&amp;y&gt;」は XML タグ名ではありません。</Error>\n\
                    </ResultSet>\n";
    assert_eq!(reply.text(), expected);
}

#[tokio::test]
async fn zero_hits_are_status_0_with_the_no_results_error() {
    let mock = mock().await;
    let reply = get(
        &mock,
        &format!("item=DATCONTENTTEXT&word={}", sjis("存在しない語")),
    )
    .await;
    let expected = format!(
        "<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>\n\
         <ResultSet count=\"0\" position=\"0\" status=\"0\" total=\"0\">\n  \
         <Error>{NO_RESULTS}</Error>\n</ResultSet>\n"
    );
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("text/xml; charset=Shift_JIS")
    );
    assert_eq!(reply.body, SHIFT_JIS.encode(&expected).0.as_ref());
}

#[tokio::test]
async fn a_utf8_query_is_refused_instead_of_searched_as_mojibake() {
    let mock = mock().await;
    // 過労 in UTF-8: what URLSearchParams or reqwest's .query() would send.
    let reply = get(
        &mock,
        "item=LSTFACTOR&word=%E9%81%8E%E5%8A%B4&condition=any",
    )
    .await;
    assert_eq!(
        reply.parameter_error(),
        "パラメータ word の値が UTF-8 で符号化されています。Shift_JIS で符号化してください。"
    );
    // Lower-case hex is the same bytes.
    let lower = get(&mock, "item=LSTFACTOR&word=%e9%81%8e%e5%8a%b4").await;
    assert_eq!(lower.body, reply.body);
}

#[tokio::test]
async fn bytes_that_are_not_shift_jis_or_not_escapes_are_refused() {
    let mock = mock().await;
    // 0x85 0x40 is an unassigned row of Windows-31J; a lone lead byte has no trail.
    for query in [
        "item=DATCONTENTTEXT&word=%85%40",
        "item=DATCONTENTTEXT&word=%89",
    ] {
        let reply = get(&mock, query).await;
        assert_eq!(
            reply.parameter_error(),
            "パラメータ word の値が Shift_JIS として読めません。",
            "{query}"
        );
    }
    let escape = get(&mock, "start=%2").await;
    assert_eq!(
        escape.parameter_error(),
        "パラメータ start の値に不正なパーセントエンコーディングがあります。"
    );
    let name = get(&mock, "st%Grt=1").await;
    assert_eq!(
        name.parameter_error(),
        "パラメータ名「st%Grt」に不正なパーセントエンコーディングがあります。"
    );
}

#[tokio::test]
async fn unknown_parameters_are_ignored_and_single_ones_count_once() {
    let mock = mock().await;
    let plain = get(&mock, "order=2").await;
    assert_eq!(
        get(&mock, "order=2&_=1712345678&lang=ja").await.body,
        plain.body
    );
    // The first non-empty occurrence of a single-valued parameter counts, as a servlet's getParameter.
    assert_eq!(get(&mock, "order=&order=2&order=9").await.body, plain.body);
}
