//! Each rule fed a small bad input, so that every rule is seen to fail.

use std::collections::BTreeSet;

use serde_json::Value;

use super::rules::*;
use super::tables::*;
use super::*;

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).expect("test YAML")
}

#[test]
fn the_operation_rule_reports_missing_ids_and_descriptions() {
    let doc = yaml(
        "paths:\n  /a:\n    get: {operationId: getA, description: Gets A.}\n    post: {description: Posts.}\n  /b:\n    delete: {operationId: deleteB}\n",
    );
    assert_eq!(
        operation_problems("x.yaml", &doc),
        [
            "x.yaml: POST /a has no operationId",
            "x.yaml: DELETE /b has no description"
        ]
    );
}

#[test]
fn the_property_rule_reports_undescribed_properties_at_any_depth() {
    let doc = yaml(
        r##"
paths:
  /a:
    get:
      responses:
        "200":
          content:
            application/json:
              schema:
                type: object
                properties:
                  inline: {type: string}
components:
  schemas:
    A:
      type: object
      properties:
        described: {type: string, description: Fine.}
        bare_ref: {$ref: "#/components/schemas/B"}
        list:
          description: A list.
          type: array
          items:
            type: object
            properties:
              deep: {type: integer}
    B:
      oneOf:
        - type: object
          properties:
            in_one_of: {type: string, description: ""}
"##,
    );
    assert_eq!(
        property_problems("x.yaml", &doc),
        [
            "x.yaml: #/components/schemas/A/properties/list/items/properties/deep has no description",
            "x.yaml: #/components/schemas/B/oneOf/0/properties/in_one_of has no description",
            "x.yaml: paths /a/get/responses/200/content/application/json/schema/properties/inline has no description",
        ]
    );
}

#[test]
fn the_usage_rule_reports_unreachable_components_and_broken_refs() {
    let doc = yaml(
        r##"
paths:
  /a:
    get:
      parameters:
        - $ref: "#/components/parameters/Used"
      responses:
        "200":
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Used"}
        "400": {$ref: "#/components/responses/Missing"}
components:
  securitySchemes:
    basic: {type: http, scheme: basic}
  parameters:
    Used: {name: p, in: query, schema: {$ref: "#/components/schemas/ViaParameter"}}
    Unused: {name: q, in: query, schema: {$ref: "#/components/schemas/ViaUnusedParameter"}}
  schemas:
    Used:
      type: object
      properties:
        body: {description: Any.}
        missing: {$ref: "#/components/schemas/Missing"}
        remote: {$ref: "other.yaml#/Thing"}
      x-iryo-event-bodies:
        enum: Body
        variants:
          - {event: e, variant: E, schema: ViaEvent, description: E.}
    ViaEvent: {type: object}
    ViaParameter: {type: string}
    ViaUnusedParameter: {type: string}
    Island: {type: object, properties: {other: {$ref: "#/components/schemas/AlsoIsland"}}}
    AlsoIsland: {type: object, properties: {back: {$ref: "#/components/schemas/Island"}}}
"##,
    );
    let mut problems = unused_component_problems("x.yaml", &doc);
    problems.sort();
    assert_eq!(
        problems,
        [
            "x.yaml: #/components/parameters/Unused is not used by any operation",
            "x.yaml: #/components/schemas/AlsoIsland is not used by any operation",
            "x.yaml: #/components/schemas/Island is not used by any operation",
            "x.yaml: #/components/schemas/ViaUnusedParameter is not used by any operation",
            "x.yaml: `$ref: #/components/responses/Missing` does not resolve",
            "x.yaml: `$ref: #/components/schemas/Missing` does not resolve",
            "x.yaml: `$ref: other.yaml#/Thing` is not a local component",
        ]
    );
}

#[test]
fn the_code_table_rule_reports_unknown_tables() {
    let doc = yaml(
        "components:\n  schemas:\n    A:\n      properties:\n        k: {type: string, x-iryo-code-table: no-such-table}\n        l: {type: string, x-iryo-code-table: known}\n",
    );
    let tables = BTreeSet::from(["known".to_owned()]);
    assert_eq!(
        code_table_reference_problems("x.yaml", &doc, &tables),
        [
            "x.yaml: /components/schemas/A/properties/k/x-iryo-code-table names no existing table: \"no-such-table\""
        ]
    );
}

#[test]
fn the_fixup_rule_checks_both_directions() {
    let doc = yaml(
        "info:\n  description: See (x-iryo-fixup in-prose).\ncomponents:\n  schemas:\n    A: {x-iryo-fixup: documented}\n    B: {x-iryo-fixup: [undocumented, documented]}\n",
    );
    let uses = fixup_uses("x.yaml", &doc);
    let names: Vec<&str> = uses.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        ["documented", "undocumented", "documented", "in-prose"]
    );
    let markdown =
        "# Fixups\n\n## documented\nText.\n\n## in-prose\n\n## unused\n### not a fixup heading\n";
    assert_eq!(
        fixup_problems("F.md", &uses, Some(markdown)),
        [
            "x.yaml#/components/schemas/B/x-iryo-fixup: fixup `undocumented` has no `## undocumented` in F.md",
            "F.md: `## unused` is not referenced by any `x-iryo-fixup` of the spec or its tables",
        ]
    );
    assert_eq!(
        fixup_problems("F.md", &uses, None),
        ["F.md is missing; fixups used: {\"documented\", \"in-prose\", \"undocumented\"}"]
    );
    assert!(
        fixup_problems("F.md", &[], None).is_empty(),
        "no fixups need no FIXUPS.md"
    );
    assert_eq!(
        fixup_problems("F.md", &[], Some("## Not Kebab\n## twice\n## twice\n")),
        [
            "F.md: `## Not Kebab` is not a kebab-case fixup name",
            "F.md: `## twice` appears twice",
            "F.md: `## Not Kebab` is not referenced by any `x-iryo-fixup` of the spec or its tables",
            "F.md: `## twice` is not referenced by any `x-iryo-fixup` of the spec or its tables",
            "F.md: `## twice` is not referenced by any `x-iryo-fixup` of the spec or its tables",
        ]
    );
}

