// Message wording: the words for a path's edges, a state's witness, names
// and bounded lists. Kept apart from the engine so that what a diagnostic
// says can change without touching how facts are computed.
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { Witness } from '../memory-state.js';
import { skipOuterEs } from '../expressions.js';

export const line = (n: TSESTree.Node): number => n.loc.start.line;

/** Where an edge starts and ends: the node a segment starts at, and its position. */
export interface EdgeEnd {
  readonly index: number;
  readonly start: TSESTree.Node;
}

/** Words for the edge a state takes into `to` (for "on the path through …"). */
export function edgeLabel(from: EdgeEnd, to: EdgeEnd): string | undefined {
  const n = to.start;
  const p = n.parent;
  if (to.index <= from.index) return `a later iteration of the loop at line ${line(loopOf(n) ?? n)}`;
  if (p?.type === AST_NODE_TYPES.IfStatement && p.consequent === n) return `the \`if\` branch at line ${line(n)}`;
  if (p?.type === AST_NODE_TYPES.IfStatement && p.alternate === n) return `the \`else\` branch at line ${line(n)}`;
  if (n.type === AST_NODE_TYPES.IfStatement) return `the path where the condition of the \`if\` at line ${line(n)} is false`;
  if (p?.type === AST_NODE_TYPES.SwitchCase) return p.test ? `the \`case\` at line ${line(p)}` : `the \`default\` case at line ${line(p)}`;
  if (n.type === AST_NODE_TYPES.SwitchCase) return n.test ? `the \`case\` at line ${line(n)}` : `the \`default\` case at line ${line(n)}`;
  if (n.type === AST_NODE_TYPES.SwitchStatement) return `the path where no \`case\` of the \`switch\` at line ${line(n)} matches`;
  if (n.type === AST_NODE_TYPES.CatchClause || p?.type === AST_NODE_TYPES.CatchClause) return `the \`catch\` at line ${line(n)} (an exception in the \`try\`)`;
  if (p?.type === AST_NODE_TYPES.TryStatement && p.finalizer === n) return `the \`finally\` at line ${line(n)}`;
  if (n.type === AST_NODE_TYPES.TryStatement) return `the path that leaves the \`try\` at line ${line(n)}`;
  if (isLoop(n)) return `the path where the loop at line ${line(n)} runs zero more times`;
  // Entering a loop body keeps the earlier label: "a later iteration" says more than "the body".
  if (p && isLoop(p) && (p as { body?: TSESTree.Node }).body === n) return undefined;
  if (p?.type === AST_NODE_TYPES.LogicalExpression && p.right === n) return `the path where the right side of \`${p.operator}\` at line ${line(p)} runs`;
  if (n.type === AST_NODE_TYPES.LogicalExpression) return `the path where \`${n.operator}\` at line ${line(n)} short-circuits`;
  if (p?.type === AST_NODE_TYPES.ConditionalExpression && p.consequent === n) return `the true arm of the \`?:\` at line ${line(p)}`;
  if (p?.type === AST_NODE_TYPES.ConditionalExpression && p.alternate === n) return `the false arm of the \`?:\` at line ${line(p)}`;
  if (n.type === AST_NODE_TYPES.ChainExpression) return chainLabel(n);
  return `the path through line ${line(n)}`;
}

/** A receiver as written, for the names and `this.x.y` members a message can spell; undefined otherwise. */
function spelled(n: TSESTree.Node): string | undefined {
  if (n.type === AST_NODE_TYPES.Identifier) return n.name;
  if (n.type === AST_NODE_TYPES.ThisExpression) return 'this';
  if (n.type === AST_NODE_TYPES.MemberExpression && !n.computed && n.property.type === AST_NODE_TYPES.Identifier) {
    const o = spelled(n.object);
    return o && `${o}${n.optional ? '?.' : '.'}${n.property.name}`;
  }
  return undefined;
}

