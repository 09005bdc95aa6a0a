// The lattice of what a pointer's memory may be on the paths reaching a point.
//
// Go's runtime separates zero-initialization (memory not yet type-safe: no
// barriers) from zeroing (type-safe memory that may hold live heap pointers:
// barriers), and requires pointer slots to be zero before memory becomes a
// root. Which of those applies depends on the path taken,
// so the flow engine tracks, per object, the SET of states it may be in:
// joins are unions, so the lattice has finite height and loops reach a
// fixpoint after a bounded number of passes (linear total cost).
import type { TSESTree } from '@typescript-eslint/utils';

/** May hold old bytes: a non-zeroing pool's reuse, a free list of the user's. */
export const memGarbage = 1;
/** Known zero: fresh from sysAlloc/persistentalloc/a zeroing pool, or cleared whole. */
export const memZero = 2;
/** Type-safe: initialized; its HeapRef slots may hold live references. */
export const memSafe = 4;

/** Visible to the collector as a root (addRoot, a global root table, rooted memory). */
export const rootYes = 1;
/** Not (or no longer) a root. */
export const rootNo = 2;

/** Why a state holds: the node that caused it and the path it travelled. */
export interface Witness {
  readonly node: TSESTree.Node;
  /** The last branch, case, catch or loop edge taken since (for messages). */
  readonly via: string | undefined;
  /** What happened at `node`, when more than the node itself (a partial clear's byte count). */
  readonly note?: string;
}

/** The state of one object, shared by all variables that must-alias it. */
export interface ObjState {
  /** Bitset of memGarbage | memZero | memSafe. */
  readonly mem: number;
  /** Where the garbage possibility came from, when mem has memGarbage. */
  readonly memWhy: Witness | undefined;
  /** Why the memory may be type-safe (a parameter's type, a HeapRef store), when mem has memSafe. */
  readonly safeWhy?: Witness;
  /** Bitset of rootYes | rootNo. */
  readonly root: number;
  /** A HeapRef store into this object not yet rooted or escaped on some path. */
  readonly pending: Witness | undefined;
  /** Allocated in the analysed function (only then does an unrooted store stay unrooted). */
  readonly local: boolean;
  /** The layout expression (TS node) the object was allocated with, when known. */
  readonly layout: unknown;
  /** Must-alias group: variables with equal groups name the same object. */
  readonly group: string;
  /** Freed (pool free, sysFree) on some path reaching here: where. */
  readonly freed?: Witness;
  /** Records rooted at this address by `addRoot(p, L, n)`, when `n` is a known constant. */
  readonly rootCount?: number;
  /**
   * A clear of possibly-garbage memory that covered a counted range
   * (`L.size * n`): `records` when constant, `countText` the count as
   * written. A root of more records than that still sees garbage.
   */
  readonly zeroSpan?: ZeroSpan;
  /** For a HeapRef value: bitset of pinYes | pinNo (pinned on the paths reaching here or not). */
  readonly pin?: number;
  /** For a HeapRef value: the must-alias group of the object it was stored into, on some path. */
  readonly slotOf?: string;
  /**
   * The allocation the object comes from (a tagged allocator call, TS node,
   * possibly in another file) and the node of this file that stands for it
   * (the call itself, or the call of the helper that returned it). Dropped
   * when paths disagree or the object is handed to code that cannot be read.
   */
  readonly site?: AllocSite;
}

export interface AllocSite {
  readonly alloc: unknown;
  readonly at: TSESTree.Node;
  /** The allocation's layout is known where it is made (a pool's `new FixAlloc(L)`, a size `L.size`). */
  readonly layoutKnown: boolean;
}

/** A HeapRef pinned (`pin(h)`): the collector keeps its object while JS holds it. */
export const pinYes = 1;
/** Not pinned, or unpinned again. */
export const pinNo = 2;

export interface ZeroSpan {
  readonly records: number | undefined;
  readonly countText: string | undefined;
  readonly why: Witness;
  /** Where the garbage came from before the clear. */
  readonly garbage: Witness | undefined;
}

// Named predicates: the rules and the transfer functions ask these, never the bits.

