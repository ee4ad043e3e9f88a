//! Keeps a record under the readers' 1 MiB line cap, step for step as the TypeScript writer's
//! `fit.ts` does (the golden vectors check the bytes): a hostile client's huge argv is not
//! dropped (who asked for what is kept) but cut — the longest strings first, with a visible
//! `…[cut N chars]` marker, then the longest arrays, which keep their first items and say how
//! many were left out — and the record is flagged `"truncated":true`.
//!
//! Lengths are JavaScript's (UTF-16 units) so that both writers cut at the same place.

use crate::json::{utf16_len, write_json, Json, Text};

/// Lines longer than this are rejected by readers.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;
/// Room left for seq, prev, logged (the writer's time), the newline and the `truncated` flag.
const HEADROOM: usize = 256;
/// First try: cut only strings, to each of these lengths in turn.
const STRING_CAPS: [usize; 7] = [64 * 1024, 16 * 1024, 4 * 1024, 1024, 256, 64, 16];
/// Then also cut arrays: strings to `chars`, each array to at most 1/`share` of the limit.
const ARRAY_CUTS: [(usize, f64); 3] = [(256, 2.0), (64, 8.0), (16, 128.0)];
/// An array inside an array (a pipeline's stage) gets a quarter of its parent's room.
const NESTED_SHARE: f64 = 4.0;

struct Walk {
    max_chars: usize,
    limit: f64,
    /// Lower bound of the JSON bytes kept so far (each UTF-16 unit at least one byte).
    size: f64,
    /// The longest string met: a smaller cap than this cannot shrink what was walked.
    longest: usize,
}

impl Walk {
    fn over(&self) -> bool {
        self.size > self.limit
    }
}

fn counted(key: &str) -> &'static str {
    match key {
        "pipeline" => "stages",
        "stage" => "args",
        "resolved" => "paths",
        "env_keys" => "names",
        _ => "items",
    }
}

/// `s` cut to `max` UTF-16 units, then `…[cut N chars]`.
fn cut_text<'a>(t: &Text<'a>, len: usize, max: usize) -> Text<'a> {
    let s: &str = match t {
        Text::Borrowed(s) => s,
        Text::Owned(s) => s.as_str(),
        Text::Cut { .. } => return t.clone(), // never met: records are cut from the original
    };
    let tail = format!("\u{2026}[cut {} chars]", len - max);
    let mut units = 0;
    for (i, c) in s.char_indices() {
        let w = c.len_utf16();
        if units + w > max {
            if units + 1 == max {
                // The cut falls inside a surrogate pair: JavaScript keeps the high half.
                let mut pair = [0u16; 2];
                c.encode_utf16(&mut pair);
                return Text::Cut { head: s[..i].to_string(), lone: pair[0], tail };
            }
            return Text::Owned(format!("{}{}", &s[..i], tail));
        }
        units += w;
    }
    Text::Owned(format!("{}{}", s, tail))
}

fn cut<'a>(value: &Json<'a>, w: &mut Walk, key: &str, array_bytes: f64) -> Json<'a> {
    match value {
        Json::Str(t) => {
            let len = t.utf16_len();
            if len > w.longest {
                w.longest = len;
            }
            let s = if len > w.max_chars { cut_text(t, len, w.max_chars) } else { t.clone() };
            w.size += (s.utf16_len() + 3) as f64; // quotes and a comma
            Json::Str(s)
        }
        Json::Arr(items) => cut_array(items, w, key, array_bytes),
        Json::Obj(fields) => {
            let mut out = Vec::with_capacity(fields.len());
            for (k, v) in fields {
                w.size += (utf16_len(k) + 3) as f64;
                out.push((*k, cut(v, w, k, array_bytes)));
                if w.over() {
                    break;
                }
            }
            Json::Obj(out)
        }
        other => {
            w.size += 5.0; // a number, true/false/null: a few bytes
            other.clone()
        }
    }
}

