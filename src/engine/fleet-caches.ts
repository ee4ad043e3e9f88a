/**
 * Owns what the fleet engine remembers of its hosts' answers between changes: a fleet of
 * 10,000 hosts is asked for stats, matches and its chain on every change the viewer sees,
 * and asking every host each time made one host's append cost 10,000 host queries.
 *
 * A host's answers stay valid until that host says it changed (a `change`, `chain` or
 * `progress` event, or its indexing ending): the fleet then calls `hostChanged` and only
 * that host (or its block of hosts, for stats) is asked again.
 */
import type { ChainBreakSeen, ChainStatus, EntryFilter, UncheckedHost } from '../shared/entry.js';
import { CHAIN_BREAKS_LISTED, UNCHECKED_HOSTS_LISTED } from '../shared/entry.js';
import { mergeStatsParts, type StatsParts } from '../shared/query.js';
import type { HostEngine } from './engine.js';

/**
 * Hosts whose stats parts are merged and kept together: per-host parts would keep a copy of
 * every host's maps (hundreds of MB at 10,000 hosts); a block keeps one merged copy, and a
 * change re-asks its block's hosts only.
 */
const STATS_BLOCK = 64;
/** Filters remembered per host or block (the viewer asks for the unfiltered view, its filter and its search). */
const FILTERS_KEPT = 4;
/** Fleet entry keys: host number × this + the host engine's key (unique within the host). */
export const KEY_STRIDE = 2 ** 32;

/** The same text for filters that select the same entries (a RegExp by its source and flags). */
export function filterKey(filter: EntryFilter | undefined): string {
  if (filter === undefined) return '';
  return JSON.stringify(filter, (_, v: unknown) => (v instanceof RegExp ? `/${v.source}/${v.flags}` : v));
}

/** Remembers a few filters' answers, dropped at once when the source changes. */
class Remembered<T> {
  private readonly byFilter = new Map<string, T>();
  get(key: string, compute: () => T): T {
    let v = this.byFilter.get(key);
    if (v === undefined) {
      if (this.byFilter.size >= FILTERS_KEPT) this.byFilter.clear();
      v = compute();
      this.byFilter.set(key, v);
    }
    return v;
  }
  clear(): void {
    this.byFilter.clear();
  }
}

interface CachedHost {
  engine: HostEngine;
}

/** Every host's query matches (host positions), per filter, until the host changes. */
export class HostMatches {
  private readonly hosts: Array<Remembered<Int32Array>> = [];
  matches(number: number, host: CachedHost, key: string, filter: EntryFilter): Int32Array {
    const remembered = (this.hosts[number] ??= new Remembered());
    return remembered.get(key, () => host.engine.query(filter));
  }
  hostChanged(number: number): void {
    this.hosts[number]?.clear();
  }
}

/** The hosts' stats parts merged by blocks of STATS_BLOCK hosts, per filter, until one of the block's hosts changes. */
export class BlockStats {
  private readonly blocks: Array<Remembered<StatsParts>> = [];
  constructor(
    private readonly hosts: readonly CachedHost[],
    /** Hosts counted here (the rest are counted elsewhere: a fleet's store). */
    private readonly counted: (host: CachedHost) => boolean = () => true,
  ) {}

  /** Every block's parts (merge them to get the fleet's). */
  parts(filter: EntryFilter | undefined): StatsParts[] {
    const key = filterKey(filter);
    const out: StatsParts[] = [];
    for (let b = 0; b * STATS_BLOCK < this.hosts.length; b++) {
      const remembered = (this.blocks[b] ??= new Remembered());
      out.push(remembered.get(key, () => mergeStatsParts(this.hosts.slice(b * STATS_BLOCK, (b + 1) * STATS_BLOCK).filter(this.counted).map((h) => h.engine.statsParts(filter)))));
    }
    return out;
  }

  hostChanged(number: number): void {
    this.blocks[Math.floor(number / STATS_BLOCK)]?.clear();
  }
}

/**
 * The fleet's chain status kept as sums of the hosts' (each host's last status is remembered,
 * and a change swaps its part out of the sums): broken if one host is, checking while one is,
 * the breaks listed in host order, keyed as the fleet keys entries.
 */
export class FleetChain {
  private readonly last: Array<ChainStatus | null> = [];
  private readonly stale = new Set<number>();
  private checked = 0;
  private total = 0;
  private unchained = 0;
  private unchecked = 0;
  private breakCount = 0;
  private checking = 0;
  /** Hosts that list breaks (few: a break is news). */
  private readonly withBreaks = new Set<number>();
  /** Hosts with records their check could not link (few, unless deliveries run far behind). */
  private readonly withUnchecked = new Set<number>();

  constructor(private readonly hosts: readonly CachedHost[]) {}

  hostChanged(number: number): void {
    this.stale.add(number);
  }

  status(): ChainStatus {
    // (A host never asked yet is stale too: it joined since.)
    for (let i = this.last.length; i < this.hosts.length; i++) {
      this.last.push(null);
      this.stale.add(i);
    }
    for (const i of this.stale) this.refresh(i);
    this.stale.clear();
    const breaks: ChainBreakSeen[] = [];
    for (const i of [...this.withBreaks].sort((a, b) => a - b)) {
      for (const b of (this.last[i] as ChainStatus).breaks) {
        if (breaks.length >= CHAIN_BREAKS_LISTED) break;
        breaks.push({ ...b, entryKey: b.entryKey < 0 ? -1 : i * KEY_STRIDE + b.entryKey });
      }
      if (breaks.length >= CHAIN_BREAKS_LISTED) break;
    }
    const uncheckedIn: UncheckedHost[] = [];
    for (const i of [...this.withUnchecked].sort((a, b) => a - b).slice(0, UNCHECKED_HOSTS_LISTED)) uncheckedIn.push(...((this.last[i] as ChainStatus).uncheckedIn ?? []));
    const state = this.breakCount > 0 ? 'broken' : this.checking > 0 ? 'checking' : 'intact';
    return {
      state,
      checked: this.checked,
      total: this.total,
      unchained: this.unchained,
      unchecked: this.unchecked,
      ...(uncheckedIn.length > 0 && { uncheckedIn }),
      breaks,
      breakCount: this.breakCount,
    };
  }

  private refresh(i: number): void {
    const old = this.last[i];
    if (old) this.count(old, -1);
    // (A copy: what the sums hold must not move under them.)
    const now = this.hosts[i].engine.chainStatus();
    const s = { ...now, breaks: [...now.breaks] };
    this.last[i] = s;
    this.count(s, 1);
    if (s.breaks.length > 0) this.withBreaks.add(i);
    else this.withBreaks.delete(i);
    if (s.unchecked > 0) this.withUnchecked.add(i);
    else this.withUnchecked.delete(i);
  }

  private count(s: ChainStatus, sign: 1 | -1): void {
    this.checked += sign * s.checked;
    this.total += sign * s.total;
    this.unchained += sign * s.unchained;
    this.unchecked += sign * s.unchecked;
    this.breakCount += sign * s.breakCount;
    if (s.state === 'checking') this.checking += sign;
  }
}
