//! The name of an artifact, checked once where it is read.
use std::fmt;
use std::ops::Deref;

/// The name of a function, extension or layer, under Lambda's rule for function names: letters,
/// digits, `-` and `_`, 1 to 64 characters. Every artifact's name follows it, because names become
/// file and directory names in the output (`<arch>/<name>.zip`, `extensions/<name>`): anything
/// else could escape the output directory or clash.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(String);

impl Name {
    /// The name, or why it cannot name an artifact.
    pub fn new(name: &str) -> Result<Name, &'static str> {
        if name.is_empty() {
            Err("it is empty")
        } else if name.len() > 64 {
            Err("it is longer than 64 characters")
        } else if !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            Err("only letters, digits, `-` and `_` are allowed, so that it stays one file name")
        } else {
            Ok(Name(name.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl AsRef<std::path::Path> for Name {
    fn as_ref(&self) -> &std::path::Path {
        self.0.as_ref()
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Name> for String {
    fn from(name: Name) -> String {
        name.0
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

#[cfg(test)]
mod tests {
    use super::Name;

    #[test]
    fn names_follow_lambdas_alphabet() {
        for good in ["greeter", "orders-py", "audit_log", "A1", &"x".repeat(64)] {
            assert_eq!(Name::new(good).map(String::from), Ok(good.to_string()));
        }
        for bad in [
            "",
            "../../x",
            "a/b",
            ".",
            "..",
            "a.b",
            "caf\u{e9}",
            &"x".repeat(65),
        ] {
            assert!(Name::new(bad).is_err(), "{bad}");
        }
    }
}
