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
  /** A reachable segment's position in `segs`, by its id. */
  readonly indexOf: ReadonlyMap<string, number>;
  /** Per position in `segs`: its solved output (undefined if it never ran). */
  readonly outs: readonly (E | undefined)[];
}

/** A path's reachable segments and their edges as positions: the same for every solve of the path (summary run and solve). */
interface Graph {
  readonly segs: readonly SegInfo[];
  readonly indexOf: ReadonlyMap<string, number>;
  /** Position of the initial segment, or -1. */
  readonly initial: number;
  /** Per position: its solved-in predecessors' positions, in `prevSegments` order. */
  readonly preds: readonly (readonly number[])[];
  /** Per position: its successors' positions, in `nextSegments` order. */
  readonly succs: readonly (readonly number[])[];
  /** Per position: the try statement whose catch it enters (catch entry segments), else undefined. */
  readonly guards: readonly (TSESTree.TryStatement | undefined)[];
  /** Catch entry positions with the try they guard, in walk order. */
  readonly handlers: readonly { readonly at: number; readonly t: TSESTree.TryStatement }[];
}

const graphs = new WeakMap<PathInfo, Graph>();

function graphOf(path: PathInfo): Graph {
  let g = graphs.get(path);
  if (g) return g;
  // The recorder lists a path's segments in walk order.
  const segs: SegInfo[] = [];
  for (const s of path.segs) if (s.seg.reachable) segs.push(s);
  const indexOf = new Map<string, number>();
  for (let i = 0; i < segs.length; i++) indexOf.set(segs[i].seg.id, i);
  const positions = (list: readonly { readonly id: string }[]): number[] => {
    const out: number[] = [];
    for (const x of list) {
      const i = indexOf.get(x.id);
      if (i !== undefined) out.push(i);
    }
    return out;
  };
  const guards: (TSESTree.TryStatement | undefined)[] = [];
  const handlers: { at: number; t: TSESTree.TryStatement }[] = [];
  for (let i = 0; i < segs.length; i++) {
    const t = handlerOf(segs[i]);
    guards.push(t);
    if (t) handlers.push({ at: i, t });
  }
  g = {
    segs,
    indexOf,
    initial: indexOf.get(path.codePath.initialSegment.id) ?? -1,
    preds: segs.map((s) => positions(s.seg.prevSegments)),
    succs: segs.map((s) => positions(s.seg.nextSegments)),
    guards,
    handlers,
  };
  graphs.set(path, g);
  return g;
}

export function solveSegments<E>(path: PathInfo, entry: E, d: Domain<E>): Solution<E> {
  const g = graphOf(path);
  const { segs, preds: predsOf, succs, guards, handlers } = g;
  const n = segs.length;
  const outs: (E | undefined)[] = new Array<E | undefined>(n).fill(undefined);
  const ins: (E | undefined)[] = new Array<E | undefined>(n).fill(undefined);
  const queued = new Uint8Array(n).fill(1);
  const heap = new MinHeap(n);
  for (let i = 0; i < n; i++) heap.push(i);
  const enqueue = (i: number): void => {
    if (!queued[i]) {
      queued[i] = 1;
      heap.push(i);
    }
  };
  // Per try statement: the states exceptions carry out of its block, by the segment they leave from.
  const thrown = handlers.length > 0 ? new Map<TSESTree.TryStatement, Map<SegInfo, E>>() : undefined;
  // The lattice bounds the runs per segment. Past a budget far above what real
  // code needs, inputs are widened to the top of the lattice: every state is
  // possible, so findings are kept (and may grow), never dropped, and the
  // solve ends after one more pass. A second budget guards against a
  // transfer bug (then the function is "cannot prove").
  let budget = flowLimits.runsPerSegment * n + flowLimits.baseRuns;
  let hard = 2 * budget + 4 * n + 1024;
  while (heap.size > 0) {
    if (--hard < 0) throw new FlowBudgetError(n);
    const widening = --budget < 0;
    if (widening) flowStats.widened++;
    const at = heap.pop();
    queued[at] = 0;
    const next = segs[at];
    let input: E;
    if (at === g.initial) input = entry;
    else {
      const preds: { from: SegInfo; out: E }[] = [];
      for (const p of predsOf[at]) {
        const out = outs[p];
        if (out) preds.push({ from: segs[p], out });
      }
      input = preds.length > 0 ? d.join(next, preds) : d.empty();
    }
    const guarded = guards[at];
    const carried = guarded && thrown!.get(guarded);
    if (guarded && carried && carried.size > 0) input = d.joinThrown(input, carried.values(), guarded);
    if (widening) input = d.widen(input);
    const prevIn = ins[at];
    if (prevIn && outs[at] !== undefined && d.equal(prevIn, input)) continue;
    ins[at] = input;
    flowStats.segments++;
    const exc = thrown ? new Map<TSESTree.TryStatement, E>() : undefined;
    const out = d.run(next, input, exc);
    const prevOut = outs[at];
    outs[at] = out;
    if (!prevOut || !d.equal(prevOut, out)) for (const s of succs[at]) enqueue(s);
    if (exc) {
      for (const [t, env] of exc) {
        let bySeg = thrown!.get(t);
        if (!bySeg) thrown!.set(t, (bySeg = new Map<SegInfo, E>()));
        const before = bySeg.get(next);
        if (before && d.equal(before, env)) continue;
        bySeg.set(next, env);
        for (const h of handlers) if (h.t === t) enqueue(h.at);
      }
    }
  }
  return { segs, indexOf: g.indexOf, outs };
}

/** The solver ran out of its per-function budget. */
export class FlowBudgetError extends Error {
  constructor(segments: number) {
    super(`the flow did not settle within its budget over ${segments} segments`);
  }
}

/** The try statement whose catch `s` enters (a catch entry segment), else undefined. */
function handlerOf(s: SegInfo): TSESTree.TryStatement | undefined {
  const n = s.start;
  const p = n.parent;
  if (n.type === AST_NODE_TYPES.CatchClause) return n.parent;
  if (p?.type === AST_NODE_TYPES.CatchClause && p.body === n) return p.parent;
  return undefined;
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
