//! Deterministic synthetic reports for the benchmarks (our own text; real tag names and codes).

/// The XML declaration and the `ResultSet` start tag for `reports` reports, in Shift_JIS.
pub fn head(reports: usize) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>\n<ResultSet count=\"{reports}\" position=\"0\" status=\"0\" total=\"{reports}\">\n"
    )
    .into_bytes()
}

/// The end of the answer.
pub const TAIL: &[u8] = b"</ResultSet>\n";

/// Report `i` in Shift_JIS.
pub fn report_bytes(i: usize) -> Vec<u8> {
    let text = report(i);
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!unmappable, "synthetic text is JIS X 0208 only");
    bytes.into_owned()
}

const SENTENCES: &[&str] = &[
    "処方箋の用量を確認せずに調剤し、交付前の監査で気付いた。",
    "夜勤明けの長時間勤務で確認が不十分になっていた。",
    "類似した販売名の薬剤を取り違えて棚から取り出した。",
    "患者への説明の際に薬袋の記載が処方と異なることに気付いた。",
    "散剤の秤量で単位を読み違え、再計算して正しい量で調剤し直した。",
    "後発医薬品への変更時に規格の確認を怠ったことが要因である。",
    "繁忙な時間帯で確認の手順を省略してしまった。",
    "ダブルチェックの手順を見直し、声出し確認を徹底する。",
];

/// One report of about 2.7 KB in Shift_JIS; JIS X 0208 characters only, so that libxml2's
/// strict Shift_JIS decoder (lxml) reads it too.
pub fn report(i: usize) -> String {
    let text = |seed: usize, n: usize| -> String {
        (0..n)
            .map(|k| SENTENCES[(seed + k * 3) % SENTENCES.len()])
            .collect::<Vec<_>>()
            .join("")
    };
    format!(
        "  <PHARMACY_REPORT>\n    <VERSION>1.0</VERSION>\n    <DATYEAR>{year}</DATYEAR>\n    <DATMONTH CODE=\"{month:02}\" />\n    <DATDAY CODE=\"{day:02}\" />\n    <DATTIMEZONE CODE=\"{zone:02}\" />\n    <DATEXECUTION CODE=\"01\" />\n    <DATLEVEL CODE=\"03\" />\n    <DATSUMMARY CODE=\"08\" />\n    <GRPPATIENT>\n      <DATPATIENT CODE=\"01\" />\n      <DATPATIENTAGE>{age}</DATPATIENTAGE>\n      <DATPATIENTSEX CODE=\"0{sex}\" />\n    </GRPPATIENT>\n    <DATDISCOVERER CODE=\"01\" />\n    <LSTCONCERNED>\n      <DATCATEGORY CODE=\"05\" />\n    </LSTCONCERNED>\n    <GRPCOMPOUND>\n      <DATSCENE CODE=\"100101\" />\n      <DATCONTENTS CODE=\"1001{content:02}\" />\n      <LSTMEDICINE>\n        <GRPMEDICINE_A>\n          <DATMEDCODE>99990{i:07}</DATMEDCODE>\n          <DATMEDNAME>ベンチ錠{i}ｍｇ「試験」</DATMEDNAME>\n          <DATMANNAME>試験製薬株式会社</DATMANNAME>\n        </GRPMEDICINE_A>\n        <GRPMEDICINE_B>\n          <DATMEDCODE>99991{i:07}</DATMEDCODE>\n          <DATMEDNAME>ベンチ散{i}％「比較」</DATMEDNAME>\n          <DATMANNAME>比較薬品工業株式会社</DATMANNAME>\n        </GRPMEDICINE_B>\n      </LSTMEDICINE>\n    </GRPCOMPOUND>\n    <LSTFACTOR>\n      <DATFACTOR CODE=\"010101\" />\n      <DATFACTOR CODE=\"0201{factor:02}\" />\n    </LSTFACTOR>\n    <DATCONTENTTEXT>{t1}</DATCONTENTTEXT>\n    <DATFACTORTEXT>{t2}</DATFACTORTEXT>\n    <DATIMPROVEMENTTEXT>{t3}</DATIMPROVEMENTTEXT>\n  </PHARMACY_REPORT>\n",
        year = 2010 + i % 10,
        month = 1 + i % 12,
        day = 1 + i % 7,
        zone = 1 + 2 * (i % 12),
        age = 20 + i % 70,
        sex = 1 + i % 2,
        content = 1 + i % 11,
        factor = 1 + i % 5,
        t1 = text(i, 10),
        t2 = text(i + 1, 10),
        t3 = text(i + 2, 9),
    )
}