/** May still hold old bytes on some path (not yet zero-initialized). */
export const isMaybeGarbage = (s: ObjState): boolean => (s.mem & memGarbage) !== 0;
/** May be type-safe memory whose HeapRef slots hold live references. */
export const isMaybeTypeSafe = (s: ObjState): boolean => (s.mem & memSafe) !== 0;
/** Known zero on every path. */
export const isKnownZero = (s: ObjState): boolean => s.mem === memZero;
/** A root on some path. */
export const isMaybeRooted = (s: ObjState): boolean => (s.root & rootYes) !== 0;
/** A root on every path. */
export const isRooted = (s: ObjState): boolean => s.root === rootYes;
/** Not a root on some path. */
export const isMaybeUnrooted = (s: ObjState): boolean => (s.root & rootNo) !== 0;
/** Freed on some path reaching here. */
export const isMaybeFreed = (s: ObjState): boolean => s.freed !== undefined;
/** A handle not pinned on some path reaching here (unknown handles count as unpinned). */
export const isMaybeUnpinned = (s: ObjState | undefined): boolean => s?.pin === undefined || (s.pin & pinNo) !== 0;
/** Holds a HeapRef store not yet rooted or handed on, on some path. */
export const hasPendingStore = (s: ObjState): boolean => s.pending !== undefined;

// State changes, named for what the program did.

/** Cleared whole (or its every HeapRef slot nil-ed): its slots hold nothing. */
export const cleared = (s: ObjState): ObjState => ({ ...s, mem: memZero, memWhy: undefined, safeWhy: undefined, pending: undefined, zeroSpan: undefined });
/** A HeapRef was stored: type-safe from now on (still garbage elsewhere if it was). */
export const stored = (s: ObjState, why: Witness, pendingAt: Witness | undefined): ObjState => ({
  ...s,
  mem: (s.mem & memGarbage) | memSafe,
  safeWhy: why,
  pending: s.local && s.root & rootNo ? pendingAt : s.pending,
});
/**
 * Registered as a root on every path (`must`), or on some (a helper that roots
 * conditionally): visible to the collector either way, but a pending store
 * stays pending unless every path roots it.
 */
export const rooted = (s: ObjState, must: boolean, count?: number): ObjState => ({
  ...s,
  root: must ? rootYes : s.root | rootYes,
  pending: must ? undefined : s.pending,
  rootCount: must ? count : undefined,
});
export const unrooted = (s: ObjState): ObjState => ({ ...s, root: rootNo, rootCount: undefined });
export const freedAt = (s: ObjState, w: Witness): ObjState => ({ ...s, freed: w, pending: undefined });

export function sameState(a: ObjState, b: ObjState): boolean {
  return (
    a.mem === b.mem &&
    a.root === b.root &&
    (a.pending === undefined) === (b.pending === undefined) &&
    (a.freed === undefined) === (b.freed === undefined) &&
    a.rootCount === b.rootCount &&
    (a.zeroSpan === undefined) === (b.zeroSpan === undefined) &&
    a.pin === b.pin &&
    a.slotOf === b.slotOf &&
    a.local === b.local &&
    a.group === b.group &&
    a.layout === b.layout &&
    a.site?.alloc === b.site?.alloc &&
    a.site?.at === b.site?.at
  );
}

/** The join of two paths' states for one variable `key`. */
export function joinState(a: ObjState, b: ObjState, key: string): ObjState {
  if (a === b) return a;
  const mem = a.mem | b.mem;
  return {
    mem,
    memWhy: mem & memGarbage ? (a.mem & memGarbage ? a.memWhy : b.memWhy) : undefined,
    safeWhy: mem & memSafe ? (a.mem & memSafe ? a.safeWhy : b.safeWhy) : undefined,
    root: a.root | b.root,
    pending: a.pending ?? b.pending,
    local: a.local || b.local,
    layout: a.layout === b.layout ? a.layout : undefined,
    // Different objects on different paths: no longer provably the same as any other variable.
    group: a.group === b.group ? a.group : `join:${key}`,
    freed: a.freed ?? b.freed,
    zeroSpan: a.zeroSpan ?? b.zeroSpan,
    pin: a.pin === undefined && b.pin === undefined ? undefined : (a.pin ?? pinNo) | (b.pin ?? pinNo),
    slotOf: a.slotOf ?? b.slotOf,
    site: a.site?.alloc === b.site?.alloc && a.site?.at === b.site?.at ? a.site : undefined,
    // The smaller count is what every path roots.
    rootCount: a.rootCount === undefined || b.rootCount === undefined ? undefined : Math.min(a.rootCount, b.rootCount),
  };
}

/** Tags the witnesses of a state with the edge it now travels. */
export function viaEdge(s: ObjState, via: string): ObjState {
  if (!s.memWhy && !s.pending && !s.freed) return s;
  return {
    ...s,
    memWhy: s.memWhy && { ...s.memWhy, via },
    pending: s.pending && { ...s.pending, via },
    freed: s.freed && { ...s.freed, via },
  };
}

export function describeMem(mem: number): string {
  const parts: string[] = [];
  if (mem & memGarbage) parts.push('garbage');
  if (mem & memZero) parts.push('zero');
  if (mem & memSafe) parts.push('type-safe');
  return parts.join(' or ') || 'unknown';
}