/** The path past an optional chain that short-circuited: `maybeRt?.addRoot(p, L)` did not run because `maybeRt` was nullish. */
function chainLabel(chain: TSESTree.ChainExpression): string {
  // The first optional link from the left is the one whose receiver decides whether anything runs.
  let link: TSESTree.Node = chain.expression;
  let optional: TSESTree.MemberExpression | TSESTree.CallExpression | undefined;
  for (;;) {
    if (link.type === AST_NODE_TYPES.MemberExpression) {
      if (link.optional) optional = link;
      link = link.object;
    } else if (link.type === AST_NODE_TYPES.CallExpression) {
      if (link.optional) optional = link;
      link = link.callee;
    } else if (link.type === AST_NODE_TYPES.TSNonNullExpression) link = link.expression;
    else break;
  }
  const receiver = optional && spelled(optional.type === AST_NODE_TYPES.MemberExpression ? optional.object : optional.callee);
  const call = chain.expression.type === AST_NODE_TYPES.CallExpression ? spelled(chain.expression.callee) : undefined;
  const what = call ? `\`${call}(…)\`` : 'the optional chain';
  return receiver
    ? `the path where \`${receiver}\` is undefined or null (${what} at line ${line(chain)} does not run)`
    : `the path where the optional chain at line ${line(chain)} short-circuits`;
}

export function isLoop(n: TSESTree.Node): boolean {
  return (
    n.type === AST_NODE_TYPES.ForStatement ||
    n.type === AST_NODE_TYPES.ForInStatement ||
    n.type === AST_NODE_TYPES.ForOfStatement ||
    n.type === AST_NODE_TYPES.WhileStatement ||
    n.type === AST_NODE_TYPES.DoWhileStatement
  );
}

function loopOf(n: TSESTree.Node): TSESTree.Node | undefined {
  for (let a: TSESTree.Node | undefined = n; a; a = a.parent) if (isLoop(a)) return a;
  return undefined;
}

/** Source text on one line, at most 40 characters. */
export function ellipsis(text: string): string {
  const t = text.replace(/\s+/g, ' ');
  return t.length > 40 ? `${t.slice(0, 37)}...` : t;
}

/** A reason on one line, at most 120 characters. */
export function ellipsisLong(text: string): string {
  const t = text.replace(/\s+/g, ' ');
  return t.length > 120 ? `${t.slice(0, 117)}...` : t;
}

/** The name a function is known by in messages: its own, its variable's, its method's, or where it starts. */
export function functionLabel(n: TSESTree.Node): string {
  if ((n.type === AST_NODE_TYPES.FunctionDeclaration || n.type === AST_NODE_TYPES.FunctionExpression) && n.id) return n.id.name;
  const p = n.parent;
  if (p?.type === AST_NODE_TYPES.VariableDeclarator && p.id.type === AST_NODE_TYPES.Identifier) return p.id.name;
  if ((p?.type === AST_NODE_TYPES.MethodDefinition || p?.type === AST_NODE_TYPES.PropertyDefinition || p?.type === AST_NODE_TYPES.Property) && p.key.type === AST_NODE_TYPES.Identifier) return p.key.name;
  if (n.type === AST_NODE_TYPES.Program) return 'the module top level';
  return `the function at line ${line(n)}`;
}

/** "from `pool.alloc()` at line 5, on the path through …" for a message. */
export function describeWitness(w: Witness | undefined, text: (n: TSESTree.Node) => string): string {
  if (!w) return 'its type says it may be garbage';
  const what = w.note ?? `from \`${ellipsis(text(w.node))}\` at line ${line(w.node)}`;
  return w.via ? `${what}, on ${w.via}` : what;
}

/** At most this many items of a list are named in a message. */
export const listLimit = 4;

/** `a, b, c, d and 51 more`: a message names a handful of slot paths, never all of them. */
export function listSome(items: readonly string[], limit = listLimit): string {
  if (items.length <= limit) return items.join(', ');
  return `${items.slice(0, limit).join(', ')} and ${items.length - limit} more`;
}

export function calleeName(call: TSESTree.CallExpression): string {
  const c = skipOuterEs(call.callee);
  if (c.type === AST_NODE_TYPES.Identifier) return c.name;
  if (c.type === AST_NODE_TYPES.MemberExpression && c.property.type === AST_NODE_TYPES.Identifier) return c.property.name;
  return 'the callee';
}

/** The variable a store names as its target (`p` in `N.owner.set(p, r)`), for messages. */
export function nameOf(n: TSESTree.Node): string {
  if (n.type === AST_NODE_TYPES.CallExpression && n.arguments[0]) {
    const a = skipOuterEs(n.arguments[0]);
    if (a.type === AST_NODE_TYPES.Identifier) return a.name;
    if (a.type === AST_NODE_TYPES.BinaryExpression) {
      const l = skipOuterEs(a.left);
      if (l.type === AST_NODE_TYPES.Identifier) return l.name;
    }
  }
  return 'the object';
}
