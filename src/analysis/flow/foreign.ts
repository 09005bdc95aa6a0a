// Summaries of functions in other files. ESLint hands the flow the code paths
// of the file being linted only, so a callee elsewhere (a retire helper, a
// pool wrapper's alloc) is read from its TypeScript syntax instead: which
// parameters it frees on some path, and whether every return hands back an
// object it allocated, rooted on every path, on some or on none. Only what
// the body shows is claimed: a callee without a body, one too big to read,
// or a parameter it reassigns, yields no claim. A call through an interface
// or abstract member reads every implementation the call graph finds.
import ts from 'typescript';
import { implementationsOf } from '../call-graph/dispatch.js';
import type { GraphContext } from '../call-graph/graph.js';
import { functionOf, isAbstract, isAmbient, isInterfaceMember } from '../call-graph/resolve.js';
import { calleeId } from '../declarations.js';
import { argAt, effectOf } from '../effects.js';
import { skipOuterExpressions } from '../expressions.js';
import { isRuntimeFile } from '../offheap-files.js';
import { cacheOf, programAnalysis } from '../program-analysis.js';

export interface ForeignSummary {
  /** Per parameter index: a call in the callee that frees it (pool free, sysFree) on some path. */
  readonly frees: readonly (ts.CallExpression | undefined)[];
  /** The allocation every return hands back, and whether the callee roots it. */
  readonly ret: { readonly site: ts.CallExpression; readonly rooted: 'must' | 'may' | 'no' } | undefined;
}

/** Work counters for the linear-cost tests: summaries computed, syntax nodes read. */
export const foreignCounters = { summaries: 0, nodes: 0 };

/** Nodes read per callee body before it counts as too big to claim anything about. */
export const foreignLimits = { nodes: 20_000 };

/** The summary of the function `decl` names (in another file, with a body), memoised per program. */
export function foreignSummary(checker: ts.TypeChecker, decl: ts.Declaration): ForeignSummary | undefined {
  const fn = functionOf(decl);
  if (!fn || isAmbient(fn) || fn.getSourceFile().isDeclarationFile || isRuntimeFile(fn.getSourceFile())) return undefined;
  const cache = cacheOf<ts.Node, ForeignSummary | null>(checker, 'flow:foreign');
  let s = cache.get(fn);
  if (s === undefined) {
    s = summarise(checker, fn) ?? null;
    cache.set(fn, s);
  }
  return s ?? undefined;
}

/**
 * A call through an interface or abstract member: every implementation the
 * call graph finds in the program may run. A parameter some implementation
 * frees may be freed (a may-claim); what they return is not claimed.
 */
export function dispatchedSummary(program: ts.Program, decl: ts.Declaration): ForeignSummary | undefined {
  if (!isInterfaceMember(decl) && !isAbstract(decl)) return undefined;
  const pa = programAnalysis(program);
  const memo = pa.cache<ts.Node, ForeignSummary | null>('flow:dispatched');
  let s = memo.get(decl);
  if (s === undefined) {
    const contexts = pa.cache<'ctx', GraphContext>('flow:dispatch-context');
    let ctx = contexts.get('ctx');
    if (!ctx) contexts.set('ctx', (ctx = { program, checker: pa.checker, stats: { functions: 0, edges: 0, declarations: 0, carried: 0, signatureResolutions: 0 }, dispatched: false }));
    const frees: (ts.CallExpression | undefined)[] = [];
    let any = false;
    for (const impl of implementationsOf(ctx, decl, 'call')) {
      const f = ts.isFunctionLike(impl) ? foreignSummary(pa.checker, impl) : undefined;
      if (!f) continue;
      any = true;
      f.frees.forEach((c, i) => {
        frees[i] ??= c;
      });
    }
    s = any ? { frees, ret: undefined } : null;
    memo.set(decl, s);
  }
  return s ?? undefined;
}

