/**
 * A record's time from its bytes: `YYYY-MM-DDTHH:MM:SSZ` or with `.mmm`, the writer's and
 * sudo-proxy's forms, read without making a string; any other form through parseRecordTime.
 * Pure, with a one-day cache: records come in time order.
 */
import * as join from '../shared/join.js';
import * as compactRecord from './compact-record.js';

// Local copies: V8 does not constant-fold imported bindings, and this runs once per record.
const { parseRecordTime } = join;
const { latin1 } = compactRecord;

const MINUS = 0x2d;
const COLON = 0x3a;
const ZERO = 0x30;

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** Records come in time order: the start of the last day seen is reused. */
let cachedDayKey = -1;
let cachedDayMs = 0;
const digit = (b: Uint8Array, i: number) => b[i] - ZERO;
/** Where `YYYY-MM-DDTHH:MM:SS` has its digits, then those of `.mmm`. */
const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];

/**
 * Every digit position of the form holds a digit (n: 20 without milliseconds, 24 with). Checked
 * before anything is computed: a non-digit once counted as -1000 and summed on, so `302:` was
 * the year 2020 and `2026-1:-05` the day key of 2016-10-05 — a time taken from the cache the line
 * before left.
 */
function allDigits(b: Uint8Array, s: number, n: number): boolean {
  const count = n === 24 ? 17 : 14;
  for (let k = 0; k < count; k++) {
    const d = b[s + DIGITS[k]] - ZERO;
    if (d < 0 || d > 9) return false;
  }
  return true;
}

/** `YYYY-MM-DDTHH:MM:SSZ` or with `.mmm`: the writer's and sudo-proxy's forms, read from bytes; others via parseRecordTime. */
export function timeFromBytes(b: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if ((n === 20 || n === 24) && b[s + 4] === MINUS && b[s + 7] === MINUS && b[s + 10] === 0x54 && b[s + 13] === COLON && b[s + 16] === COLON && b[e - 1] === 0x5a && (n === 20 || b[s + 19] === 0x2e) && allDigits(b, s, n)) {
    const year = digit(b, s) * 1000 + digit(b, s + 1) * 100 + digit(b, s + 2) * 10 + digit(b, s + 3);
    const month = digit(b, s + 5) * 10 + digit(b, s + 6);
    const day = digit(b, s + 8) * 10 + digit(b, s + 9);
    const hour = digit(b, s + 11) * 10 + digit(b, s + 12);
    const minute = digit(b, s + 14) * 10 + digit(b, s + 15);
    const second = digit(b, s + 17) * 10 + digit(b, s + 18);
    let ms = 0;
    if (n === 24) ms = digit(b, s + 20) * 100 + digit(b, s + 21) * 10 + digit(b, s + 22);
    if (hour <= 23 && minute <= 59 && second <= 59) {
      const dayKey = year * 10000 + month * 100 + day;
      if (dayKey !== cachedDayKey) {
        const leap = month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0);
        if (year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= DAYS[month - 1] + (leap ? 1 : 0)) {
          cachedDayKey = dayKey;
          cachedDayMs = Date.UTC(year, month - 1, day);
        }
      }
      if (dayKey === cachedDayKey) return cachedDayMs + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms;
    }
  }
  return parseRecordTime(latin1(b, s, e));
}
