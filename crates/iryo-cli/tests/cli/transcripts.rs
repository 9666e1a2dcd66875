//! The docs' sessions run as written. Every ```` ```console ```` block of the README, the crate
//! pages and `docs/` is a transcript: `$ ` lines are commands (a trailing `\` continues one), the
//! lines below each are its output (stdout and stderr), where a line `...` stands for any lines
//! and `[..]` for any text within a line. One file's blocks run in order in one bash session
//! (variables, the folder and background jobs carry over), against one `iryo mock` started here on
//! free ports: the docs' ports (8000, 8183, 8182) are swapped for those in commands, and back in
//! the output. Every command must exit 0.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const SESSION_DEADLINE: Duration = Duration::from_secs(120);
/// The docs' ports of `iryo mock`'s three servers, in the order of its banner.
const DOC_PORTS: [(&str, u16); 3] = [("ORCA ", 8000), ("hiyari ", 8183), ("PLAT ", 8182)];
const START: char = '\u{1e}';
const END: char = '\u{1f}';

struct Transcript {
    file: String,
    commands: Vec<(String, Vec<String>)>,
}

#[test]
fn every_console_session_in_the_docs_runs_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let transcripts = transcripts(&root);
    let files: Vec<&str> = transcripts.iter().map(|t| t.file.as_str()).collect();
    // The README's "try it" session is one of them, so the scan itself cannot pass empty.
    assert!(files.contains(&"README.md"), "found sessions in {files:?}");
    for transcript in &transcripts {
        run(transcript);
    }
}

/// The markdown files that may hold sessions: README.md, crates/*/README.md, docs/*.md.
fn markdown_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![root.join("README.md")];
    for folder in ["crates", "docs"] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(root.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| if p.is_dir() { p.join("README.md") } else { p })
            .filter(|p| p.extension().is_some_and(|e| e == "md") && p.is_file())
            .collect();
        found.sort();
        files.extend(found);
    }
    files
}

fn transcripts(root: &Path) -> Vec<Transcript> {
    let mut out = Vec::new();
    for path in markdown_files(root) {
        let text = std::fs::read_to_string(&path).unwrap();
        let commands = parse(&text);
        if !commands.is_empty() {
            let file = path.strip_prefix(root).unwrap().display().to_string();
            out.push(Transcript { file, commands });
        }
    }
    out
}

/// The commands and expected outputs of every console block of one file, in order.
fn parse(markdown: &str) -> Vec<(String, Vec<String>)> {
    let mut commands: Vec<(String, Vec<String>)> = Vec::new();
    let mut in_console = false;
    let mut continuing = false;
    let mut here_doc: Option<String> = None;
    for line in markdown.lines() {
        if !in_console {
            in_console = line.trim_end() == "```console";
            continue;
        }
        if let Some(end) = &here_doc {
            let (command, _) = commands.last_mut().unwrap();
            command.push('\n');
            command.push_str(line);
            if line == end {
                here_doc = None;
            }
        } else if line.starts_with("```") {
            in_console = false;
        } else if continuing {
            let (command, _) = commands.last_mut().unwrap();
            command.push('\n');
            command.push_str(line);
            continuing = line.ends_with('\\');
        } else if let Some(command) = line.strip_prefix("$ ") {
            commands.push((command.to_owned(), Vec::new()));
            continuing = command.ends_with('\\');
            here_doc = here_doc_end(command);
        } else if let Some((_, output)) = commands.last_mut() {
            output.push(line.to_owned());
        }
    }
    commands
}

/// The word that ends a here-document the command opens (`<<'EOF'` or `<<EOF`): the lines up
/// to it belong to the command, not to its output.
fn here_doc_end(command: &str) -> Option<String> {
    let (_, after) = command.split_once("<<")?;
    let word = after.split_whitespace().next()?;
    Some(word.trim_matches(['\'', '"']).to_owned()).filter(|w| !w.is_empty())
}

/// A child killed with its process group when dropped (background jobs of the session too).
struct Group(Child);

impl Drop for Group {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.wait();
    }
}

fn spawn_in_group(command: &mut Command) -> Group {
    use std::os::unix::process::CommandExt;
    Group(command.process_group(0).spawn().unwrap())
}

