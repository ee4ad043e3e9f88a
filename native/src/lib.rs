//! The engine's optional native scanner (issue #17): a buffer of log lines scanned and hashed in
//! one call from JavaScript, instead of one JavaScript scan and one `crypto.hash` call a line.
//!
//! The JavaScript paths stay and are the reference: a line this code is not sure about is
//! declined (status 0) and the caller reads it as it would without the addon. Nothing here keeps
//! state between calls, so a worker thread loads it as the main thread does.
// The addon as built (`--features addon`, release: panic = "abort") links no std: std's panic
// handler alone brought ~300 KB of backtrace symbolisation into a package that must stay small.
// Tests and the examples build with std.
#![cfg_attr(feature = "addon", no_std)]

pub mod entry_json;
pub mod lines;
pub mod napi;
pub mod scan;

use napi::*;

/// `scanLines(buf, from, to, final, options, seedLo, seedHi, ints, nums, hex) → lines`:
/// lines.rs says what each slot holds.
unsafe extern "C" fn scan_lines_js(env: napi_env, info: napi_callback_info) -> napi_value {
    let Some(argv) = arguments::<10>(env, info) else { return throw(env, b"scanLines: 10 arguments\0") };
    let (Some(buf), Some(ints), Some(nums), Some(hex)) = (
        typed_array::<u8>(env, argv[0], NAPI_UINT8_ARRAY),
        typed_array::<i32>(env, argv[7], NAPI_INT32_ARRAY),
        typed_array::<f64>(env, argv[8], NAPI_FLOAT64_ARRAY),
        typed_array::<u8>(env, argv[9], NAPI_UINT8_ARRAY),
    ) else {
        return throw(env, b"scanLines: buf, ints, nums and hex must be Uint8Array, Int32Array, Float64Array, Uint8Array\0");
    };
    let Some([from, to, last, options, seed_lo, seed_hi]) = numbers::<6>(env, &argv[1..7]) else {
        return throw(env, b"scanLines: from, to, final, options, seedLo, seedHi must be numbers\0");
    };
    // The output arrays are written while `buf` is read: they must not share memory with it.
    if overlaps(buf, ints) || overlaps(buf, nums) || overlaps(buf, hex) || overlaps(ints, nums) || overlaps(ints, hex) || overlaps(nums, hex) {
        return throw(env, b"scanLines: the arrays overlap\0");
    }
    if !within(from, to, buf.len()) {
        return throw(env, b"scanLines: from and to must be whole numbers within buf\0");
    }
    let request = lines::Request { from: from as usize, to: to as usize, last: last != 0.0, hash: (options as u32) & lines::OPTION_HASH != 0, seed: (seed_lo as u32, seed_hi as u32) };
    make_number(env, lines::scan_lines(buf, &request, ints, nums, hex) as f64)
}

/// `scanPlain(buf, from, to, options, seedLo, seedHi, ints, nums) → boolean`: the line
/// `buf[from, to)` read back (lines.rs `scan_plain`; OPTION_HASH: its fingerprint from its
/// SHA-256). Spans are from `from`.
unsafe extern "C" fn scan_plain_js(env: napi_env, info: napi_callback_info) -> napi_value {
    let Some(argv) = arguments::<8>(env, info) else { return throw(env, b"scanPlain: 8 arguments\0") };
    let (Some(buf), Some(ints), Some(nums)) = (
        typed_array::<u8>(env, argv[0], NAPI_UINT8_ARRAY),
        typed_array::<i32>(env, argv[6], NAPI_INT32_ARRAY),
        typed_array::<f64>(env, argv[7], NAPI_FLOAT64_ARRAY),
    ) else {
        return throw(env, b"scanPlain: buf, ints and nums must be Uint8Array, Int32Array, Float64Array\0");
    };
    let Some([from, to, options, seed_lo, seed_hi]) = numbers::<5>(env, &argv[1..6]) else {
        return throw(env, b"scanPlain: from, to, options, seedLo, seedHi must be numbers\0");
    };
    if overlaps(buf, ints) || overlaps(buf, nums) || overlaps(ints, nums) {
        return throw(env, b"scanPlain: the arrays overlap\0");
    }
    let (Ok(ints), Ok(nums)) = (<&mut [i32; lines::PLAIN_INTS]>::try_from(ints), <&mut [f64; lines::PLAIN_NUMS]>::try_from(nums)) else {
        return throw(env, b"scanPlain: ints and nums must hold PLAIN_INTS and PLAIN_NUMS\0");
    };
    if !within(from, to, buf.len()) {
        return throw(env, b"scanPlain: from and to must be whole numbers within buf\0");
    }
    let hash = (options as u32) & lines::OPTION_HASH != 0;
    let plain = lines::scan_plain(&buf[from as usize..to as usize], hash, (seed_lo as u32, seed_hi as u32), ints, nums);
    let mut out = core::ptr::null_mut();
    napi_get_boolean(env, plain, &mut out);
    out
}

