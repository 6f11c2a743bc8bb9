//! The SAM template `package --sam-template` writes beside the zips: the input template's text with
//! each packaged resource's `CodeUri` / `ContentUri` replaced by the path of its zip, and nothing
//! else changed, so `sam deploy` / `sam package` deploy exactly the verified zips.
use std::ops::Range;
use std::path::PathBuf;

/// What `<out-dir>/template.yaml` is written from.
#[derive(Clone, Debug, PartialEq)]
pub struct SamTemplate {
    /// The template read.
    pub source: PathBuf,
    pub text: String,
    /// Each packaged resource (function or layer, by logical id) and where its code location's
    /// value is in `text`.
    pub code_locations: Vec<(String, Range<usize>)>,
}

/// The file name of the written template in the output directory.
pub const FILE_NAME: &str = "template.yaml";

impl SamTemplate {
    /// The text with the code location of each resource that `zip_of` knows replaced by its zip's
    /// path (relative to the output directory, which is where the template is written); returns it
    /// and the resources left pointing at their folders.
    pub fn rewrite(&self, zip_of: impl Fn(&str) -> Option<String>) -> (String, Vec<String>) {
        let mut locations: Vec<&(String, Range<usize>)> = self.code_locations.iter().collect();
        locations.sort_by_key(|(_, span)| span.start);
        let mut text = String::with_capacity(self.text.len());
        let mut at = 0;
        let mut left = Vec::new();
        for (resource, span) in locations {
            match zip_of(resource) {
                Some(zip) => {
                    text.push_str(&self.text[at..span.start]);
                    text.push_str(&zip);
                    at = span.end;
                }
                None => left.push(resource.clone()),
            }
        }
        text.push_str(&self.text[at..]);
        (text, left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_code_locations_change() {
        let text = "A:\n  CodeUri: src/\n  Layers: [!Ref L]\nL:\n  ContentUri: 'layer/'\n";
        let template = SamTemplate {
            source: PathBuf::from("template.yaml"),
            text: text.into(),
            code_locations: vec![
                (
                    "L".into(),
                    text.find("'layer/'").unwrap()..text.find("'layer/'").unwrap() + 8,
                ),
                (
                    "A".into(),
                    text.find("src/").unwrap()..text.find("src/").unwrap() + 4,
                ),
            ],
        };
        let (written, left) = template.rewrite(|r| (r == "A").then(|| "arm64/A.zip".into()));
        assert_eq!(
            written,
            "A:\n  CodeUri: arm64/A.zip\n  Layers: [!Ref L]\nL:\n  ContentUri: 'layer/'\n"
        );
        assert_eq!(left, ["L"]);
    }
}
