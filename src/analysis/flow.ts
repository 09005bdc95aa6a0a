// The per-function flow engine behind zeroing-variant, zero-before-root and
// no-unrooted-heap-refs.
//
// Go leaves "zero-initialize before a root sees it" and "clear type-safe
// memory with barriers" to code review; deciding them needs the state of an
// object's memory on every path. ESLint's code-path analysis gives the
// segments of each function; while the AST is walked, the nodes that matter
// (calls, declarations, assignments, returns, literals) are logged per
// segment. When the file's walk ends, each function is solved by a worklist
// over its segments: a segment's input is the join of its predecessors'
// outputs, a segment is re-run only when its input grows, and joins are set
// unions over a finite lattice (memory-state.ts), so every segment is visited
// a bounded number of times and cost stays linear in the function's size.
// A last pass over the solved segments emits the facts the rules judge.
//
// Runtime APIs are recognised by their `@offheap` tags only (calleeId).
// Calls to same-file functions use a summary of what the callee does to each
// parameter on all its normal exits; nested functions are separate code paths
// and are not assumed to run (a callback may never be called).
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import ts from 'typescript';
import type { OffheapContext } from './context.js';
import { calleeId, resolveAlias } from './declarations.js';
import {
  joinState,
  memGarbage,
  memSafe,
  memZero,
  rootNo,
  rootYes,
  sameState,
  viaEdge,
  type ObjState,
  type Witness,
} from './memory-state.js';
import { isRuntimeFile } from './not-in-heap.js';
import { heapRefSlotsOf, isPointerType, isReference, mayBeGarbageType, pointeeOf, staticLayoutOf, structCallOfRecord, type StaticLayout } from './record-layout.js';

type Segment = TSESLint.CodePathSegment;
type CodePath = TSESLint.CodePath;
type Env = ReadonlyMap<string, ObjState>;

/** Analysis work, for the linear-cost test: segments run, events transferred, variable states joined. */
export const flowStats = { segments: 0, transfers: 0, functions: 0, stateOps: 0 };

export type ClearApi = 'memclrNoHeapPointers' | 'typedmemclr' | 'memclrHasPointers';

/** What the solved flow saw at one site; the rules judge these. */
export type FlowFact =
  | {
      readonly kind: 'clear';
      readonly api: ClearApi;
      readonly call: TSESTree.CallExpression;
      readonly ptr: TSESTree.Node;
      readonly state: ObjState;
      /** The pointer expression's type says it may be garbage (`Garbage`, `MaybeGarbage`). */
      readonly typeGarbage: boolean;
      /** Field paths of the object's HeapRef slots; undefined when the layout is not known. */
      readonly slots: readonly string[] | undefined;
      /** For a clear of fewer bytes than the object: bytes, size and the HeapRef slots left. */
      readonly partial: { readonly bytes: number; readonly size: number; readonly left: readonly string[]; readonly cleared: readonly string[] } | undefined;
      /** How the pointer relates to the variable the state came from (`q`, an alias of `p`). */
      readonly alias: string | undefined;
    }
  | {
      readonly kind: 'store';
      readonly call: TSESTree.CallExpression;
      readonly ptr: TSESTree.Node;
      readonly state: ObjState;
      /** Whether the store runs the write barrier (not storeHeapRefNoWB). */
      readonly barrier: boolean;
    }
  | {
      readonly kind: 'root';
      readonly node: TSESTree.Node;
      readonly ptr: TSESTree.Node;
      readonly state: ObjState;
      /** How it becomes visible: `addRoot`, `the global \`roots\``, … */
      readonly how: string;
      readonly slots: readonly string[] | undefined;
    }
  | {
      readonly kind: 'unroot';
      readonly call: TSESTree.CallExpression;
      readonly ptr: TSESTree.Node;
      readonly state: ObjState;
      readonly slots: readonly string[] | undefined;
    }
  | {
      /** A HeapRef store still neither rooted nor escaped at a normal exit of the function. */
      readonly kind: 'unrootedAtExit';
      readonly store: Witness;
      readonly name: string;
    };

interface SegInfo {
  readonly seg: Segment;
  readonly index: number;
  readonly start: TSESTree.Node;
  readonly events: TSESTree.Node[];
}

interface PathInfo {
  readonly codePath: CodePath;
  readonly node: TSESTree.Node;
  readonly segs: Map<string, SegInfo>;
  readonly current: Set<SegInfo>;
}

interface Recorder {
  readonly paths: PathInfo[];
  readonly byFunction: Map<TSESTree.Node, PathInfo>;
  facts: FlowFact[] | undefined;
}

const recorders = new WeakMap<TSESTree.Program, Recorder>();

/**
 * Listeners that log the flow of the file, and a getter for its facts once
 * the walk is over (in `Program:exit` or later). Rules of the same run share
 * one recording and one solve per file.
 */
