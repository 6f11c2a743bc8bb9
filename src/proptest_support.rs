//! Strategies shared by the property tests of the parsers that read users' input (recipes,
//! `[*.metadata.powertools]`, Cargo.toml for `init`). The tests run a bounded number of cases in the
//! normal suite (`PROPTEST_CASES` raises it for a longer run) and assert no panic plus what a
//! successful parse guarantees.
use proptest::prelude::*;
use serde_json::Value;

/// The number of cases: 128 by default, `PROPTEST_CASES` for more.
pub fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|cases| cases.parse().ok())
            .unwrap_or(128),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Strings near what users write: known words (`keys`), placeholders, paths, odd characters.
pub fn near_string(keys: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(keys).prop_map(String::from),
        "[a-z_{}./ -]{0,12}",
        "\\{[a-z_]{0,12}\\}",
        any::<String>(),
        Just(String::new()),
    ]
}

/// JSON values whose object keys are mostly `keys` (so that deep, nearly valid shapes are reached),
/// at most 4 levels deep.
pub fn json_near(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        near_string(keys).prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(near_string(keys), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}
