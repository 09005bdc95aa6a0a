// Where a function performs write barriers.
//
// A barrier is a call, `new`, getter read or setter write whose resolved
// declaration carries `@writebarrier` (the runtime's barriered HeapRef store,
// `typedmemclr`, `memclrHasPointers`, and the HeapRef field accessors built on
// them), or a function value of one passed as an argument. Stores of `Ptr`s,
// numbers and locals never are: they do not reach such a declaration. The
// classification lives with the call graph, which resolves every site once.
import ts from 'typescript';
import { callGraphOf } from './call-graph.js';
import type { GraphNode } from './call-graph.js';

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
