// The call graph behind `@nowritebarrierrec`.
//
// Go's checker (cmd/compile/internal/ssagen/nowb.go) records every static call
// after lowering plus an edge from `systemstack(f)` to `f`, then floods from
// the nowritebarrierrec functions. Here the edges come from the type checker,
// in the manner of a scope manager's referencer: syntax.ts says which syntax
// makes an edge, resolve.ts which declarations a name stands for, dispatch.ts
// which implementations an interface, abstract, overridable or union member
// may reach, names.ts how a function is called in messages. A call that
// cannot be resolved is kept as such, with the reason, so the rule can report
// it under an option.
//
// The graph is never built whole: a function's facts are computed the first
// time someone asks (the flood, in breadth-first order, never recursively)
// and cached per program, so code no annotated root reaches costs nothing.
import ts from 'typescript';
import type { FunctionLikeWithBody } from '../directives.js';
import { programAnalysis } from '../program-analysis.js';
import type { ImplementerIndex } from './dispatch.js';
import type { UnresolvedReason } from './resolve.js';
import { computeFacts } from './syntax.js';

export type { UnresolvedReason } from './resolve.js';

/** A unit of the graph: a function, or a class standing for its implicit constructor. */
export type GraphNode = FunctionLikeWithBody | ts.ClassLikeDeclaration;

export interface CallEdge {
  readonly target: GraphNode;
  /** The call, `new`, property access or argument that makes the edge. */
  readonly site: ts.Node;
}

export interface UnresolvedCall {
  readonly site: ts.Node;
  readonly reason: UnresolvedReason;
}

/** What one function's own code does; nested functions are separate nodes. */
export interface FunctionFacts {
  readonly node: GraphNode;
  /** Sites that reach a write-barrier declaration, in source order. */
  readonly barriers: readonly ts.Node[];
  /** The barrier declaration each site reaches (the first, when several). */
  readonly barrierDeclarations: ReadonlyMap<ts.Node, ts.Node>;
  readonly callees: readonly CallEdge[];
  readonly unresolved: readonly UnresolvedCall[];
  /** Functions (and implicit constructors) defined directly inside. */
  readonly nested: readonly GraphNode[];
}

/** Work counters, so tests can prove the flood linear without timing it. */
export interface CallGraphStats {
  /** Functions whose facts were computed. */
  functions: number;
  /** Edges the flood examined. */
  edges: number;
  /** Declarations examined while resolving sites (overload sets, implementations). */
  declarations: number;
  /** Functions whose facts were carried over from an earlier program (their file and every file they can see unchanged). */
  carried: number;
  /** Calls whose target needed the checker's overload resolution (a callee naming functions directly needs none). */
  signatureResolutions: number;
}

/**
 * Checker queries of the resolution, process-wide (tests read differences): callees whose type was asked for (`any`,
 * a union receiver), which are those that do not name functions or methods directly; arguments whose type was asked
 * for to find the function values among them (a name declared as a primitive or branded number needs none).
 */
export const typeQueries = { callees: 0, values: 0 };

export interface CallGraph {
  readonly program: ts.Program;
  facts(node: GraphNode): FunctionFacts;
  readonly stats: CallGraphStats;
}

/** What the resolution modules share for one program. */
export interface GraphContext {
  readonly program: ts.Program;
  readonly checker: ts.TypeChecker;
  readonly stats: CallGraphStats;
  /** Who may implement what; built on the first dispatch. */
  implementers?: ImplementerIndex;
  /** Set when the function being resolved consulted the implementer index: its facts then depend on every file. */
  dispatched: boolean;
}

/** The lazily built call graph of a program, kept with the program's analysis state. */
export function callGraphOf(program: ts.Program): CallGraph {
  const graphs = programAnalysis(program).cache<'graph', CallGraph>('call-graph');
  let graph = graphs.get('graph');
  if (!graph) {
    const pa = programAnalysis(program);
    const cache = new Map<GraphNode, FunctionFacts>();
    const context: GraphContext = {
      program,
      checker: pa.checker,
      stats: { functions: 0, edges: 0, declarations: 0, carried: 0, signatureResolutions: 0 },
      dispatched: false,
    };
    graph = {
      program,
      stats: context.stats,
      facts(node) {
        let found = cache.get(node);
        if (found) return found;
        // Facts hold only syntax nodes, so they carry over to the next program (an editor's, after an edit)
        // while no edited file can change what the function's file sees (typeCache). Facts that consulted the
        // implementer index depend on every file, and are not carried.
        const carried = pa.typeCache<GraphNode, FunctionFacts>('call-graph:facts', node.getSourceFile());
        found = carried.get(node);
        if (found) context.stats.carried++;
        else {
          context.dispatched = false;
          found = computeFacts(context, node);
          context.stats.functions++;
          if (!context.dispatched && !found.unresolved.some((u) => u.reason === 'unanalyzable')) carried.set(node, found);
        }
        cache.set(node, found);
        return found;
      },
    };
    graphs.set('graph', graph);
  }
  return graph;
}

export function callGraphStats(program: ts.Program): Readonly<CallGraphStats> {
  return callGraphOf(program).stats;
}
