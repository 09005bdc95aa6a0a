// Where a function performs write barriers, and the `@nowritebarrierrec`
// flood over the call graph.
//
// A barrier is a call, `new`, getter read or setter write whose resolved
// declaration is a runtime API that the effect catalogue says runs the write
// barrier (the barriered HeapRef store, `typedmemclr`, `memclrHasPointers`,
// and the HeapRef field accessors built on them), or a function value of one
// passed as an argument or invoked through `call`/`apply`/`bind`. Stores of
// `Ptr`s, numbers and locals never are: they do not reach such a declaration.
// The classification lives with the call graph, which resolves every site once.
import ts from 'typescript';
import { barrierDirectives, directedFunctions, findNode, isFunctionLikeWithBody, isTypeOnly, recMarker } from './directives.js';
import { callGraphOf } from './call-graph/graph.js';
import type { GraphNode, UnresolvedReason } from './call-graph/graph.js';
import { barrierId } from './call-graph/resolve.js';
import { programAnalysis, syntaxCache } from './program-analysis.js';

export { isWriteBarrierDeclaration } from './call-graph/resolve.js';

/**
 * The barrier sites of `fn` in source order. With `closures`, functions
 * defined inside `fn` count as its own code (what `@nowritebarrier` checks:
 * in Go they would mostly be inlined); without, only `fn`'s own body (Go's
 * WBPos granularity, used by the `@nowritebarrierrec` flood).
 */
export function barrierSites(program: ts.Program, fn: GraphNode, options: { closures: boolean }): ts.Node[] {
  const graph = callGraphOf(program);
  if (!options.closures) return [...graph.facts(fn).barriers];
  const sites: ts.Node[] = [];
  const seen = new Set<GraphNode>([fn]);
  const stack: GraphNode[] = [fn];
  while (stack.length > 0) {
    const facts = graph.facts(stack.pop()!);
    for (const site of facts.barriers) if (!sites.includes(site)) sites.push(site);
    for (const inner of facts.nested) {
      if (!seen.has(inner)) {
        seen.add(inner);
        stack.push(inner);
      }
    }
  }
  return sites.sort((a, b) => a.getStart() - b.getStart());
}

/** The first barrier of `fn`'s own body (Go's WBPos), if any. */
export function firstBarrier(program: ts.Program, fn: GraphNode): ts.Node | undefined {
  return callGraphOf(program).facts(fn).barriers[0];
}

/**
 * The runtime API a barrier site reaches, for messages: its `@offheap` id
 * (`storeHeapRef`, `HeapRefAccessor.set`), else the site's callee text.
 */
export function barrierName(program: ts.Program, site: ts.Node): string {
  // A class is its own site when its implicit constructor runs a barriered base constructor.
  const isNode = (n: ts.Node): n is GraphNode => isFunctionLikeWithBody(n) || ts.isClassLike(n);
  const enclosing = isNode(site) ? site : ts.findAncestor(site.parent, isNode);
  const decl = enclosing && callGraphOf(program).facts(enclosing).barrierDeclarations.get(site);
  const id = decl && barrierId(decl);
  if (id) return id;
  const callee = ts.isCallExpression(site) || ts.isNewExpression(site) ? site.expression : site;
  return callee.getText();
}

// ---------------------------------------------------------------------------
// The nowritebarrierrec flood (nowb.go's check).

/** A function reached from a root. */
export interface RecFinding {
  readonly fn: GraphNode;
  /** The first barrier of `fn` (Go's WBPos), or an unresolved call in it. */
  readonly site: ts.Node;
  /** `[fn, caller, …, root]`, computed on demand (only reports need it). */
  path(): GraphNode[];
}

export interface RecResult {
  readonly roots: readonly GraphNode[];
  /** Reached functions that contain a barrier, each once. Roots are left to the `@nowritebarrier` check. */
  readonly barriers: readonly RecFinding[];
  /** Unresolved calls in reached functions. */
  readonly unresolved: readonly (RecFinding & { readonly reason: UnresolvedReason })[];
}

