//! typify lists a struct's fields alphabetically; this puts the fields of each component
//! schema's struct back in the order of its `properties` in the spec, so a typed value
//! serialises with the API's key order (no `serde_json::Value` tree needed to print it). Fields
//! the schema does not list (the flattened unknown keys) stay last.

use serde_json::Value;

/// Reorders the fields of the structs in progenitor's `mod types`.
pub(crate) fn restore(file: &mut syn::File, doc: &Value) {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return;
    };
    for item in &mut file.items {
        let syn::Item::Mod(module) = item else {
            continue;
        };
        let Some((_, items)) = module.content.as_mut().filter(|_| module.ident == "types") else {
            continue;
        };
        for item in items {
            let syn::Item::Struct(item) = item else {
                continue;
            };
            let name = rust_key(&item.ident.to_string());
            let order = schemas
                .iter()
                .find(|(schema, _)| rust_key(schema) == name)
                .and_then(|(_, schema)| schema.get("properties"))
                .and_then(Value::as_object);
            if let (Some(order), syn::Fields::Named(fields)) = (order, &mut item.fields) {
                let position = |field: &syn::Field| {
                    let key = field
                        .ident
                        .as_ref()
                        .map(|ident| crate::raw_json::json_name(field, ident));
                    key.and_then(|key| order.keys().position(|name| *name == key))
                        .unwrap_or(usize::MAX)
                };
                let mut sorted: Vec<syn::Field> = fields.named.iter().cloned().collect();
                sorted.sort_by_key(position);
                fields.named = sorted.into_iter().collect();
            }
        }
    }
}

/// A schema or type name as both spell it: `push-event` and `PushEvent` are `pushevent`
/// (the generator refuses specs where two schemas would meet).
fn rust_key(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_follow_the_spec_and_unlisted_ones_stay_last() {
        let doc = serde_json::json!({"components": {"schemas": {"push-data": {"properties": {
            "uuid": {}, "id": {}, "userName": {}
        }}}}});
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct PushData {
                    pub id: u16,
                    #[serde(flatten)]
                    pub extra: Extra,
                    #[serde(rename = "userName")]
                    pub user_name: String,
                    pub uuid: Uuid,
                }
            }
        };
        restore(&mut file, &doc);
        let syn::Item::Mod(module) = &file.items[0] else {
            panic!("no module")
        };
        let syn::Item::Struct(item) = &module.content.as_ref().unwrap().1[0] else {
            panic!("no struct")
        };
        let names: Vec<String> = item
            .fields
            .iter()
            .map(|f| f.ident.as_ref().unwrap().to_string())
            .collect();
        assert_eq!(names, ["uuid", "id", "user_name", "extra"]);
    }
}
