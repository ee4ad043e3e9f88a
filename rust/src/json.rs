//! A record as a small ordered JSON tree, written exactly as the TypeScript writer's
//! `JSON.stringify` writes it: keys in the record's own order, strings escaped as ECMAScript
//! escapes them, numbers as `Number.prototype.toString` writes them. The golden vectors
//! (`schema/vectors/`) hold both writers to the same bytes.

use std::fmt::Write as _;

/// A string of a record: borrowed from the daemon's input, or one the line cap shortened.
#[derive(Clone, Debug, PartialEq)]
pub enum Text<'a> {
    Borrowed(&'a str),
    Owned(String),
    /// A string cut in UTF-16 units, as JavaScript's `slice` cuts it: a cut inside a
    /// surrogate pair leaves a lone high surrogate, which JSON.stringify writes as `\udXXX`.
    Cut { head: String, lone: u16, tail: String },
}

impl Text<'_> {
    /// Length in UTF-16 code units: what JavaScript's `length` counts.
    pub fn utf16_len(&self) -> usize {
        match self {
            Text::Borrowed(s) => utf16_len(s),
            Text::Owned(s) => utf16_len(s),
            Text::Cut { head, tail, .. } => utf16_len(head) + 1 + utf16_len(tail),
        }
    }
}

pub fn utf16_len(s: &str) -> usize {
    // ASCII is the usual case: one unit per byte.
    if s.is_ascii() {
        return s.len();
    }
    s.chars().map(char::len_utf16).sum()
}

/// A JSON value with its keys in insertion order.
#[derive(Clone, Debug, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    /// A number as JavaScript holds it (a double).
    Num(f64),
    Str(Text<'a>),
    Arr(Vec<Json<'a>>),
    Obj(Vec<(&'static str, Json<'a>)>),
}

impl<'a> Json<'a> {
    pub fn str(s: &'a str) -> Json<'a> {
        Json::Str(Text::Borrowed(s))
    }
    pub fn string(s: String) -> Json<'a> {
        Json::Str(Text::Owned(s))
    }
}

/// Appends `value` as JSON.stringify writes it.
pub fn write_json(out: &mut Vec<u8>, value: &Json) {
    match value {
        Json::Null => out.extend_from_slice(b"null"),
        Json::Bool(true) => out.extend_from_slice(b"true"),
        Json::Bool(false) => out.extend_from_slice(b"false"),
        Json::Num(n) => write_number(out, *n),
        Json::Str(t) => write_text(out, t),
        Json::Arr(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(out, item);
            }
            out.push(b']');
        }
        Json::Obj(_) => {
            out.push(b'{');
            write_fields_after(out, value, 0);
        }
    }
}

/// An object's fields from the `skip`th on, then its closing brace: the rest of its JSON after
/// the first `skip` fields and their comma (the writer puts its chain fields there).
pub fn write_fields_after(out: &mut Vec<u8>, value: &Json, skip: usize) {
    if let Json::Obj(fields) = value {
        for (i, (k, v)) in fields.iter().skip(skip).enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_str(out, k);
            out.push(b':');
            write_json(out, v);
        }
    }
    out.push(b'}');
}

fn write_text(out: &mut Vec<u8>, t: &Text) {
    match t {
        Text::Borrowed(s) => write_str(out, s),
        Text::Owned(s) => write_str(out, s),
        Text::Cut { head, lone, tail } => {
            out.push(b'"');
            escape_into(out, head);
            let _ = write!(Hex(out), "\\u{:04x}", lone);
            escape_into(out, tail);
            out.push(b'"');
        }
    }
}

/// A quoted JSON string as JSON.stringify writes it (ECMAScript QuoteJSONString): `"` and `\`
/// escaped, \b \t \n \f \r short, other controls below U+0020 as `\u00xx` (lowercase hex);
/// everything else (DEL, C1 controls, U+2028/U+2029, `/`, non-ASCII) as its UTF-8 bytes.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    escape_into(out, s);
    out.push(b'"');
}