export function flowFacts(
  context: Readonly<TSESLint.RuleContext<string, readonly unknown[]>>,
  ctx: OffheapContext,
  onFacts: (facts: readonly FlowFact[]) => void,
): TSESLint.RuleListener {
  const ast = context.sourceCode.ast;
  let rec = recorders.get(ast);
  const owner = rec === undefined;
  if (!rec) {
    rec = { paths: [], byFunction: new Map(), facts: undefined };
    recorders.set(ast, rec);
  }
  const r = rec;
  const done = (): void => {
    r.facts ??= new Engine(ctx, r).solveAll();
    onFacts(r.facts);
  };
  if (!owner) return { 'Program:exit': done };

  const stack: PathInfo[] = [];
  let nextIndex = 0;
  const log = (node: TSESTree.Node): void => {
    const top = stack[stack.length - 1];
    if (top) for (const s of top.current) s.events.push(node);
  };
  const listeners: Record<string, (...args: never[]) => void> = {
    onCodePathStart(codePath: CodePath, node: TSESTree.Node) {
      const info: PathInfo = { codePath, node, segs: new Map(), current: new Set() };
      stack.push(info);
      r.paths.push(info);
      r.byFunction.set(node, info);
    },
    onCodePathEnd() {
      stack.pop();
    },
    onCodePathSegmentStart(seg: Segment, node: TSESTree.Node) {
      const top = stack[stack.length - 1];
      const info: SegInfo = { seg, index: nextIndex++, start: node, events: [] };
      top.segs.set(seg.id, info);
      top.current.add(info);
    },
    onCodePathSegmentEnd(seg: Segment) {
      const top = stack[stack.length - 1];
      const info = top.segs.get(seg.id);
      if (info) top.current.delete(info);
    },
    'CallExpression:exit': log,
    'VariableDeclarator:exit': log,
    'AssignmentExpression:exit': log,
    ReturnStatement: log,
    'Property:exit': log,
    'ArrayExpression:exit': log,
    'Program:exit': done,
  };
  return listeners;
}

type Mutable = Map<string, ObjState>;

interface Summary {
  /** Per parameter index: what the callee leaves the object as, or undefined when unknown. */
  readonly params: (ParamEffect | undefined)[];
  /** The object every normal return hands back (a fresh allocation, zeroed or not), if known. */
  readonly ret: ObjState | undefined;
}
interface ParamEffect {
  readonly mem: 'zero' | 'stores' | 'keeps';
  readonly rooted: boolean;
  readonly escapes: boolean;
}

const unwrapTypes = new Set<string>([
  AST_NODE_TYPES.TSAsExpression,
  AST_NODE_TYPES.TSNonNullExpression,
  AST_NODE_TYPES.TSTypeAssertion,
  AST_NODE_TYPES.TSSatisfiesExpression,
  AST_NODE_TYPES.ChainExpression,
]);

/** An expression without casts, non-null assertions, chains and sequence prefixes. */
export function unwrap(e: TSESTree.Node): TSESTree.Node {
  for (;;) {
    if (unwrapTypes.has(e.type)) e = (e as TSESTree.TSAsExpression).expression;
    else if (e.type === AST_NODE_TYPES.SequenceExpression) e = e.expressions[e.expressions.length - 1];
    else return e;
  }
}

const line = (n: TSESTree.Node): number => n.loc.start.line;

/** Words for the edge a state takes into `to` (for "on the path through …"). */
function edgeLabel(from: SegInfo, to: SegInfo): string | undefined {
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
  return `the path through line ${line(n)}`;
}

