//! `--help` documents exit codes and shows a worked example for every command.

use crate::common::iryo;

#[test]
fn every_command_shows_an_example_and_the_exit_codes() {
    let top = iryo(&["--help"]).run();
    assert_eq!(top.code, 0);
    assert!(
        top.stdout.contains("Exit codes:\n  0  success"),
        "{}",
        top.stdout
    );
    assert!(top.stdout.contains("  4  bad input"), "{}", top.stdout);
    for command in [
        &["orca", "push-events", "--help"][..],
        &["hiyari", "search", "--help"],
        &["hiyari", "parse", "--help"],
        &["plat", "delete-permission", "--help"],
        &["mock", "--help"],
    ] {
        let help = iryo(command).run();
        assert_eq!(help.code, 0, "{command:?}");
        assert!(
            help.stdout.contains("Example"),
            "{command:?}: {}",
            help.stdout
        );
        assert!(
            help.stdout.contains("Exit codes"),
            "{command:?}: {}",
            help.stdout
        );
    }
}

#[test]
fn a_command_line_that_does_not_parse_is_exit_2() {
    let run = iryo(&["hiyari", "search", "--condition", "maybe"]).run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
}