fn cut_array<'a>(items: &[Json<'a>], w: &mut Walk, key: &str, array_bytes: f64) -> Json<'a> {
    let mut out = Vec::new();
    let start = w.size;
    let item_key = if key == "pipeline" { "stage" } else { key };
    w.size += 2.0;
    for (i, item) in items.iter().enumerate() {
        if w.size - start > array_bytes {
            let marker = format!("\u{2026}[cut {} {}]", items.len() - i, counted(key));
            let marker_len = utf16_len(&marker);
            // A marker of the array's own kind: a stage for a pipeline; none among objects.
            if key == "pipeline" {
                out.push(Json::Arr(vec![Json::string(marker)]));
            } else if matches!(items[0], Json::Str(_) | Json::Null) {
                out.push(Json::string(marker));
            }
            w.size += (marker_len + 3) as f64;
            break;
        }
        out.push(cut(item, w, item_key, array_bytes / NESTED_SHARE));
        if w.over() {
            break;
        }
    }
    Json::Arr(out)
}

/// What an uncut walk would count (`try_cut` with no caps), without copying: the walk's size
/// only grows, so it ends over the limit exactly when this is over it.
fn lower_bound(value: &Json) -> f64 {
    match value {
        Json::Str(t) => (t.utf16_len() + 3) as f64,
        Json::Arr(items) => 2.0 + items.iter().map(lower_bound).sum::<f64>(),
        Json::Obj(fields) => fields.iter().map(|(k, v)| (utf16_len(k) + 3) as f64 + lower_bound(v)).sum(),
        _ => 5.0,
    }
}

/// The cut copy, or None when even its lower bound does not fit; `longest` learns the walk's.
fn try_cut<'a>(record: &Json<'a>, max_chars: usize, array_bytes: f64, limit: f64, longest: &mut usize) -> Option<Json<'a>> {
    let mut w = Walk { max_chars, limit, size: 0.0, longest: 0 };
    let copy = cut(record, &mut w, "", array_bytes);
    *longest = w.longest;
    if w.over() {
        None
    } else {
        Some(copy)
    }
}

fn fits(value: &Json, limit: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    write_json(&mut out, value);
    if out.len() <= limit {
        Some(out)
    } else {
        None
    }
}

/// The most JSON bytes a record may take (the line cap less the room for what the writer adds).
pub const RECORD_LIMIT: usize = MAX_LINE_BYTES - HEADROOM;

/// Whether a record may fit at all: the size bound fit.ts's first walk checks. A record within
/// it is written whole when its JSON takes at most RECORD_LIMIT bytes, else cut by `shortened_record`.
pub fn within_bound(record: &Json) -> bool {
    lower_bound(record) <= RECORD_LIMIT as f64
}

/// The record cut to fit, flagged `truncated` (fit.ts's `shortened`). `walked_whole`: it was
/// within the bound (so the first walk met every string) but its JSON was too long.
pub fn shortened_record<'a>(record: &Json<'a>, walked_whole: bool) -> Json<'a> {
    let mut longest = usize::MAX;
    if !walked_whole {
        // The longest string the first walk met before it gave up.
        let _ = try_cut(record, usize::MAX, f64::INFINITY, RECORD_LIMIT as f64, &mut longest);
    }
    shortened(record, RECORD_LIMIT, &mut longest)
}

fn with_truncated<'a>(copy: Json<'a>) -> Json<'a> {
    match copy {
        Json::Obj(mut fields) => {
            fields.retain(|(k, _)| *k != "truncated");
            fields.push(("truncated", Json::Bool(true)));
            Json::Obj(fields)
        }
        other => other,
    }
}

fn shortened<'a>(record: &Json<'a>, limit: usize, longest: &mut usize) -> Json<'a> {
    let lim = limit as f64;
    for max_chars in STRING_CAPS {
        // The last walk gave up on strings no longer than this cap: cutting to it changes nothing.
        if max_chars >= *longest {
            continue;
        }
        if let Some(copy) = try_cut(record, max_chars, f64::INFINITY, lim, longest) {
            if fits(&copy, limit).is_some() {
                return with_truncated(copy);
            }
        }
    }
    let mut copy = None;
    for (chars, share) in ARRAY_CUTS {
        copy = try_cut(record, chars, lim / share, lim, longest);
        if let Some(c) = &copy {
            if fits(c, limit).is_some() {
                break;
            }
        }
    }
    // The last cut keeps at most a few KiB per array of a record's few fields: it always fits.
    let copy = copy
        .or_else(|| try_cut(record, 16, 0.0, f64::INFINITY, longest))
        .unwrap_or_else(|| record.clone());
    with_truncated(copy)
}
