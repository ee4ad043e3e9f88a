//! The few N-API calls the addon makes, declared by hand (no crates: none can be fetched here).
//! The symbols are Node's own, resolved when Node loads the addon.
#![allow(non_camel_case_types)]
use core::ffi::{c_char, c_void};

pub type napi_env = *mut c_void;
pub type napi_value = *mut c_void;
pub type napi_callback_info = *mut c_void;
pub type napi_status = i32;
pub type napi_callback = unsafe extern "C" fn(napi_env, napi_callback_info) -> napi_value;

pub const NAPI_OK: napi_status = 0;
/// napi_typedarray_type's values for the arrays the addon takes.
pub const NAPI_UINT8_ARRAY: i32 = 1;
pub const NAPI_INT32_ARRAY: i32 = 5;
pub const NAPI_FLOAT64_ARRAY: i32 = 8;

extern "C" {
    pub fn napi_create_function(env: napi_env, name: *const c_char, length: usize, cb: napi_callback, data: *mut c_void, result: *mut napi_value) -> napi_status;
    pub fn napi_set_named_property(env: napi_env, object: napi_value, name: *const c_char, value: napi_value) -> napi_status;
    pub fn napi_get_cb_info(env: napi_env, info: napi_callback_info, argc: *mut usize, argv: *mut napi_value, this: *mut napi_value, data: *mut *mut c_void) -> napi_status;
    pub fn napi_get_typedarray_info(env: napi_env, array: napi_value, kind: *mut i32, length: *mut usize, data: *mut *mut c_void, buffer: *mut napi_value, offset: *mut usize) -> napi_status;
    pub fn napi_get_value_double(env: napi_env, value: napi_value, result: *mut f64) -> napi_status;
    pub fn napi_create_double(env: napi_env, value: f64, result: *mut napi_value) -> napi_status;
    pub fn napi_throw_type_error(env: napi_env, code: *const c_char, msg: *const c_char) -> napi_status;
}

/// A typed array's elements as a slice, when it is of `kind`; None else.
///
/// # Safety
/// `value` must be a value of `env`; the slice must not outlive the call that received it, and
/// it must not alias another slice of the call (the caller checks with `overlaps`, lib.rs).
pub unsafe fn typed_array<'a, T>(env: napi_env, value: napi_value, kind: i32) -> Option<&'a mut [T]> {
    let (data, length) = typed_array_data::<T>(env, value, kind)?;
    if length == 0 {
        return Some(&mut []);
    }
    Some(core::slice::from_raw_parts_mut(data, length))
}

/// `typed_array` for an array only read: a shared slice, which may alias another one read (two
/// arguments may be the same buffer); only a written one must be disjoint from the rest.
///
/// # Safety
/// As `typed_array`.
pub unsafe fn typed_array_ref<'a, T>(env: napi_env, value: napi_value, kind: i32) -> Option<&'a [T]> {
    let (data, length) = typed_array_data::<T>(env, value, kind)?;
    if length == 0 {
        return Some(&[]);
    }
    Some(core::slice::from_raw_parts(data, length))
}

/// A typed array's data and length, when it is of `kind` (a null data for an empty one).
unsafe fn typed_array_data<T>(env: napi_env, value: napi_value, kind: i32) -> Option<(*mut T, usize)> {
    let mut actual = -1;
    let mut length = 0usize;
    let mut data: *mut c_void = core::ptr::null_mut();
    if napi_get_typedarray_info(env, value, &mut actual, &mut length, &mut data, core::ptr::null_mut(), core::ptr::null_mut()) != NAPI_OK || actual != kind {
        return None;
    }
    Some((data as *mut T, if data.is_null() { 0 } else { length }))
}

/// A number argument, None when it is not one.
pub unsafe fn number(env: napi_env, value: napi_value) -> Option<f64> {
    let mut out = 0.0;
    (napi_get_value_double(env, value, &mut out) == NAPI_OK).then_some(out)
}

pub unsafe fn make_number(env: napi_env, value: f64) -> napi_value {
    let mut out = core::ptr::null_mut();
    napi_create_double(env, value, &mut out);
    out
}

pub unsafe fn throw(env: napi_env, message: &'static [u8]) -> napi_value {
    napi_throw_type_error(env, core::ptr::null(), message.as_ptr() as *const c_char);
    core::ptr::null_mut()
}

pub unsafe fn export(env: napi_env, exports: napi_value, name: &'static [u8], cb: napi_callback) {
    let mut f = core::ptr::null_mut();
    if napi_create_function(env, name.as_ptr() as *const c_char, name.len() - 1, cb, core::ptr::null_mut(), &mut f) == NAPI_OK {
        napi_set_named_property(env, exports, name.as_ptr() as *const c_char, f);
    }
}
