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
}

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
}

/** The lazily built call graph of a program, kept with the program's analysis state. */
export function callGraphOf(program: ts.Program): CallGraph {
  const graphs = programAnalysis(program).cache<'graph', CallGraph>('call-graph');
  let graph = graphs.get('graph');
  if (!graph) {
    const cache = new Map<GraphNode, FunctionFacts>();
    const context: GraphContext = { program, checker: program.getTypeChecker(), stats: { functions: 0, edges: 0, declarations: 0 } };
    graph = {
      program,
      stats: context.stats,
      facts(node) {
        let found = cache.get(node);
        if (!found) {
          found = computeFacts(context, node);
          cache.set(node, found);
          context.stats.functions++;
        }
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
