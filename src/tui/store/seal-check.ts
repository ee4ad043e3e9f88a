/**
 * The header's seal verdict: the engine's seal records (engine.seals()) checked with the
 * verification keys given (`view --verification-key[-file]`) by shared/seal.ts's SealChecker,
 * as `verify` checks them. One group per chain (a collected host each); the lines are read
 * again only when a group's seals change, so following a log costs nothing between seals.
 */
import type { AuditEngine, SealRecords } from '../../shared/entry.js';
import { SealChecker, type SealFailureKind } from '../../shared/seal.js';

/** What the badge says of the seals; null when there are none and no key was given. */
export interface SealStatus {
  /** Chains whose seals were checked with a key. */
  checked: number;
  /** Of those, chains without a seal (a key was given, but nothing is proven by it). */
  notSealed: number;
  /** Chains with seals and no key (none given, or a fleet given keys for some hosts only). */
  unchecked: number;
  /** The earliest last seal among the chains checked, ISO time; null when none is sealed. */
  sealedUntil: string | null;
  /** Records after the last seal, summed over the chains. */
  unsealed: number;
  /** The first failure: the seal at file:line. */
  failure: { kind: SealFailureKind; file: string; line: number; origin: string } | null;
}

interface HostVerdict {
  key: string;
  seals: number;
  keyed: boolean;
  last: { seq: number; time: string } | null;
  failure: SealStatus['failure'];
}

/** What identifies a group's seals: when it is the same, its verdict stands. */
function groupKey(g: SealRecords): string {
  const first = g.locations[0];
  const last = g.locations[g.locations.length - 1];
  return `${g.locations.length}:${first?.seq}:${first?.offset}:${last?.seq}:${last?.offset}:${g.firstSeq}`;
}

function checkGroup(g: SealRecords, k0: Uint8Array | null): Omit<HostVerdict, 'key'> {
  const checker = new SealChecker(k0);
  // The chain's first record, so a renumbered log is told (its first seal's epoch, from seq 1).
  if (g.firstSeq !== null && (g.locations.length === 0 || (g.locations[0].seq ?? 0) > g.firstSeq)) {
    checker.add({ seq: g.firstSeq, file: '', line: 0, logged: undefined, seal: null });
  }
  g.locations.forEach((at, i) => {
    // (Outside the chain, as verify leaves it: a seal without seq is none of the chain's.)
    if (at.seq === null) return;
    const bytes = g.line(i);
    // (Gone from every file since it was listed: a truncation the engine is about to report.)
    if (bytes !== null) checker.add({ seq: at.seq, file: at.file, line: at.line, logged: undefined, seal: bytes });
  });
  const v = checker.finish();
  return {
    seals: v.seals,
    keyed: v.keyed,
    last: v.last && { seq: v.last.seq, time: v.last.time },
    failure: v.failure && { kind: v.failure.kind, file: v.failure.file, line: v.failure.line, origin: g.origin },
  };
}

export class SealCheck {
  private readonly verdicts = new Map<string, HostVerdict>();

  /** `keys`: the verification key of each origin ('' for files). */
  constructor(private readonly keys: ReadonlyMap<string, Uint8Array>) {}

  /** The verdict now, or null when the engine has no seals to show (and no key was given). */
  status(engine: AuditEngine): SealStatus | null {
    const groups = engine.seals?.() ?? [];
    const out: SealStatus = { checked: 0, notSealed: 0, unchecked: 0, sealedUntil: null, unsealed: 0, failure: null };
    let shown = false;
    for (const g of groups) {
      const k0 = this.keys.get(g.origin) ?? null;
      if (g.locations.length === 0 && k0 === null) continue;
      shown = true;
      const key = groupKey(g);
      let v = this.verdicts.get(g.origin);
      if (v?.key !== key) {
        v = { key, ...checkGroup(g, k0) };
        this.verdicts.set(g.origin, v);
      }
      const records = g.lastSeq === null ? 0 : v.last ? g.lastSeq - v.last.seq : g.firstSeq === null ? 0 : g.lastSeq - g.firstSeq + 1;
      out.unsealed += Math.max(0, records);
      out.failure ??= v.failure;
      if (!v.keyed) out.unchecked++;
      else {
        out.checked++;
        if (v.last === null) out.notSealed++;
        else if (out.sealedUntil === null || v.last.time < out.sealedUntil) out.sealedUntil = v.last.time;
      }
    }
    return shown ? out : null;
  }
}
