//! Work spread over threads: zipping, hashing and verifying artifacts (a thread per core), and
//! builds in lanes (one thread a lane: the builds of one architecture, which share a target
//! directory, run one after another; different architectures run side by side).
use std::sync::Mutex;

/// How many cores this process may use (1 when the system cannot say).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Applies `f` to every item on up to one thread per core and returns the results in input order.
pub fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = cores().min(items.len());
    if threads <= 1 {
        return items.into_iter().map(f).collect();
    }
    let count = items.len();
    let queue = Mutex::new(items.into_iter().enumerate());
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..count).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                    let Some((index, item)) = next else { break };
                    let result = f(item);
                    results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(result);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

/// Runs `f` on every item, the items of one lane (same `lane_of`) one after another in input order
/// and the lanes side by side, one thread each (one after another when `sequential`). A lane stops
/// at its first error; the others go on, so that a failure is reported with what it interrupted.
/// The results come back in input order, `None` for an item its lane never reached.
pub fn lanes<T: Sync, K: PartialEq, U: Send, E: Send>(
    items: &[T],
    lane_of: impl Fn(&T) -> K,
    sequential: bool,
    f: impl Fn(&T) -> Result<U, E> + Sync,
) -> Vec<Option<Result<U, E>>> {
    let mut keys: Vec<K> = Vec::new();
    let mut lanes: Vec<Vec<usize>> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let key = lane_of(item);
        match keys.iter().position(|k| *k == key) {
            Some(lane) => lanes[lane].push(index),
            None => {
                keys.push(key);
                lanes.push(vec![index]);
            }
        }
    }
    let results: Mutex<Vec<Option<Result<U, E>>>> =
        Mutex::new((0..items.len()).map(|_| None).collect());
    let run_lane = |lane: &[usize]| -> bool {
        for &index in lane {
            let result = f(&items[index]);
            let failed = result.is_err();
            results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(result);
            if failed {
                return false;
            }
        }
        true
    };
    if sequential || lanes.len() <= 1 {
        for lane in &lanes {
            if !run_lane(lane) {
                break;
            }
        }
    } else {
        std::thread::scope(|scope| {
            for lane in &lanes {
                scope.spawn(|| run_lane(lane));
            }
        });
    }
    results.into_inner().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    #[test]
    fn lanes_run_side_by_side_and_keep_each_lanes_order() {
        // Each item of lane "a" waits until lane "b" has started: only side by side can it finish.
        let items = [("a", 1), ("b", 2), ("a", 3), ("b", 4)];
        let log = Mutex::new(Vec::new());
        let results = super::lanes(
            &items,
            |(lane, _)| *lane,
            false,
            |(lane, n)| {
                if *lane == "a" {
                    for _ in 0..500 {
                        if log.lock().unwrap().iter().any(|(l, _)| *l == "b") {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(2));
                    }
                }
                log.lock().unwrap().push((*lane, *n));
                Ok::<_, ()>(n * 10)
            },
        );
        assert_eq!(
            results,
            vec![Some(Ok(10)), Some(Ok(20)), Some(Ok(30)), Some(Ok(40))]
        );
        let log = log.into_inner().unwrap();
        let order = |lane| {
            log.iter()
                .filter(|(l, _)| *l == lane)
                .map(|(_, n)| *n)
                .collect::<Vec<_>>()
        };
        assert_eq!(order("a"), [1, 3]);
        assert_eq!(order("b"), [2, 4]);
        assert_eq!(
            log.first().map(|(l, _)| *l),
            Some("b"),
            "lane a waited for lane b"
        );
    }

    #[test]
    fn a_lane_stops_at_its_first_error_and_the_others_go_on() {
        let items = [("a", 1), ("b", 2), ("a", 3), ("b", 4)];
        let results = super::lanes(
            &items,
            |(lane, _)| *lane,
            false,
            |(lane, n)| match *lane {
                "a" => Err(*n),
                _ => Ok(*n),
            },
        );
        assert_eq!(results, vec![Some(Err(1)), Some(Ok(2)), None, Some(Ok(4))]);
    }

    #[test]
    fn sequential_lanes_stop_the_run_at_the_first_error() {
        let items = [("a", 1), ("b", 2), ("a", 3)];
        let results = super::lanes(
            &items,
            |(lane, _)| *lane,
            true,
            |(lane, n)| match *lane {
                "a" if *n == 1 => Err(*n),
                _ => Ok(*n),
            },
        );
        assert_eq!(results, vec![Some(Err(1)), None, None]);
    }

    #[test]
    fn results_keep_the_input_order() {
        let squares = super::map((0..100u64).collect(), |n| n * n);
        assert_eq!(squares, (0..100u64).map(|n| n * n).collect::<Vec<_>>());
    }
}
