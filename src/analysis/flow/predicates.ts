// Correlated conditions. Go's own code tests `if fromFreeList` twice: once
// before zeroing, once before rooting. A path that took the first branch one
// way takes the second the same way. The flow state is therefore split by
// the values of simple branch predicates seen on the path (a `const`, a
// parameter or a local never assigned after its declaration, destructured or
// not, or a `readonly` field of `this` outside constructors, tested directly
// or negated): each partition carries its valuation, an edge whose condition
// contradicts a partition's valuation drops that partition, and partitions
// with the same valuation join. At most `maxPredicates` predicates are
// carried per path (at most 2^3 partitions; the oldest is dropped for a new
// one), so cost stays linear.
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { skipOuterEs } from '../expressions.js';
import type { SegInfo } from './recorder.js';

export const maxPredicates = 3;

/** A valuation: `v3:1|v7:0` (sorted by key); '' carries none. */
export type Valuation = string;

/**
 * The test an edge into `to` decides and the value it has on that edge, with
 * negations (`!x`) and parentheses taken off: `if (t) <to>` gives true, the
 * `else` branch or the fall-through past an `if` without one gives false.
 */
export function edgeTest(from: SegInfo, to: SegInfo): { readonly test: TSESTree.Expression; readonly value: boolean } | undefined {
  if (from.seg.nextSegments.length < 2 || to.index <= from.index) return undefined;
  const n = to.start;
  const p = n.parent;
  let test: TSESTree.Expression;
  let value: boolean;
  if (p?.type === AST_NODE_TYPES.IfStatement && p.consequent === n) [test, value] = [p.test, true];
  else if (p?.type === AST_NODE_TYPES.IfStatement && p.alternate === n) [test, value] = [p.test, false];
  else if (n.type === AST_NODE_TYPES.IfStatement && !n.alternate) [test, value] = [n.test, false];
  else return undefined;
  let t = skipOuterEs(test);
  while (t.type === AST_NODE_TYPES.UnaryExpression && t.operator === '!') {
    value = !value;
    t = skipOuterEs(t.argument);
  }
  return { test: t as TSESTree.Expression, value };
}

/** What a predicate names: a variable, or a field of `this` (`this.reused`). */
export type PredicateName = TSESTree.Identifier | TSESTree.MemberExpression;

/** The predicate an edge into `to` establishes: the test's variable or `this` field, and the value it has on that edge. */
export function edgeCondition(from: SegInfo, to: SegInfo): { readonly id: PredicateName; readonly value: boolean } | undefined {
  const e = edgeTest(from, to);
  const t = e?.test;
  if (!e || !t) return undefined;
  if (t.type === AST_NODE_TYPES.Identifier) return { id: t, value: e.value };
  if (t.type === AST_NODE_TYPES.MemberExpression && !t.computed && t.object.type === AST_NODE_TYPES.ThisExpression && t.property.type === AST_NODE_TYPES.Identifier) {
    return { id: t, value: e.value };
  }
  return undefined;
}

/**
 * `val` with `key` = `value`; undefined when it contradicts `val`. When the
 * valuation is full, the predicate first seen earliest in the file is dropped
 * (keys are numbered in that order), so a long function of independent
 * blocks keeps the flags of the block it is in.
 */
export function extend(val: Valuation, key: string, value: boolean): Valuation | undefined {
  const want = `${key}:${value ? 1 : 0}`;
  const other = `${key}:${value ? 0 : 1}`;
  const parts = val === '' ? [] : val.split('|');
  if (parts.includes(want)) return val;
  if (parts.includes(other)) return undefined;
  const next = [...parts, want].sort((a, b) => order(a) - order(b));
  if (next.length > maxPredicates) {
    const dropped = next.shift()!;
    if (dropped === want) return val;
  }
  return next.join('|');
}

/** The number of a predicate key `c12:1`. */
function order(part: string): number {
  return Number(part.slice(1, part.indexOf(':')));
}
