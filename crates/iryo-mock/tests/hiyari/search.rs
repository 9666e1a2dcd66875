//! Word searches, code searches, month ranges, the three orders and paging, on the default data set.

use crate::common::{ALL_MONTHS_NEWEST_FIRST, Counts, NO_RESULTS, get, mock, months_where, sjis};

#[tokio::test]
async fn all_any_and_not_combine_the_terms_of_one_word() {
    let mock = mock().await;
    let sales = "itemcode=0090010&code=11";
    let terms = sjis("期限 取り違え");
    let any = get(
        &mock,
        &format!("{sales}&item=DATCONTENTTEXT&word={terms}&condition=any"),
    )
    .await;
    assert_eq!(any.months(), ["2015-04", "2010-10", "2014-11", "2010-05"]);
    let not = get(
        &mock,
        &format!("{sales}&item=DATCONTENTTEXT&word={terms}&condition=not"),
    )
    .await;
    assert_eq!(not.months(), ["2012-11", "2012-06"]);
    for report in not.reports() {
        assert!(
            !report.contains("期限") && !report.contains("取り違え"),
            "{report}"
        );
    }
    // No sales report mentions both.
    let all = get(
        &mock,
        &format!("{sales}&item=DATCONTENTTEXT&word={terms}&condition=all"),
    )
    .await;
    assert_eq!(all.counts().total, 0);
    assert_eq!(all.error().as_deref(), Some(NO_RESULTS));
    // A missing or empty condition is `all`.
    let empty = get(
        &mock,
        &format!("{sales}&item=DATCONTENTTEXT&word={terms}&condition="),
    )
    .await;
    assert_eq!(empty.body, all.body);
    let missing = get(&mock, &format!("{sales}&item=DATCONTENTTEXT&word={terms}")).await;
    assert_eq!(missing.body, all.body);
}

#[tokio::test]
async fn an_element_includes_its_descendants_and_an_empty_item_the_whole_report() {
    let mock = mock().await;
    // 24 is only the sample's DATPATIENTAGE, inside GRPPATIENT.
    let patient = get(&mock, "item=GRPPATIENT&word=24").await;
    assert_eq!(patient.months(), ["2009-01"]);
    // The invented maker 髙﨑ファーマ appears under several groups; an empty item searches everything.
    let maker = get(
        &mock,
        &format!("item=&word={}&count=all&order=2", sjis("髙﨑")),
    )
    .await;
    assert_eq!(
        maker.months(),
        [
            "2014-08", "2014-04", "2014-03", "2013-11", "2013-06", "2012-03", "2011-11", "2011-10",
            "2011-06", "2011-01", "2010-10", "2010-05", "2009-10", "2009-05"
        ]
    );
    let whole = get(
        &mock,
        &format!(
            "item=PHARMACY_REPORT&word={}&count=all&order=2",
            sjis("髙﨑")
        ),
    )
    .await;
    assert_eq!(whole.body, maker.body);
}

#[tokio::test]
async fn lstfactor_covers_the_three_free_texts_as_the_tag_table_places_them() {
    let mock = mock().await;
    // In the response the free texts are children of PHARMACY_REPORT; in the tag table (the search hierarchy)
    // they are under LSTFACTOR, beside DATFACTOR. Each word below occurs in one free text only.
    for (text, word, months) in [
        (
            "DATCONTENTTEXT",
            "二つの診療科",
            &["2014-08", "2014-03"][..],
        ),
        ("DATFACTORTEXT", "小数点", &["2013-03", "2012-10"][..]),
        (
            "DATIMPROVEMENTTEXT",
            "期限表",
            &["2014-04", "2013-11", "2013-06", "2010-06", "2010-01"][..],
        ),
    ] {
        let word = sjis(word);
        let direct = get(&mock, &format!("item={text}&word={word}&count=all")).await;
        assert_eq!(direct.months(), months, "{text}");
        let factor = get(&mock, &format!("item=LSTFACTOR&word={word}&count=all")).await;
        assert_eq!(factor.body, direct.body, "LSTFACTOR and {text}");
        // DATFACTOR is a sibling of the texts, not their parent.
        let code_only = get(&mock, &format!("item=DATFACTOR&word={word}")).await;
        assert_eq!(code_only.error().as_deref(), Some(NO_RESULTS), "{text}");
        let not = get(
            &mock,
            &format!("item=LSTFACTOR&word={word}&condition=not&count=all"),
        )
        .await;
        assert_eq!(not.counts().total, 41 - months.len(), "{text}");
    }
    // The codes' labels are in scope too, together with the texts: 身体的条件 is a label of 020104 only.
    let both = get(
        &mock,
        &format!(
            "item=LSTFACTOR&word={}&condition=all",
            sjis("身体的条件 過労")
        ),
    )
    .await;
    assert_eq!(both.months(), ["2011-07", "2011-02", "2010-09"]);
}

