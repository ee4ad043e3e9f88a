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
