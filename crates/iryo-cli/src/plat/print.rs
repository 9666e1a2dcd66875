//! PLAneTs answers printed as JSON lines straight from the typed values: no `serde_json::Value` tree, so an
//! answer costs its own size once more at most, not a hundred times it. Dates come out as ISO 8601 local
//! date-times (the types know which fields are dates: [`IsoDates`]). JSON kept as received (keys the spec does not
//! list) is re-encoded token by token as `serde_json` writes a value: no whitespace, its escapes, its number
//! forms, so the lines are byte for byte those of the `Value`-based printing this replaced.

use std::io::{self, BufWriter, Write};

use iryo_plat::types::{
    Permission, PermissionApproval, PermissionComment, PermissionGroup, PermissionGroupResult,
};
use iryo_plat::{IsoDates, UnknownFields};
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};

use crate::error::CliError;
use crate::output::Stop;

/// One permission group as printed: the API's keys, group first as the document prints it (or the table's
/// spelling `permissonGroup`), then approvals, comments, the keys the spec does not list, and the permissions
/// asked for (PRV_ROL_002/003's answers) last.
#[derive(Serialize)]
pub struct GroupLine<'a> {
    #[serde(rename = "permissionGroup", skip_serializing_if = "Option::is_none")]
    group: Option<&'a PermissionGroup>,
    #[serde(rename = "permissonGroup", skip_serializing_if = "Option::is_none")]
    misspelt_group: Option<&'a PermissionGroup>,
    #[serde(rename = "permissionApproval", skip_serializing_if = "<[_]>::is_empty")]
    approvals: &'a [PermissionApproval],
    #[serde(rename = "permissionComment", skip_serializing_if = "<[_]>::is_empty")]
    comments: &'a [PermissionComment],
    #[serde(flatten)]
    extra: &'a UnknownFields,
    #[serde(rename = "permissionList", skip_serializing_if = "<[_]>::is_empty")]
    permissions: &'a [Permission],
}

impl<'a> GroupLine<'a> {
    /// The group with its `permissionList` (`with_list`) or without it (`delete-permission`, as before).
    pub fn of(result: &'a PermissionGroupResult, with_list: bool) -> Self {
        GroupLine {
            group: result.permission_group.as_ref(),
            misspelt_group: result.permisson_group.as_ref(),
            approvals: &result.permission_approval,
            comments: &result.permission_comment,
            extra: &result.extra,
            permissions: match with_list {
                true => &result.permission_list,
                false => &[],
            },
        }
    }
}

/// Writes `value` (dates as ISO 8601) and a newline.
pub fn write_line(out: &mut impl Write, value: &impl Serialize) -> Result<(), Stop> {
    let mut buffered = BufWriter::with_capacity(64 * 1024, &mut *out);
    let mut serializer = serde_json::Serializer::with_formatter(&mut buffered, Reencoded);
    IsoDates(value)
        .serialize(&mut serializer)
        .map_err(|e| match e.io_error_kind() {
            Some(io::ErrorKind::InvalidData) | None => Stop::Failed(CliError::Transport(format!(
                "the PLAT answer does not encode: {e}"
            ))),
            Some(kind) => Stop::from(io::Error::from(kind)),
        })?;
    buffered.write_all(b"\n")?;
    buffered.flush()?;
    Ok(())
}

/// Compact JSON whose raw fragments are re-encoded rather than copied.
struct Reencoded;

impl Formatter for Reencoded {
    fn write_raw_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        raw: &str,
    ) -> io::Result<()> {
        let mut from = serde_json::Deserializer::from_str(raw);
        let mut to = serde_json::Serializer::with_formatter(writer, CompactFormatter);
        serde_transcode::transcode(&mut from, &mut to)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_json_is_reencoded_as_a_value_would_be() {
        let raw = r#"{"permissionApproval":[{"approvedDatetime":"Oct 7, 2021, 8:02:04 PM","x": [1.0E2, -0, 18446744073709551616, "a\u003db\/c\u00e9"] }], "y" : {"z" :null}}"#;
        let result: PermissionGroupResult = serde_json::from_str(raw).unwrap();
        let mut printed = Vec::new();
        write_line(&mut printed, &GroupLine::of(&result, true)).unwrap();
        // What serde_json's own Value printing gives, dates aside.
        let mut expected: serde_json::Value = serde_json::from_str(raw).unwrap();
        expected["permissionApproval"][0]["approvedDatetime"] = "2021-10-07T20:02:04".into();
        let expected = format!("{}\n", serde_json::to_string(&expected).unwrap());
        assert_eq!(String::from_utf8(printed).unwrap(), expected);
    }
}