/**
 * The `@nowritebarrierrec` functions of the program's own (non-declaration)
 * files. Each file's are a fact of its syntax, found once per SourceFile: a
 * new program after an edit re-reads the edited file only.
 */
export function recRoots(program: ts.Program): readonly GraphNode[] {
  const memo = programAnalysis(program).cache<'roots', readonly GraphNode[]>('rec-roots');
  const known = memo.get('roots');
  if (known) return known;
  const roots: GraphNode[] = [];
  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile) continue;
    const cache = syntaxCache<'roots', readonly GraphNode[]>('rec-roots', file);
    let found = cache.get('roots');
    if (!found) {
      // The text search too is a fact of the file: an unchanged file is not searched again in the next program.
      const marked = file.text.includes(recMarker);
      cache.set('roots', (found = marked ? directedFunctions(file).filter((n) => barrierDirectives(n).nowritebarrierrec) : []));
      if (marked) barrierCounters.rootScans++;
    }
    roots.push(...found);
  }
  memo.set('roots', roots);
  return roots;
}

/**
 * Whether `file` has code of its own in the graph: a function or class. A
 * file without (declarations, constants, module-level calls only) can hold
 * no finding of the flood, so linting it needs no flood.
 */
export function hasGraphNodes(file: ts.SourceFile): boolean {
  const cache = syntaxCache<'has', boolean>('has-graph-nodes', file);
  let found = cache.get('has');
  if (found === undefined) cache.set('has', (found = findNode(file, (n) => isFunctionLikeWithBody(n) || ts.isClassLike(n), isTypeOnly) !== undefined));
  return found;
}

/** Whether any file of the program has a `@nowritebarrierrec` root (text first: a program without the marker is answered without a walk). */
export function hasRecRoots(program: ts.Program): boolean {
  return recRoots(program).length > 0;
}

/** Work counters for tests: files whose syntax was scanned for `@nowritebarrierrec` roots. */
export const barrierCounters = { rootScans: 0 };

/**
 * Breadth-first from every root at once, never entering a
 * `@yeswritebarrierrec` function, visiting each function once and keeping
 * the first caller that reached it. A reached function with a barrier is
 * reported and not continued past. A queue, never recursion: a chain of any
 * length costs no stack. Cached per program.
 */
export function nowritebarrierrecFlood(program: ts.Program): RecResult {
  const floods = programAnalysis(program).cache<'flood', RecResult>('nowritebarrierrec-flood');
  const cached = floods.get('flood');
  if (cached) return cached;
  const graph = callGraphOf(program);
  const roots = recRoots(program);
  const caller = new Map<GraphNode, GraphNode | undefined>();
  const queue: GraphNode[] = [];
  for (const root of roots) {
    if (!caller.has(root)) {
      caller.set(root, undefined);
      queue.push(root);
    }
  }
  const pathOf = (fn: GraphNode): GraphNode[] => {
    const path: GraphNode[] = [];
    for (let at: GraphNode | undefined = fn; at; at = caller.get(at)) path.push(at);
    return path;
  };
  const barriers: RecFinding[] = [];
  const unresolved: (RecFinding & { reason: UnresolvedReason })[] = [];
  for (let head = 0; head < queue.length; head++) {
    const fn = queue[head];
    const facts = graph.facts(fn);
    const path = (): GraphNode[] => pathOf(fn);
    if (facts.barriers.length > 0) {
      if (caller.get(fn) !== undefined) barriers.push({ fn, path, site: facts.barriers[0] });
      continue;
    }
    // Unresolved calls are edges the flood cannot take: reported where it would have.
    for (const u of facts.unresolved) unresolved.push({ fn, path, site: u.site, reason: u.reason });
    for (const edge of facts.callees) {
      graph.stats.edges++;
      const target = edge.target;
      if (caller.has(target)) continue;
      if (!ts.isClassLike(target) && barrierDirectives(target).yeswritebarrierrec) continue;
      caller.set(target, fn);
      queue.push(target);
    }
  }
  const result: RecResult = { roots, barriers, unresolved };
  floods.set('flood', result);
  return result;
}
