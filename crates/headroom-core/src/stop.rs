//! When work stops (twin of the JS engine's `stop.ts`): a deadline and a cancel flag, and a cheap
//! check for long loops. A batch asks `Stop::reached` before each block; the tokenizer (and any
//! compressor) asks a `Watch` inside its loops, which reads the clock only once per
//! `WATCH_UNITS` units of work, so a loop can call it every step.

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
}