/// `iryo mock` on free ports, on the machine's clock; the docs' port for each port it took.
fn start_mock() -> (Group, BTreeMap<u16, u16>) {
    let mut mock = spawn_in_group(
        Command::new(env!("CARGO_BIN_EXE_iryo"))
            .args(["mock", "--orca-system-clock"])
            .args(["--orca-port", "0", "--hiyari-port", "0", "--plat-port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .stdin(Stdio::null()),
    );
    let stdout = mock.0.stdout.take().unwrap();
    let (lines, banner) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    let mut ports = BTreeMap::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while ports.len() < DOC_PORTS.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = banner.recv_timeout(left).expect("iryo mock's banner");
        for (name, doc_port) in DOC_PORTS {
            if let Some(rest) = line.strip_prefix(name) {
                let url = rest.split_whitespace().next().unwrap();
                let port = url.rsplit(':').next().unwrap().split('/').next().unwrap();
                ports.insert(doc_port, port.parse().unwrap());
            }
        }
    }
    (mock, ports)
}

fn run(transcript: &Transcript) {
    let (_mock, ports) = start_mock();
    let folder = tempfile::tempdir().unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_iryo")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let mut script = String::new();
    for (index, (command, _)) in transcript.commands.iter().enumerate() {
        // A comment alone is not a command: bash refuses an empty `{ }`.
        let command = match command.trim_start().starts_with('#') {
            true => ":".to_owned(),
            false => swap_ports(command, &ports, true),
        };
        script.push_str(&format!(
            "printf '{START}%d\\n' {index}\n{{ {command}\n}} 2>&1\nprintf '{END}%d %d\\n' {index} $?\n"
        ));
    }
    let mut session = spawn_in_group(
        Command::new("bash")
            .args(["--noprofile", "--norc", "-c", &script])
            .current_dir(folder.path())
            .env("PATH", path)
            .env("HOME", folder.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit()),
    );
    let mut stdout = session.0.stdout.take().unwrap();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        let _ = done.send(text);
    });
    // The session ends when bash does; its background jobs (a receiver, a watcher) still hold the
    // output open, so they are killed with the group before the output is read to its end.
    let deadline = Instant::now() + SESSION_DEADLINE;
    while session.0.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "{}: the session did not end within {SESSION_DEADLINE:?}",
            transcript.file
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(session);
    let output = finished
        .recv_timeout(Duration::from_secs(10))
        .expect("the output ends once the session's group is killed");
    let output = swap_ports(&output, &ports, false);
    for (index, (command, expected)) in transcript.commands.iter().enumerate() {
        let expected = without_trailing_blank_lines(expected);
        let (printed, status) = segment(&output, index).unwrap_or_else(|| {
            panic!(
                "{}: `$ {command}` did not run; the session printed:\n{output}",
                transcript.file
            )
        });
        assert_eq!(
            status,
            0,
            "{}: `$ {command}` exited {status}; it printed:\n{}",
            transcript.file,
            printed.join("\n")
        );
        assert!(
            matches(expected, &printed),
            "{}: `$ {command}` printed\n{}\nbut the doc says\n{}",
            transcript.file,
            printed.join("\n"),
            expected.join("\n")
        );
    }
}

/// A blank line after a command's output only separates it from the next command.
fn without_trailing_blank_lines(lines: &[String]) -> &[String] {
    let kept = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(0, |i| i + 1);
    &lines[..kept]
}

/// The docs' ports for the mock's (`to_mock`), or back.
fn swap_ports(text: &str, ports: &BTreeMap<u16, u16>, to_mock: bool) -> String {
    let mut text = text.to_owned();
    for (doc, mock) in ports {
        let (from, to) = if to_mock { (doc, mock) } else { (mock, doc) };
        text = text.replace(&format!("127.0.0.1:{from}"), &format!("127.0.0.1:{to}"));
    }
    text
}

/// What command `index` printed, and its exit status.
fn segment(output: &str, index: usize) -> Option<(Vec<String>, i32)> {
    let start = format!("{START}{index}\n");
    let end = format!("{END}{index} ");
    let from = output.find(&start)? + start.len();
    let to = from + output[from..].find(&end)?;
    let status = output[to + end.len()..]
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()?;
    let printed = output[from..to].lines().map(str::to_owned).collect();
    Some((printed, status))
}

/// `expected` against `printed`: `...` is any lines, `[..]` any text within a line.
fn matches(expected: &[String], printed: &[String]) -> bool {
    match expected.split_first() {
        None => printed.is_empty(),
        Some((first, rest)) if first.trim() == "..." => {
            (0..=printed.len()).any(|skip| matches(rest, &printed[skip..]))
        }
        Some((first, rest)) => printed.split_first().is_some_and(|(line, others)| {
            line_matches(first.trim_end(), line.trim_end()) && matches(rest, others)
        }),
    }
}

fn line_matches(pattern: &str, line: &str) -> bool {
    let mut parts = pattern.split("[..]");
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = line.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    for (i, part) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            return rest.ends_with(part);
        }
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.is_empty()
}

#[test]
fn the_matcher_takes_wildcards_and_refuses_differences() {
    let lines = |text: &str| -> Vec<String> { text.lines().map(str::to_owned).collect() };
    assert!(matches(&lines("a\n...\nd"), &lines("a\nb\nc\nd")));
    assert!(matches(&lines("a[..]c"), &lines("abbbc")));
    assert!(matches(&lines("..."), &[]));
    assert!(!matches(&lines("a\nd"), &lines("a\nb\nd")));
    assert!(!matches(&lines("a[..]c"), &lines("abbbd")));
    assert!(!matches(&lines("a"), &lines("a\nb")));
    let parsed = parse(
        "text\n```console\n$ echo a \\\n  b\na b\n$ cat <<'X'\n$ x\nX\n$ x\n$ true\n```\n```sh\n$ no\n```\n",
    );
    assert_eq!(
        parsed,
        vec![
            ("echo a \\\n  b".to_owned(), vec!["a b".to_owned()]),
            ("cat <<'X'\n$ x\nX".to_owned(), vec![]),
            ("x".to_owned(), vec![]),
            ("true".to_owned(), vec![]),
        ]
    );
}
