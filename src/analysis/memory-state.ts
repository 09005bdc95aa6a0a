// The lattice of what a pointer's memory may be on the paths reaching a point.
//
// Go's runtime separates zero-initialization (memory not yet type-safe: no
// barriers) from zeroing (type-safe memory that may hold live heap pointers:
// barriers), and requires pointer slots to be zero before memory becomes a
// root (go-semantics §2–3). Which of those applies depends on the path taken,
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
}

export function sameState(a: ObjState, b: ObjState): boolean {
  return a.mem === b.mem && a.root === b.root && (a.pending === undefined) === (b.pending === undefined) && a.local === b.local && a.group === b.group && a.layout === b.layout;
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
  };
}

/** Tags the witnesses of a state with the edge it now travels. */
export function viaEdge(s: ObjState, via: string): ObjState {
  if (!s.memWhy && !s.pending) return s;
  return {
    ...s,
    memWhy: s.memWhy && { ...s.memWhy, via },
    pending: s.pending && { ...s.pending, via },
  };
}

export function describeMem(mem: number): string {
  const parts: string[] = [];
  if (mem & memGarbage) parts.push('garbage');
  if (mem & memZero) parts.push('zero');
  if (mem & memSafe) parts.push('type-safe');
  return parts.join(' or ') || 'unknown';
}