#[test]
fn the_fixup_rule_reads_xsd_appinfo() {
    let xsd = "<xs:schema>\n  <xs:annotation><xs:appinfo><iryo:fixup>zero-hits</iryo:fixup></xs:appinfo>\n  <!-- iryo:fixup in a comment is not a use -->\n<xs:appinfo><iryo:fixup> spaced </iryo:fixup><iryo:fixup>second</iryo:fixup></xs:appinfo>\n</xs:schema>\n";
    assert_eq!(
        xsd_fixup_uses("r.xsd", xsd),
        [
            ("zero-hits".to_owned(), "r.xsd:2".to_owned()),
            ("spaced".to_owned(), "r.xsd:4".to_owned()),
            ("second".to_owned(), "r.xsd:4".to_owned()),
        ]
    );
}

#[test]
fn the_table_rule_reports_duplicates_and_bad_identifiers() {
    let table: Value = serde_json::json!({
        "table": "days", "version": "1.0.0", "title": "Days", "description": "Days.",
        "source": {"document": "test"},
        "rust": {"crate": "iryo-x-codes", "type": "Day"},
        "rows": [
            {"code": "01", "id": "Sunday", "label": "日曜日"},
            {"code": "01", "id": "Monday", "label": "月曜日"},
            {"code": "03", "id": "Sunday", "label": "火曜日"},
            {"code": "04", "id": "wednesday", "label": "水曜日"},
            {"code": "05", "id": "Unknown", "label": "", "colour": "blue"}
        ]
    });
    assert_eq!(
        table_problems("specs/codes/days.json", "days", &table),
        [
            "specs/codes/days.json: duplicate code `01`",
            "specs/codes/days.json: duplicate identifier `Sunday`",
            "specs/codes/days.json: identifier `wednesday` must be UpperCamelCase ASCII, not `Unknown`",
            "specs/codes/days.json: identifier `Unknown` must be UpperCamelCase ASCII, not `Unknown`",
            "specs/codes/days.json: row `05` has no label",
            "specs/codes/days.json: row `05` has the undeclared key `colour`",
        ]
    );
    let renamed = table_problems("specs/codes/weeks.json", "weeks", &table);
    assert_eq!(
        renamed[0],
        "specs/codes/weeks.json: `table` must be the file stem `weeks`"
    );
    assert_eq!(renamed.len(), 7);
}

#[test]
fn the_table_rule_lets_a_tree_repeat_a_code_with_its_identifier_only() {
    let table: Value = serde_json::json!({
        "table": "tags", "version": "1.0.0", "title": "Tags", "description": "Tags.",
        "source": {"document": "test"}, "kind": "tree", "wire": "integer",
        "columns": {"xpath": "Where the tag sits."},
        "rust": {"crate": "iryo-x-codes", "type": "Tag"},
        "rows": [
            {"no": 1, "level": 0, "code": "1", "id": "Root", "label": "全体", "parent": null, "xpath": "/"},
            {"no": 2, "level": 1, "code": "2", "id": "Name", "label": "名前", "parent": 1, "xpath": "/a"},
            {"no": 3, "level": 1, "code": "2", "id": "Name", "label": "名前", "parent": 1, "xpath": "/b"},
            {"no": 4, "level": 1, "code": "2", "id": "Title", "label": "題", "parent": 1, "xpath": "/c"},
            {"no": 5, "level": 1, "code": "x", "id": "Other", "label": "他", "parent": 9},
            {"level": 1, "code": "6", "id": "Loose", "label": "迷子", "parent": 1, "xpath": "/d"}
        ]
    });
    assert_eq!(
        table_problems("specs/codes/tags.json", "tags", &table),
        [
            "specs/codes/tags.json: code `2` has two identifiers",
            "specs/codes/tags.json: row `x`: the table's wire type is integer",
            "specs/codes/tags.json: row `x` lacks the column `xpath`",
            "specs/codes/tags.json: row `x` names a parent row 9 that does not exist",
            "specs/codes/tags.json: tree row `6` has no `no`",
        ]
    );
}

#[test]
fn the_cross_table_rule_reports_one_enum_from_two_tables() {
    let table = |path: &str| TableFile {
        path: path.to_owned(),
        stem: String::new(),
        value: serde_json::json!({"rust": {"crate": "iryo-x-codes", "type": "Day"}}),
    };
    assert_eq!(
        cross_table_problems(&[table("specs/codes/a.json"), table("specs/codes/b.json")]),
        ["specs/codes/b.json: enum `Day` is also generated from specs/codes/a.json"]
    );
}