/// `entryJson(line, spans, out, io, state, origin, anomalies, requestFile, responseFile) → end`:
/// parts of `print --json`'s line for an entry written from `line` (its values at `spans`, as
/// `scanPlain` left them) into `out` (entry_json.rs). `io` holds where to write from, the parts
/// (PART_*) and the records' places (IO_*). The end of what it wrote; -1 when the line is declined
/// (write the entry the slow way); -2 when `out` has no room (nothing is written past its end).
unsafe extern "C" fn entry_json_js(env: napi_env, info: napi_callback_info) -> napi_value {
    let Some(argv) = arguments::<9>(env, info) else { return throw(env, b"entryJson: 9 arguments\0") };
    // (All but `out` only read: shared slices, which may alias one another — both files are often one.)
    let (Some(line), Some(spans), Some(out), Some(io)) = (
        typed_array_ref::<u8>(env, argv[0], NAPI_UINT8_ARRAY),
        typed_array_ref::<i32>(env, argv[1], NAPI_INT32_ARRAY),
        typed_array::<u8>(env, argv[2], NAPI_UINT8_ARRAY),
        typed_array_ref::<f64>(env, argv[3], NAPI_FLOAT64_ARRAY),
    ) else {
        return throw(env, b"entryJson: line, spans, out and io must be Uint8Array, Int32Array, Uint8Array, Float64Array\0");
    };
    let [Some(state), Some(origin), Some(anomalies), Some(request_file), Some(response_file)] = [4, 5, 6, 7, 8].map(|n| typed_array_ref::<u8>(env, argv[n], NAPI_UINT8_ARRAY)) else {
        return throw(env, b"entryJson: state, origin, anomalies, requestFile and responseFile must be Uint8Array\0");
    };
    // `out` is written while the others are read.
    if [line, state, origin, anomalies, request_file, response_file].iter().any(|read| overlaps(out, read)) || overlaps(out, spans) || overlaps(out, io) {
        return throw(env, b"entryJson: out overlaps another array\0");
    }
    let (Ok(spans), Ok(io)) = (<&scan::ValueSpans>::try_from(spans), <&[f64; entry_json::IO_SLOTS]>::try_from(io)) else {
        return throw(env, b"entryJson: spans must hold two numbers a key (60), io IO_SLOTS\0");
    };
    let (at, parts) = (io[entry_json::IO_AT], io[entry_json::IO_PARTS]);
    if !within(at, at, out.len()) || !(0.0..=f64::from(u32::MAX)).contains(&parts) || parts != (parts as u32) as f64 {
        return throw(env, b"entryJson: io's at must be a whole number within out, its parts a whole number\0");
    }
    let Ok(places) = <&[f64; 6]>::try_from(&io[entry_json::IO_PLACES..]) else { return throw(env, b"entryJson: io\0") };
    let given = entry_json::Given { state, origin, anomalies, request_file, response_file, places };
    let end = match entry_json::write_entry_json(line, spans, parts as u32, &given, out, at as usize) {
        Ok(end) => end as f64,
        Err(entry_json::Unwritten::Declined) => -1.0,
        Err(entry_json::Unwritten::NoRoom) => -2.0,
    };
    make_number(env, end)
}

/// The call's arguments, when there are exactly N.
unsafe fn arguments<const N: usize>(env: napi_env, info: napi_callback_info) -> Option<[napi_value; N]> {
    let mut argc = N;
    let mut argv = [core::ptr::null_mut(); N];
    let status = napi_get_cb_info(env, info, &mut argc, argv.as_mut_ptr(), core::ptr::null_mut(), core::ptr::null_mut());
    (status == NAPI_OK && argc == N).then_some(argv)
}

/// N number arguments, None when one is not a number.
unsafe fn numbers<const N: usize>(env: napi_env, values: &[napi_value]) -> Option<[f64; N]> {
    let mut out = [0f64; N];
    for (slot, &value) in out.iter_mut().zip(values) {
        *slot = number(env, value)?;
    }
    (values.len() == N).then_some(out)
}

/// `from` and `to` are whole numbers with 0 ≤ from ≤ to ≤ len (NaN is not; 0.5 is not either,
/// which a cast would have made 0).
fn within(from: f64, to: f64, len: usize) -> bool {
    from >= 0.0 && to >= from && to <= len as f64 && from == (from as usize) as f64 && to == (to as usize) as f64
}

fn overlaps<A, B>(a: &[A], b: &[B]) -> bool {
    let (a0, a1) = (a.as_ptr() as usize, a.as_ptr() as usize + core::mem::size_of_val(a));
    let (b0, b1) = (b.as_ptr() as usize, b.as_ptr() as usize + core::mem::size_of_val(b));
    a0 < b1 && b0 < a1
}

