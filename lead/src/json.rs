//! JSON without serde, for the widget.
//!
//! serde's derived deserializers and serde_json were two thirds of the
//! widget's wasm (measured with twiggy; see BENCHMARKS.md), while the browser
//! already parses and prints JSON. So the widget reads through [`View`]
//! (implemented on the browser's parsed value) and writes with [`Obj`]. The
//! collector keeps serde; the tests next to each reader and writer check that
//! both ends agree on every field.

/// A parsed JSON value, read field by field: the browser's object in the
/// widget, a `serde_json::Value` natively.
pub trait View: Sized {
    /// The member `key`; `None` when absent, `null`, or `self` is no object.
    fn get(&self, key: &str) -> Option<Self>;
    fn text(&self) -> Option<String>;
    fn number(&self) -> Option<f64>;
    fn flag(&self) -> Option<bool>;
    /// An array's items; empty for anything else.
    fn items(&self) -> Vec<Self>;
    /// An object's members in order; empty for anything else.
    fn members(&self) -> Vec<(String, Self)>;
}

/// A type the widget reads from JSON. `None` when a required part is
/// missing or of the wrong type; optional parts fall back to their defaults.
pub trait Read: Sized {
    fn read<V: View>(v: &V) -> Option<Self>;
}

/// The member `key` as text.
#[inline(never)]
pub fn text<V: View>(v: &V, key: &str) -> Option<String> {
    v.get(key)?.text()
}

/// The member `key` as a whole number (JSON numbers are doubles: exact up to 2^53).
#[inline(never)]
pub fn int<V: View>(v: &V, key: &str) -> Option<i64> {
    let n = v.get(key)?.number()?;
    (n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_992.0).then_some(n as i64)
}

#[inline(never)]
pub fn flag<V: View>(v: &V, key: &str) -> Option<bool> {
    v.get(key)?.flag()
}

/// The member `key` as a list of `T`; unreadable items are skipped.
pub fn list<V: View, T: Read>(v: &V, key: &str) -> Vec<T> {
    v.get(key)
        .map(|l| l.items().iter().filter_map(T::read).collect())
        .unwrap_or_default()
}

/// An object's members that are text, by name; the rest are skipped.
/// Inserted one by one: `collect` into a map sorts first, and that stable
/// sort is 3 KB of the widget's wasm (measured: BENCHMARKS.md).
#[inline(never)]
pub fn text_members<V: View>(v: &V) -> std::collections::BTreeMap<String, String> {
    let mut map = std::collections::BTreeMap::new();
    for (name, value) in v.members() {
        if let Some(value) = value.text() {
            map.insert(name, value);
        }
    }
    map
}

/// The member `key` read as `T`.
pub fn member<V: View, T: Read>(v: &V, key: &str) -> Option<T> {
    T::read(&v.get(key)?)
}

impl Read for String {
    fn read<V: View>(v: &V) -> Option<Self> {
        v.text()
    }
}

/// Unit enums as their snake_case names, from one table per type.
pub fn named<T: Copy>(table: &[(&str, T)], name: &str) -> Option<T> {
    table.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Writes one JSON object into `out`.
pub fn object(out: &mut String, fill: impl FnOnce(&mut Obj)) {
    out.push('{');
    fill(&mut Obj { out, first: true });
    out.push('}');
}

/// A JSON object being written, member by member.
pub struct Obj<'a> {
    out: &'a mut String,
    first: bool,
}

impl Obj<'_> {
    /// Starts the member `key`; its value is written by the returned [`Val`].
    pub fn key(&mut self, key: &str) -> Val<'_> {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        quote(self.out, key);
        self.out.push(':');
        Val { out: self.out }
    }

    pub fn text(&mut self, key: &str, value: &str) {
        self.key(key).text(value);
    }

    /// Text or `null`.
    pub fn opt_text(&mut self, key: &str, value: Option<&str>) {
        self.key(key).opt_text(value);
    }

    pub fn int(&mut self, key: &str, value: i64) {
        self.key(key).int(value);
    }

    pub fn flag(&mut self, key: &str, value: bool) {
        self.key(key).flag(value);
    }
}

