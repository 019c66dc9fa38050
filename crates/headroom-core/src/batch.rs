//! Many blocks in one call (twin of `compressBlocksUntil` in the JS engine's `index.ts`): in
//! order, until a deadline or a cancel flag, large batches on several threads, and a panic
//! confined to its own block. The binding's sync entry runs `compress_until` on the calling
//! thread; its async entry runs it from the thread pool with `Threads::Shared`.

use crate::block::{BlockOptions, BlockResult};
use crate::compress_block_until;
pub use crate::stop::Stop;
use crate::stop::Stopped;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

/// Why a block of a batch passes through without having been compressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The stop condition came before the block, or while it was being worked on.
    Stopped,
    /// The core panicked on the block (a bug); the message of the panic.
    Panic(String),
}

/// Fewest bytes per lane worth a thread of its own: below this a batch runs on one thread.
const LANE_MIN_BYTES: usize = 128 * 1024;
/// Most lanes one batch uses (the libuv pool a binding runs it from has four threads by default).
const MAX_LANES: usize = 4;

/// Whose cores a batch may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Threads {
    /// The caller's thread, which waits anyway, and helpers beside it.
    Caller,
    /// A thread pool shared with other batches (a binding's async tasks): every block takes a
    /// permit from one process-wide budget of all cores but one, so however many tasks run at
    /// once, a core stays free for the thread that started them (Node's event loop).
    Shared,
}

/// Compresses blocks until `stop`, large batches on several threads. The compressed blocks are
/// always a prefix of the batch, as on one thread; the rest come back `Stopped`.
pub fn compress_until(
    inputs: &[(String, BlockOptions)],
    stop: &Stop,
    threads: Threads,
) -> Vec<Result<BlockResult, Failure>> {
    let bytes: usize = inputs.iter().map(|(c, _)| c.len()).sum();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let budget = match threads {
        Threads::Caller => cores,
        Threads::Shared => shared_budget(cores),
    };
    let lanes = budget
        .min(MAX_LANES)
        .min(inputs.len())
        .min(bytes / LANE_MIN_BYTES)
        .max(1);
    let pairs: Vec<(&str, &BlockOptions)> = inputs.iter().map(|(c, o)| (c.as_str(), o)).collect();
    let compress = |content: &str, options: &BlockOptions| match threads {
        Threads::Caller => compress_block_until(content, options, stop),
        Threads::Shared => {
            let _permit = Permit::take(cores, stop)?;
            compress_block_until(content, options, stop)
        }
    };
    run_lanes(&pairs, &|| stop.reached(), &compress, lanes)
}

fn shared_budget(cores: usize) -> usize {
    cores.saturating_sub(1).max(1)
}

/// Blocks being compressed on shared threads, process-wide.
static BUSY: Mutex<usize> = Mutex::new(0);
static FREED: Condvar = Condvar::new();

#[cfg(test)]
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// One of the shared budget's permits, given back when dropped.
struct Permit;

impl Permit {
    /// Waits for a permit, looking at `stop` every few milliseconds while it waits.
    fn take(cores: usize, stop: &Stop) -> Result<Permit, Stopped> {
        let limit = shared_budget(cores);
        let mut busy = BUSY.lock().unwrap_or_else(PoisonError::into_inner);
        while *busy >= limit {
            if stop.reached() {
                return Err(Stopped);
            }
            busy = FREED
                .wait_timeout(busy, Duration::from_millis(5))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *busy += 1;
        #[cfg(test)]
        PEAK.fetch_max(*busy, Ordering::Relaxed);
        Ok(Permit)
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut busy = BUSY.lock().unwrap_or_else(PoisonError::into_inner);
        *busy -= 1;
        FREED.notify_one();
    }
}

type CompressBlock<'a> = dyn Fn(&str, &BlockOptions) -> Result<BlockResult, Stopped> + Sync + 'a;

/// Lanes take blocks in order from one counter and ask `stop` before taking one. A panic is
/// caught per block: a binding's thread pool does not catch panics, so this guard is what keeps
/// one there from taking the process down.
fn run_lanes(
    pairs: &[(&str, &BlockOptions)],
    stop: &(dyn Fn() -> bool + Sync),
    compress: &CompressBlock<'_>,
    lanes: usize,
) -> Vec<Result<BlockResult, Failure>> {
    let next = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    let lane = || {
        let mut done = Vec::new();
        loop {
            if stopped.load(Ordering::Relaxed) || stop() {
                stopped.store(true, Ordering::Relaxed);
                break;
            }
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some((content, options)) = pairs.get(i) else {
                break;
            };
            let out = match catch_unwind(AssertUnwindSafe(|| compress(content, options))) {
                Ok(Ok(result)) => Ok(result),
                Ok(Err(Stopped)) => Err(Failure::Stopped),
                Err(p) => Err(Failure::Panic(panic_message(&*p))),
            };
            done.push((i, out));
        }
        done
    };
    let mut outs: Vec<Option<Result<BlockResult, Failure>>> =
        std::iter::repeat_with(|| None).take(pairs.len()).collect();
    let mut place = |done: Vec<(usize, Result<BlockResult, Failure>)>| {
        for (i, out) in done {
            outs[i] = Some(out);
        }
    };
    if lanes <= 1 {
        place(lane());
    } else {
        std::thread::scope(|s| {
            // A thread the system refuses is a lane fewer; the lanes that run share the work.
            let others: Vec<_> = (1..lanes)
                .filter_map(|_| std::thread::Builder::new().spawn_scoped(s, lane).ok())
                .collect();
            place(lane());
            for h in others {
                // A lane catches every panic of the core itself, so joining cannot fail.
                if let Ok(done) = h.join() {
                    place(done);
                }
            }
        });
    }
    outs.into_iter()
        .map(|o| o.unwrap_or(Err(Failure::Stopped)))
        .collect()
}

/// The message of a caught panic.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        String::from("unknown panic")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compress_block;
    use crate::tokens::{count_tokens, Encoding};
    use std::sync::Arc;
    use std::time::Instant;