#[tokio::test]
async fn word_searches_see_the_labels_of_codes() {
    let mock = mock().await;
    // 期限切れ is the label of DATCONTENTS 110103 and 130103; no DATCONTENTS has text.
    let expired = get(
        &mock,
        &format!("item=DATCONTENTS&word={}&count=all", sjis("期限切れ")),
    )
    .await;
    assert_eq!(
        expired.months(),
        [
            "2014-04", "2013-11", "2013-06", "2010-06", "2010-01", "2010-10", "2010-05"
        ]
    );
    let codes: Vec<_> = expired
        .reports()
        .iter()
        .filter_map(|r| crate::common::code(r, "DATCONTENTS").map(str::to_owned))
        .collect();
    assert_eq!(
        codes,
        [
            "110103", "110103", "110103", "110103", "110103", "130103", "130103"
        ]
    );
    // 確認を怠った is the label of DATFACTOR 010101, which the sample carries too.
    let unchecked = get(
        &mock,
        &format!("item=LSTFACTOR&word={}&count=all", sjis("確認を怠った")),
    )
    .await;
    assert_eq!(unchecked.counts().total, 21);
    assert_eq!(unchecked.months()[0], "2009-01");
}

#[tokio::test]
async fn repeated_sets_pair_by_position_and_are_anded() {
    let mock = mock().await;
    let query = format!(
        "item=DATMEDNAME&word={}&condition=any&item=DATCONTENTTEXT&word={}&condition=all",
        sjis("ワルファリン"),
        sjis("倍"),
    );
    assert_eq!(get(&mock, &query).await.months(), ["2012-03", "2011-10"]);
    // Names in another order pair the same way: the i-th of each name.
    let shuffled = format!(
        "item=DATMEDNAME&item=DATCONTENTTEXT&condition=any&word={}&word={}",
        sjis("ワルファリン"),
        sjis("倍"),
    );
    assert_eq!(get(&mock, &shuffled).await.months(), ["2012-03", "2011-10"]);
}

#[tokio::test]
async fn an_ideographic_space_separates_terms_too() {
    let mock = mock().await;
    let query = format!(
        "item=DATIMPROVEMENTTEXT&word={}&condition=all",
        sjis("夜勤\u{3000}長時間")
    );
    assert_eq!(
        get(&mock, &query).await.months(),
        ["2011-07", "2011-02", "2010-09"]
    );
}

#[tokio::test]
async fn code_searches_match_any_listed_code_or_any_text() {
    let mock = mock().await;
    let factors = get(&mock, "itemcode=0210010&code=020105%20020205").await;
    assert_eq!(
        factors.months(),
        ["2011-11", "2011-06", "2011-01", "2014-12", "2014-07"]
    );
    assert_eq!(factors.summaries(), ["08", "08", "08", "10", "10"]);
    // Prescribed medicine in GRPDOUBT (4080010) versus in GRPCOMPOUND (4050010).
    let warfarin = sjis("ワルファリン");
    let doubt = get(&mock, &format!("itemcode=4080010&code=&text={warfarin}")).await;
    assert_eq!(doubt.months(), ["2012-03", "2011-10"]);
    let compound = get(&mock, &format!("itemcode=4050010&text={warfarin}")).await;
    assert_eq!(compound.months(), ["2011-11", "2011-06", "2011-01"]);
    // The changed medicine of a 疑義照会 (4090010) is only the 0.5mg tablet.
    let changed = get(&mock, "itemcode=4090010&text=0.5mg").await;
    assert_eq!(changed.months(), ["2012-03", "2011-10"]);
    // Code or text: a code that matches nothing does not stop the text.
    let either = get(
        &mock,
        &format!("itemcode=4130010&code=x&text={}", sjis("かぜ")),
    )
    .await;
    assert_eq!(either.months(), ["2015-04", "2014-11"]);
    // DATYEAR is text: 文字列 in the table.
    let year = get(&mock, "itemcode=0010010&text=2015").await;
    assert_eq!(
        year.months(),
        ["2015-08", "2015-12", "2015-03", "2015-07", "2015-04"]
    );
    // Several sets are ANDed: 調剤 reports found by the patient (発見者 04 患者本人).
    let both = get(&mock, "itemcode=0090010&code=08&itemcode=0160010&code=04").await;
    assert_eq!(both.months(), ["2009-06", "2015-08", "2011-01"]);
    // 発生場面 codes of any group: 0190110 covers GRPCOMPOUND and GRPMATERIAL alike.
    let scenes = get(&mock, "itemcode=0190110&code=110201%20110299&count=all").await;
    assert_eq!(
        scenes.months(),
        ["2014-04", "2013-11", "2013-06", "2010-06", "2010-01"]
    );
}

