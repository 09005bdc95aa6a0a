// Small syntactic queries shared by the analyses and the rules: the one
// place that skips what does not change a value, and the one reading of
// `L.size` as "the size of layout L".
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import ts from 'typescript';

// The kinds `skipOuterExpressions` skips, read once: called for most expressions the rules look at, often before
// the code is compiled, where five `ts.is…` calls per node cost more than the comparisons.
const parenthesized = ts.SyntaxKind.ParenthesizedExpression;
const asExpression = ts.SyntaxKind.AsExpression;
const typeAssertion = ts.SyntaxKind.TypeAssertionExpression;
const nonNull = ts.SyntaxKind.NonNullExpression;
const satisfies = ts.SyntaxKind.SatisfiesExpression;

/** Parentheses, `as`, `<T>`, `!` or `satisfies`: each holds its operand in `expression`. */
function isOuterKind(k: ts.SyntaxKind): boolean {
  return k === parenthesized || k === asExpression || k === typeAssertion || k === nonNull || k === satisfies;
}

/**
 * The expression that produces the value: parentheses, `as`, `<T>`,
 * `satisfies` and `!` change the type the checker reports, never the value.
 */
export function skipOuterExpressions(expr: ts.Expression): ts.Expression {
  let e = expr;
  while (isOuterKind(e.kind)) e = (e as ts.ParenthesizedExpression).expression;
  return e;
}

/**
 * The outermost of the parentheses, `as`, `<T>`, `satisfies` and `!` around
 * `node` (itself when none): where its value is used. The upward twin of
 * `skipOuterExpressions`.
 */
export function outermostOf(node: ts.Node): ts.Node {
  let n = node;
  while (isOuterKind(n.parent.kind)) n = n.parent;
  return n;
}

/** The expression inside any parentheses (and nothing else: a cast changes the type a literal is checked against). */
export function skipParentheses(expr: ts.Expression): ts.Expression {
  let e = expr;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

/** The first ancestor of `node` that is not a parenthesis: the upward twin of `skipParentheses`. */
export function parentSkippingParentheses(node: ts.Node): ts.Node {
  let n = node.parent;
  while (ts.isParenthesizedExpression(n)) n = n.parent;
  return n;
}

const esOuter = new Set<string>([
  AST_NODE_TYPES.TSAsExpression,
  AST_NODE_TYPES.TSNonNullExpression,
  AST_NODE_TYPES.TSTypeAssertion,
  AST_NODE_TYPES.TSSatisfiesExpression,
  AST_NODE_TYPES.ChainExpression,
]);

/**
 * The same for an ESTree expression (which has no parenthesis nodes), plus
 * optional chains and a sequence's last operand: the value it evaluates to.
 */
export function skipOuterEs(e: TSESTree.Node): TSESTree.Node {
  for (;;) {
    if (esOuter.has(e.type)) e = (e as TSESTree.TSAsExpression).expression;
    else if (e.type === AST_NODE_TYPES.SequenceExpression) e = e.expressions[e.expressions.length - 1];
    else return e;
  }
}

/**
 * The outermost ESTree expression whose value is `e`'s through type-only wrappers (`as`, `satisfies`, `!`,
 * `<T>`): the node its parent takes, say as an argument or an initializer.
 */
export function outermostTypedEs(e: TSESTree.Node): TSESTree.Node {
  while (e.parent && e.parent.type !== AST_NODE_TYPES.ChainExpression && esOuter.has(e.parent.type)) e = e.parent;
  return e;
}

/** A byte count read as layouts: `L.size` is one `L`, `L.size * n` and `n * L.size` are `n` of them. */
export interface SizeOfLayout {
  /** The layout expression `L`. */
  readonly layout: ts.Expression;
  /** The record count `n`, or undefined for one. */
  readonly count: ts.Expression | undefined;
}

/** `L.size`, `L.size * n` or `n * L.size` (through parentheses and casts), else undefined. */
export function sizeOfLayout(expr: ts.Expression): SizeOfLayout | undefined {
  const e = skipOuterExpressions(expr);
  const one = (x: ts.Expression): ts.Expression | undefined => {
    const s = skipOuterExpressions(x);
    return ts.isPropertyAccessExpression(s) && s.name.text === 'size' ? s.expression : undefined;
  };
  const layout = one(e);
  if (layout) return { layout, count: undefined };
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
    const l = one(e.left);
    if (l) return { layout: l, count: e.right };
    const r = one(e.right);
    if (r) return { layout: r, count: e.left };
  }
  return undefined;
}
