//! What makes a JSON value signal trouble (PRODUCT §4): error-named keys with a present value,
//! non-2xx statuses, `ok: false`-style flags, non-zero exit codes, failing states and messages.
//! A key name signals an error only when its value is present and not null, false, 0 or empty.
//! Numbers written as strings (`"status": "503"`, `"exit_code": "1"`, `"errors": "0"`) count as
//! the numbers they spell.

use super::columns::number_like;
use super::tape::{FxMap, Kind, NONE};
use super::view::View;
use crate::signal::{text_signal, words, Signal};
use std::borrow::Cow;

/// Key words that name an error when the value is present (`error`, `failure_code`, `is_error`).
const ERROR_KEY_WORDS: &[&str] = &[
    "crash",
    "crashed",
    "err",
    "error",
    "errors",
    "exception",
    "exceptions",
    "failed",
    "failure",
    "failures",
    "fatal",
    "fault",
    "faults",
    "panic",
    "stacktrace",
    "traceback",
];

/// Last key words that make an error-named key a setting, not an occurrence
/// (`failureThreshold`, `error_action`, `on_failure_url`).
const SETTING_WORDS: &[&str] = &[
    "action",
    "actions",
    "behavior",
    "behaviour",
    "config",
    "configuration",
    "enabled",
    "handler",
    "handling",
    "interval",
    "limit",
    "limits",
    "mode",
    "ms",
    "period",
    "policies",
    "policy",
    "retries",
    "retry",
    "seconds",
    "strategy",
    "template",
    "threshold",
    "thresholds",
    "timeout",
    "uri",
    "url",
];

/// Last key words whose string value states an outcome (`state: "failed"`, `level: "warn"`).
const STATE_WORDS: &[&str] = &[
    "conclusion",
    "health",
    "level",
    "message",
    "msg",
    "outcome",
    "phase",
    "reason",
    "result",
    "severity",
    "state",
    "status",
    "stderr",
];

/// Keys whose `false` means something failed.
const SUCCESS_KEYS: &[&str] = &[
    "healthy",
    "ok",
    "passed",
    "succeeded",
    "success",
    "successful",
];

fn has(list: &[&str], w: &str) -> bool {
    list.binary_search(&w).is_ok()
}

/// Whether a number's text denotes zero.
fn number_is_zero(text: &str) -> bool {
    let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
    mantissa.bytes().all(|b| matches!(b, b'0' | b'-' | b'.'))
}

/// An integer value 100–599 (a number without fraction or exponent, or a string of three digits).
fn http_status(view: &View, i: u32) -> Option<u32> {
    let text = match view.kind(i) {
        Kind::Number => Cow::Borrowed(view.tape.raw(i)),
        Kind::String => view.string(i),
        _ => return None,
    };
    let b = text.as_bytes();
    if b.len() != 3 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = b.iter().fold(0u32, |v, &d| v * 10 + (d - b'0') as u32);
    (100..600).contains(&v).then_some(v)
}

/// The text of a number, or of a string that spells a plain number.
fn number_text<'t>(view: &View<'t, '_>, i: u32) -> Option<Cow<'t, str>> {
    match view.kind(i) {
        Kind::Number => Some(Cow::Borrowed(view.tape.raw(i))),
        Kind::String => Some(view.string(i)).filter(|s| number_like(s)),
        _ => None,
    }
}

/// Whether a value is present: not null, false, 0 (or "0"), "" or an empty container.
fn present(view: &View, i: u32) -> bool {
    let t = view.tape;
    match view.kind(i) {
        Kind::Null | Kind::False => false,
        Kind::True => true,
        Kind::Number | Kind::String => match number_text(view, i) {
            Some(x) => !number_is_zero(&x),
            None => t.raw(i).len() > 2,
        },
        Kind::Array | Kind::Object => t.nodes[i as usize].count > 0,
    }
}

/// What a key name says about its value, worked out once per distinct key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeyClass {
    /// Names an error (`error`, `failure_code`) and is not a setting: present value = error.
    error: bool,
    /// Has the word `status`, or is a `code`, `http_code` or `response_code`: a non-2xx HTTP
    /// status is a signal.
    status: bool,
    /// `ok`, `success`, …: `false` is an error.
    success: bool,
    /// An exit code: non-zero is an error.
    exit: bool,
    /// States an outcome (`state`, `level`, `message`): the value's words decide.
    state: bool,
}

/// Classifies a key name.
pub fn key_class(key: &str) -> KeyClass {
    let w: Vec<String> = words(key).collect();
    let Some(last) = w.last() else {
        return KeyClass::default();
    };
    let before_last = w.len().checked_sub(2).map(|k| w[k].as_str());
    KeyClass {
        error: w.iter().any(|x| has(ERROR_KEY_WORDS, x)) && !has(SETTING_WORDS, last),
        status: w.iter().any(|x| x == "status" || x == "statuscode")
            || (last == "code"
                && (w.len() == 1 || matches!(before_last, Some("http" | "response")))),
        success: w.len() == 1 && has(SUCCESS_KEYS, last),
        exit: (before_last == Some("exit") && (last == "code" || last == "status"))
            || (before_last == Some("return") && last == "code")
            || (w.len() == 1 && (last == "returncode" || last == "rc")),
        state: has(STATE_WORDS, last),
    }
}