#[cfg(target_env = "gnu")]
extern "C" {
    fn mallopt(param: i32, value: i32) -> i32;
}
#[cfg(not(target_env = "gnu"))]
unsafe fn mallopt(_param: i32, _value: i32) -> i32 {
    0
}
/// glibc's M_TRIM_THRESHOLD and M_MMAP_THRESHOLD.
const M_TRIM_THRESHOLD: i32 = -1;
const M_MMAP_THRESHOLD: i32 = -3;
/// Above the blocks the engine and `print` allocate and free by the thousand (256 KB read-ahead
/// windows, 128 KB output batches, 320 KB chunk buffers): at glibc's default of 128 KB each of
/// them was a fresh mmap and munmap, and `print --json` of 1M entries took 17.7 s, not 7.1 s
/// (#17; MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ in the environment do the same).
const MMAP_THRESHOLD: i32 = 1024 * 1024;
const TRIM_THRESHOLD: i32 = 2 * 1024 * 1024;

/// `fixMallocThreshold() → boolean`: glibc raises its mmap threshold (and its trim threshold
/// with it) each time a large block is freed, after which freed memory stays in the arenas of
/// V8's compiler threads. Fixing both keeps it given back.
unsafe extern "C" fn fix_malloc_threshold_js(env: napi_env, _info: napi_callback_info) -> napi_value {
    let mut out = core::ptr::null_mut();
    let fixed = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 && mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1;
    napi_get_boolean(env, fixed, &mut out);
    out
}

extern "C" {
    fn napi_get_boolean(env: napi_env, value: bool, result: *mut napi_value) -> napi_status;
}

/// `populate(view) → boolean`: the pages wholly inside a typed array's bytes are faulted in now,
/// in one call (madvise MADV_POPULATE_WRITE, Linux 5.14), not one fault each as they are first
/// written; their contents are left as they are. False where the kernel cannot (older, or not
/// Linux). On this machine's VM a fault costs ~10 µs: 100 MB of fresh memory took 260 ms one
/// page at a time, 140 ms so (#17).
unsafe extern "C" fn populate_js(env: napi_env, info: napi_callback_info) -> napi_value {
    let Some([view]) = arguments::<1>(env, info) else { return throw(env, b"populate: 1 argument\0") };
    let mut kind = -1;
    let mut length = 0usize;
    let mut data: *mut core::ffi::c_void = core::ptr::null_mut();
    if napi_get_typedarray_info(env, view, &mut kind, &mut length, &mut data, core::ptr::null_mut(), core::ptr::null_mut()) != NAPI_OK {
        return throw(env, b"populate: a typed array\0");
    }
    // napi_typedarray_type's element sizes, by kind.
    const SIZES: [usize; 11] = [1, 1, 1, 2, 2, 4, 4, 4, 8, 8, 8];
    let Some(&size) = usize::try_from(kind).ok().and_then(|k| SIZES.get(k)) else { return throw(env, b"populate: a typed array\0") };
    let populated = data.is_null() || length == 0 || populate_pages(data as usize, length * size);
    let mut out = core::ptr::null_mut();
    napi_get_boolean(env, populated, &mut out);
    out
}

/// Faults in the whole pages of [start, start + bytes) (none: nothing to do).
unsafe fn populate_pages(start: usize, bytes: usize) -> bool {
    const PAGE: usize = 4096;
    const MADV_POPULATE_WRITE: i32 = 23;
    let from = (start + PAGE - 1) & !(PAGE - 1);
    let to = (start + bytes) & !(PAGE - 1);
    if to <= from {
        return true;
    }
    madvise(from as *mut core::ffi::c_void, to - from, MADV_POPULATE_WRITE) == 0
}

extern "C" {
    fn madvise(addr: *mut core::ffi::c_void, len: usize, advice: i32) -> i32;
}

/// `layout() → number`: the slots' layout (lines.rs), which native-lines.ts checks before it
/// trusts an addon: one built from other sources (restored, or not rebuilt) is not used.
unsafe extern "C" fn layout_js(env: napi_env, _info: napi_callback_info) -> napi_value {
    make_number(env, lines::LAYOUT as f64)
}

#[no_mangle]
pub unsafe extern "C" fn napi_register_module_v1(env: napi_env, exports: napi_value) -> napi_value {
    export(env, exports, b"layout\0", layout_js);
    export(env, exports, b"scanLines\0", scan_lines_js);
    export(env, exports, b"scanPlain\0", scan_plain_js);
    export(env, exports, b"entryJson\0", entry_json_js);
    export(env, exports, b"fixMallocThreshold\0", fix_malloc_threshold_js);
    export(env, exports, b"populate\0", populate_js);
    exports
}

/// A panic (a bug: the scanner indexes only within bounds it checked) ends the process, as
/// `panic = "abort"` does with std.
#[cfg(feature = "addon")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    extern "C" {
        fn abort() -> !;
    }
    // SAFETY: libc's abort takes nothing and does not return.
    unsafe { abort() }
}

/// Referenced by the precompiled `core`'s unwind tables; never called with panic = "abort".
#[cfg(feature = "addon")]
#[no_mangle]
extern "C" fn rust_eh_personality() {}
