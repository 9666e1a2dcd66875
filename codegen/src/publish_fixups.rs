//! `dist/specs/FIXUPS.md`: one index of every API's fixups, each name linked to its entry in
//! `<api>/FIXUPS.md`, with the entry's **Spec:** line, so a reader sees every decision in one place.

use std::fmt::Write as _;

/// The index, from each API's name and its `FIXUPS.md` text, in the given order.
pub(crate) fn render(apis: &[(String, String)]) -> String {
    let mut out = String::from(
        "# Fixups, every API\n\n\
         Where an upstream document is ambiguous or contradicts itself, the spec decides, and the decision is named\n\
         in `<api>/FIXUPS.md` (what the document says, what the spec says, why, the evidence) and marked on the spec\n\
         element (`x-iryo-fixup`, or `<iryo:fixup>` in the XSD). This index is rendered from those files by\n\
         `cargo xtask publish-specs`.\n",
    );
    for (api, text) in apis {
        let entries = entries(text);
        let _ = write!(out, "\n## {api} ({} fixups)\n\n", entries.len());
        for (name, spec) in entries {
            let _ = write!(out, "- [`{name}`]({api}/FIXUPS.md#{name})");
            if !spec.is_empty() {
                let _ = write!(out, ": {spec}");
            }
            out.push('\n');
        }
    }
    out
}

/// `(name, first sentence of its **Spec:** item)` for every `## name` heading.
fn entries(text: &str) -> Vec<(String, String)> {
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut in_spec = false;
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("## ") {
            entries.push((name.trim().to_owned(), String::new()));
            in_spec = false;
        } else if let Some(rest) = line.trim_start().strip_prefix("- **Spec:**") {
            in_spec = true;
            append(&mut entries, rest);
        } else if in_spec && line.starts_with("  ") && !line.trim_start().starts_with("- ") {
            append(&mut entries, line);
        } else {
            in_spec = false;
        }
    }
    for (_, spec) in &mut entries {
        *spec = first_sentence(spec);
    }
    entries
}

fn append(entries: &mut [(String, String)], text: &str) {
    if let Some((_, spec)) = entries.last_mut() {
        if !spec.is_empty() {
            spec.push(' ');
        }
        spec.push_str(text.trim());
    }
}

/// Up to the first ". " (or the whole text), so each index line stays one sentence.
fn first_sentence(text: &str) -> String {
    match text.find(". ") {
        Some(end) => text[..=end].to_owned(),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_heading_becomes_a_linked_line_with_its_spec_sentence() {
        let text = "# Fixups\n\nintro\n\n## one-thing\n- **Document:** says x.\n- **Spec:** we do y,\n  \
                    on two lines. Then more.\n- **Why:** because.\n\n## other\n- **Why:** no spec line.\n";
        let index = super::render(&[("orca".to_owned(), text.to_owned())]);
        assert!(index.contains("## orca (2 fixups)"), "{index}");
        assert!(
            index.contains("- [`one-thing`](orca/FIXUPS.md#one-thing): we do y, on two lines.\n"),
            "{index}"
        );
        assert!(
            index.contains("- [`other`](orca/FIXUPS.md#other)\n"),
            "{index}"
        );
    }
}