/// The signal of a value under a key of class `class`.
pub fn value_signal<'t>(
    view: &View<'t, '_>,
    i: u32,
    class: KeyClass,
    texts: &mut TextSignals<'t>,
) -> Signal {
    let kind = view.kind(i);
    if class.error && present(view, i) {
        return Signal::Error;
    }
    if class.status {
        if let Some(s) = http_status(view, i) {
            return match s {
                200..=299 => Signal::None,
                400..=599 => Signal::Error,
                _ => Signal::Warning,
            };
        }
    }
    if class.success && kind == Kind::False {
        return Signal::Error;
    }
    if class.exit && number_text(view, i).is_some_and(|x| !number_is_zero(&x)) {
        return Signal::Error;
    }
    if class.state && kind == Kind::String {
        return texts.get(view.string(i));
    }
    Signal::None
}

/// `text_signal` of texts seen before, remembered: states and tags repeat across items.
#[derive(Default)]
pub struct TextSignals<'t>(FxMap<Cow<'t, str>, Signal>);

impl<'t> TextSignals<'t> {
    pub fn get(&mut self, text: Cow<'t, str>) -> Signal {
        // Numbers written as strings (metric samples) have no words and are rarely repeated.
        if number_like(&text) {
            return Signal::None;
        }
        if let Some(&s) = self.0.get(text.as_ref()) {
            return s;
        }
        let s = text_signal(&text);
        self.0.insert(text, s);
        s
    }
}

/// The signal a node carries by its own key and value (not its descendants'), with `classes`
/// holding each distinct key's class by key id, worked out on first use. Array elements that are
/// strings signal by their text (a list of log lines or messages).
pub fn own_signal<'t>(
    view: &View<'t, '_>,
    i: u32,
    classes: &mut [Option<KeyClass>],
    texts: &mut TextSignals<'t>,
) -> Signal {
    let t = view.tape;
    let n = &t.nodes[i as usize];
    if n.key != NONE {
        let class = *classes[n.key as usize].get_or_insert_with(|| key_class(&view.key(i)));
        return value_signal(view, i, class, texts);
    }
    if n.kind == Kind::String && n.parent != NONE && view.kind(n.parent) == Kind::Array {
        return texts.get(view.string(i));
    }
    Signal::None
}

#[cfg(test)]
mod tests {
    use super::super::tape;
    use super::*;

    fn signals(doc: &str) -> Vec<(String, Signal)> {
        let t = tape::parse(doc).unwrap();
        let v = View::new(&t, None);
        let mut classes = vec![None; t.keys as usize];
        let mut texts = TextSignals::default();
        t.children(0)
            .map(|c| {
                (
                    v.key(c).into_owned(),
                    own_signal(&v, c, &mut classes, &mut texts),
                )
            })
            .collect()
    }

    #[test]
    fn word_lists_are_sorted() {
        for list in [ERROR_KEY_WORDS, SETTING_WORDS, STATE_WORDS, SUCCESS_KEYS] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{list:?}");
        }
    }

    #[test]
    fn classifies_keys_and_values() {
        use Signal::*;
        let got = signals(
            r#"{"failure_code":null,"error":"boom","errors":[],"error_count":0,"failureThreshold":3,
            "statusCode":404,"status":"503","http_status":302,"status_code":200,"ok":false,"success":true,
            "exitCode":2,"exit_code":0,"conclusion":"failure","level":"warn","title":"fix error","id":7}"#,
        );
        let want = [
            None, Error, None, None, None, Error, Error, Warning, None, Error, None, Error, None,
            Error, Warning, None, None,
        ];
        let got: Vec<Signal> = got.into_iter().map(|(_, s)| s).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn numbers_written_as_strings_signal_like_numbers() {
        use Signal::*;
        let got = signals(
            r#"{"code":"503","http_code":404,"response_code":"200","zip_code":"404","exit_code":"2",
            "returncode":"0","failure_count":"0","errors":"0.0","error":"none","statuscode":"500"}"#,
        );
        let want = [
            Error, Error, None, None, Error, None, None, None, Error, Error,
        ];
        let got: Vec<Signal> = got.into_iter().map(|(_, s)| s).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn strings_in_arrays_signal_by_text() {
        let t = tape::parse(r#"["ok","ERROR: disk full","WARN: slow"]"#).unwrap();
        let v = View::new(&t, None);
        let mut texts = TextSignals::default();
        let got: Vec<Signal> = t
            .children(0)
            .map(|c| own_signal(&v, c, &mut [], &mut texts))
            .collect();
        assert_eq!(got, [Signal::None, Signal::Error, Signal::Warning]);
    }
}