#[tokio::test]
async fn month_ranges_are_inclusive_and_default_to_whole_years() {
    let mock = mock().await;
    let year_2012 = get(&mock, "fyear=2012&tyear=2012&order=2&count=all").await;
    assert_eq!(year_2012.months(), months_where(|m| m.starts_with("2012")));
    let through_2009 = get(&mock, "tyear=2009&order=2&count=all").await;
    assert_eq!(through_2009.months(), months_where(|m| m <= "2009-12"));
    let window = get(
        &mock,
        "fyear=2010&fmonth=6&tyear=2011&tmonth=02&order=2&count=all",
    )
    .await;
    assert_eq!(
        window.months(),
        ["2011-02", "2011-01", "2010-10", "2010-09", "2010-06"]
    );
    let backwards = get(&mock, "fyear=2012&tyear=2011").await;
    assert_eq!(backwards.error().as_deref(), Some(NO_RESULTS));
}

#[tokio::test]
async fn order_1_sorts_by_summary_then_load_order_and_order_2_by_month() {
    let mock = mock().await;
    let by_summary = get(&mock, "count=all").await;
    assert_eq!(
        by_summary.counts(),
        Counts {
            count: 41,
            position: 0,
            status: 0,
            total: 41
        }
    );
    let mut expected = vec!["08"; 23];
    expected.extend(["09"; 8]);
    expected.extend(["10"; 4]);
    expected.extend(["11"; 6]);
    assert_eq!(by_summary.summaries(), expected);
    assert_eq!(get(&mock, "count=all&order=1").await.body, by_summary.body);
    let by_month = get(&mock, "count=all&order=2").await;
    assert_eq!(by_month.months(), ALL_MONTHS_NEWEST_FIRST);
}

#[tokio::test]
async fn order_3_puts_the_most_matched_terms_first_when_an_item_is_named() {
    let mock = mock().await;
    let words = format!(
        "item=DATCONTENTTEXT&word={}&condition=any&count=all",
        sjis("期限 在庫 交付")
    );
    let scored = get(&mock, &format!("{words}&order=3")).await;
    assert_eq!(
        scored.months(),
        [
            // 3 terms each: 08 then 10
            "2014-04", "2013-11", "2013-06", "2010-06", "2010-01", // 2 terms
            "2010-10", "2010-05", // 1 term: 08 then 10
            "2009-02", "2015-08", "2015-03", "2014-12", "2014-07",
        ]
    );
    let default = get(&mock, &words).await;
    assert_eq!(
        default.months(),
        [
            "2009-02", "2014-04", "2015-08", "2013-11", "2015-03", "2013-06", "2014-12", "2010-06",
            "2014-07", "2010-01", "2010-10", "2010-05"
        ]
    );
    // Without an item (whole-report search, or no word search at all) order 3 is order 1.
    let whole = words.replace("item=DATCONTENTTEXT", "item=");
    let unscored = get(&mock, &format!("{whole}&order=3")).await;
    assert_eq!(unscored.body, get(&mock, &whole).await.body);
    let plain = get(&mock, "order=3&count=all").await;
    assert_eq!(plain.body, get(&mock, "count=all").await.body);
}

#[tokio::test]
async fn start_and_count_page_through_the_hits() {
    let mock = mock().await;
    let first = get(&mock, "order=2").await;
    assert_eq!(
        first.counts(),
        Counts {
            count: 10,
            position: 0,
            status: 0,
            total: 41
        }
    );
    assert_eq!(first.months(), ALL_MONTHS_NEWEST_FIRST[..10]);
    let second = get(&mock, "order=2&start=10&count=10").await;
    assert_eq!(
        second.counts(),
        Counts {
            count: 10,
            position: 10,
            status: 0,
            total: 41
        }
    );
    assert_eq!(second.months(), ALL_MONTHS_NEWEST_FIRST[10..20]);
    let last = get(&mock, "order=2&start=38&count=5").await;
    assert_eq!(
        last.counts(),
        Counts {
            count: 3,
            position: 38,
            status: 0,
            total: 41
        }
    );
    assert_eq!(last.months(), ALL_MONTHS_NEWEST_FIRST[38..]);
    let rest = get(&mock, "order=2&start=3&count=all").await;
    assert_eq!(rest.counts().count, 38);
    // Past the end: no reports, but the search itself had hits, so no <Error>.
    let beyond = get(&mock, "start=41").await;
    assert_eq!(
        beyond.counts(),
        Counts {
            count: 0,
            position: 41,
            status: 0,
            total: 41
        }
    );
    assert_eq!(beyond.error(), None);
    assert!(beyond.text().ends_with("total=\"41\">\n</ResultSet>\n"));
}
