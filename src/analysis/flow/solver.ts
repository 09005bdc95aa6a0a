// A generic forward dataflow solver over ESLint's code-path segments.
//
// A segment's input is the join of its predecessors' outputs; a segment is
// re-run only when its input changes; the worklist pops the lowest segment
// position first (roughly topological). With a lattice of finite height each
// segment runs a bounded number of times, so cost is linear in the function.
//
// Exceptional edges: ESLint links a catch only from the start of the try and
// its first throwable node. Any statement of the try block may throw, so the
// domain's `run` reports, per enclosing try, the states an exception may
// carry out, and the catch's entry joins them. A `finally` is left to
// ESLint's own edges: its exceptional copy rethrows.
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { PathInfo, SegInfo } from './recorder.js';

/**
 * Counted work, for the linear-cost tests. `segments`: segment runs (facts are kept from each segment's last run, so
 * none runs again once solved); `transfers`: events run; `skipped`: functions not solved because they can hold no
 * memory state; `gated`: of those, answered from names without a type query; `placeTypes`: declared types asked of
 * module-level variables a function assigns (is it a root table?), once each; `summaries`: summary runs of same-file
 * functions (of `functions`), one per called helper and file lint, shared by every flow rule.
 */
export const flowStats = { segments: 0, transfers: 0, functions: 0, summaries: 0, stateOps: 0, widened: 0, skipped: 0, gated: 0, placeTypes: 0 };

/** The solver's budget: segment runs per function before widening (tests lower it). */
export const flowLimits = { runsPerSegment: 64, baseRuns: 1024 };

export interface Domain<E> {
  /** The input of `to` from its solved predecessors (at least one). */
  join(to: SegInfo, preds: readonly { readonly from: SegInfo; readonly out: E }[]): E;
  /** A catch entry's input joined with the states exceptions carry out of its try block. */
  joinThrown(input: E, thrown: Iterable<E>, t: TSESTree.TryStatement): E;
  equal(a: E, b: E): boolean;
  /** Runs a segment's events; with `exc`, fills per enclosing try the states an exception may carry. */
  run(seg: SegInfo, input: E, exc: Map<TSESTree.TryStatement, E> | undefined): E;
  /** The empty state, for a segment with no solved predecessor. */
  empty(): E;
  /** The top of the lattice above `e`: every state any path could produce. Used once the budget is spent. */
  widen(e: E): E;
}

export interface Solution<E> {
  /** Reachable segments in walk order. */
  readonly segs: readonly SegInfo[];
  readonly byId: ReadonlyMap<string, SegInfo>;
  readonly ins: ReadonlyMap<SegInfo, E>;
  readonly outs: ReadonlyMap<SegInfo, E>;
}

export function solveSegments<E>(path: PathInfo, entry: E, d: Domain<E>): Solution<E> {
  const segs = [...path.segs.values()].filter((s) => s.seg.reachable).sort((a, b) => a.index - b.index);
  const byId = new Map(segs.map((s) => [s.seg.id, s]));
  const initial = byId.get(path.codePath.initialSegment.id);
  const outs = new Map<SegInfo, E>();
  const ins = new Map<SegInfo, E>();
  const queued = new Uint8Array(segs.length).fill(1);
  const heap = new MinHeap(segs.length);
  for (let i = 0; i < segs.length; i++) heap.push(i);
  const pos = new Map(segs.map((s, i) => [s, i]));
  const enqueue = (s: SegInfo | undefined): void => {
    const i = s && pos.get(s);
    if (i !== undefined && !queued[i]) {
      queued[i] = 1;
      heap.push(i);
    }
  };
  const handlers = handlerEntries(segs);
  const thrown = new Map<TSESTree.TryStatement, Map<SegInfo, E>>();
  // The lattice bounds the runs per segment. Past a budget far above what real
  // code needs, inputs are widened to the top of the lattice: every state is
  // possible, so findings are kept (and may grow), never dropped, and the
  // solve ends after one more pass. A second budget guards against a
  // transfer bug (then the function is "cannot prove").
  let budget = flowLimits.runsPerSegment * segs.length + flowLimits.baseRuns;
  let hard = 2 * budget + 4 * segs.length + 1024;
  while (heap.size > 0) {
    if (--hard < 0) throw new FlowBudgetError(segs.length);
    const widening = --budget < 0;
    if (widening) flowStats.widened++;
    const at = heap.pop();
    queued[at] = 0;
    const next = segs[at];
    let input: E;
    if (next === initial) input = entry;
    else {
      const preds: { from: SegInfo; out: E }[] = [];
      for (const p of next.seg.prevSegments) {
        const from = byId.get(p.id);
        const out = from && outs.get(from);
        if (from && out) preds.push({ from, out });
      }
      input = preds.length > 0 ? d.join(next, preds) : d.empty();
    }
    const guarded = handlers.get(next);
    const carried = guarded && thrown.get(guarded);
    if (guarded && carried && carried.size > 0) input = d.joinThrown(input, carried.values(), guarded);
    if (widening) input = d.widen(input);
    const prevIn = ins.get(next);
    if (prevIn && outs.has(next) && d.equal(prevIn, input)) continue;
    ins.set(next, input);
    flowStats.segments++;
    const exc = handlers.size > 0 ? new Map<TSESTree.TryStatement, E>() : undefined;
    const out = d.run(next, input, exc);
    const prevOut = outs.get(next);
    outs.set(next, out);
    if (!prevOut || !d.equal(prevOut, out)) for (const n of next.seg.nextSegments) enqueue(byId.get(n.id));
    for (const [t, env] of exc ?? []) {
      let bySeg = thrown.get(t);
      if (!bySeg) thrown.set(t, (bySeg = new Map<SegInfo, E>()));
      const before = bySeg.get(next);
      if (before && d.equal(before, env)) continue;
      bySeg.set(next, env);
      for (const [h, ht] of handlers) if (ht === t) enqueue(h);
    }
  }
  return { segs, byId, ins, outs };
}

/** The solver ran out of its per-function budget. */
export class FlowBudgetError extends Error {
  constructor(segments: number) {
    super(`the flow did not settle within its budget over ${segments} segments`);
  }
}

/** Catch entry segments, with the try statement they guard. */
function handlerEntries(segs: readonly SegInfo[]): Map<SegInfo, TSESTree.TryStatement> {
  const out = new Map<SegInfo, TSESTree.TryStatement>();
  for (const s of segs) {
    const n = s.start;
    const p = n.parent;
    if (n.type === AST_NODE_TYPES.CatchClause) out.set(s, n.parent);
    else if (p?.type === AST_NODE_TYPES.CatchClause && p.body === n) out.set(s, p.parent);
  }
  return out;
}

/** A binary min-heap of small integers (segment positions). */
class MinHeap {
  private readonly a: Int32Array;
  size = 0;
  constructor(capacity: number) {
    this.a = new Int32Array(Math.max(1, capacity));
  }
  push(v: number): void {
    const a = this.a;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (a[parent] <= v) break;
      a[i] = a[parent];
      i = parent;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a[--this.size];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= this.size) break;
      if (c + 1 < this.size && a[c + 1] < a[c]) c++;
      if (a[c] >= last) break;
      a[i] = a[c];
      i = c;
    }
    a[i] = last;
    return top;
  }
}
