// The per-function flow engine behind zeroing-variant, zero-before-root and
// no-unrooted-heap-refs.
//
// Go leaves "zero-initialize before a root sees it" and "clear type-safe
// memory with barriers" to code review; deciding them needs the state of an
// object's memory on every path. The pieces:
// - recorder.ts: while ESLint walks the file, log per code-path segment the
//   nodes that matter;
// - solver.ts: a generic worklist over the segments (joins, exceptional edges);
// - transfer.ts: what each event does, runtime calls read from the effect
//   catalogue (effects.ts);
// - summaries.ts: same-file functions, callees first and without recursion;
// - explain.ts: the words of the messages.
// The rules filter the resulting facts with the predicates of memory-state.ts.
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import type { OffheapContext } from '../context.js';
import { cacheOf } from '../program-analysis.js';
import type { FlowFact } from './facts.js';
import { ellipsisLong, functionLabel } from './explain.js';
import { recorderListeners, type Recording } from './recorder.js';
import { FlowEngine } from './transfer.js';

export type { ClearApi, FlowFact, PartialClear } from './facts.js';
export { describeWitness, ellipsis, listSome } from './explain.js';

/** The report every flow rule declares (as `flowCannotProve`) for a function the analysis gave up on. */
export const flowCannotProveMessage =
  'Cannot prove `{{name}}` safe: the flow analysis gave up on it ({{reason}}), so its roots, clears and frees are not checked. Split the function, or simplify the construct named.';

/** The data of a `flowCannotProve` report. */
export function cannotProveData(f: Extract<FlowFact, { kind: 'cannotProve' }>): { name: string; reason: string } {
  return { name: functionLabel(f.node), reason: ellipsisLong(f.reason) };
}
export { flowLimits, flowStats } from './solver.js';

interface Shared extends Recording {
  facts: FlowFact[] | undefined;
}

/**
 * Listeners that log the flow of the file, and a callback with its facts once
 * the walk is over (at `Program:exit`). Rules of the same run share one
 * recording and one solve per file (summaries included): it is kept in the
 * program's analysis state, one per walk of the file.
 */
export function flowFacts(
  context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>,
  ctx: OffheapContext,
  onFacts: (facts: readonly FlowFact[], reportsCannotProve: boolean) => void,
): TSESLint.RuleListener {
  const ast = context.sourceCode.ast;
  // Keyed weakly by the walk's ESTree: a recording lives as long as ESLint keeps that walk, not as long as the program.
  const store = cacheOf<'byAst', WeakMap<TSESTree.Program, Shared>>(ctx.checker, 'flow:recordings');
  let recordings = store.get('byAst');
  if (!recordings) store.set('byAst', (recordings = new WeakMap()));
  let rec = recordings.get(ast);
  const owner = rec === undefined;
  if (!rec) {
    rec = { paths: [], byFunction: new Map(), facts: undefined };
    recordings.set(ast, rec);
  }
  const r = rec;
  const done = (): void => {
    r.facts ??= new FlowEngine(ctx, r).solveAll();
    // A function the flow gave up on is reported once per file, by the first flow rule of the run.
    onFacts(r.facts, owner);
  };
  if (!owner) return { 'Program:exit': done };
  return recorderListeners(r, done);
}
