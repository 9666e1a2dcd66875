//! The digest's published test vectors (`specs/hiyari/digest/vectors.json`): each report's XML,
//! read as the client reads an answer, has exactly the vector's canonical form, labelled record
//! and digest. Python recomputes the same digests from the labelled records in spec-check.

use iryo_hiyari::ReportReader;
use serde_json::Value;
use sha2::{Digest, Sha256};

const VECTORS: &str = include_str!("../../../specs/hiyari/digest/vectors.json");

fn report(xml: &str) -> iryo_hiyari::PharmacyReport {
    let answer =
        format!(r#"<ResultSet count="1" position="0" status="0" total="1">{xml}</ResultSet>"#);
    let mut reader = ReportReader::from_decoded(answer.as_bytes()).unwrap();
    let report = reader.next().expect("one report").unwrap();
    assert!(reader.next().is_none());
    report
}

#[test]
fn every_vector_reads_to_its_canonical_form_and_digest() {
    let vectors: Value = serde_json::from_str(VECTORS).unwrap();
    let vectors = vectors["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 5);
    for vector in vectors {
        let name = vector["name"].as_str().unwrap();
        let report = report(vector["xml"].as_str().unwrap());
        let canonical = String::from_utf8(iryo_hiyari_db::canonical(&report)).unwrap();
        let mut labelled = Vec::new();
        report.write_labeled_json(&mut labelled);
        let labelled = String::from_utf8(labelled).unwrap();
        let digest = iryo_hiyari_db::digest(&report);
        let computed = format!(
            "\"labelled\": {},\n\"canonical\": {},\n\"sha256\": \"{digest}\"",
            serde_json::to_string(&labelled).unwrap(),
            serde_json::to_string(&canonical).unwrap()
        );
        assert_eq!(
            vector["canonical"].as_str(),
            Some(canonical.as_str()),
            "{name}:\n{computed}"
        );
        assert_eq!(
            vector["labelled"].as_str(),
            Some(labelled.as_str()),
            "{name}"
        );
        assert_eq!(vector["sha256"].as_str(), Some(digest.as_str()), "{name}");
        let hashed: String = Sha256::digest(canonical.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            hashed, digest,
            "{name}: the digest is SHA-256 of the canonical form"
        );
    }
}
