/**
 * Owns an engine's events: the EventEmitter behind `on`/`off`, and the notices kept.
 *
 * What every AuditEngine does with its events: the EventEmitter the contract's `on`/`off`
 * describe, and the most recent notices kept for a consumer that subscribed late.
 */
import { EventEmitter } from 'node:events';
import type { EngineNotice } from '../shared/entry.js';

const NOTICE_LIST_CAP = 200;

export class EngineEvents extends EventEmitter {
  private readonly noticeList: EngineNotice[] = [];

  // The contract types listeners loosely (never[]) so that any of the three event signatures fits.
  override off(event: string | symbol, listener: (...args: never[]) => void): this {
    return super.off(event, listener as (...args: unknown[]) => void);
  }

  notices(): readonly EngineNotice[] {
    return this.noticeList;
  }

  protected notice(n: EngineNotice): void {
    this.noticeList.push(n);
    if (this.noticeList.length > NOTICE_LIST_CAP) this.noticeList.shift();
    this.emit('notice', n);
  }
}

/** How often a paced event reports progress (what must be said at once is, within the turn). */
const PACE_MS = 250;

/**
 * Says a changing state through `emit`: at once (within this turn) when it matters, else at
 * most every PACE_MS. Used for the `chain` event: a break at once, progress a few times a second.
 */
export class EventPacer {
  private timer: NodeJS.Timeout | null = null;
  private soon = false;
  private closed = false;
  /**
   * The callbacks, made once: `changed` runs for every line read, and a function holding a
   * closure over `this` allocates its context at each call, taken or not (#17: 40 bytes a
   * line, a tenth of the index's garbage).
   */
  private readonly emitSoon = (): void => {
    this.soon = false;
    if (!this.closed) this.emit();
  };
  private readonly emitPaced = (): void => {
    this.timer = null;
    if (!this.closed) this.emit();
  };

  constructor(private readonly emit: () => void) {}

  changed(now: boolean): void {
    if (this.closed) return;
    if (now) {
      if (this.soon) return;
      this.soon = true;
      queueMicrotask(this.emitSoon);
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(this.emitPaced, PACE_MS);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
