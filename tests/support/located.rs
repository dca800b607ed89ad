//! The one check of located YAML errors, shared by the catalogues of broken
//! sessions and configs: exactly the expected problems, in order, each at
//! its line, naming its file, with its key words and what is allowed.

use mixbridge::yaml::Errors;

/// `errors` (from reading `text` as `file_name`) must be exactly `want`:
/// (line, words the message contains), in order.
pub fn assert_located(errors: &Errors, text: &str, file_name: &str, want: &[(usize, &[&str])]) {
    let shown = errors.to_string();
    assert_eq!(
        errors.0.len(),
        want.len(),
        "wrong number of problems for\n{text}\ngot:\n{shown}"
    );
    for (got, (line, words)) in errors.0.iter().zip(want) {
        assert_eq!(got.line, *line, "wrong line for\n{text}\ngot:\n{shown}");
        assert!(got.column >= 1, "{got}");
        assert!(got.file.ends_with(file_name), "{got}");
        for w in *words {
            assert!(got.message.contains(w), "`{w}` missing from: {got}");
        }
        let hint = ["allowed", "expected", "missing key"]
            .iter()
            .any(|h| got.message.contains(h));
        assert!(hint, "says nothing of what is allowed: {got}");
        assert!(
            got.to_string()
                .contains(&format!("{file_name}:{}:{}: ", got.line, got.column)),
            "{got}"
        );
    }
}
