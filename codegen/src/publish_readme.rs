//! The bundle's `README.md`: what is where, the codes, the versions, the Shift_JIS rules, the fixups
//! and how to generate clients.

use std::fmt::Write as _;

use crate::code_table::{CodeTable, TableKind, WireType};

/// What the README says about one API.
pub(super) struct ApiSummary {
    pub name: String,
    pub title: String,
    pub version: String,
    /// The published XSD's file name and version, for an API whose answer is XML.
    pub xsd: Option<(String, String)>,
    /// The published AsyncAPI document's version, for an API with a live socket.
    pub asyncapi: Option<String>,
}

pub(super) fn render(version: &str, apis: &[ApiSummary], tables: &[CodeTable]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "# iryo specs {version}

Machine-readable specs of Japanese healthcare web APIs, published by the iryo project for use from any
language: OpenAPI 3.0 documents, an XSD for the XML answer, code tables, the upstream documents' samples, and
notes on every place where the spec decides what the upstream document leaves open. Everything in this folder
is written by `{command}` from `specs/` of the iryo repository; do not edit it here.

## What is where

| path | what |
|---|---|
",
        command = super::PUBLISH_COMMAND
    );
    for api in apis {
        let _ = writeln!(
            out,
            "| `{name}/openapi.yaml`, `{name}/openapi.json` | {title}: OpenAPI 3.0.3, spec version {version} (the same document twice) |",
            name = api.name,
            title = api.title,
            version = api.version
        );
        if let Some((file, xsd_version)) = &api.xsd {
            let _ = writeln!(
                out,
                "| `{name}/{file}` | XSD 1.0 of its XML answer, schema version {xsd_version}, strict (see below) |",
                name = api.name
            );
        }
        if let Some(asyncapi_version) = &api.asyncapi {
            let _ = writeln!(
                out,
                "| `{name}/asyncapi.yaml`, `{name}/asyncapi.json` | its live WebSocket: AsyncAPI 3.0, spec version {asyncapi_version}; the event `data` references `openapi.yaml` |",
                name = api.name
            );
        }
    }
    let _ = write!(
        out,
        "| `orca/webhooks.yaml`, `orca/webhooks.json` | what `iryo orca watch --webhook` POSTs to a receiver: OpenAPI 3.1 `webhooks` (headers, Standard Webhooks signature with a worked example, acknowledgement and retry rules); the body references `openapi.yaml` |
| `orca/orca_events.sql` | the PostgreSQL tables `iryo orca watch --postgres` writes (`iryo.orca_events`, `iryo.orca_cursor`, `iryo.schema_version`) |
| `orca/fleet-config.schema.json`, `orca/fleet.example.toml` | the configuration file of `iryo orca fleet` (JSON Schema 2020-12 of the TOML, and an example) |
| `orca/orca_fleet.sql` | the lease tables `iryo orca fleet` replicas share (`iryo.orca_fleet_lease`, `iryo.orca_fleet_replica`) |
| `<api>/FIXUPS.md` | every deviation from, or decision beyond, the upstream document, each under a kebab-case name |
| `hiyari/digest/README.md`, `hiyari/digest/vectors.json` | the report digest iryo keys harvested reports by (`hiyari-report-digest-v1`: canonical JSON, SHA-256), specified for any language, with test vectors |
| `<api>/examples/` | the upstream document's samples and ours, byte for byte (the ORCA and PLAT folders have a README naming each file's source) |
| `codes/<table>.json` | code tables: `rows` of `code` (the wire value), `id` (a neutral ASCII identifier) and `label` (Japanese) |
| `codes/<table>.csv` | the same rows as CSV: UTF-8 without BOM, LF line ends, RFC 4180 quoting, a header line |
| `manifest.json` | every file but itself with its SHA-256, size, source file in the iryo repository (and that file's SHA-256, the digest the generated Rust code's headers carry) and the version of the spec it comes from |

Code tables ({count}):

| table | title | codes | wire | version |
|---|---|---|---|---|
",
        count = tables.len()
    );
    for table in tables {
        let codes = table.entries().map(|e| e.len()).unwrap_or_default();
        let wire = match table.wire {
            WireType::String => "string",
            WireType::Integer => "integer",
        };
        let kind = match table.kind {
            TableKind::List => "",
            TableKind::Tree => " (tree)",
        };
        let _ = writeln!(
            out,
            "| `{name}`{kind} | {title} | {codes} | {wire} | {version} |",
            name = table.table,
            title = table.title.replace('|', "\\|"),
            version = table.version
        );
    }
    out.push_str(BODY);
    out
}

const BODY: &str = r#"
CSV columns: `code,id,label`, then `other_labels` where a code has further labels (separated by `|`), then the
table's extra columns in the order its JSON `columns` declares them (`hiyari-itemcode`: `values`, `element`).
The tree table `hiyari-xml-tag` has `no,level,code,id,label,parent` (`parent` is the parent row's `no`, empty
at the root); a code may appear under several parents, with one `id`.

## Codes in the OpenAPI documents and the XSD

