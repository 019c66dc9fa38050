//! When work stops (twin of the JS engine's `stop.ts`): a deadline and a cancel flag, and a cheap
//! check for long loops. A batch asks `Stop::reached` before each block; the tokenizer asks a
//! `Watch` inside its loops, which reads the clock only once per `WATCH_UNITS` units of work, so a
//! loop can call it every step. The compressors, whose loops are many and deep, call `poll`
//! instead: it looks at the stop of the enclosing `within` and unwinds to it once the stop has come,
//! so a stop needs no path of its own through every compressor's return values.

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// When a batch stops.
#[derive(Clone, Debug, Default)]
pub struct Stop {
    pub deadline: Option<Instant>,
    /// Raised by another thread (the binding's cancel token, from an AbortSignal).
    pub cancel: Option<Arc<AtomicBool>>,
}

impl Stop {
    /// A stop that never comes.
    pub const NEVER: Stop = Stop {
        deadline: None,
        cancel: None,
    };

    pub fn reached(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
            || self
                .cancel
                .as_ref()
                .is_some_and(|c| c.load(Ordering::Relaxed))
    }

    pub fn is_never(&self) -> bool {
        self.deadline.is_none() && self.cancel.is_none()
    }

    /// A check for the loops of one piece of work.
    pub fn watch(&self) -> Watch<'_> {
        Watch {
            stop: self,
            left: WATCH_UNITS,
        }
    }
}

/// The work stopped before it finished: its partial result is to be thrown away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stopped;

/// Units of work (about a byte of input each: a piece, a merge step) between two looks at the
/// clock. The slowest loop the tokenizer has does about 2 MB/s per unit, so a stop is seen within a
/// few milliseconds of work; the fastest does ~200 MB/s, so a look (~25 ns) costs nothing there.
pub const WATCH_UNITS: usize = 8 * 1024;

/// Counts work down to the next look at the stop.
pub struct Watch<'a> {
    stop: &'a Stop,
    left: usize,
}

impl Watch<'_> {
    /// Records `units` of work; `Err(Stopped)` once the stop has come.
    #[inline]
    pub fn tick(&mut self, units: usize) -> Result<(), Stopped> {
        if units < self.left {
            self.left -= units;
            return Ok(());
        }
        self.left = WATCH_UNITS;
        if self.stop.reached() {
            Err(Stopped)
        } else {
            Ok(())
        }
    }
}

thread_local! {
    /// The stop of the innermost `within` running on this thread, and the units left to its next look.
    static CURRENT: RefCell<Option<Stop>> = const { RefCell::new(None) };
    static LEFT: Cell<usize> = const { Cell::new(WATCH_UNITS) };
}

/// Runs `work`, giving up with `Stopped` once `stop` is reached at one of its `poll`s. What `work`
/// changed before it stopped is thrown away with it: it must leave no shared state half-written at a
/// `poll` (the tokenizer's memo is only touched between them). A panic that is not a stop goes on
/// unwinding.
pub fn within<T>(stop: &Stop, work: impl FnOnce() -> T) -> Result<T, Stopped> {
    if stop.is_never() {
        return Ok(work());
    }
    let outer = CURRENT.replace(Some(stop.clone()));
    let out = catch_unwind(AssertUnwindSafe(work));
    CURRENT.set(outer);
    match out {
        Ok(value) => Ok(value),
        Err(payload) if payload.is::<Stopped>() => Err(Stopped),
        Err(payload) => resume_unwind(payload),
    }
}

/// Records `units` of work (about a byte of input each) for the enclosing `within`, unwinding to it
/// once its stop has come. Outside a `within` it costs a thread-local read every `WATCH_UNITS`.
#[inline]
pub fn poll(units: usize) {
    let left = LEFT.get();
    if units < left {
        LEFT.set(left - units);
        return;
    }
    LEFT.set(WATCH_UNITS);
    if CURRENT.with_borrow(|s| s.as_ref().is_some_and(Stop::reached)) {
        stopped();
    }
}

/// The stop of the enclosing `within`, for work that counts with a `Watch` of its own.
pub fn current() -> Stop {
    CURRENT.with_borrow(|s| s.clone().unwrap_or_default())
}

/// Unwinds to the enclosing `within` (without the panic hook: a stop is not a failure).
pub fn stopped() -> ! {
    resume_unwind(Box::new(Stopped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watch_looks_at_the_stop_once_per_batch_of_units() {
        let flag = Arc::new(AtomicBool::new(true));
        let stop = Stop {
            deadline: None,
            cancel: Some(Arc::clone(&flag)),
        };
        let mut watch = stop.watch();
        for _ in 0..WATCH_UNITS - 1 {
            assert_eq!(watch.tick(1), Ok(()));
        }
        assert_eq!(watch.tick(1), Err(Stopped));
        assert_eq!(Stop::NEVER.watch().tick(usize::MAX), Ok(()));
    }

    #[test]
    fn a_past_deadline_is_reached() {
        let stop = Stop {
            deadline: Some(Instant::now()),
            cancel: None,
        };
        assert!(stop.reached());
        assert!(!Stop::NEVER.reached());
        assert!(Stop::NEVER.is_never() && !stop.is_never());
    }

    #[test]
    fn a_poll_unwinds_to_its_within_and_other_panics_go_on() {
        let flag = Arc::new(AtomicBool::new(false));
        let stop = Stop {
            deadline: None,
            cancel: Some(Arc::clone(&flag)),
        };
        let mut polls = 0;
        let out = within(&stop, || {
            for _ in 0..100 {
                polls += 1;
                if polls == 10 {
                    flag.store(true, Ordering::Relaxed);
                }
                poll(WATCH_UNITS);
            }
        });
        assert_eq!(out, Err(Stopped));
        assert_eq!(polls, 10);
        // Outside any `within` a poll never stops, and the stop left with its `within`.
        flag.store(false, Ordering::Relaxed);
        assert!(current().is_never());
        poll(usize::MAX);
        assert_eq!(within(&stop, || 7), Ok(7));
        let other = catch_unwind(|| within(&stop, || resume_unwind(Box::new("not a stop"))));
        assert!(other.is_err_and(|p| p.downcast_ref::<&str>() == Some(&"not a stop")));
    }
}