fn escape_into(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if short.is_empty() {
            let _ = write!(Hex(out), "\\u{:04x}", b);
        } else {
            out.extend_from_slice(short);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// fmt::Write into a byte vector (only ASCII is written through it).
struct Hex<'v>(&'v mut Vec<u8>);
impl std::fmt::Write for Hex<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// A finite number as ECMAScript's Number::toString writes it (JSON.stringify writes
/// non-finite numbers as null): the shortest digits that read back as `n`, in plain notation
/// from 1e-7 (exclusive) to 1e21 (exclusive), else as `d.ddde+x`.
pub fn write_number(out: &mut Vec<u8>, n: f64) {
    if !n.is_finite() {
        out.extend_from_slice(b"null");
        return;
    }
    if n == 0.0 {
        out.push(b'0'); // -0 too
        return;
    }
    if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_992.0 {
        let _ = write!(Hex(out), "{}", n as i64);
        return;
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `d.ddde±x`.
    let sci = format!("{:e}", n.abs());
    let (mantissa, exp) = match sci.split_once('e') {
        Some(parts) => parts,
        None => (sci.as_str(), "0"),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let e: i32 = exp.parse().unwrap_or(0);
    let k = digits.len() as i32;
    let point = e + 1; // ECMAScript's n: the decimal point sits after `point` digits
    let mut s = String::new();
    if n < 0.0 {
        s.push('-');
    }
    if k <= point && point <= 21 {
        s.push_str(&digits);
        for _ in 0..(point - k) {
            s.push('0');
        }
    } else if 0 < point && point <= 21 {
        s.push_str(&digits[..point as usize]);
        s.push('.');
        s.push_str(&digits[point as usize..]);
    } else if -6 < point && point <= 0 {
        s.push_str("0.");
        for _ in 0..(-point) {
            s.push('0');
        }
        s.push_str(&digits);
    } else {
        s.push_str(&digits[..1]);
        if k > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        s.push('e');
        s.push(if point >= 1 { '+' } else { '-' });
        let _ = write!(s, "{}", (point - 1).abs());
    }
    out.extend_from_slice(s.as_bytes());
}

/// `new Date(ms).toISOString()`: `YYYY-MM-DDTHH:MM:SS.sssZ`, with a signed six-digit year
/// outside 0000–9999. A time JavaScript cannot hold (beyond ±8.64e15 ms) is clamped to it.
pub fn iso_time(ms: i64) -> String {
    let mut out = Vec::with_capacity(27);
    write_iso_time(&mut out, ms);
    // Only ASCII digits and punctuation were written.
    String::from_utf8(out).unwrap_or_default()
}

/// `iso_time` appended to `out` without formatting machinery: it runs twice per record.
pub fn write_iso_time(out: &mut Vec<u8>, ms: i64) {
    let ms = ms.clamp(-8_640_000_000_000_000, 8_640_000_000_000_000);
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let digits = |out: &mut Vec<u8>, n: i64, width: u32| {
        for p in (0..width).rev() {
            out.push(b'0' + (n / 10_i64.pow(p) % 10) as u8);
        }
    };
    if (0..=9999).contains(&y) {
        digits(out, y, 4);
    } else {
        out.push(if y < 0 { b'-' } else { b'+' });
        digits(out, y.abs(), 6);
    }
    out.push(b'-');
    digits(out, i64::from(m), 2);
    out.push(b'-');
    digits(out, i64::from(d), 2);
    out.push(b'T');
    digits(out, in_day / 3_600_000, 2);
    out.push(b':');
    digits(out, in_day / 60_000 % 60, 2);
    out.push(b':');
    digits(out, in_day / 1000 % 60, 2);
    out.push(b'.');
    digits(out, in_day % 1000, 3);
    out.push(b'Z');
}

/// Howard Hinnant's days → (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(n: f64) -> String {
        let mut v = Vec::new();
        write_number(&mut v, n);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn numbers_as_javascript_writes_them() {
        for (n, js) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1.5, "1.5"),
            (12.345, "12.345"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e21, "1e+21"),
            (1.5e21, "1.5e+21"),
            (123456789012345680000.0, "123456789012345680000"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (1.25e-7, "1.25e-7"),
            (9007199254740991.0, "9007199254740991"),
            (-42.0, "-42"),
            (f64::NAN, "null"),
        ] {
            assert_eq!(num(n), js, "{}", n);
        }
    }

    #[test]
    fn strings_as_json_stringify_escapes_them() {
        let mut v = Vec::new();
        write_str(&mut v, "a\"\\/\u{7f}\u{85}\u{2028}\u{1b}\u{0}\u{8}\u{c}\n\r\t\u{1f600}");
        assert_eq!(String::from_utf8(v).unwrap(), "\"a\\\"\\\\/\u{7f}\u{85}\u{2028}\\u001b\\u0000\\b\\f\\n\\r\\t\u{1f600}\"");
    }

    #[test]
    fn iso_times_as_to_iso_string_writes_them() {
        assert_eq!(iso_time(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_time(1_764_806_400_123), "2025-12-04T00:00:00.123Z");
        assert_eq!(iso_time(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(iso_time(253_402_300_800_000), "+010000-01-01T00:00:00.000Z");
        assert_eq!(iso_time(-62_198_755_200_000), "-000001-01-01T00:00:00.000Z");
    }
}