function isLoop(n: TSESTree.Node): boolean {
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

const functionTypes = new Set<string>([
  AST_NODE_TYPES.FunctionDeclaration,
  AST_NODE_TYPES.FunctionExpression,
  AST_NODE_TYPES.ArrowFunctionExpression,
]);

interface VarInfo {
  readonly key: string;
  readonly name: string;
  /** Range of the block the variable lives in: outside it, its state is dropped. */
  readonly scope: readonly [number, number];
  /** Declared at module level (a global root table), in an enclosing function, or by a library. */
  readonly where: 'local' | 'module' | 'outer' | 'ambient';
}

class Engine {
  private readonly checker: ts.TypeChecker;
  private readonly program: ts.Program;
  private readonly map: OffheapContext['services']['esTreeNodeToTSNodeMap'];
  private readonly tsToEs: OffheapContext['services']['tsNodeToESTreeNodeMap'];
  private readonly vars = new Map<ts.Symbol, VarInfo>();
  private readonly idCache = new Map<TSESTree.Node, string | null>();
  private readonly summaries = new Map<PathInfo, Summary | null>();
  private current: PathInfo | undefined;
  private facts: FlowFact[] | undefined;
  /** While summarising a function: the states its returns hand back. */
  private returns: (ObjState | undefined)[] | undefined;

  constructor(
    ctx: OffheapContext,
    private readonly rec: Recorder,
  ) {
    this.checker = ctx.checker;
    this.program = ctx.program;
    this.map = ctx.services.esTreeNodeToTSNodeMap;
    this.tsToEs = ctx.services.tsNodeToESTreeNodeMap;
  }

  solveAll(): FlowFact[] {
    const facts: FlowFact[] = [];
    for (const path of this.rec.paths) {
      try {
        this.solve(path, facts, undefined);
      } catch {
        // Never crash a lint run: an unforeseen node makes this function "cannot prove".
      }
    }
    return facts;
  }

  private tsOf(n: TSESTree.Node): ts.Node {
    return this.map.get(n);
  }

  private typeOf(n: TSESTree.Node): ts.Type {
    return this.checker.getTypeAtLocation(this.tsOf(n));
  }

  /** The `@offheap` id of a call's callee (cached). */
  private idOf(call: TSESTree.CallExpression | TSESTree.NewExpression): string | undefined {
    let id = this.idCache.get(call);
    if (id === undefined) {
      id = calleeId(this.checker, this.tsOf(call) as ts.CallExpression) ?? null;
      this.idCache.set(call, id);
    }
    return id ?? undefined;
  }

  /** The variable an identifier names, with its scope, or undefined. */
  private varOf(id: TSESTree.Node): VarInfo | undefined {
    if (id.type !== AST_NODE_TYPES.Identifier) return undefined;
    const tsId = this.tsOf(id);
    const sym = ts.isShorthandPropertyAssignment(tsId.parent) ? this.checker.getShorthandAssignmentValueSymbol(tsId.parent) : this.checker.getSymbolAtLocation(tsId);
    if (!sym) return undefined;
    let info = this.vars.get(sym);
    if (!info) {
      const decl = sym.valueDeclaration ?? resolveAlias(this.checker, sym).valueDeclaration;
      let scope: [number, number] = [0, Number.MAX_SAFE_INTEGER];
      let where: VarInfo['where'] = 'module';
      const file = decl?.getSourceFile();
      if (file && (file.isDeclarationFile || this.program.isSourceFileFromExternalLibrary(file))) {
        // `console`, `Math`, a library's export: not the program's own root table.
        where = 'ambient';
      } else if (decl) {
        let block: ts.Node | undefined = decl.parent;
        while (block && !ts.isBlock(block) && !ts.isSourceFile(block) && !ts.isFunctionLike(block) && !ts.isIterationStatement(block, false) && !ts.isCaseBlock(block)) {
          block = block.parent;
        }
        if (block && !ts.isSourceFile(block)) {
          scope = [block.getStart(), block.getEnd()];
          let fn: ts.Node | undefined = decl.parent;
          while (fn && !ts.isFunctionLike(fn) && !ts.isSourceFile(fn)) fn = fn.parent;
          where = fn && !ts.isSourceFile(fn) ? 'local' : 'module';
        } else if (!decl || ts.isSourceFile(block ?? decl)) where = 'module';
      }
      info = { key: `v${this.vars.size}`, name: sym.name, scope, where };
      this.vars.set(sym, info);
    }
    if (info.where === 'local' && this.current && this.current.node.type !== AST_NODE_TYPES.Program) {
      const [s, e] = this.current.node.range;
      if (info.scope[0] < s || info.scope[1] > e) return { ...info, where: 'outer' };
    }
    return info;
  }

  /** Solves one function; with `entry`, a summary run (no facts). Returns the joined exit env. */
  private solve(path: PathInfo, facts: FlowFact[] | undefined, entry: Env | undefined): Env {
    flowStats.functions++;
    const saved = [this.current, this.facts] as const;
    // Returns are collected in the final pass only, from the solved states.
    const collect = this.returns;
    this.returns = undefined;
    this.current = path;
    this.facts = undefined;
    try {
      const segs = [...path.segs.values()].filter((s) => s.seg.reachable).sort((a, b) => a.index - b.index);
      const byId = new Map(segs.map((s) => [s.seg.id, s]));
      const initial = byId.get(path.codePath.initialSegment.id);
      const outs = new Map<SegInfo, Env>();
      const ins = new Map<SegInfo, Env>();
      const start = entry ?? this.entryEnv(path);
      // Worklist ordered by segment position (roughly topological): a min-heap of positions.
      const queued = new Uint8Array(segs.length).fill(1);
      const heap = new MinHeap(segs.length);
      for (let i = 0; i < segs.length; i++) heap.push(i);
      const pos = new Map(segs.map((s, i) => [s, i]));
      const enqueue = (s: SegInfo | undefined): void => {
        const i = s && pos.get(s);
        if (i !== undefined && !queued[i]) {
          queued[i] = 1;
          heap.push(i);
        }
      };
      // Exceptional edges: ESLint links a catch only from the start of the try and
      // its first throwable node. Any statement of the try block may throw, so the
      // catch's entry also joins the state before and after every event inside the block.
      const handlers = handlerEntries(segs);
      const thrown = new Map<TSESTree.TryStatement, Map<SegInfo, Env>>();
      while (heap.size > 0) {
        const at = heap.pop();
        queued[at] = 0;
        const next = segs[at];
        let input = next === initial ? start : this.joinPreds(next, byId, outs);
        const guarded = handlers.get(next);
        if (guarded) input = joinThrown(input, thrown.get(guarded), guarded);
        const prevIn = ins.get(next);
        if (prevIn && outs.has(next) && envEqual(prevIn, input)) continue;
        ins.set(next, input);
        flowStats.segments++;
        const exc = handlers.size > 0 ? new Map<TSESTree.TryStatement, Map<string, ObjState>>() : undefined;
        const out = this.run(next, input, exc);
        const prevOut = outs.get(next);
        outs.set(next, out);
        if (!prevOut || !envEqual(prevOut, out)) for (const n of next.seg.nextSegments) enqueue(byId.get(n.id));
        for (const [t, env] of exc ?? []) {
          let bySeg = thrown.get(t);
          if (!bySeg) thrown.set(t, (bySeg = new Map<SegInfo, Env>()));
          const before = bySeg.get(next);
          if (before && envEqual(before, env)) continue;
          bySeg.set(next, env);
          for (const [h, ht] of handlers) if (ht === t) enqueue(h);
        }
      }
      // Final pass over the solved inputs: emit facts, or (for a summary) collect what is returned.
      this.returns = collect;
      if (facts || this.returns) {
        this.facts = facts;
        for (const s of segs) {
          const input = ins.get(s);
          if (input) this.run(s, input);
        }
        this.facts = undefined;
      }
      // Exit: the join of the states at every normal return.
      let exit: Map<string, ObjState> | undefined;
      for (const r of path.codePath.returnedSegments) {
        const s = byId.get(r.id);
        const out = s && outs.get(s);
        if (!out) continue;
        exit = exit ? joinEnv(exit, out, undefined) : new Map(out);
      }
      const result = exit ?? new Map<string, ObjState>();
      if (facts && path.node.type !== AST_NODE_TYPES.Program) {
        const seen = new Set<TSESTree.Node>();
        for (const [, st] of result) {
          if (st.pending && st.local && !seen.has(st.pending.node)) {
            seen.add(st.pending.node);
            facts.push({ kind: 'unrootedAtExit', store: st.pending, name: nameOf(st.pending.node) });
          }
        }
      }
      return result;
    } finally {
      [this.current, this.facts] = saved;
      this.returns = collect;
    }
  }

  private joinPreds(s: SegInfo, byId: Map<string, SegInfo>, outs: Map<SegInfo, Env>): Env {
    let acc: Map<string, ObjState> | undefined;
    for (const p of s.seg.prevSegments) {
      const from = byId.get(p.id);
      const out = from && outs.get(from);
      if (!from || !out) continue;
      const fork = from.seg.nextSegments.length > 1 || from.index >= s.index;
      const label = fork ? edgeLabel(from, s) : undefined;
      flowStats.stateOps += out.size;
      acc = acc ? joinEnv(acc, out, label) : copyEnv(out, label);
    }
    const env = acc ?? new Map<string, ObjState>();
    // Variables whose block was left are dead: drop them so envs stay small.
    if (s.seg.prevSegments.length > 1) {
      const at = s.start.range[0];
      for (const [k] of env) {
        const v = this.keyScopes.get(k);
        if (v && (at < v[0] || at > v[1])) env.delete(k);
      }
    }
    return env;
  }

  private readonly keyScopes = new Map<string, readonly [number, number]>();

  /** Parameters with pointer types start as their types say. */
  private entryEnv(path: PathInfo): Env {
    const env = new Map<string, ObjState>();
    if (!functionTypes.has(path.node.type)) return env;
    const fn = path.node as TSESTree.FunctionLike;
    for (const param of fn.params) {
      const id = param.type === AST_NODE_TYPES.AssignmentPattern ? param.left : param.type === AST_NODE_TYPES.TSParameterProperty ? param.parameter : param;
      const v = this.varOf(id);
      if (!v) continue;
      const st = this.typeState(id, false);
      if (st) {
        this.keyScopes.set(v.key, v.scope);
        env.set(v.key, { ...st, group: `param:${v.key}` });
      }
    }
    return env;
  }

  /** The state an expression's type alone allows, for values not tracked. */
  private typeState(n: TSESTree.Node, local: boolean): ObjState | undefined {
    const t = this.typeOf(n);
    if (!isPointerType(this.checker, t)) return undefined;
    // `MaybeGarbage<T>` is what a non-zeroing allocator returns: fresh zero or reused garbage.
    const garbage = mayBeGarbageType(this.checker, t);
    const mem = garbage ? memGarbage | memZero : memSafe;
    return {
      mem,
      memWhy: garbage
        ? { node: n, via: undefined, note: local ? undefined : `\`${ellipsis(this.tsOf(n).getText())}\` is typed \`${t.isUnion() ? 'MaybeGarbage' : 'Garbage'}<…>\`` }
        : undefined,
      safeWhy: garbage ? undefined : { node: n, via: undefined, note: `\`${ellipsis(this.tsOf(n).getText())}\` is typed \`Ptr<…>\`: type-safe memory` },
      root: rootYes | rootNo,
      pending: undefined,
      local,
      layout: undefined,
      group: `site:${n.range[0]}`,
    };
  }

  /**
   * Runs a segment's events over `input`. With `exc`, also collects, per
   * enclosing try, the states an exception inside its block may carry out.
   */
  private run(s: SegInfo, input: Env, exc?: Map<TSESTree.TryStatement, Map<string, ObjState>>): Env {
    let env: Mutable | undefined;
    for (const ev of s.events) {
      flowStats.transfers++;
      const tries = exc ? this.triesOf(ev) : none;
      for (const t of tries) addThrown(exc!, t, env ?? input);
      env ??= new Map(input);
      this.step(env, ev);
      for (const t of tries) addThrown(exc!, t, env);
    }
    return env ?? input;
  }

  private readonly tryCache = new Map<TSESTree.Node, readonly TSESTree.TryStatement[]>();

  /** The try statements of this function whose catch an exception at `node` reaches. */
  private triesOf(node: TSESTree.Node): readonly TSESTree.TryStatement[] {
    let found = this.tryCache.get(node);
    if (!found) {
      const list: TSESTree.TryStatement[] = [];
      let child: TSESTree.Node = node;
      for (let a = node.parent; a && !functionTypes.has(child.type); child = a, a = a.parent) {
        if (a.type !== AST_NODE_TYPES.TryStatement) continue;
        if (child === a.block && a.handler) list.push(a);
      }
      found = list.length > 0 ? list : none;
      this.tryCache.set(node, found);
    }
    return found;
  }

  /** Facts by site: a `finally` block is walked once per way in, and its copies merge into one fact. */
  private readonly factAt = new Map<string, number>();

  private emit(f: FlowFact): void {
    const facts = this.facts;
    if (!facts || f.kind === 'unrootedAtExit') {
      facts?.push(f);
      return;
    }
    const site = f.kind === 'root' ? f.node : f.call;
    const key = `${f.kind}:${site.range[0]}:${f.ptr.range[0]}`;
    const at = this.factAt.get(key);
    if (at === undefined) {
      this.factAt.set(key, facts.length);
      facts.push(f);
    } else {
      const prev = facts[at] as typeof f;
      facts[at] = { ...prev, state: joinState(prev.state, f.state, key) };
    }
  }

  // ---- transfer functions ----

  private step(env: Mutable, node: TSESTree.Node): void {
    switch (node.type) {
      case AST_NODE_TYPES.VariableDeclarator: {
        const v = this.varOf(node.id);
        if (v) this.assign(env, v, node.init, node);
        return;
      }
      case AST_NODE_TYPES.AssignmentExpression:
        return this.assignment(env, node);
      case AST_NODE_TYPES.CallExpression:
        return this.call(env, node);
      case AST_NODE_TYPES.ReturnStatement:
        if (this.returns && this.current?.node === functionOf(node)) this.returns.push(node.argument ? this.evaluate(env, node.argument)?.st : undefined);
        if (node.argument) this.escape(env, node.argument);
        return;
      case AST_NODE_TYPES.Property:
        if (node.parent.type === AST_NODE_TYPES.ObjectExpression) this.escape(env, node.value);
        return;
      case AST_NODE_TYPES.ArrayExpression:
        for (const e of node.elements) if (e) this.escape(env, e.type === AST_NODE_TYPES.SpreadElement ? e.argument : e);
        return;
      default:
        return;
    }
  }

  private tracked(env: Env, e: TSESTree.Node): { v: VarInfo; st: ObjState } | undefined {
    const v = this.varOf(unwrap(e));
    const st = v && env.get(v.key);
    return v && st ? { v, st } : undefined;
  }

  /** Applies `f` to every variable that must-aliases `key`'s object. */
  private update(env: Mutable, key: string, f: (s: ObjState) => ObjState | undefined): void {
    const group = env.get(key)?.group;
    if (group === undefined) return;
    flowStats.stateOps += env.size;
    for (const [k, s] of [...env]) {
      if (s.group !== group) continue;
      const n = f(s);
      if (n) env.set(k, n);
      else env.delete(k);
    }
  }

  private escape(env: Mutable, e: TSESTree.Node): void {
    const t = this.tracked(env, e);
    if (t?.st.pending) this.update(env, t.v.key, (s) => ({ ...s, pending: undefined }));
  }

  private assign(env: Mutable, v: VarInfo, init: TSESTree.Node | null | undefined, site: TSESTree.Node): void {
    const val = init ? this.evaluate(env, init) : undefined;
    if (!val) {
      env.delete(v.key);
      return;
    }
    this.keyScopes.set(v.key, v.scope);
    if (val.alias) {
      env.set(v.key, val.st);
      return;
    }
    // A new object from this site: older variables holding this site's previous object stay apart.
    const group = `site:${site.range[0]}`;
    flowStats.stateOps += env.size;
    for (const [k, s] of [...env]) if (s.group === group) env.set(k, { ...s, group: `own:${k}@${site.range[0]}` });
    env.set(v.key, { ...val.st, group });
  }

  private assignment(env: Mutable, node: TSESTree.AssignmentExpression): void {
    const left = node.left;
    if (left.type === AST_NODE_TYPES.Identifier) {
      const v = this.varOf(left);
      if (!v) return;
      if (node.operator !== '=') {
        env.delete(v.key);
        return;
      }
      if (v.where === 'local' || (v.where === 'module' && this.current?.node.type === AST_NODE_TYPES.Program)) {
        this.assign(env, v, node.right, node);
        return;
      }
      // A module-level variable is a global root table; an outer closure variable, an escape.
      this.publish(env, node.right, node, v.where === 'module' ? `the module-level variable \`${v.name}\`` : undefined);
      return;
    }
    if (left.type === AST_NODE_TYPES.MemberExpression) {
      const base = rootIdentifier(left);
      const bv = base && this.varOf(base);
      this.publish(env, node.right, node, bv?.where === 'module' ? `the module-level \`${bv.name}\`` : undefined);
    }
  }

  /** `value` is stored somewhere: a root when `how` is given, else an escape. */
  private publish(env: Mutable, value: TSESTree.Node, site: TSESTree.Node, how: string | undefined): void {
    const t = this.tracked(env, value);
    if (!t) return;
    if (how) {
      this.emit({ kind: 'root', node: site, ptr: value, state: t.st, how, slots: this.slotsOf(value, t.st) });
      this.update(env, t.v.key, (s) => ({ ...s, root: rootYes, pending: undefined }));
    } else this.escape(env, value);
  }

  /** The state of the object an expression evaluates to; alias when it names a tracked variable. */
  private evaluate(env: Env, e0: TSESTree.Node): { st: ObjState; alias: boolean } | undefined {
    const e = unwrap(e0);
    if (e.type === AST_NODE_TYPES.Identifier) {
      const st = this.tracked(env, e)?.st;
      if (st) return { st, alias: true };
    }
    if (e.type === AST_NODE_TYPES.ConditionalExpression || (e.type === AST_NODE_TYPES.LogicalExpression && e.operator !== '&&')) {
      const a = e.type === AST_NODE_TYPES.ConditionalExpression ? e.consequent : e.left;
      const b = e.type === AST_NODE_TYPES.ConditionalExpression ? e.alternate : e.right;
      const x = this.evaluate(env, a);
      const y = this.evaluate(env, b);
      if (x && y) return { st: joinState(x.st, y.st, 'cond'), alias: false };
      const one = x ?? y;
      if (!one) return undefined;
      const other = this.typeState(x ? b : a, false);
      return { st: other ? joinState(one.st, other, 'cond') : one.st, alias: false };
    }
    if (e.type === AST_NODE_TYPES.CallExpression) {
      const ret = this.summaryOf(e)?.ret;
      // The callee handed the object on, so its own unrooted stores are not the caller's to report.
      if (ret) return { st: { ...ret, pending: undefined, group: `site:${e.range[0]}` }, alias: false };
      const id = this.idOf(e);
      if (id === 'sysAlloc' || id === 'persistentalloc') {
        return { st: fresh(memZero, e, layoutFromSize(this.tsOf(e) as ts.CallExpression)), alias: false };
      }
      if (id === 'FixAlloc.alloc') {
        const garbage = mayBeGarbageType(this.checker, this.typeOf(e));
        return { st: fresh(garbage ? memGarbage | memZero : memZero, e, this.poolLayout(e)), alias: false };
      }
      const t = this.typeOf(e);
      // A user's allocator that may hand back reused memory: its type says so.
      if (isPointerType(this.checker, t) && mayBeGarbageType(this.checker, t)) {
        const st = this.typeState(e, true)!;
        return { st, alias: false };
      }
    }
    const st = this.typeState(e, false);
    return st && { st, alias: false };
  }

  /** The layout a pool was made with: `new FixAlloc(L, …)` behind the receiver. */
  private poolLayout(call: TSESTree.CallExpression): ts.Expression | undefined {
    if (call.callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
    const recv = this.tsOf(call.callee.object) as ts.Expression;
    const sym = this.checker.getSymbolAtLocation(recv);
    const decl = sym?.valueDeclaration;
    let init = decl && (ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl)) ? decl.initializer : undefined;
    while (init && (ts.isParenthesizedExpression(init) || ts.isAsExpression(init))) init = init.expression;
    if (init && ts.isNewExpression(init) && calleeId(this.checker, init) === 'FixAlloc') return init.arguments?.[0];
    return undefined;
  }

  private call(env: Mutable, node: TSESTree.CallExpression): void {
    const id = this.idOf(node);
    const args = node.arguments;
    switch (id) {
      case 'memclrNoHeapPointers':
      case 'memclrHasPointers':
      case 'typedmemclr': {
        const [pArg, other] = id === 'typedmemclr' ? [args[1], args[0]] : [args[0], args[1]];
        if (!pArg) return;
        const t = this.tracked(env, pArg);
        // Untracked: the type under any cast says what it can (`Garbage` at this use site).
        const st = t?.st ?? this.typeState(unwrap(pArg), false);
        if (!st) return;
        const layoutExpr = id === 'typedmemclr' && other ? (this.tsOf(other) as ts.Expression) : ((st.layout as ts.Expression | undefined) ?? this.recordLayout(pArg));
        const partial = id === 'typedmemclr' || !other ? undefined : this.partialClear(other, layoutExpr);
        this.emit({
          kind: 'clear',
          api: id,
          call: node,
          ptr: pArg,
          state: st,
          typeGarbage: !t && mayBeGarbageType(this.checker, this.typeOf(unwrap(pArg))),
          slots: this.slotsOf(pArg, st, layoutExpr),
          partial,
          alias: t && unwrap(pArg).type === AST_NODE_TYPES.Identifier ? this.aliasOf(env, t.v, t.st) : undefined,
        });
        if (t && (!partial || partial.left.length === 0)) {
          this.update(env, t.v.key, (s) => ({ ...s, mem: memZero, memWhy: undefined, safeWhy: undefined, pending: undefined, layout: s.layout ?? layoutExpr }));
        } else if (t && partial && t.st.mem & memGarbage) {
          const note = `\`${id}\` at line ${line(node)} clears only ${partial.bytes} of its ${partial.size} bytes, leaving ${partial.left.join(', ')}`;
          this.update(env, t.v.key, (s) => ({ ...s, memWhy: { node, via: undefined, note } }));
        }
        return;
      }
      case 'HeapRefAccessor.set':
      case 'storeHeapRef':
      case 'storeHeapRefNoWB': {
        const pArg = args[0];
        const t = pArg && this.tracked(env, pArg);
        if (!t) return;
        this.emit({ kind: 'store', call: node, ptr: pArg, state: t.st, barrier: id !== 'storeHeapRefNoWB' });
        this.update(env, t.v.key, (s) => ({
          ...s,
          mem: (s.mem & memGarbage) | memSafe,
          safeWhy: { node, via: undefined, note: `a HeapRef is stored into it at line ${line(node)}` },
          pending: s.local && s.root & rootNo ? { node, via: undefined } : s.pending,
        }));
        return;
      }
      case 'addRoot': {
        const a = args[0];
        if (!a) return;
        const t = this.tracked(env, a);
        const st = t?.st ?? this.typeState(unwrap(a), false);
        if (!st) return;
        const layoutArg = args[1] && (this.tsOf(args[1]) as ts.Expression);
        this.emit({ kind: 'root', node, ptr: a, state: st, how: '`addRoot`', slots: this.slotsOf(a, st, layoutArg) });
        if (t) this.update(env, t.v.key, (s) => ({ ...s, root: rootYes, pending: undefined }));
        return;
      }
      case 'removeRoot': {
        // Judged only for objects this function follows (its allocations and
        // parameters): the clear of a pointer read from elsewhere is not visible here.
        const a = args[0];
        const t = a && this.tracked(env, a);
        if (!t) return;
        this.emit({ kind: 'unroot', call: node, ptr: a, state: t.st, slots: this.slotsOf(a, t.st) });
        this.update(env, t.v.key, (s) => ({ ...s, root: rootNo }));
        return;
      }
      case 'FixAlloc.free':
      case 'sysFree': {
        const t = args[0] && this.tracked(env, args[0]);
        if (t) this.update(env, t.v.key, () => undefined);
        return;
      }
      default:
        break;
    }
    if (id !== undefined || this.isRuntimeCallee(node)) {
      // Another runtime API (an accessor, a pointer-field store): a pointer
      // stored into rooted memory becomes visible as a root; into other memory, it escapes.
      const target = args[0] && this.tracked(env, args[0]);
      for (let i = 1; i < args.length; i++) {
        const t = this.tracked(env, args[i]);
        if (!t) continue;
        if (target && target.st.root === rootYes) this.publish(env, args[i], node, `memory rooted through \`${target.v.name}\``);
        else this.escape(env, args[i]);
      }
      return;
    }
    const summary = this.summaryOf(node);
    // A method of a module-level container of pointers (`roots.push(p)`) publishes into a global root table.
    const base = node.callee.type === AST_NODE_TYPES.MemberExpression ? rootIdentifier(node.callee) : undefined;
    const bv = base && this.varOf(base);
    const table = bv?.where === 'module' && node.callee.type === AST_NODE_TYPES.MemberExpression && this.holdsPointers(node.callee.object) ? bv : undefined;
    args.forEach((a, i) => {
      const t = this.tracked(env, a);
      if (!t) return;
      const eff = summary?.params[i];
      if (!eff) {
        // Handed to code not known to leave it unrooted; a module-level table's method publishes it.
        this.publish(env, a, node, table ? `the module-level \`${table.name}\`` : undefined);
        return;
      }
      if (eff.rooted) this.emit({ kind: 'root', node, ptr: a, state: t.st, how: `\`${calleeName(node)}\` (line ${line(node)})`, slots: this.slotsOf(a, t.st) });
      this.update(env, t.v.key, (s) => ({
        ...s,
        mem: eff.mem === 'zero' ? memZero : eff.mem === 'stores' ? (s.mem & memGarbage) | memSafe : s.mem,
        safeWhy: eff.mem === 'stores' ? { node, via: undefined, note: `\`${calleeName(node)}\` stores a HeapRef into it at line ${line(node)}` } : s.safeWhy,
        memWhy: eff.mem === 'zero' ? undefined : s.memWhy,
        root: eff.rooted ? rootYes : s.root,
        pending: eff.rooted || eff.escapes ? undefined : eff.mem === 'stores' && s.local && s.root & rootNo ? { node, via: undefined } : s.pending,
      }));
    });
  }

  /** Whether an expression is a container (array, tuple, Set, Map, …) whose type arguments include a pointer. */
  private holdsPointers(e: TSESTree.Node): boolean {
    const t = this.typeOf(e);
    if (!isReference(t)) return false;
    return this.checker.getTypeArguments(t).some((a) => isPointerType(this.checker, a));
  }

  private isRuntimeCallee(node: TSESTree.CallExpression): boolean {
    const decl = this.checker.getResolvedSignature(this.tsOf(node) as ts.CallExpression)?.declaration;
    return !!decl && isRuntimeFile(decl.getSourceFile());
  }

  /** A summary of a same-file function with a body, computed once. */
  private summaryOf(node: TSESTree.CallExpression): Summary | undefined {
    const decl = this.checker.getResolvedSignature(this.tsOf(node) as ts.CallExpression)?.declaration;
    if (!decl || ts.isJSDocSignature(decl) || decl.getSourceFile() !== this.tsOf(node).getSourceFile()) return undefined;
    const es = this.tsToEs.get(decl);
    const path = es && this.rec.byFunction.get(es);
    if (!path || !functionTypes.has(path.node.type)) return undefined;
    if (this.summaries.has(path)) return this.summaries.get(path) ?? undefined;
    this.summaries.set(path, null); // recursion: no summary
    const fn = path.node as TSESTree.FunctionLike;
    const entry = new Map<string, ObjState>();
    const keys: (string | undefined)[] = [];
    for (const [i, param] of fn.params.entries()) {
      const v = this.varOf(param.type === AST_NODE_TYPES.AssignmentPattern ? param.left : param);
      keys.push(v?.key);
      if (!v) continue;
      this.keyScopes.set(v.key, v.scope);
      entry.set(v.key, { mem: memGarbage, memWhy: undefined, root: rootNo, pending: { node: fn, via: undefined }, local: true, layout: undefined, group: `param:${i}` });
    }
    const savedReturns = this.returns;
    this.returns = [];
    let exit: Env;
    let returns: (ObjState | undefined)[];
    try {
      exit = this.solve(path, undefined, entry);
      returns = this.returns;
    } finally {
      this.returns = savedReturns;
    }
    // Known only when every return hands back an object the callee made (not a parameter).
    let ret: ObjState | undefined;
    for (const r of returns) {
      if (!r || !r.local || r.group.startsWith('param:')) {
        ret = undefined;
        break;
      }
      ret = ret ? joinState(ret, r, 'ret') : r;
    }
    if (returns.length === 0) ret = undefined;
    const params = keys.map((k, i): ParamEffect | undefined => {
      const s = k && exit.get(k);
      if (!s || s.group !== `param:${i}`) return undefined;
      return {
        mem: s.mem === memZero ? 'zero' : s.mem & memSafe ? 'stores' : 'keeps',
        rooted: s.root === rootYes,
        escapes: s.pending === undefined,
      };
    });
    const summary = { params, ret };
    this.summaries.set(path, summary);
    return summary;
  }

  /** HeapRef slot paths of the object `ptr` addresses (type first, then the static layout). */
  private slotsOf(ptr: TSESTree.Node, st: ObjState | undefined, layoutExpr?: ts.Expression): readonly string[] | undefined {
    const rec = pointeeOf(this.checker, this.typeOf(ptr));
    if (rec) return heapRefSlotsOf(this.checker, rec);
    const l = layoutExpr ?? (st?.layout as ts.Expression | undefined);
    const sl = l && staticLayoutOf(this.checker, l);
    return sl ? sl.slots.map((s) => s.path) : undefined;
  }

  /** The `struct(...)` call behind the record a pointer expression's type names. */
  private recordLayout(ptr: TSESTree.Node): ts.Expression | undefined {
    const rec = pointeeOf(this.checker, this.typeOf(unwrap(ptr))) ?? pointeeOf(this.checker, this.typeOf(ptr));
    return rec && structCallOfRecord(this.checker, rec);
  }

  /** A clear of `n` bytes that may leave HeapRef slots of the layout uncleared. */
  private partialClear(n: TSESTree.Node, layoutExpr: ts.Expression | undefined): { bytes: number; size: number; left: string[]; cleared: string[] } | undefined {
    const t = this.typeOf(n);
    if (!t.isNumberLiteral() || !layoutExpr) return undefined;
    const sl: StaticLayout | undefined = staticLayoutOf(this.checker, layoutExpr);
    if (!sl || t.value >= sl.size) return undefined;
    const bytes = t.value;
    return {
      bytes,
      size: sl.size,
      left: sl.slots.filter((s) => s.offset + 4 > bytes).map((s) => s.path),
      cleared: sl.slots.filter((s) => s.offset + 4 <= bytes).map((s) => s.path),
    };
  }

  /** Another variable naming the same object, for messages about aliases. */
  private aliasOf(env: Env, v: VarInfo, st: ObjState): string | undefined {
    for (const [k, s] of env) {
      if (k === v.key || s.group !== st.group) continue;
      for (const [, info] of this.vars) if (info.key === k) return info.name;
    }
    return undefined;
  }
}

const none: readonly never[] = [];

function ellipsis(text: string): string {
  const t = text.replace(/\s+/g, ' ');
  return t.length > 40 ? `${t.slice(0, 37)}...` : t;
}

/**
 * Catch entry segments, with the try statement they guard. A `finally` is
 * left to ESLint's own edges: its exceptional copy rethrows, and joining every
 * thrown state into the copy that completes normally would leak them into
 * the code after the `try`.
 */
function handlerEntries(segs: readonly SegInfo[]): Map<SegInfo, TSESTree.TryStatement> {
  const out = new Map<SegInfo, TSESTree.TryStatement>();
  for (const s of segs) {
    const n = s.start;
    const p = n.parent;
    if (n.type === AST_NODE_TYPES.CatchClause) out.set(s, n.parent);
    else if (p?.type === AST_NODE_TYPES.CatchClause && p.body === n) out.set(s, p.parent);
  }
  return out;
}

function addThrown(exc: Map<TSESTree.TryStatement, Map<string, ObjState>>, t: TSESTree.TryStatement, env: Env): void {
  flowStats.stateOps += env.size;
  const acc = exc.get(t);
  if (acc) joinEnv(acc, env, undefined);
  else exc.set(t, new Map(env));
}

/** Joins the states exceptions carry out of a try block into a handler's input. */
function joinThrown(input: Env, bySeg: Map<SegInfo, Env> | undefined, t: TSESTree.TryStatement): Env {
  if (!bySeg || bySeg.size === 0) return input;
  let acc: Map<string, ObjState> | undefined;
  for (const [, env] of bySeg) {
    flowStats.stateOps += env.size;
    if (!acc) acc = new Map(input);
    for (const [k, st] of env) {
      const a = acc.get(k);
      const s = st.memWhy || st.pending ? viaEdge(st, `an exception thrown inside the \`try\` at line ${line(t)}`) : st;
      acc.set(k, a ? joinState(a, s, k) : s);
    }
  }
  return acc ?? input;
}

function fresh(mem: number, site: TSESTree.Node, layout: ts.Expression | undefined): ObjState {
  return {
    mem,
    memWhy: mem & memGarbage ? { node: site, via: undefined } : undefined,
    root: rootNo,
    pending: undefined,
    local: true,
    layout,
    group: `site:${site.range[0]}`,
  };
}

/** `persistentalloc(L.size)`: the layout whose size is requested. */
function layoutFromSize(call: ts.CallExpression): ts.Expression | undefined {
  const a = call.arguments[0];
  return a && ts.isPropertyAccessExpression(a) && a.name.text === 'size' ? a.expression : undefined;
}

/** The function a node belongs to (or the Program). */
function functionOf(n: TSESTree.Node): TSESTree.Node | undefined {
  let a = n.parent;
  while (a && !functionTypes.has(a.type) && a.type !== AST_NODE_TYPES.Program) a = a.parent;
  return a;
}

function rootIdentifier(e: TSESTree.Node): TSESTree.Identifier | undefined {
  let n: TSESTree.Node = e;
  while (n.type === AST_NODE_TYPES.MemberExpression) n = n.object;
  return n.type === AST_NODE_TYPES.Identifier ? n : undefined;
}

function calleeName(call: TSESTree.CallExpression): string {
  const c = call.callee;
  if (c.type === AST_NODE_TYPES.Identifier) return c.name;
  if (c.type === AST_NODE_TYPES.MemberExpression && c.property.type === AST_NODE_TYPES.Identifier) return c.property.name;
  return 'the callee';
}

function nameOf(n: TSESTree.Node): string {
  if (n.type === AST_NODE_TYPES.CallExpression && n.arguments[0]) {
    const a = unwrap(n.arguments[0]);
    if (a.type === AST_NODE_TYPES.Identifier) return a.name;
  }
  return 'the object';
}

function copyEnv(env: Env, label: string | undefined): Map<string, ObjState> {
  const out = new Map<string, ObjState>();
  for (const [k, s] of env) out.set(k, label ? viaEdge(s, label) : s);
  return out;
}

function joinEnv(acc: Map<string, ObjState>, env: Env, label: string | undefined): Map<string, ObjState> {
  for (const [k, s0] of env) {
    const s = label ? viaEdge(s0, label) : s0;
    const a = acc.get(k);
    acc.set(k, a ? joinState(a, s, k) : s);
  }
  return acc;
}

function envEqual(a: Env, b: Env): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [k, s] of a) {
    const t = b.get(k);
    if (!t || !sameState(s, t)) return false;
  }
  return true;
}

/** "from `pool.alloc()` at line 5, on the path through …" for a message. */
export function describeWitness(w: Witness | undefined, text: (n: TSESTree.Node) => string): string {
  if (!w) return 'its type says it may be garbage';
  let src = text(w.node).replace(/\s+/g, ' ');
  if (src.length > 40) src = `${src.slice(0, 37)}...`;
  const what = w.note ?? `from \`${src}\` at line ${line(w.node)}`;
  return w.via ? `${what}, on ${w.via}` : what;
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