- Every schema, parameter or array item carrying `x-iryo-code-table: <table>` has that table inlined: `enum`
  (the codes; integers for tables whose `wire` is `integer`), `x-enum-varnames` (the `id`s) and
  `x-enum-descriptions` (the Japanese labels), in the same order. A `nullable` schema lists `null` last in
  `enum` (OpenAPI 3.0.3 does not add `null` to an `enum` by itself); it has no name or description.
- The published XSD is the **strict** one: each coded `CODE` attribute, and `ResultSet@status`, has a named
  simple type per table (`<Table>Code`, one `xs:enumeration` per code with an `xs:documentation xml:lang="ja"`
  label), and each coded element a complex type (`<Table>CodeType`). The XSD in the iryo repository keeps `CODE`
  open (`xs:string`), and so do the Rust readers, because servers may send codes newer than these tables. Use
  the strict documents to validate and to generate typed code; in production readers, keep an escape hatch for
  an unknown code.
- Other `x-iryo-*` extensions: `x-iryo-upstream` (the upstream document), `x-iryo-fixup` (a name in
  FIXUPS.md), `x-iryo-event-bodies` (ORCA: which schema `body` has for each `event`), `x-iryo-query-encoding`,
  `x-iryo-xsd` and `x-iryo-response-encoding` (hiyari, below), `x-iryo-source` (the source file and its SHA-256).

## Versions

The bundle version is `<layout>+<digest>`: the layout version (`1.0.0`; the major part changes when files move or
change meaning, the minor part when files are added) and the first 12 hex digits of a SHA-256 over every
published file's path and SHA-256 (README.md with the version left out; manifest.json, derived from the rest,
not at all), so it changes whenever any published byte does. Each spec has its own semver version (OpenAPI `info.version`, the XSD's `version`, each table's
`version`), bumped with a changelog line whenever it changes; `manifest.json` gives it for every file.

## Shift_JIS (薬局ヒヤリ・ハット)

- **Queries** (`hiyari/openapi.yaml`, `x-iryo-query-encoding`): encode each value as Windows-31J (Python
  `cp932`, the WHATWG `Shift_JIS` encoder), then percent-encode every byte that is not an RFC 3986 unreserved
  character (`A-Z a-z 0-9 - . _ ~`), so trail bytes such as `0x5C` travel as `%5C` (`ソ` is `%83%5C`). Before
  encoding, replace U+301C with U+FF5E, U+2016 with U+2225, U+2014 with U+2015, U+00A2 with U+FFE0, U+00A3 with
  U+FFE1 and U+00AC with U+FFE2; refuse anything still not encodable before sending. A POST sends the same bytes
  as an `application/x-www-form-urlencoded` body.
- **Answers** declare `encoding="Shift_JIS"` but are **Windows-31J (CP932)**: texts contain ①, 髙, 﨑 and other
  characters that strict Shift_JIS decoders (Python's `shift_jis`, libxml2's and iconv's `Shift_JIS`) refuse.
  Decode the bytes with `cp932` (Python), `windows-31j` (Java, iconv), or the WHATWG `TextDecoder("shift_jis")`
  (which is Windows-31J), then hand the text to the XML parser with the declaration's encoding replaced (or,
  for libxml2 and `xmllint`, relabel the declaration `windows-31j` and keep the bytes). FIXUPS.md:
  `declared-shift-jis-is-windows-31j`.
- No hit is `status="0"` with `<Error>検索結果が存在しません。</Error>` (fixup `zero-hits-error`); other
  `<Error>`s are failures.

## Fixups

The upstream documents are not always consistent. Each `<api>/FIXUPS.md` entry names a deviation (kebab-case),
says what the document says and where, what the spec says, why, and the evidence. The spec points back with
`x-iryo-fixup: <name>` (OpenAPI, code tables) or `<iryo:fixup>` in `xs:appinfo` (XSD); iryo's tests check both
directions.

## Generating clients

Python (the iryo repository tests these exact commands with the versions pinned in `tools/spec-check/`):

```sh
pip install openapi-python-client "xsdata[cli]"
openapi-python-client generate --path orca/openapi.yaml --output-path orca_client --meta none
openapi-python-client generate --path plat/openapi.yaml --output-path plat_client --meta none
xsdata generate hiyari/response.xsd --package hiyari_xsd
```

```python
from xsdata.formats.dataclass.parsers import XmlParser
from hiyari_xsd import ResultSet

text = body_bytes.decode("cp932")  # Windows-31J, not strict Shift_JIS
text = text.replace('encoding="Shift_JIS"', 'encoding="UTF-8"', 1)
result = XmlParser().from_string(text, ResultSet)
```

TypeScript:

```sh
npm install --save-dev openapi-typescript typescript
npx openapi-typescript orca/openapi.yaml -o orca.ts
npx openapi-typescript plat/openapi.yaml -o plat.ts
```

```ts
import type { components } from "./orca";
type PushErrorCode = components["schemas"]["PushEventError"]["code"]; // "0001" | "0002" | ...
```

Check a download against `manifest.json`: `sha256sum` of each file must equal its `sha256`.
"#;
