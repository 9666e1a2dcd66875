//! The document's four request samples, verbatim, and its response sample, byte for byte.

use encoding_rs::SHIFT_JIS;

use crate::common::{Counts, between, get, mock, months_where};

/// Section 5 of the document (サンプルレスポンス), exactly as printed, with a final newline.
const DOCUMENT_RESPONSE: &str = r#"<?xml version="1.0" encoding="Shift_JIS" standalone="no"?>
<ResultSet count="1" position="0" status="0" total="1">
  <PHARMACY_REPORT>
    <VERSION>1.0</VERSION>
    <DATYEAR>2009</DATYEAR>
    <DATMONTH CODE="01" />
    <DATDAY CODE="01" />
    <DATTIMEZONE CODE="01" />
    <DATEXECUTION CODE="01" />
    <DATLEVEL CODE="02" />
    <DATSUMMARY CODE="08" />
    <GRPPATIENT>
      <DATPATIENT CODE="01" />
      <DATPATIENTAGE>24</DATPATIENTAGE>
      <DATPATIENTSEX CODE="01" />
    </GRPPATIENT>
    <DATDISCOVERER CODE="01" />
    <LSTCONCERNED>
      <DATCATEGORY CODE="05" />
      <DATCATEGORY CODE="20" />
    </LSTCONCERNED>
    <GRPCOMPOUND>
      <DATSCENE CODE="100101" />
      <DATCONTENTS CODE="100101" />
      <LSTRELATED>
        <GRPMEDICINE_A>
          <DATMEDCODE>123456789123</DATMEDCODE>
          <DATMEDNAME>サンプル関連医薬品販売名</DATMEDNAME>
          <DATMANNAME>サンプル関連医薬品販売会社</DATMANNAME>
        </GRPMEDICINE_A>
      </LSTRELATED>
    </GRPCOMPOUND>
    <LSTFACTOR>
      <DATFACTOR CODE="010101" />
      <DATFACTOR CODE="020101" />
    </LSTFACTOR>
    <DATCONTENTTEXT>処方より多めに調剤していた(事例の内容を記述)。</DATCONTENTTEXT>
    <DATFACTORTEXT>処方箋の確認を怠った(背景要因を記述)。</DATFACTORTEXT>
    <DATIMPROVEMENTTEXT>落ち着いて対処する(改善策を記述)。</DATIMPROVEMENTTEXT>
  </PHARMACY_REPORT>
</ResultSet>
"#;

#[tokio::test]
async fn the_sample_report_is_answered_byte_for_byte_as_the_document_prints_it() {
    let mock = mock().await;
    let (expected, _, unmappable) = SHIFT_JIS.encode(DOCUMENT_RESPONSE);
    assert!(!unmappable);
    // The sample is the only report of January 2009, and the only one naming its related medicine.
    for query in [
        "fyear=2009&fmonth=1&tyear=2009&tmonth=1",
        "fyear=2009&fmonth=01&tyear=2009&tmonth=01&order=2&count=all",
        // サンプル関連医薬品販売名 in DATMEDNAME
        "item=DATMEDNAME&word=%83T%83%93%83v%83%8B%8A%D6%98A%88%E3%96%F2%95i%94%CC%94%84%96%BC&condition=all",
    ] {
        let reply = get(&mock, query).await;
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.header("content-type"),
            Some("text/xml; charset=Shift_JIS")
        );
        assert_eq!(reply.body, expected.as_ref(), "{query}:\n{}", reply.text());
    }
}

#[tokio::test]
async fn sample_1_factor_words_any_finds_the_reports_blaming_fatigue() {
    let mock = mock().await;
    // 発生要因に「過労」もしくは「疲労」. No 発生要因 label holds either word and a DATFACTOR is an empty element
    // with a CODE; the words are the reporters' own, in DATFACTORTEXT, which the tag table (the search
    // hierarchy) puts under LSTFACTOR.
    let reply = get(
        &mock,
        "item=LSTFACTOR&word=%89%df%98J%20%94%e6%98J&condition=any",
    )
    .await;
    assert_eq!(
        reply.counts(),
        Counts {
            count: 5,
            position: 0,
            status: 0,
            total: 5
        }
    );
    assert_eq!(
        reply.months(),
        ["2011-07", "2013-03", "2011-02", "2012-10", "2010-09"]
    );
    for report in reply.reports() {
        let background =
            between(&report, "<DATFACTORTEXT>", "</DATFACTORTEXT>").unwrap_or_default();
        assert!(
            background.contains("過労") || background.contains("疲労"),
            "{report}"
        );
        for line in report.lines().filter(|l| l.contains("<DATFACTOR ")) {
            assert!(line.ends_with(" />"), "{line}");
        }
    }
}

#[tokio::test]
async fn sample_2_code_search_on_the_summary_finds_every_dispensing_report() {
    let mock = mock().await;
    let reply = get(&mock, "itemcode=0090010&code=08&text=").await;
    assert_eq!(
        reply.counts(),
        Counts {
            count: 10,
            position: 0,
            status: 0,
            total: 23
        }
    );
    assert_eq!(reply.summaries(), ["08"; 10]);
    // Default order 1 (事例区分): summary code, then load order, so the sample comes first.
    assert_eq!(
        reply.months(),
        [
            "2009-01", "2009-02", "2011-07", "2013-12", "2009-06", "2011-11", "2014-04", "2009-10",
            "2013-03", "2015-08"
        ]
    );
}

#[tokio::test]
async fn sample_3_newest_first_from_december_2010() {
    let mock = mock().await;
    let reply = get(&mock, "order=2&fyear=2010&fmonth=12").await;
    let expected = months_where(|m| m >= "2010-12");
    assert_eq!(expected.len(), 29);
    assert_eq!(
        reply.counts(),
        Counts {
            count: 10,
            position: 0,
            status: 0,
            total: 29
        }
    );
    assert_eq!(reply.months(), expected[..10]);
}

#[tokio::test]
async fn sample_4_improvement_words_all_from_january_2011() {
    let mock = mock().await;
    let reply = get(
        &mock,
        "item=DATIMPROVEMENTTEXT&word=%96%e9%8b%ce%20%92%b7%8e%9e%8a%d4&condition=all&fyear=2011&fmonth=1",
    )
    .await;
    assert_eq!(
        reply.counts(),
        Counts {
            count: 2,
            position: 0,
            status: 0,
            total: 2
        }
    );
    assert_eq!(reply.months(), ["2011-07", "2011-02"]);
    // The same scenario also happened in September 2010, before the range.
    let unbounded = get(
        &mock,
        "item=DATIMPROVEMENTTEXT&word=%96%e9%8b%ce%20%92%b7%8e%9e%8a%d4&condition=all",
    )
    .await;
    assert_eq!(unbounded.months(), ["2011-07", "2011-02", "2010-09"]);
}
