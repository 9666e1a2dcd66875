//! Inputs the generator must refuse, each with an error that names the file at fault.

use codegen::Error;

use crate::common::{edit_file, fixture_copy, render_case};

const DAYS: &str = "specs/codes/fixture-occurrence-day.json";

/// Renders a copy of fixture `case` after `edit`, expecting a refusal; returns its message.
fn refused(case: &str, edit: impl FnOnce(&std::path::Path)) -> (Error, String) {
    let dir = fixture_copy(case);
    edit(dir.path());
    let error = match render_case(dir.path(), case) {
        Ok(rendered) => panic!(
            "the generator accepted this input and rendered {:?}",
            rendered.files.keys()
        ),
        Err(error) => error,
    };
    let message = error.to_string();
    (error, message)
}

#[test]
fn a_duplicate_code_is_refused() {
    let (error, message) = refused("code_table_basic", |root| {
        edit_file(root, DAYS, r#""code": "02""#, r#""code": "01""#)
    });
    assert!(matches!(error, Error::Spec(_)), "{error:?}");
    assert_eq!(message, format!("{DAYS}: duplicate code `01`"));
}

#[test]
fn a_duplicate_identifier_is_refused() {
    let (error, message) = refused("code_table_basic", |root| {
        edit_file(root, DAYS, r#""id": "Monday""#, r#""id": "Sunday""#)
    });
    assert!(matches!(error, Error::Spec(_)), "{error:?}");
    assert_eq!(message, format!("{DAYS}: duplicate identifier `Sunday`"));
}

#[test]
fn a_lower_case_identifier_is_refused() {
    let (error, message) = refused("code_table_basic", |root| {
        edit_file(root, DAYS, r#""id": "Friday""#, r#""id": "friday""#)
    });
    assert!(matches!(error, Error::Spec(_)), "{error:?}");
    assert!(
        message.starts_with(&format!("{DAYS}: identifier `friday`")),
        "{message}"
    );
}

#[test]
fn the_reserved_identifier_unknown_is_refused() {
    let (_, message) = refused("code_table_basic", |root| {
        edit_file(root, DAYS, r#""id": "Friday""#, r#""id": "Unknown""#)
    });
    assert!(
        message.starts_with(&format!("{DAYS}: identifier `Unknown`")),
        "{message}"
    );
}

#[test]
fn a_table_named_unlike_its_file_is_refused() {
    let (_, message) = refused("code_table_basic", |root| {
        edit_file(
            root,
            DAYS,
            r#""table": "fixture-occurrence-day""#,
            r#""table": "fixture-day""#,
        )
    });
    assert!(
        message.starts_with(&format!("{DAYS}: table name `fixture-day`")),
        "{message}"
    );
}

#[test]
fn a_table_for_a_crate_no_api_uses_is_refused() {
    let (_, message) = refused("code_table_basic", |root| {
        edit_file(
            root,
            DAYS,
            r#""crate": "iryo-fixture-codes""#,
            r#""crate": "iryo-other-codes""#,
        )
    });
    assert!(
        message.starts_with(&format!("{DAYS}: crate `iryo-other-codes`")),
        "{message}"
    );
}

#[test]
fn an_integer_table_with_a_non_integer_code_is_refused() {
    let table = "specs/codes/fixture-bed-state.json";
    let (_, message) = refused("code_table_integer_wire", |root| {
        edit_file(root, table, r#""code": "9""#, r#""code": "9a""#)
    });
    assert_eq!(
        message,
        format!("{table}: integer table with non-integer code `9a`")
    );
}

#[test]
fn a_code_table_reference_to_a_missing_table_is_refused() {
    let case = "code_table_property";
    let spec = format!("specs/{case}/openapi.yaml");
    let (error, message) = refused(case, |root| {
        edit_file(
            root,
            &spec,
            "x-iryo-code-table: fixture-visit-kind\n",
            "x-iryo-code-table: fixture-visit-sort\n",
        )
    });
    assert!(matches!(error, Error::Spec(_)), "{error:?}");
    assert_eq!(
        message,
        format!("{spec}: x-iryo-code-table `fixture-visit-sort` has no table file")
    );
}

#[test]
fn an_event_body_naming_an_undefined_schema_is_refused() {
    let case = "event_bodies_enum";
    let spec = format!("specs/{case}/openapi.yaml");
    let (error, message) = refused(case, |root| {
        edit_file(
            root,
            &spec,
            "schema: MealOrderedBody",
            "schema: MealServedBody",
        )
    });
    assert!(matches!(error, Error::Spec(_)), "{error:?}");
    assert_eq!(
        message,
        format!("{spec}: event body schema `MealServedBody` is not defined")
    );
}

#[test]
fn an_event_alias_that_repeats_an_event_name_is_refused() {
    let case = "event_bodies_enum";
    let spec = format!("specs/{case}/openapi.yaml");
    let (_, message) = refused(case, |root| {
        edit_file(
            root,
            &spec,
            "aliases: [bed_asigned]",
            "aliases: [meal_ordered]",
        )
    });
    assert_eq!(
        message,
        format!("{spec}: event name `meal_ordered` listed twice")
    );
}

#[test]
fn an_unknown_api_name_is_refused() {
    let error = codegen::render(&crate::common::workspace_root(), Some("no-such-api"))
        .expect_err("unknown API");
    assert!(
        matches!(error, Error::UnknownApi(ref name, _) if name == "no-such-api"),
        "{error:?}"
    );
}

/// Known generator bug: two schemas whose Rust names coincide (`order-item` and `OrderItem`)
/// are both rendered as `pub struct OrderItem`, which does not compile (E0428). The generator
/// should refuse them (or apply a rename from rust.yaml) instead.
#[test]
fn schemas_with_the_same_rust_name_are_refused() {
    let case = "name_clash";
    let spec = format!("specs/{case}/openapi.yaml");
    let (_, message) = refused(case, |root| {
        edit_file(
            root,
            &spec,
            "components:\n  schemas:\n",
            "components:\n  schemas:\n    order:\n      description: Clashes with Order.\n      type: object\n",
        )
    });
    assert!(message.contains("Order"), "{message}");
}
