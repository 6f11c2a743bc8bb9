//! Lambda's runtime lifecycle: the day each runtime is deprecated (no more security patches), the
//! day Lambda stops creating functions on it, and the day it stops updating them (a deploy of new
//! code then fails).
use super::Runtime;
use std::fmt;

/// A calendar day (UTC), as Lambda's table gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day {
    year: u16,
    month: u8,
    day: u8,
}

impl Day {
    const fn new(year: u16, month: u8, day: u8) -> Day {
        Day { year, month, day }
    }

    /// `2026-12-07`, when it is a day.
    pub fn parse(text: &str) -> Option<Day> {
        let mut parts = text.trim().splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let month = parts
            .next()?
            .parse()
            .ok()
            .filter(|m| (1..=12).contains(m))?;
        let day = parts
            .next()?
            .parse()
            .ok()
            .filter(|d| (1..=31).contains(d))?;
        Some(Day::new(year, month, day))
    }

    /// Today, in UTC.
    pub fn today() -> Day {
        let date = time::OffsetDateTime::now_utc().date();
        Day::new(date.year() as u16, date.month() as u8, date.day())
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A runtime's deprecation and block dates; `None` where Lambda has published none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifecycle {
    pub deprecated: Day,
    pub block_create: Option<Day>,
    pub block_update: Option<Day>,
}

/// Lambda's dates for the runtimes this tool packages for, by runtime identifier.
/// Source: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html ("Supported runtimes"
/// and "Deprecated runtimes"), read 2026-12-07. Only runtimes with a published deprecation date are
/// listed (python3.11 to python3.14 and provided.al2023 have none near yet). python3.9's block dates
/// were moved by AWS once already (from early 2026); check the page when they near.
const LIFECYCLES: [(&str, Lifecycle); 3] = [
    (
        "python3.9",
        Lifecycle {
            deprecated: Day::new(2025, 12, 15),
            block_create: Some(Day::new(2027, 2, 1)),
            block_update: Some(Day::new(2027, 3, 3)),
        },
    ),
    (
        "python3.10",
        Lifecycle {
            deprecated: Day::new(2026, 10, 31),
            block_create: Some(Day::new(2026, 11, 30)),
            block_update: None,
        },
    ),
    (
        "provided.al2",
        Lifecycle {
            deprecated: Day::new(2026, 6, 30),
            block_create: None,
            block_update: None,
        },
    ),
];

/// Where a runtime stands on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Supported,
    /// Deprecated: functions still deploy (creating new ones may be blocked already).
    Deprecated(Lifecycle),
    /// Past its block-update date: Lambda refuses new code for its functions.
    UpdateBlocked(Lifecycle),
}

impl Runtime {
    /// Its dates, when Lambda has announced its deprecation.
    pub fn lifecycle(self) -> Option<Lifecycle> {
        let name = self.to_string();
        LIFECYCLES
            .iter()
            .find(|(runtime, _)| *runtime == name)
            .map(|(_, lifecycle)| *lifecycle)
    }

    /// Where it stands on `day`.
    pub fn stage(self, day: Day) -> Stage {
        match self.lifecycle() {
            Some(l) if l.block_update.is_some_and(|blocked| blocked <= day) => {
                Stage::UpdateBlocked(l)
            }
            Some(l) if l.deprecated <= day => Stage::Deprecated(l),
            _ => Stage::Supported,
        }
    }
}

impl Runtime {
    /// The runtime to move to from this one: the newest of the same kind.
    pub fn successor(self) -> Runtime {
        match self {
            Runtime::Os(_) => Runtime::Os(super::OsRuntime::ProvidedAl2023),
            Runtime::Python(_) => Runtime::Python(super::PythonVersion::recommended()),
        }
    }
}

impl Lifecycle {
    /// `deprecated on 2025-12-15, creating functions blocked from 2027-02-01, updating them from
    /// 2027-03-03`.
    pub fn describe(&self) -> String {
        let mut text = format!("deprecated on {}", self.deprecated);
        if let Some(day) = self.block_create {
            text.push_str(&format!(", creating functions blocked from {day}"));
        }
        if let Some(day) = self.block_update {
            text.push_str(&format!(", updating them from {day}"));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OsRuntime, PythonVersion};

    #[test]
    fn runtimes_move_through_their_stages_on_their_days() {
        let py39 = PythonVersion::new(9).unwrap().runtime();
        let day = |text| Day::parse(text).unwrap();
        assert_eq!(py39.stage(day("2025-12-14")), Stage::Supported);
        assert!(matches!(
            py39.stage(day("2026-12-07")),
            Stage::Deprecated(_)
        ));
        assert!(matches!(
            py39.stage(day("2027-03-03")),
            Stage::UpdateBlocked(_)
        ));
        let al2 = Runtime::Os(OsRuntime::ProvidedAl2);
        assert!(matches!(al2.stage(day("2026-12-07")), Stage::Deprecated(_)));
        let py313 = PythonVersion::new(13).unwrap().runtime();
        assert_eq!(py313.stage(day("2026-12-07")), Stage::Supported);
        assert_eq!(
            py39.lifecycle().unwrap().describe(),
            "deprecated on 2025-12-15, creating functions blocked from 2027-02-01, updating them from 2027-03-03"
        );
        assert_eq!(Day::parse("2026-13-01"), None);
        assert_eq!(day("2026-12-07").to_string(), "2026-12-07");
    }
}