/// One JSON value being written.
pub struct Val<'a> {
    out: &'a mut String,
}

impl<'a> Val<'a> {
    /// Writes one value into `out`.
    pub fn into(out: &'a mut String) -> Self {
        Val { out }
    }

    pub fn text(self, value: &str) {
        quote(self.out, value);
    }

    pub fn opt_text(self, value: Option<&str>) {
        match value {
            Some(v) => quote(self.out, v),
            None => self.out.push_str("null"),
        }
    }

    pub fn int(self, value: i64) {
        push_int(self.out, value);
    }

    pub fn flag(self, value: bool) {
        self.out.push_str(if value { "true" } else { "false" });
    }

    pub fn null(self) {
        self.out.push_str("null");
    }

    /// A value that is JSON already (serde's output), written as it is.
    pub fn raw(self, json: &str) {
        self.out.push_str(json);
    }

    pub fn object(self, fill: impl FnOnce(&mut Obj)) {
        object(self.out, fill);
    }

    /// An array with one value per item.
    pub fn array<T>(self, items: &[T], mut each: impl FnMut(Val, &T)) {
        self.out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            each(Val { out: self.out }, item);
        }
        self.out.push(']');
    }
}

/// A JSON string: quotes, backslashes and control characters escaped.
fn quote(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(hex_digit(c as u32 >> 4));
                out.push(hex_digit(c as u32 & 0xf));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn hex_digit(n: u32) -> char {
    char::from_digit(n, 16).unwrap_or('0')
}

/// Decimal digits without `core::fmt` (which the widget otherwise avoids).
pub fn push_int(out: &mut String, value: i64) {
    if value < 0 {
        out.push('-');
    }
    let mut n = value.unsigned_abs();
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

/// Natively, for tests and tools.
impl View for serde_json::Value {
    fn get(&self, key: &str) -> Option<Self> {
        self.as_object()?.get(key).filter(|v| !v.is_null()).cloned()
    }
    fn text(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn flag(&self) -> Option<bool> {
        self.as_bool()
    }
    fn items(&self) -> Vec<Self> {
        self.as_array().cloned().unwrap_or_default()
    }
    fn members(&self) -> Vec<(String, Self)> {
        self.as_object()
            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_members_keeps_the_texts_and_skips_the_rest() {
        let v = serde_json::json!({"phone": "+7 912", "age": 3, "name": "Анна", "nested": {"a": "b"}, "none": null});
        let map = text_members(&v);
        assert_eq!(
            map.into_iter().collect::<Vec<_>>(),
            [("name", "Анна"), ("phone", "+7 912")].map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert!(text_members(&serde_json::json!(["a"])).is_empty());
    }

    #[test]
    fn written_text_and_numbers_parse_back_exactly() {
        let texts = [
            "",
            "plain",
            "quote \" back \\ slash",
            "tab\tnew\nline\r",
            "\u{1}\u{1f}",
            "Привет 👋",
        ];
        let numbers = [0, 7, -7, 1_700_000_000_000, i64::MAX, i64::MIN];
        let mut out = String::new();
        object(&mut out, |o| {
            o.key("texts").array(&texts, |v, t| v.text(t));
            o.key("numbers").array(&numbers, |v, n| v.int(*n));
            o.opt_text("none", None);
            o.flag("yes", true);
        });
        let back: serde_json::Value = serde_json::from_str(&out).expect(&out);
        assert_eq!(back["texts"], serde_json::json!(texts));
        assert_eq!(back["numbers"], serde_json::json!(numbers));
        assert_eq!(back["none"], serde_json::Value::Null);
        assert_eq!(back["yes"], true);
    }

    #[test]
    fn ints_must_be_whole_and_exact() {
        let v = serde_json::json!({"a": 3, "b": 3.5, "c": 1e300, "d": "3"});
        assert_eq!(int(&v, "a"), Some(3));
        assert_eq!(int(&v, "b"), None);
        assert_eq!(int(&v, "c"), None);
        assert_eq!(int(&v, "d"), None);
        assert_eq!(int(&v, "missing"), None);
    }
}