function summarise(checker: ts.TypeChecker, fn: ts.SignatureDeclaration & { body?: ts.Node }): ForeignSummary | undefined {
  if (!fn.body) return undefined;
  foreignCounters.summaries++;
  const params = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? checker.getSymbolAtLocation(p.name) : undefined));
  const assigned = new Set<ts.Symbol>();
  const frees: (ts.CallExpression | undefined)[] = params.map(() => undefined);
  const allocs = new Map<ts.Symbol, ts.CallExpression>();
  const roots: { sym: ts.Symbol; call: ts.CallExpression }[] = [];
  const returns: (ts.Expression | undefined)[] = [];
  if (!ts.isBlock(fn.body)) returns.push(fn.body as ts.Expression);
  const symOf = (e: ts.Expression | undefined): ts.Symbol | undefined => {
    const x = e && skipOuterExpressions(e);
    return x && ts.isIdentifier(x) ? checker.getSymbolAtLocation(x) : undefined;
  };
  const stack: ts.Node[] = [fn.body];
  let budget = foreignLimits.nodes;
  while (stack.length > 0) {
    const n = stack.pop()!;
    foreignCounters.nodes++;
    if (--budget < 0) return undefined;
    // A nested function runs at another time (or never): not this callee's path.
    if (n !== fn.body && ts.isFunctionLike(n)) continue;
    if (ts.isReturnStatement(n)) returns.push(n.expression);
    else if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const s = symOf(n.left);
      if (s) assigned.add(s);
    } else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) {
      const s = symOf(n.operand);
      if (s) assigned.add(s);
    } else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) {
      const init = skipOuterExpressions(n.initializer);
      if (ts.isCallExpression(init) && effectOf(calleeId(checker, init))?.allocates) {
        const s = checker.getSymbolAtLocation(n.name);
        if (s) allocs.set(s, init);
      }
    } else if (ts.isCallExpression(n)) {
      const eff = effectOf(calleeId(checker, n));
      if (eff?.frees && eff.frees.what !== 'heapRef') {
        const i = params.indexOf(symOf(argAt(n.arguments, eff.frees.arg)));
        if (i >= 0) frees[i] ??= n;
      } else if (eff?.roots) {
        const s = symOf(argAt(n.arguments, eff.roots.ptrArg));
        if (s) roots.push({ sym: s, call: n });
      }
    }
    ts.forEachChild(n, (c) => {
      stack.push(c);
    });
  }
  // A reassigned parameter may name another object by the time it is freed.
  params.forEach((p, i) => {
    if (p && assigned.has(p)) frees[i] = undefined;
  });
  return { frees, ret: returned(fn.body, returns, allocs, assigned, roots, checker) };
}

/** The allocation every return statement hands back, when they all return one never-reassigned variable (or the allocation itself). */
function returned(
  body: ts.Node,
  returns: readonly (ts.Expression | undefined)[],
  allocs: ReadonlyMap<ts.Symbol, ts.CallExpression>,
  assigned: ReadonlySet<ts.Symbol>,
  roots: readonly { sym: ts.Symbol; call: ts.CallExpression }[],
  checker: ts.TypeChecker,
): ForeignSummary['ret'] {
  if (returns.length === 0) return undefined;
  let sym: ts.Symbol | undefined;
  let site: ts.CallExpression | undefined;
  for (const r of returns) {
    const x = r && skipOuterExpressions(r);
    if (!x) return undefined;
    if (ts.isCallExpression(x) && effectOf(calleeId(checker, x))?.allocates && returns.length === 1) return { site: x, rooted: 'no' };
    const s = ts.isIdentifier(x) ? checker.getSymbolAtLocation(x) : undefined;
    if (!s || (sym && s !== sym) || !allocs.has(s) || assigned.has(s)) return undefined;
    sym = s;
    site = allocs.get(s);
  }
  if (!sym || !site) return undefined;
  const mine = roots.filter((r) => r.sym === sym);
  if (mine.length === 0) return { site, rooted: 'no' };
  // Rooted on every path when one root call is a statement of the body itself (no branch, loop or try
  // around it) that runs before every return.
  const must = mine.some((r) => ts.isExpressionStatement(r.call.parent) && r.call.parent.parent === body && returns.every((x) => x !== undefined && x.pos >= r.call.end));
  return { site, rooted: must ? 'must' : 'may' };
}