    fn unstopped(content: &str, options: &BlockOptions) -> Result<BlockResult, Stopped> {
        Ok(compress_block(content, options))
    }

    #[test]
    fn a_panicking_block_fails_alone() {
        let options = BlockOptions::default();
        let pairs: Vec<(&str, &BlockOptions)> = ["ok", "boom", "fine"]
            .iter()
            .map(|c| (*c, &options))
            .collect();
        let compress = |content: &str, options: &BlockOptions| {
            assert!(content != "boom", "compressor bug");
            unstopped(content, options)
        };
        for lanes in [1, 2] {
            let out = run_lanes(&pairs, &|| false, &compress, lanes);
            assert!(out[0].is_ok());
            assert_eq!(
                out[1].as_ref().err(),
                Some(&Failure::Panic(String::from("compressor bug")))
            );
            assert_eq!(out[2].as_ref().map(|r| r.tokens_before).ok(), Some(1));
        }
    }

    #[test]
    fn lanes_stopped_midway_leave_a_compressed_prefix() {
        let options = BlockOptions::default();
        let texts: Vec<String> = (0..200).map(|i| format!("block {i}")).collect();
        let pairs: Vec<(&str, &BlockOptions)> =
            texts.iter().map(|c| (c.as_str(), &options)).collect();
        for lanes in [1, 2, 4] {
            let asked = AtomicUsize::new(0);
            let stop = || asked.fetch_add(1, Ordering::Relaxed) >= 40;
            let out = run_lanes(&pairs, &stop, &unstopped, lanes);
            let done = out.iter().take_while(|o| o.is_ok()).count();
            assert!((40 - lanes..=40).contains(&done), "{lanes} lanes: {done}");
            assert!(out[done..]
                .iter()
                .all(|o| o.as_ref().err() == Some(&Failure::Stopped)));
            let seven = count_tokens("block 7", Encoding::O200kBase);
            assert_eq!(out[7].as_ref().map(|r| r.tokens_before).ok(), Some(seven));
        }
    }

    #[test]
    fn lanes_give_the_one_thread_results_in_order() {
        let options = BlockOptions {
            min_tokens: 0,
            ..BlockOptions::default()
        };
        let texts: Vec<String> = (0..24)
            .map(|i| format!("10:00:{i:02} INFO worker {i} started\n").repeat(10 + i))
            .collect();
        let pairs: Vec<(&str, &BlockOptions)> =
            texts.iter().map(|c| (c.as_str(), &options)).collect();
        let alone: Vec<BlockResult> = pairs.iter().map(|(c, o)| compress_block(c, o)).collect();
        assert!(alone.iter().all(BlockResult::modified));
        for lanes in [2, 4] {
            let out = run_lanes(&pairs, &|| false, &unstopped, lanes);
            for (o, a) in out.iter().zip(&alone) {
                let o = o.as_ref().map_err(|f| format!("{f:?}"));
                assert_eq!(
                    o.map(|o| (&o.content, o.tokens_after)),
                    Ok((&a.content, a.tokens_after))
                );
            }
        }
    }

    #[test]
    fn a_past_deadline_stops_before_the_first_block() {
        let inputs = vec![(String::from("a"), BlockOptions::default())];
        let past = Stop {
            deadline: Some(Instant::now()),
            cancel: None,
        };
        assert_eq!(
            compress_until(&inputs, &past, Threads::Caller)[0]
                .as_ref()
                .err(),
            Some(&Failure::Stopped)
        );
        for threads in [Threads::Caller, Threads::Shared] {
            assert!(compress_until(&inputs, &Stop::default(), threads)[0].is_ok());
        }
    }

    #[test]
    fn shared_batches_never_run_more_blocks_at_once_than_all_cores_but_one() {
        let options = BlockOptions::default();
        let inputs: Vec<(String, BlockOptions)> = (0..16)
            .map(|i| (format!("{i} INFO ok\n").repeat(20_000), options.clone()))
            .collect();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        std::thread::scope(|s| {
            let batches: Vec<_> = (0..4)
                .map(|_| s.spawn(|| compress_until(&inputs, &Stop::NEVER, Threads::Shared)))
                .collect();
            for b in batches {
                let out = b.join().expect("batch thread");
                assert!(out.iter().all(Result::is_ok));
            }
        });
        assert_eq!(*BUSY.lock().unwrap_or_else(PoisonError::into_inner), 0);
        let peak = PEAK.load(Ordering::Relaxed);
        assert!(
            peak >= 1 && peak <= cores.saturating_sub(1).max(1),
            "{peak} on {cores} cores"
        );
    }

    #[test]
    fn a_raised_cancel_flag_stops() {
        let flag = Arc::new(AtomicBool::new(false));
        let stop = Stop {
            deadline: None,
            cancel: Some(Arc::clone(&flag)),
        };
        assert!(!stop.reached());
        flag.store(true, Ordering::Relaxed);
        assert!(stop.reached());
    }
}
