// The transfer functions: what each recorded event does to the flow state.
// Runtime calls are read from the effect catalogue (effects.ts) by their
// `@offheap` id; same-file functions through their summaries; any other call
// is unknown code (an object passed to it is handed on, not rooted).
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import nodePath from 'node:path';
import ts from 'typescript';
import type { OffheapContext } from '../context.js';
import { cacheOf, symbolAt } from '../program-analysis.js';
import { calleeId, offheapIdAt, resolveAlias } from '../declarations.js';
import { rawViewAt, rawViewWrite } from '../raw-views.js';
import { argAt, effectOf, type RuntimeEffect } from '../effects.js';
import { outermostTypedEs, sizeOfLayout, skipOuterEs, skipOuterExpressions } from '../expressions.js';
import { brandOf, mayBeHeapRef } from '../brands.js';
import {
  cleared,
  freedAt,
  isMaybeFreed,
  isMaybeGarbage,
  isMaybeRooted,
  isMaybeTypeSafe,
  joinState,
  memGarbage,
  memSafe,
  memZero,
  pinNo,
  pinYes,
  rooted,
  rootNo,
  rootYes,
  stored,
  unrooted,
  type ObjState,
  type Witness,
} from '../memory-state.js';
import { isRuntimeFile } from '../not-in-heap.js';
import { heapRefSlotsOf, isPointerType, isReference, mayBeGarbageType, pointeeOf, staticLayoutOf, staticNumber, structCallOfRecord } from '../record-layout.js';
import { addThrown, copyEnv, envEqual, joinEnv, joinThrown, type Env, type MutableEnv } from './env.js';
import { calleeName, edgeLabel, ellipsis, line, nameOf } from './explain.js';
import type { FlowFact, PartialClear } from './facts.js';
import type { PathInfo, Recording, SegInfo } from './recorder.js';
import { flowStats, solveSegments, type Domain } from './solver.js';
import { edgeCondition, extend, type PredicateName, type Valuation } from './predicates.js';
import { calleesFirst, paramIds, summaryOf, type Summary } from './summaries.js';
import { HandleFlow } from './handles.js';
import { dispatchedSummary, foreignSummary, type ForeignSummary } from './foreign.js';
import { mayNameRuntime } from './reach.js';
import { mayCarryRuntime } from './mentions.js';
import { LocalContainers, putMethods, type LocalContainer } from './containers.js';

type PEnv = ReadonlyMap<Valuation, Env>;

const functionTypes = new Set<string>([AST_NODE_TYPES.FunctionDeclaration, AST_NODE_TYPES.FunctionExpression, AST_NODE_TYPES.ArrowFunctionExpression]);

interface VarInfo {
  readonly key: string;
  readonly name: string;
  /** Range of the block the variable lives in: outside it, its state is dropped. */
  readonly scope: readonly [number, number];
  /** Declared at module level (a global root table), in an enclosing function, or by a library. */
  readonly where: 'local' | 'module' | 'outer' | 'ambient';
  readonly sym: ts.Symbol;
  readonly decl: ts.Declaration | undefined;
}

/** The syntax-derived part of a VarInfo, the same in every solve of the program. */
type VarPlace = Pick<VarInfo, 'decl' | 'scope' | 'where'>;

const none: readonly never[] = [];

interface EdgeFacts {
  readonly label: string | undefined;
  readonly cond: { readonly id: PredicateName; readonly value: boolean } | undefined;
  /** The predicate key of `cond`'s variable, when its value cannot change between tests. */
  readonly key: string | undefined;
  /** No run takes it: the no-match edge of a `switch` whose cases cover every value its discriminant's type allows. */
  readonly impossible?: boolean;
}

const noEdge: EdgeFacts = { label: undefined, cond: undefined, key: undefined };

export class FlowEngine {
  private readonly checker: ts.TypeChecker;
  private readonly program: ts.Program;
  private readonly analysis: OffheapContext['analysis'];
  private readonly tsToEs: OffheapContext['services']['tsNodeToESTreeNodeMap'];
  private readonly vars = new Map<ts.Symbol, VarInfo>();
  /** Per program: where each variable lives (placeOf). */
  private readonly places: Map<ts.Symbol, VarPlace>;
  private readonly idCache = new Map<TSESTree.Node, string | null>();
  private readonly summaries = new Map<PathInfo, Summary | null>();
  private readonly keyScopes = new Map<string, readonly [number, number]>();
  private current: PathInfo | undefined;
  /** The facts of the function being solved (undefined in a summary run). */
  private facts: FlowFact[] | undefined;
  /** While summarising a function: the states its returns hand back. */
  private returns: (ObjState | undefined)[] | undefined;
  /**
   * What the segment being run emits (facts, returns, pins recorded), kept
   * until the fixpoint: a segment's last run is the one with its solved
   * input, so replaying each segment's last actions in walk order gives what
   * a second pass over the solved inputs would, without running it.
   */
  private actions: (() => void)[] | undefined;
  private lastActions: Map<SegInfo, (() => void)[]> | undefined;
  private readonly handles: HandleFlow;
  private readonly containers: LocalContainers;
  /** In the function being solved: objects (by must-alias group) a called helper keeps in a container the flow does not follow. */
  private heldByCallee = new Map<string, LocalContainer>();
  /** In the function being solved: local containers read back with `get` while holding more than one object, by key. */
  private readsBack = new Map<string, LocalContainer>();
  /** Local containers that hold something, by their variable's key (`box:<key>:<group>` entries of the state). */
  private readonly boxes = new Map<string, LocalContainer>();

  constructor(
    ctx: OffheapContext,
    private readonly rec: Recording,
  ) {
    this.checker = ctx.checker;
    this.program = ctx.program;
    this.analysis = ctx.analysis;
    this.tsToEs = ctx.services.tsNodeToESTreeNodeMap;
    this.places = cacheOf<ts.Symbol, VarPlace>(this.checker, 'flow:var-places');
    this.containers = new LocalContainers(this.checker, this.program);
    // Handles held by JavaScript and handles read from slots (handles.ts).
    this.handles = new HandleFlow({
      checker: this.checker,
      program: this.program,
      tsOf: (n) => this.tsOf(n),
      esOf: (n) => this.tsToEs.get(n),
      typeOf: (n) => this.typeOf(n),
      idOf: (c) => this.idOf(c),
      varOf: (id) => this.varOf(id),
      tracked: (env, e) => {
        const t = this.tracked(env, e);
        return t && { key: t.v.key, st: t.st };
      },
      update: (env, key, f) => this.update(env, key, f),
      emit: (f) => this.emit(f),
      collecting: () => this.facts !== undefined,
      defer: (f) => this.defer(f),
      isRuntimeCallee: (c) => this.isRuntimeCallee(c),
    });
  }

  solveAll(): FlowFact[] {
    const facts: FlowFact[] = [];
    // A file that names nothing of a module reaching the runtime holds no memory state: no type is asked.
    const file = this.rec.paths[0] && this.tsOf(this.rec.paths[0].node).getSourceFile();
    if (file && !mayNameRuntime(this.analysis, file)) {
      flowStats.skipped += this.rec.paths.length;
      return facts;
    }
    // Summaries callees first, without recursion: a deep helper chain costs a loop, not a stack.
    const callees = new Map<PathInfo, PathInfo[]>();
    const calleesOf = (p: PathInfo): PathInfo[] => {
      let c = callees.get(p);
      if (!c) callees.set(p, (c = this.calleesOf(p)));
      return c;
    };
    // Only functions that can hold memory state are solved; summaries only for
    // what a solved function (or a summary run) calls, as the state can reach no other.
    const relevant = this.relevantPaths(calleesOf);
    if (relevant.size === 0) {
      flowStats.skipped += this.rec.paths.length;
      return facts;
    }
    const needed = new Set<PathInfo>();
    const stack = this.rec.paths.filter((p) => relevant.has(p)).flatMap(calleesOf);
    while (stack.length > 0) {
      const p = stack.pop()!;
      if (needed.has(p)) continue;
      needed.add(p);
      stack.push(...calleesOf(p));
    }
    const called = new Set(this.rec.paths.flatMap(calleesOf).filter((p) => needed.has(p)));
    const order = calleesFirst([...called], calleesOf);
    for (const p of order) this.guard(facts, p, () => this.summarise(p));
    for (const path of this.rec.paths) {
      if (relevant.has(path)) this.guard(facts, path, () => this.solve(path, facts, undefined));
      else flowStats.skipped++;
    }
    this.handles.finish(facts);
    return facts;
  }

  /**
   * The functions whose solve can yield a fact: every source of tracked state
   * or of a fact without one is a runtime call (an \`@offheap\` id), a parameter
   * or value typed as a pointer or HeapRef, a HeapRef argument (a JS container
   * keeping it), or a call to a same-file function that is itself relevant (its
   * summary may return an allocation). A function with none of them starts and
   * stays with an empty state, so solving it finds nothing.
   */
  private relevantPaths(calleesOf: (p: PathInfo) => readonly PathInfo[]): Set<PathInfo> {
    const own = new Set<PathInfo>();
    for (const path of this.rec.paths) if (this.touchesMemory(path)) own.add(path);
    // Nothing to propagate: no call needs resolving (the common case on code that never touches memory).
    if (own.size === 0) return own;
    // Through same-file calls, to a fixpoint (callers of relevant functions, cycles included).
    const callers = new Map<PathInfo, PathInfo[]>();
    for (const p of this.rec.paths) {
      for (const c of calleesOf(p)) {
        const list = callers.get(c);
        if (list) list.push(p);
        else callers.set(c, [p]);
      }
    }
    const stack = [...own];
    while (stack.length > 0) {
      for (const caller of callers.get(stack.pop()!) ?? none) {
        if (!own.has(caller)) {
          own.add(caller);
          stack.push(caller);
        }
      }
    }
    return own;
  }

  private pointerOrHandle(n: TSESTree.Node): boolean {
    const t = this.typeOf(n);
    return isPointerType(this.checker, t) || mayBeHeapRef(this.checker, t);
  }

  /** Whether code of `n`'s top-level statement can hold a runtime value at all (mentions.ts: names, no types). */
  private mayCarry(n: TSESTree.Node): boolean {
    return mayCarryRuntime(this.analysis, this.tsOf(n));
  }

  /**
   * One pass over a function's events and parameters, asking only types and
   * callee ids, and none for code whose top-level statement names nothing
   * that carries the runtime (a function's events all lie in its own statement).
   */
  private touchesMemory(path: PathInfo): boolean {
    const isFunction = functionTypes.has(path.node.type);
    if (isFunction && !this.mayCarry(path.node)) {
      flowStats.gated++;
      return false;
    }
    if (isFunction) {
      for (const id of paramIds(path.node as TSESTree.FunctionLike)) if (id && this.pointerOrHandle(id)) return true;
    }
    // `valueParts(e)` starts with `e` itself (past parentheses): one type query each.
    const values = (e: TSESTree.Node | null | undefined): boolean => !!e && valueParts(e).some((x) => this.pointerOrHandle(x));
    for (const s of path.segs) {
      for (const ev of s.events) {
        if (!isFunction && !this.mayCarry(ev)) continue;
        switch (ev.type) {
          case AST_NODE_TYPES.CallExpression:
          case AST_NODE_TYPES.NewExpression:
            if (this.idOf(ev) !== undefined) return true;
            if (ev.type === AST_NODE_TYPES.CallExpression && (values(ev) || this.handles.leaves(ev))) return true;
            for (const a of ev.arguments) if (values(a.type === AST_NODE_TYPES.SpreadElement ? a.argument : a)) return true;
            break;
          case AST_NODE_TYPES.VariableDeclarator:
            if (values(ev.init)) return true;
            break;
          case AST_NODE_TYPES.AssignmentExpression:
            if (values(ev.right)) return true;
            break;
          case AST_NODE_TYPES.ReturnStatement:
            if (values(ev.argument)) return true;
            break;
          default:
            break;
        }
      }
    }
    return false;
  }

  /** Runs `f`; an unforeseen node makes the function "cannot prove" instead of crashing the lint run. */
  private guard(facts: FlowFact[], path: PathInfo, f: () => void): void {
    try {
      f();
    } catch (e) {
      // One report per function: its summary run and its own solve may both give up.
      if (!facts.some((x) => x.kind === 'cannotProve' && x.node === path.node)) facts.push({ kind: 'cannotProve', node: path.node, reason: e instanceof Error ? e.message : String(e) });
    }
  }

  private tsOf(n: TSESTree.Node): ts.Node {
    return this.analysis.tsOf(n);
  }

  private readonly types = new Map<TSESTree.Node, ts.Type>();

  /** The checker's type at `n`, asked once per node (the solve, the final pass and summary runs revisit nodes). */
  private typeOf(n: TSESTree.Node): ts.Type {
    let t = this.types.get(n);
    if (!t) this.types.set(n, (t = this.analysis.typeOf(n)));
    return t;
  }

  private readonly symbols = new Map<TSESTree.Node, ts.Symbol | null>();

  /** The symbol an identifier names (a shorthand property: its value's), asked once per node. */
  private symbolOf(id: TSESTree.Identifier): ts.Symbol | undefined {
    let sym = this.symbols.get(id);
    if (sym === undefined) {
      const tsId = this.tsOf(id);
      // symbolAt: once per node and program, shared with the other rules asking about the same names.
      sym = (ts.isShorthandPropertyAssignment(tsId.parent) ? this.checker.getShorthandAssignmentValueSymbol(tsId.parent) : symbolAt(this.checker, tsId)) ?? null;
      this.symbols.set(id, sym);
    }
    return sym ?? undefined;
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
    const sym = this.symbolOf(id);
    if (!sym) return undefined;
    let info = this.vars.get(sym);
    if (!info) {
      const { decl, scope, where } = this.placeOf(sym);
      info = { key: `v${this.vars.size}`, name: sym.name, scope, where, sym, decl };
      this.vars.set(sym, info);
    }
    if (info.where === 'local' && this.current && this.current.node.type !== AST_NODE_TYPES.Program) {
      const [s, e] = this.current.node.range;
      if (info.scope[0] < s || info.scope[1] > e) return { ...info, where: 'outer' };
    }
    return info;
  }

  /**
   * Where a variable lives: its declaration, the range of the block it lives
   * in and its kind (`vars` keys it per solve). Read from syntax (and the
   * alias's target), so kept per program: every file lint asks about the same imports.
   */
  private placeOf(sym: ts.Symbol): VarPlace {
    let place = this.places.get(sym);
    if (place) return place;
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
      }
    }
    place = { decl, scope, where };
    this.places.set(sym, place);
    return place;
  }

  private readonly pointerPlaces = new Map<ts.Symbol, boolean>();

  /** The declared type holds pointers (`Ptr<T>`, `Ptr<T>[]`, `Map<K, Ptr<T>>`): a place the collector scans when module-level (asked only then). */
  private holdsPointers(v: VarInfo): boolean {
    let found = this.pointerPlaces.get(v.sym);
    if (found === undefined) {
      flowStats.placeTypes++;
      const declared = v.decl ? this.checker.getTypeOfSymbolAtLocation(v.sym, v.decl) : undefined;
      found = !!declared && (isPointerType(this.checker, declared) || this.containerOfPointers(declared));
      this.pointerPlaces.set(v.sym, found);
    }
    return found;
  }

  /** An array, Set, Map, … whose type arguments include a HeapRef. */
  private containerOfHandles(t: ts.Type): boolean {
    return isReference(t) && this.checker.getTypeArguments(t).some((a) => mayBeHeapRef(this.checker, a));
  }

  /** An array, tuple, Set, Map, … whose type arguments include a pointer. */
  private containerOfPointers(t: ts.Type): boolean {
    if (!isReference(t)) return false;
    return this.checker.getTypeArguments(t).some((a) => isPointerType(this.checker, a));
  }

  // ---- summaries ----

  /** The same-file function with a body that a call invokes directly, if recorded (memoised per call). */
  private targetOf(node: TSESTree.CallExpression): PathInfo | undefined {
    let found = this.targets.get(node);
    if (found === undefined) this.targets.set(node, (found = this.findTarget(node) ?? null));
    return found ?? undefined;
  }

  private readonly targets = new Map<TSESTree.CallExpression, PathInfo | null>();

  private findTarget(node: TSESTree.CallExpression): PathInfo | undefined {
    const decl = this.checker.getResolvedSignature(this.tsOf(node) as ts.CallExpression)?.declaration;
    if (!decl || ts.isJSDocSignature(decl) || decl.getSourceFile() !== this.tsOf(node).getSourceFile()) return undefined;
    // An overload signature has no body: the helper is the implementation, the same-named declaration that has one.
    const impl =
      (ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl)) && !decl.body && decl.name
        ? this.checker.getSymbolAtLocation(decl.name)?.declarations?.find((d) => (ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d)) && d.body !== undefined && d.parent === decl.parent)
        : undefined;
    let es = this.tsToEs.get(impl ?? decl) as TSESTree.Node | undefined;
    // A method's code path starts at its function value, not at the definition.
    if (es && (es.type === AST_NODE_TYPES.MethodDefinition || es.type === AST_NODE_TYPES.PropertyDefinition) && es.value) es = es.value;
    const path = es && this.rec.byFunction.get(es);
    return path && functionTypes.has(path.node.type) ? path : undefined;
  }

  private calleesOf(path: PathInfo): PathInfo[] {
    const out: PathInfo[] = [];
    for (const s of path.segs) {
      for (const ev of s.events) {
        if (ev.type !== AST_NODE_TYPES.CallExpression || this.idOf(ev) !== undefined) continue;
        const t = this.targetOf(ev);
        if (t && t !== path) out.push(t);
      }
    }
    return out;
  }

  private summaryFor(node: TSESTree.CallExpression): Summary | undefined {
    const path = this.targetOf(node);
    return path ? (this.summaries.get(path) ?? undefined) : undefined;
  }

  /** Solves `path` from an entry where each parameter is fresh unknown memory, and records its summary. */
  private summarise(path: PathInfo): void {
    if (this.summaries.has(path)) return;
    flowStats.summaries++;
    this.summaries.set(path, null); // recursion: no summary
    const fn = path.node as TSESTree.FunctionLike;
    const entry = new Map<string, ObjState>();
    const keys = paramIds(fn).map((id, i) => {
      const v = id && this.varOf(id);
      if (!v) return undefined;
      this.keyScopes.set(v.key, v.scope);
      entry.set(v.key, { mem: memGarbage, memWhy: undefined, root: rootNo, pending: { node: fn, via: undefined }, local: true, layout: undefined, group: `param:${i}` });
      return v.key;
    });
    const saved = this.returns;
    this.returns = [];
    try {
      const exit = this.solve(path, undefined, entry);
      const summary = summaryOf({ keys, exit, returns: this.returns });
      // A parameter still owed and kept by a local container the flow does not follow: the caller cannot prove it handed on.
      for (const [k, st] of exit) {
        const c = st.pending && k.startsWith('box:') ? this.boxes.get(k.slice(4, k.indexOf(':', 4))) : undefined;
        const i = c?.unfollowed && st.group.startsWith('param:') ? Number(st.group.slice(6)) : NaN;
        const eff = summary.params[i];
        if (eff && !eff.escapes && !eff.held) summary.params[i] = { ...eff, held: c };
      }
      this.summaries.set(path, summary);
    } finally {
      this.returns = saved;
    }
  }

  // ---- solving ----

  /** Solves one function; with `entry`, a summary run (no facts). Returns the joined exit env. */
  private solve(path: PathInfo, facts: FlowFact[] | undefined, entry: Env | undefined): Env {
    flowStats.functions++;
    const saved = [this.current, this.facts, this.lastActions, this.heldByCallee, this.readsBack] as const;
    const collect = this.returns;
    this.current = path;
    this.heldByCallee = new Map();
    this.readsBack = new Map();
    // Facts (or, for a summary, returns) are recorded during the fixpoint and kept per segment from its last run.
    this.facts = facts;
    const last = new Map<SegInfo, (() => void)[]>();
    this.lastActions = last;
    try {
      const sol = solveSegments<PEnv>(path, new Map([['', this.handles.entry(path, entry ?? this.entryEnv(path))]]), this.domain);
      for (const s of sol.segs) for (const act of last.get(s) ?? none) act();
      // Exit: the join of the states at every normal return.
      let exit: MutableEnv | undefined;
      for (const r of path.codePath.returnedSegments) {
        const at = sol.indexOf.get(r.id);
        for (const out of (at !== undefined && sol.outs[at]?.values()) || []) exit = exit ? joinEnv(exit, out, undefined) : new Map(out);
      }
      const result = exit ?? new Map<string, ObjState>();
      if (facts) this.handles.atExit(result, facts);
      if (facts && path.node.type !== AST_NODE_TYPES.Program) {
        // Held by a local container the flow does not follow: cannot prove it handed on (containers.ts).
        const held = new Map<TSESTree.Node, LocalContainer>();
        for (const [k0, st] of result) {
          const k = k0.startsWith('dead:') ? k0.slice(5) : k0;
          const ck = k.startsWith('box:') ? k.slice(4, k.indexOf(':', 4)) : undefined;
          const c0 = st.pending && ck !== undefined ? this.boxes.get(ck) : undefined;
          // A container read back while it held several objects: the value read may be any of them.
          const c = c0?.unfollowed ? c0 : c0 && ck !== undefined ? this.readsBack.get(ck) : undefined;
          if (c?.unfollowed && st.pending) held.set(st.pending.node, c);
          // Or kept by such a container of a same-file helper it was passed to (its summary says so).
          const byCallee = st.pending && !held.has(st.pending.node) ? this.heldByCallee.get(st.group) : undefined;
          if (byCallee && st.pending) held.set(st.pending.node, byCallee);
        }
        const seen = new Set<TSESTree.Node>();
        for (const [, st] of result) {
          if (st.pending && st.local && !seen.has(st.pending.node)) {
            seen.add(st.pending.node);
            const c = held.get(st.pending.node);
            const unfollowed = c?.unfollowed && this.tsToEs.get(c.unfollowed);
            facts.push({ kind: 'unrootedAtExit', store: st.pending, name: nameOf(st.pending.node), held: c && unfollowed ? { container: c.name, use: unfollowed } : undefined });
          }
        }
        // Allocated here (or by a helper that returned it), a HeapRef stored, and neither rooted nor
        // handed to code that cannot be read: the rule asks whether anything in the program roots that allocation.
        const sites = new Set<TSESTree.Node>();
        for (const [, st] of result) {
          // (Held by a container the flow does not follow counts as not handed on: nothing else may root it.)
          if (st.site && st.safeWhy && st.local && (!st.pending || held.has(st.pending.node)) && !st.freed && !isMaybeRooted(st) && !sites.has(st.site.at)) {
            sites.add(st.site.at);
            facts.push({ kind: 'storedUnrooted', site: st.site, store: st.safeWhy });
          }
        }
      }
      return result;
    } finally {
      [this.current, this.facts, this.lastActions, this.heldByCallee, this.readsBack] = saved;
      this.returns = collect;
    }
  }

  /** Runs `f` once the function is solved if the segment being run is the one to keep (see `actions`), else now. */
  private defer(f: () => void): void {
    if (this.actions) this.actions.push(f);
    else f();
  }

  /**
   * The solver's state: one Env per valuation of the branch predicates on the
   * path (predicates.ts). Without correlated tests there is one partition, ''.
   */
  private readonly domain: Domain<PEnv> = {
    empty: () => new Map([['', new Map()]]),
    widen: (p) => {
      // One partition, every object in every memory and root state (witnesses kept for the messages).
      let all: MutableEnv | undefined;
      for (const env of p.values()) all = all ? joinEnv(all, env, undefined) : new Map(env);
      const out = new Map<string, ObjState>();
      for (const [k, s] of all ?? []) {
        out.set(k, { ...s, mem: memGarbage | memZero | memSafe, memWhy: s.memWhy ?? { node: s.safeWhy?.node ?? this.current!.node, via: undefined, note: 'the analysis widened this function (too many iterations): any state is assumed' }, root: rootYes | rootNo, rootCount: undefined, zeroSpan: undefined });
      }
      return new Map([['', out]]);
    },
    equal: (a, b) => {
      if (a === b) return true;
      if (a.size !== b.size) return false;
      for (const [k, e] of a) {
        const o = b.get(k);
        if (!o || !envEqual(e, o)) return false;
      }
      return true;
    },
    joinThrown: (input, thrown, t) => {
      const out = new Map(input);
      for (const p of thrown) {
        for (const [k, e] of p) {
          const base = out.get(k);
          out.set(k, base ? joinThrown(base, [e], t) : joinThrown(new Map(), [e], t));
        }
      }
      return out;
    },
    run: (seg, input, exc) => {
      // This run's actions replace the segment's earlier ones: its input only grows, and the last is the solved one.
      const acts: (() => void)[] = [];
      const outer = this.actions;
      this.actions = acts;
      try {
        return this.runValuations(seg, input, exc);
      } finally {
        this.actions = outer;
        this.lastActions?.set(seg, acts);
      }
    },
    join: (to, preds) => {
      const acc = new Map<Valuation, MutableEnv>();
      for (const { from, out } of preds) {
        const fork = from.seg.nextSegments.length > 1 || from.index >= to.index;
        const { label, cond, key, impossible } = fork ? this.edgeOf(from, to) : noEdge;
        if (impossible) continue;
        for (const [k, env0] of out) {
          const env = fork ? this.handles.edge(from, to, env0) : env0;
          const val = key && cond ? extend(k, key, cond.value) : k;
          if (val === undefined) continue; // contradicts the path's earlier test: not a real path
          flowStats.stateOps += env.size;
          const a = acc.get(val);
          acc.set(val, a ? joinEnv(a, env, label) : copyEnv(env, label));
        }
      }
      if (acc.size === 0) acc.set('', new Map());
      // Variables whose block was left are dead: drop them so envs stay small.
      if (to.seg.prevSegments.length > 1) {
        const at = to.start.range[0];
        for (const env of acc.values()) {
          for (const [k, st] of env) {
            const v = this.keyScopes.get(k);
            if (!v || (at >= v[0] && at <= v[1])) continue;
            env.delete(k);
            // The variable is gone, not its object: an unrooted store into it is still owed at the exit
            // (by a local container's entry when one holds it: handing the container on hands it on).
            if (st.pending && st.local && !heldInBox(env, st.group)) {
              const dead = `dead:${k}`;
              const prev = env.get(dead);
              env.set(dead, prev ? joinState(prev, st, dead) : st);
            }
          }
        }
      }
      return acc;
    },
  };

  /** Runs a segment over each valuation of its input; with `exc`, joins per try what exceptions carry out. */
  private runValuations(seg: SegInfo, input: PEnv, exc: Map<TSESTree.TryStatement, PEnv> | undefined): PEnv {
    const out = new Map<Valuation, Env>();
    for (const [k, env] of input) {
      const mine = exc ? new Map<TSESTree.TryStatement, Env>() : undefined;
      out.set(k, this.run(seg, env, mine));
      for (const [t, e] of mine ?? []) {
        let acc = exc!.get(t) as Map<Valuation, Env> | undefined;
        if (!acc) exc!.set(t, (acc = new Map()));
        const prev = acc.get(k);
        acc.set(k, prev ? joinEnv(new Map(prev), e, undefined) : e);
      }
    }
    return out;
  }

  private readonly edges = new Map<SegInfo, Map<SegInfo, EdgeFacts>>();

  /** What a forking edge says (its words, the branch predicate it decides), once per edge: the solver joins it on every run of `to`. */
  private edgeOf(from: SegInfo, to: SegInfo): EdgeFacts {
    let byTo = this.edges.get(from);
    if (!byTo) this.edges.set(from, (byTo = new Map<SegInfo, EdgeFacts>()));
    let found = byTo.get(to);
    if (!found) {
      const cond = edgeCondition(from, to);
      found = { label: edgeLabel(from, to), cond, key: cond && this.stableKey(cond.id), impossible: this.exhaustiveNoMatch(from, to) };
      byTo.set(to, found);
    }
    return found;
  }

  /**
   * Whether `from -> to` is the path where no `case` of a `switch` without
   * `default` matches (it forks from the last case's test, or from the
   * discriminant when there is one case), and the checker's type of the
   * discriminant there is a union of literals (string, number, boolean, enum
   * members, undefined, null) each of which some `case` names: TypeScript
   * narrows it to `never` on that path, so no run takes it.
   */
  private exhaustiveNoMatch(from: SegInfo, to: SegInfo): boolean {
    const sw = to.start;
    if (sw.type !== AST_NODE_TYPES.SwitchStatement || sw.cases.length === 0 || sw.cases.some((c) => c.test === null)) return false;
    const last = sw.cases[sw.cases.length - 1];
    const start = from.start;
    const fromTests = start === last || (sw.cases.length === 1 && !(start.range[0] >= sw.range[0] && start.range[1] <= sw.range[1]));
    if (!fromTests) return false;
    const key = (t: ts.Type): string | undefined => {
      if (t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.BooleanLiteral)) return this.checker.typeToString(t);
      if (t.isStringLiteral() || t.isNumberLiteral()) {
        const member = t.flags & ts.TypeFlags.EnumLiteral && t.symbol ? `${this.checker.getFullyQualifiedName(t.symbol)}=` : '';
        return `${member}${typeof t.value}:${String(t.value)}`;
      }
      return undefined;
    };
    const d = this.typeOf(sw.discriminant);
    const members = d.isUnion() ? d.types : [d];
    const covered = new Set<string>();
    for (const c of sw.cases) {
      const t = this.typeOf(c.test!);
      for (const m of t.isUnion() ? t.types : [t]) {
        const k = key(m);
        if (k !== undefined) covered.add(k);
      }
    }
    return members.length > 0 && members.every((m) => {
      const k = key(m);
      return k !== undefined && covered.has(k);
    });
  }

  private readonly stable = new Map<ts.Symbol, string | null>();

  /**
   * The predicate key of a name whose value cannot change between two tests:
   * a `const` (destructured or not), a parameter or `let` never assigned after
   * its declaration (a destructured parameter too), or a `readonly` field of
   * `this` tested outside a constructor. Undefined for anything else.
   */
  private stableKey(id: PredicateName): string | undefined {
    const name = id.type === AST_NODE_TYPES.MemberExpression ? id.property : id;
    const sym = this.checker.getSymbolAtLocation(this.tsOf(name));
    if (!sym) return undefined;
    if (id.type === AST_NODE_TYPES.MemberExpression) {
      // A field can change between two tests in another function; only `readonly` ones are stable, and not while constructed.
      const decl = sym.valueDeclaration;
      const readonly = !!decl && (ts.isPropertyDeclaration(decl) || ts.isParameter(decl)) && (ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Readonly) !== 0;
      const inCtor = ts.findAncestor(this.tsOf(id), (n) => ts.isFunctionLike(n) && !ts.isArrowFunction(n));
      if (!readonly || !inCtor || ts.isConstructorDeclaration(inCtor)) return undefined;
    }
    let key = this.stable.get(sym);
    if (key === undefined) {
      key = null;
      const decl = sym.valueDeclaration;
      if (decl && (ts.isPropertyDeclaration(decl) || ts.isParameter(decl)) && id.type === AST_NODE_TYPES.MemberExpression) key = `c${this.stable.size}`;
      else if (decl && (decl as ts.NamedDeclaration).name && ts.isIdentifier((decl as ts.NamedDeclaration).name!)) {
        // A binding element takes its root declaration's kind: `const { a } = o`, `function f({ a })`.
        let root: ts.Node = decl;
        while (ts.isBindingElement(root) || ts.isObjectBindingPattern(root) || ts.isArrayBindingPattern(root)) root = root.parent;
        const isConst = ts.isVariableDeclaration(root) && ts.isVariableDeclarationList(root.parent) && (root.parent.flags & ts.NodeFlags.Const) !== 0;
        const candidate = isConst || ts.isParameter(root) || ts.isVariableDeclaration(root);
        if (candidate && (isConst || !this.assignedAnywhere(sym, decl))) key = `c${this.stable.size}`;
      }
      this.stable.set(sym, key);
    }
    return key ?? undefined;
  }

  private readonly assignedIn = new Map<ts.Node, Set<ts.Symbol> | null>();

  /**
   * Whether the variable is a target of an assignment or update anywhere in
   * its declaring scope. Each scope is walked once, collecting every assigned
   * symbol (a destructuring assignment makes the whole scope unprovable).
   */
  private assignedAnywhere(sym: ts.Symbol, decl: ts.Declaration): boolean {
    let scope: ts.Node = decl;
    while (!ts.isFunctionLike(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
    let set = this.assignedIn.get(scope);
    if (set === undefined) {
      const found = new Set<ts.Symbol>();
      let pattern = false;
      const visit = (n: ts.Node): void => {
        const target =
          ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment
            ? n.left
            : (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)
              ? n.operand
              : // `for (flag of flags)` assigns the variable each iteration.
                (ts.isForOfStatement(n) || ts.isForInStatement(n)) && !ts.isVariableDeclarationList(n.initializer)
                ? n.initializer
                : undefined;
        const id = target && skipOuterExpressions(target);
        if (id && ts.isIdentifier(id)) {
          const s = this.checker.getSymbolAtLocation(id);
          if (s) found.add(s);
        } else if (id && (ts.isArrayLiteralExpression(id) || ts.isObjectLiteralExpression(id))) pattern = true;
        ts.forEachChild(n, visit);
      };
      visit(scope);
      set = pattern ? null : found;
      this.assignedIn.set(scope, set);
    }
    return set === null || set.has(sym);
  }


  /** Parameters with pointer types start as their types say. */
  private entryEnv(path: PathInfo): Env {
    const env = new Map<string, ObjState>();
    if (!functionTypes.has(path.node.type)) return env;
    for (const id of paramIds(path.node as TSESTree.FunctionLike)) {
      const v = id && this.varOf(id);
      const st = v && (this.typeState(id, false) ?? this.handleState(id));
      if (v && st) {
        this.keyScopes.set(v.key, v.scope);
        env.set(v.key, { ...st, group: `param:${v.key}` });
      }
    }
    return env;
  }

  /** A HeapRef-typed value not made here (a parameter): not known to be pinned. */
  private handleState(n: TSESTree.Node): ObjState | undefined {
    if (!mayBeHeapRef(this.checker, this.typeOf(n))) return undefined;
    return { ...fresh(memZero, n, undefined), local: false, pin: pinNo };
  }

  /** Whether the value stored is a HeapRef (by its type). */
  private isHandle(e: TSESTree.Node): boolean {
    return mayBeHeapRef(this.checker, this.typeOf(e));
  }

  /** A HeapRef kept on the JS heap at `node`: an obligation to pin it (handles.ts). */
  private keep(env: MutableEnv, node: TSESTree.Node, value: TSESTree.Node, where: string): void {
    this.handles.keep(env, node, value, where);
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
      safeWhy: garbage ? undefined : { node: n, via: undefined, note: `\`${ellipsis(this.tsOf(n).getText())}\` is typed \`Ptr<…>\`` },
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
  private run(s: SegInfo, input: Env, exc?: Map<TSESTree.TryStatement, Env>): Env {
    let env: MutableEnv | undefined;
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
    if (!this.facts) return;
    this.defer(() => this.emitNow(f));
  }

  private emitNow(f: FlowFact): void {
    const facts = this.facts;
    if (!facts || f.kind === 'unrootedAtExit' || f.kind === 'cannotProve' || f.kind === 'storedUnrooted') {
      facts?.push(f);
      return;
    }
    const site = f.kind === 'root' || f.kind === 'useAfterFree' || f.kind === 'keepHeapRef' ? f.node : f.call;
    const key = `${f.kind}:${site.range[0]}:${(f.kind === 'keepHeapRef' ? f.value : f.ptr).range[0]}`;
    const at = this.factAt.get(key);
    if (at === undefined) {
      this.factAt.set(key, facts.length);
      facts.push(f);
    } else {
      const prev = facts[at];
      if (f.kind === 'keepHeapRef') {
        // Unknown on one way in: unknown (not provably pinned).
        const p = prev.kind === 'keepHeapRef' ? prev.state : undefined;
        facts[at] = { ...f, state: p && f.state ? joinState(p, f.state, key) : undefined };
      } else if (prev.kind === f.kind && 'state' in prev && prev.state) facts[at] = { ...f, ...prev, state: joinState(prev.state, f.state, key) };
    }
  }

  // ---- events ----

  private step(env: MutableEnv, node: TSESTree.Node): void {
    this.handles.event(env, node);
    switch (node.type) {
      case AST_NODE_TYPES.VariableDeclarator: {
        const v = this.varOf(node.id);
        if (v) this.assign(env, v, node.init, node);
        const c = v && node.init ? this.containerAt(node.id) : undefined;
        if (c && node.init) this.fill(env, c, node.init);
        return;
      }
      case AST_NODE_TYPES.AssignmentExpression:
        return this.assignment(env, node);
      case AST_NODE_TYPES.CallExpression:
        return this.call(env, node);
      case AST_NODE_TYPES.NewExpression: {
        // `new Handle(p)`: the object escapes through the constructor's arguments; a constructor
        // declared without a body (not the standard library's) may root it.
        const decl = this.checker.getResolvedSignature(this.tsOf(node) as ts.NewExpression)?.declaration;
        const file = decl && !ts.isJSDocSignature(decl) ? decl.getSourceFile() : undefined;
        const opaque = !!file && (file.isDeclarationFile || ts.isConstructorDeclaration(decl!) && !decl.body) && !this.program.isSourceFileDefaultLibrary(file);
        // A local container made from a literal (`new Map([[k, p]])`) holds what it lists (`fill`): not handed on here.
        const made = node.arguments[0]?.type === AST_NODE_TYPES.ArrayExpression && this.containerMadeBy(node) !== undefined;
        for (const a of node.arguments) {
          if (made && a === node.arguments[0]) continue;
          this.escape(env, a);
          const t = opaque ? this.tracked(env, a) : undefined;
          if (t?.st.site) this.update(env, t.v.key, (s) => ({ ...s, site: undefined }));
        }
        return;
      }
      case AST_NODE_TYPES.ReturnStatement:
        if (this.returns && this.current?.node === functionOf(node)) {
          const returns = this.returns;
          const st = node.argument ? this.evaluate(env, node.argument)?.st : undefined;
          this.defer(() => returns.push(st));
        }
        if (node.argument) this.escape(env, node.argument);
        return;
      case AST_NODE_TYPES.YieldExpression:
        if (node.argument) this.escape(env, node.argument);
        return;
      case AST_NODE_TYPES.JSXAttribute:
        if (node.value?.type === AST_NODE_TYPES.JSXExpressionContainer && node.value.expression.type !== AST_NODE_TYPES.JSXEmptyExpression) this.escape(env, node.value.expression);
        return;
      case AST_NODE_TYPES.Property:
        // Inside the literal a local container is made with, it goes into the container (`fill`).
        if (node.parent.type === AST_NODE_TYPES.ObjectExpression && !this.initOfContainer(node.parent)) this.escape(env, node.value);
        return;
      case AST_NODE_TYPES.ArrayExpression:
        if (this.initOfContainer(node)) return;
        for (const e of node.elements) if (e) this.escape(env, e.type === AST_NODE_TYPES.SpreadElement ? e.argument : e);
        return;
      default:
        return;
    }
  }

  private tracked(env: Env, e: TSESTree.Node): { v: VarInfo; st: ObjState } | undefined {
    const v = this.varOf(skipOuterEs(e));
    const st = v && env.get(v.key);
    return v && st ? { v, st } : undefined;
  }

  /**
   * The object an address expression points into: `p`, `p + 8`,
   * `p + L.offsets.f`, `(p + k * L.size) as Ptr<…>`; with the byte offset when provable.
   */
  private addressOf(env: Env, e: TSESTree.Node): { v: VarInfo; st: ObjState; offset: number | undefined; base: TSESTree.Node } | undefined {
    const direct = this.tracked(env, e);
    if (direct) return { v: direct.v, st: direct.st, offset: 0, base: e };
    let x = skipOuterEs(e);
    const addends: TSESTree.Node[] = [];
    while (x.type === AST_NODE_TYPES.BinaryExpression && x.operator === '+') {
      addends.push(x.right);
      x = skipOuterEs(x.left);
    }
    const t = this.tracked(env, x);
    if (!t || addends.length === 0) return undefined;
    let offset: number | undefined = 0;
    for (const a of addends) {
      const n = staticNumber(this.checker, this.tsOf(a) as ts.Expression);
      offset = n === undefined || offset === undefined ? undefined : offset + n;
    }
    return { v: t.v, st: t.st, offset, base: x };
  }

  /** Applies `f` to every variable that must-aliases `key`'s object. */
  private update(env: MutableEnv, key: string, f: (s: ObjState) => ObjState | undefined): void {
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

  /** The value of `e` is handed on: every object it may evaluate to is no longer this function's to root. */
  private escape(env: MutableEnv, e: TSESTree.Node): void {
    for (const part0 of valueParts(e)) {
      const part = part0.type === AST_NODE_TYPES.SpreadElement ? skipOuterEs(part0.argument) : part0;
      const t = this.tracked(env, part);
      if (t?.st.pending) this.update(env, t.v.key, (s) => ({ ...s, pending: undefined }));
      else if (!t && this.boxes.size > 0) {
        // A local container handed on hands on what it holds, when the flow follows it (containers.ts).
        const c = this.containerAt(part);
        if (c && c.c.unfollowed === undefined) {
          for (const [k, s] of [...env]) if (s.pending && k.startsWith(`box:${c.key}:`)) this.update(env, k, (x) => ({ ...x, pending: undefined }));
        }
      }
    }
  }

  /** The local container (containers.ts) an expression names, with its variable's key. */
  private containerAt(e0: TSESTree.Node): { key: string; c: LocalContainer; scope: readonly [number, number] } | undefined {
    const e = skipOuterEs(e0);
    if (e.type !== AST_NODE_TYPES.Identifier) return undefined;
    const v = this.varOf(e);
    const sym = v?.where === 'local' ? this.symbolOf(e) : undefined;
    const c = sym && this.containers.of(sym);
    return c && v ? { key: v.key, c, scope: v.scope } : undefined;
  }

  /** Whether an array or object literal is (inside) the literal a local container is made with. */
  private initOfContainer(lit: TSESTree.Node): boolean {
    let n = lit;
    for (;;) {
      const p = n.parent;
      if (!p) return false;
      if (p.type === AST_NODE_TYPES.ArrayExpression || p.type === AST_NODE_TYPES.ObjectExpression || p.type === AST_NODE_TYPES.Property || p.type === AST_NODE_TYPES.SpreadElement || p.type === AST_NODE_TYPES.TSAsExpression || p.type === AST_NODE_TYPES.TSSatisfiesExpression || p.type === AST_NODE_TYPES.TSNonNullExpression) {
        n = p;
        continue;
      }
      // `const m = new Map([[k, p]])`: the literal a library container is made from is its contents.
      if (p.type === AST_NODE_TYPES.NewExpression && p.arguments[0] === n && n.type === AST_NODE_TYPES.ArrayExpression) return this.containerMadeBy(p) !== undefined;
      return p.type === AST_NODE_TYPES.VariableDeclarator && p.init === n && this.containerAt(p.id) !== undefined;
    }
  }

  /** The local container a `new Map(…)`/`new Set(…)` makes: the declaration it initialises (through `as`, `satisfies`, `!`, `<T>`). */
  private containerMadeBy(e: TSESTree.NewExpression): ReturnType<FlowEngine['containerAt']> {
    const n = outermostTypedEs(e);
    const d = n.parent;
    return d?.type === AST_NODE_TYPES.VariableDeclarator && d.init === n ? this.containerAt(d.id) : undefined;
  }

  /**
   * `x` goes into the local container `c`: its state is kept under
   * `box:<container>:<group>`, in `x`'s must-alias group, so handing the
   * container on hands `x` on and rooting `x` roots the entry. An older
   * object in the same entry (a loop's earlier allocation) moves to the
   * container's `*` entry, which only handing the container on clears.
   */
  private putInto(env: MutableEnv, c: { key: string; scope: readonly [number, number]; c: LocalContainer }, x: TSESTree.Node): void {
    const t = this.tracked(env, x);
    if (!t) {
      // Another local container: what it holds is now held by `c` too.
      const inner = this.containerAt(x);
      if (!inner) return this.escape(env, x);
      for (const [k, s] of [...env]) if (k.startsWith(`box:${inner.key}:`)) this.box(env, c, s);
      return;
    }
    this.box(env, c, t.st);
  }

  private box(env: MutableEnv, c: { key: string; scope: readonly [number, number]; c: LocalContainer }, st: ObjState): void {
    this.boxes.set(c.key, c.c);
    const key = `box:${c.key}:${st.group}`;
    const old = env.get(key);
    if (old && old.group !== st.group) {
      const rest = `box:${c.key}:*`;
      const prev = env.get(rest);
      const moved = { ...old, group: `rest:${c.key}` };
      env.set(rest, prev ? joinState(prev, moved, rest) : moved);
      this.keyScopes.set(rest, c.scope);
    }
    env.set(key, st);
    this.keyScopes.set(key, c.scope);
    // Objects only the container still names (their variables' blocks were left) fold into its `*` entry, so a
    // container filled from many statements keeps the state small (linear work, not one entry per put).
    const prefix = `box:${c.key}:`;
    let n = 0;
    for (const k of env.keys()) if (k.startsWith(prefix)) n++;
    if (n > boxesPerContainer) {
      const rest = `${prefix}*`;
      for (const [k, s] of [...env]) {
        if (k === key || k === rest || !k.startsWith(prefix) || hasVariable(env, s.group)) continue;
        env.delete(k);
        const prev = env.get(rest);
        const moved = { ...s, group: `rest:${c.key}` };
        env.set(rest, prev ? joinState(prev, moved, rest) : moved);
        this.keyScopes.set(rest, c.scope);
      }
    }
  }

  /** `const c = [p, { q }]`, `const b2 = batch`: a container made holding what its literal (or its alias) holds. */
  private fill(env: MutableEnv, c: { key: string; scope: readonly [number, number]; c: LocalContainer }, init: TSESTree.Node): void {
    // A new container of this declaration (a loop's next iteration): the entries of the previous one no longer alias it.
    this.forget(env, c.key);
    const stack = [init];
    while (stack.length > 0) {
      const e = skipOuterEs(stack.pop()!);
      if (e.type === AST_NODE_TYPES.ArrayExpression) {
        for (const x of e.elements) if (x) stack.push(x.type === AST_NODE_TYPES.SpreadElement ? x.argument : x);
      } else if (e.type === AST_NODE_TYPES.ObjectExpression) {
        for (const x of e.properties) stack.push(x.type === AST_NODE_TYPES.SpreadElement ? x.argument : x.value);
      } else if (e === skipOuterEs(init) && e.type === AST_NODE_TYPES.NewExpression) {
        // `new Map([[k, p]])`, `new Set([p])`: the entries of the literal argument (the container is a library class: containers.ts).
        if (e.arguments[0]?.type === AST_NODE_TYPES.ArrayExpression) stack.push(e.arguments[0]);
      } else if (e !== skipOuterEs(init) || e.type === AST_NODE_TYPES.Identifier) {
        for (const part of valueParts(e)) if (part.type === AST_NODE_TYPES.Identifier) this.putInto(env, c, part);
      }
    }
  }

  /** The container variable `key` names another object now: its entries stay owed (when pending) but no longer alias it. */
  private forget(env: MutableEnv, key: string): void {
    if (this.boxes.size === 0) return;
    for (const [k, s] of [...env]) {
      if (!k.startsWith(`box:${key}:`)) continue;
      env.delete(k);
      if (s.pending && s.local) {
        const dead = `dead:${k}`;
        const prev = env.get(dead);
        env.set(dead, prev ? joinState(prev, s, dead) : s);
      }
    }
  }

  private assign(env: MutableEnv, v: VarInfo, init: TSESTree.Node | null | undefined, site: TSESTree.Node): void {
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

  private assignment(env: MutableEnv, node: TSESTree.AssignmentExpression): void {
    const left = node.left;
    if (node.operator === '=' && this.isHandle(node.right)) {
      // A handle in a field, an element, a module-level or a closure variable is held by JS only.
      const v = left.type === AST_NODE_TYPES.Identifier ? this.varOf(left) : undefined;
      // Only a place typed to hold a HeapRef: a `number` place (a typed array, a not-in-heap field) hides it, which no-hidden-heap-pointers reports.
      const jsPlace = left.type === AST_NODE_TYPES.MemberExpression && this.isHandle(left) && !brandOf(this.checker, this.typeOf(left.object), 'NotInHeap');
      if (jsPlace) this.keep(env, node, node.right, `\`${ellipsis(this.tsOf(left).getText())}\``);
      else if (v && (v.where === 'module' || v.where === 'outer')) this.keep(env, node, node.right, `the ${v.where === 'module' ? 'module-level' : 'enclosing function\'s'} variable \`${v.name}\``);
    }
    if (left.type === AST_NODE_TYPES.Identifier) {
      const v = this.varOf(left);
      if (!v) return;
      if (node.operator !== '=') {
        env.delete(v.key);
        return;
      }
      if (v.where === 'local' || (v.where === 'module' && this.current?.node.type === AST_NODE_TYPES.Program)) {
        this.forget(env, v.key);
        this.assign(env, v, node.right, node);
        return;
      }
      // A module-level place typed as pointers is a root table the collector scans; a `number` is
      // Go's uintptr (never a root); an outer closure variable is an escape.
      this.publish(env, node.right, node, v.where === 'module' && this.holdsPointers(v) ? `the module-level variable \`${v.name}\`` : undefined);
      return;
    }
    if (left.type === AST_NODE_TYPES.MemberExpression && left.computed) {
      const width = this.rawView(left.object);
      if (width) {
        // `u32[(p + off) >> 2] = v`: one word written without a barrier.
        let index = skipOuterEs(left.property);
        if (index.type === AST_NODE_TYPES.BinaryExpression && (index.operator === '>>' || index.operator === '>>>')) index = skipOuterEs(index.left);
        this.rawWrite(env, node, index, undefined, width);
      }
    }
    if (left.type === AST_NODE_TYPES.MemberExpression && node.operator === '=') {
      // `batch[i] = p`, `o.p = p` on a container local to the function: held by it.
      const into = this.containerAt(left.object);
      if (into) return this.putInto(env, into, node.right);
    }
    if (left.type === AST_NODE_TYPES.MemberExpression) {
      const base = rootIdentifier(left);
      const bv = base && this.varOf(base);
      const scanned = bv?.where === 'module' && isPointerType(this.checker, this.typeOf(left));
      this.publish(env, node.right, node, scanned ? `the module-level \`${bv.name}\`` : undefined);
    }
  }

  /** `value` is stored somewhere: a root when `how` is given, else an escape. */
  private publish(env: MutableEnv, value: TSESTree.Node, site: TSESTree.Node, how: string | undefined): void {
    const t = this.tracked(env, value);
    if (!t) {
      const c = how && this.boxes.size > 0 ? this.containerAt(value) : undefined;
      if (!c) this.escape(env, value);
      else {
        // A local container stored into a place the collector scans: what it holds becomes visible as a root.
        for (const [k, s] of [...env]) {
          if (!k.startsWith(`box:${c.key}:`) || !env.has(k)) continue;
          this.emit({ kind: 'root', node: site, ptr: value, state: s, how: `${how}, through \`${c.c.name}\``, slots: this.slotsOf(value, s), count: undefined });
          this.update(env, k, (x) => rooted(x, true));
        }
      }
      return;
    }
    if (how) {
      this.emit({ kind: 'root', node: site, ptr: value, state: t.st, how, slots: this.slotsOf(value, t.st), count: undefined });
      this.update(env, t.v.key, (s) => rooted(s, true));
    } else this.escape(env, value);
  }

  /** The state of the object an expression evaluates to; alias when it names a tracked variable. */
  private evaluate(env: Env, e0: TSESTree.Node): { st: ObjState; alias: boolean } | undefined {
    const e = skipOuterEs(e0);
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
      const read = this.readBack(env, e);
      if (read) return read;
      const ret = this.summaryFor(e)?.ret;
      // The callee handed the object on, so its own unrooted stores are not the caller's to report.
      if (ret) return { st: { ...ret, pending: undefined, group: `site:${e.range[0]}` }, alias: false };
      const foreign = this.foreignFor(e)?.ret;
      if (foreign) {
        // A helper in another file hands back what it allocated: fresh memory of this function, rooted as its body shows.
        const t = this.typeOf(e);
        const mem = mayBeGarbageType(this.checker, t) ? memGarbage | memZero : memZero | memSafe;
        const root = foreign.rooted === 'must' ? rootYes : foreign.rooted === 'may' ? rootYes | rootNo : rootNo;
        return { st: { ...fresh(mem, e, undefined), root, site: { alloc: foreign.site, at: e, layoutKnown: false } }, alias: false };
      }
      if (effectOf(this.idOf(e))?.makesHeapRef) return { st: { ...fresh(memZero, e, undefined), pin: pinNo }, alias: false };
      const alloc = effectOf(this.idOf(e))?.allocates;
      if (alloc) {
        const call = this.tsOf(e) as ts.CallExpression;
        const layout = alloc.layout === 'receiver' ? this.poolLayout(e) : alloc.layout === 'sizeArg' ? sizeLayout(call, alloc.sizeArg) : argAt(call.arguments, alloc.layout.arg);
        // The pool's `zero` option is in its type: `MaybeGarbage<T>` when objects may come back unzeroed.
        const garbage = alloc.zero === 'maybeGarbage' || (alloc.zero === 'poolOption' && mayBeGarbageType(this.checker, this.typeOf(e)));
        return { st: { ...fresh(garbage ? memGarbage | memZero : memZero, e, layout), site: { alloc: call, at: e, layoutKnown: layout !== undefined } }, alias: false };
      }
      const t = this.typeOf(e);
      // A user's allocator that may hand back reused memory: its type says so.
      if (isPointerType(this.checker, t) && mayBeGarbageType(this.checker, t)) return { st: this.typeState(e, true)!, alias: false };
    }
    const st = this.typeState(e, false) ?? this.handles.valueState(env, e);
    return st && { st, alias: false };
  }

  /**
   * `m.get(k)` of a local container the flow follows (containers.ts: only as a
   * variable's initializer): the object it holds, as an alias, when it holds
   * exactly one; otherwise the read is noted and what the container holds is
   * "cannot prove" at the exit (the value may be any of them).
   */
  private readBack(env: Env, e: TSESTree.CallExpression): { st: ObjState; alias: boolean } | undefined {
    const callee = skipOuterEs(e.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier || callee.property.name !== 'get') return undefined;
    const c = this.boxes.size > 0 ? this.containerAt(callee.object) : undefined;
    if (!c || c.c.unfollowed !== undefined) return undefined;
    const prefix = `box:${c.key}:`;
    let one: ObjState | undefined;
    let n = 0;
    for (const [k, st] of env) {
      if (!k.startsWith(prefix)) continue;
      n++;
      if (k !== `${prefix}*`) one = st;
    }
    if (n === 1 && one) return { st: one, alias: true };
    if (n > 0 && !this.readsBack.has(c.key)) this.readsBack.set(c.key, { name: c.c.name, unfollowed: this.tsOf(e) });
    return undefined;
  }

  /** The layout a pool was made with: `new FixAlloc(L, …)` behind the receiver. */
  private poolLayout(call: TSESTree.CallExpression): ts.Expression | undefined {
    const callee = skipOuterEs(call.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
    const sym = this.checker.getSymbolAtLocation(this.tsOf(callee.object));
    const decl = sym?.valueDeclaration;
    const init = decl && (ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl)) && decl.initializer;
    const e = init ? (this.tsToEs.get(init) as TSESTree.Node | undefined) : undefined;
    const n = e && skipOuterEs(e);
    if (n?.type === AST_NODE_TYPES.NewExpression) {
      const pool = effectOf(this.idOf(n))?.pool;
      const a = pool && argAt(n.arguments, pool.layoutArg);
      return a && (this.tsOf(a) as ts.Expression);
    }
    return undefined;
  }

  /**
   * `rt.addRoot.call(rt, p, L)`, `storeHeapRef.apply(undefined, args)`: a runtime effect reached through
   * Function.prototype, whose arguments the catalogue's positions do not describe. The function is reported
   * "cannot prove" (once), never taken as clean; the direct call is followed.
   */
  private indirectRuntimeCall(node: TSESTree.CallExpression): void {
    const callee = node.callee;
    if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) return;
    const how = callee.property.name;
    if (how !== 'call' && how !== 'apply') return;
    const target = skipOuterExpressions(this.tsOf(callee.object) as ts.Expression);
    const id = offheapIdAt(this.checker, ts.isPropertyAccessExpression(target) ? target.name : target);
    const fn = this.current?.node;
    if (!effectOf(id) || !fn) return;
    const reason = `\`${ellipsis(this.tsOf(callee).getText())}(…)\` at line ${line(node)} calls \`${id}\` through \`.${how}\`, which is not followed: call it directly`;
    this.defer(() => {
      const facts = this.facts;
      if (facts && !facts.some((x) => x.kind === 'cannotProve' && x.node === fn)) facts.push({ kind: 'cannotProve', node: fn, reason });
    });
  }

  private call(env: MutableEnv, node: TSESTree.CallExpression): void {
    const eff = effectOf(this.idOf(node));
    if (!eff) this.indirectRuntimeCall(node);
    // A HeapRef store into freed memory is reported as a use after free only: the memory is no longer this function's to root.
    if (eff?.accesses && this.accessAfterFree(env, node, eff) && eff.storesHeapRef) return;
    if (eff?.clears) return this.clear(env, node, eff);
    if (eff?.storesHeapRef) return this.store(env, node, eff);
    if (eff?.roots) return this.root(env, node, eff);
    if (eff?.unroots) {
      // Judged only for objects this function follows (its allocations and
      // parameters): the clear of a pointer read from elsewhere is not visible here.
      const a = argAt(node.arguments, eff.unroots.ptrArg);
      const t = a && this.tracked(env, a);
      if (!t) return;
      const layout = (t.st.layout as ts.Expression | undefined) ?? this.recordLayout(a);
      // A generic wrapper's `Ptr<T>`: whatever `T` is, its slots must be clear before the root goes.
      const rec = pointeeOf(this.checker, this.typeOf(skipOuterEs(a)));
      const generic = rec && rec.flags & ts.TypeFlags.TypeParameter ? this.checker.typeToString(rec) : undefined;
      this.emit({ kind: 'unroot', call: node, ptr: a, state: t.st, slots: this.slotsOf(a, t.st), layout, generic });
      this.update(env, t.v.key, unrooted);
      return;
    }
    if (eff?.frees?.what === 'heapRef') {
      const a = argAt(node.arguments, eff.frees.arg);
      const t = a && this.tracked(env, a);
      const holder = t?.st.slotOf !== undefined ? [...env].find(([, s]) => s.group === t.st.slotOf) : undefined;
      if (a && t && holder && isMaybeRooted(holder[1]) && isMaybeTypeSafe(holder[1])) {
        this.emit({ kind: 'freeHeapRefRooted', call: node, ptr: a, state: holder[1], holder: this.nameOfKey(holder[0]) });
      }
      return;
    }
    if (eff?.frees) {
      const a = argAt(node.arguments, eff.frees.arg);
      const t = a && this.tracked(env, a);
      if (!t) return;
      this.emit({ kind: 'free', call: node, ptr: a, state: t.st, slots: this.slotsOf(a, t.st) });
      this.update(env, t.v.key, (s) => freedAt(s, { node, via: undefined }));
      return;
    }
    if (eff?.pins || eff?.unpins) {
      const a = argAt(node.arguments, (eff.pins ?? eff.unpins)!.arg);
      if (a && eff.pins) this.pinnedLoad(env, node, a);
      const t = a && this.tracked(env, a);
      if (t) this.update(env, t.v.key, (s) => ({ ...s, pin: eff.pins ? pinYes : pinNo }));
      return;
    }
    if (eff && eff.kind !== 'operation') return;
    if (eff?.allocates || eff?.collector || eff?.pins || eff?.unpins || eff?.frees || eff?.makesHeapRef) return;
    if (eff || this.isRuntimeCallee(node)) {
      // Another runtime API (a pointer-field accessor's set): a pointer
      // stored into rooted memory becomes visible as a root; into other memory, it escapes.
      const args = node.arguments;
      const target = args[0] && this.tracked(env, args[0]);
      for (let i = 1; i < args.length; i++) {
        const t = this.tracked(env, args[i]);
        if (!t) continue;
        if (target && target.st.root === rootYes) this.publish(env, args[i], node, `memory rooted through \`${target.v.name}\``);
        else this.escape(env, args[i]);
      }
      return;
    }
    // `view.fill(v, start, end)`, `view.set(zeros, p)`, `copyWithin`, a DataView setter: bytes written without a barrier.
    const write = rawViewWrite(this.program, node, (n) => this.tsOf(n));
    if (write) {
      this.rawWrite(env, node, write.start, write.end, write.bytes, write.zero);
      return;
    }
    this.unknownOrSummarised(env, node);
  }

  /** Bytes per element of a raw view of the runtime's memory (`rt.space.u8`, `new Int32Array(rt.buffer)`, a const of one), or undefined. */
  private rawView(e: TSESTree.Node): number | undefined {
    return rawViewAt(this.program, this.tsOf(e) as ts.Expression)?.width;
  }

  /**
   * A write through a raw view over [start, end) (or one element of `width`
   * bytes at `start`): a clear, or a hidden HeapRef write, without the deletion barrier.
   */
  private rawWrite(env: MutableEnv, node: TSESTree.CallExpression | TSESTree.AssignmentExpression, start: TSESTree.Node, end: TSESTree.Node | undefined, width: number | undefined, zero = true): void {
    const at = this.addressOf(env, start);
    if (!at || at.offset === undefined) return;
    const from = at.offset;
    let to: number | undefined = width === undefined ? undefined : from + width;
    if (end) {
      const e = this.addressOf(env, end);
      if (e && e.v.key === at.v.key && e.offset !== undefined) to = e.offset;
    }
    const layout = (at.st.layout as ts.Expression | undefined) ?? this.recordLayout(at.base);
    const sl = layout && staticLayoutOf(this.checker, layout);
    if (!sl || to === undefined) return;
    // Past the last listed slot of a truncated list, the write may land on a HeapRef slot: not provable.
    if (sl.truncated && to > sl.slots[sl.slots.length - 1].offset + 4) return;
    const hit = sl.slots.filter((s) => s.offset < to && s.offset + 4 > from);
    const partial: PartialClear = { bytes: to - from, size: sl.size, left: sl.slots.filter((s) => !hit.includes(s)).map((s) => s.path), cleared: hit.map((s) => s.path) };
    const raw = ellipsis(this.tsOf(node).getText());
    this.emit({ kind: 'clear', api: 'memclrNoHeapPointers', barrier: false, call: node, ptr: at.base, state: at.st, typeGarbage: false, slots: sl.slots.map((s) => s.path), partial, alias: undefined, raw });
    // Only zeros zero-initialize (a copy or a fill with another value is still a write without barriers).
    if (zero && from === 0 && to >= sl.size && isMaybeGarbage(at.st)) this.update(env, at.v.key, (s) => ({ ...cleared(s), layout: s.layout ?? layout }));
  }

  private clear(env: MutableEnv, node: TSESTree.CallExpression, eff: RuntimeEffect): void {
    const c = eff.clears!;
    const args = node.arguments;
    const pArg = argAt(args, c.ptrArg);
    if (!pArg) return;
    const t = this.tracked(env, pArg);
    // Untracked: the type under any cast says what it can (`Garbage` at this use site).
    const st = t?.st ?? this.typeState(skipOuterEs(pArg), false);
    if (!st) return;
    const layoutArg = argAt(args, c.layoutArg);
    const sizeArg = argAt(args, c.sizeArg);
    const bySize = sizeArg && sizeOfLayout(this.tsOf(sizeArg) as ts.Expression);
    const layoutExpr = layoutArg ? (this.tsOf(layoutArg) as ts.Expression) : ((st.layout as ts.Expression | undefined) ?? bySize?.layout ?? this.recordLayout(pArg));
    const partial = sizeArg && !bySize ? this.partialClear(sizeArg, layoutExpr) : undefined;
    const id = eff.id as 'memclrNoHeapPointers' | 'typedmemclr' | 'memclrHasPointers';
    // A generic wrapper's `Ptr<T>` (or `MaybeGarbage<T>`): whatever `T` is, its slots are the ones cleared.
    const rec = pointeeOf(this.checker, this.typeOf(skipOuterEs(pArg)));
    const generic = rec && rec.flags & ts.TypeFlags.TypeParameter ? this.checker.typeToString(rec) : undefined;
    this.emit({
      kind: 'clear',
      api: id,
      barrier: c.barrier,
      call: node,
      ptr: pArg,
      state: st,
      typeGarbage: !t && mayBeGarbageType(this.checker, this.typeOf(skipOuterEs(pArg))),
      slots: this.slotsOf(pArg, st, layoutExpr),
      generic,
      partial,
      alias: t && skipOuterEs(pArg).type === AST_NODE_TYPES.Identifier ? this.aliasOf(env, t.v, t.st) : undefined,
    });
    if (!t) return;
    if (!partial || partial.left.length === 0) {
      // `L.size * n` covers n records: a root of more than that still sees garbage.
      const records = bySize ? (bySize.count ? staticNumber(this.checker, bySize.count) : 1) : undefined;
      const countText = bySize?.count ? this.tsOf(sizeArg!).getSourceFile().text.slice(bySize.count.getStart(), bySize.count.getEnd()) : undefined;
      const garbageBefore = isMaybeGarbage(t.st) ? t.st.memWhy : undefined;
      this.update(env, t.v.key, (s) => ({
        ...cleared(s),
        layout: s.layout ?? layoutExpr,
        zeroSpan: garbageBefore && bySize ? { records, countText, why: { node, via: undefined }, garbage: garbageBefore } : undefined,
      }));
    } else if (partial && isMaybeGarbage(t.st)) {
      const note = `\`${id}\` at line ${line(node)} clears only ${partial.bytes} of its ${partial.size} bytes, leaving ${partial.left.join(', ')}`;
      this.update(env, t.v.key, (s) => ({ ...s, memWhy: { node, via: undefined, note } }));
    }
  }

  /** `0`, or a `const` bound to `0` through casts (the runtime's `nil`, a user's `const NIL = 0 as HeapRef<never>`). */
  private isNil(e: TSESTree.Node): boolean {
    let x: ts.Node = skipOuterExpressions(this.tsOf(skipOuterEs(e)) as ts.Expression);
    for (let hops = 0; hops < 8 && (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x)); hops++) {
      const sym = this.checker.getSymbolAtLocation(ts.isPropertyAccessExpression(x) ? x.name : x);
      const decl = sym && resolveAlias(this.checker, sym).valueDeclaration;
      if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || !(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const)) return false;
      x = skipOuterExpressions(decl.initializer);
    }
    return ts.isNumericLiteral(x) && Number(x.text) === 0;
  }

  private store(env: MutableEnv, node: TSESTree.CallExpression, eff: RuntimeEffect): void {
    const spec = eff.storesHeapRef!;
    const args = node.arguments;
    const pArg = argAt(args, spec.ptrArg);
    const at = pArg && this.addressOf(env, pArg);
    if (!at) return;
    const { v, st } = at;
    // The byte offset inside the block: the address's own offset, plus an element's for an array accessor.
    const layout = (st.layout as ts.Expression | undefined) ?? this.recordLayout(at.base);
    const size = layout && staticLayoutOf(this.checker, layout)?.size;
    const beyond = st.rootCount !== undefined && size && at.offset !== undefined && Math.floor(at.offset / size) >= st.rootCount ? { index: Math.floor(at.offset / size), count: st.rootCount } : undefined;
    this.emit({ kind: 'store', call: node, ptr: pArg, state: st, barrier: eff.writeBarrier, beyond });
    const value = argAt(args, spec.valueArg);
    const slots = this.slotsOf(at.base, st);
    // Storing nil into the only HeapRef slot leaves none holding a reference (Go's runfinq before it lowers cnt).
    const element = spec.element !== undefined && args.length === spec.element.arity;
    if (value && this.isNil(value) && slots?.length === 1 && !element && !isMaybeGarbage(st)) {
      this.update(env, v.key, (s) => ({ ...cleared(s), root: s.root, rootCount: s.rootCount }));
      return;
    }
    // The handle now sits in this object's slot (for freeHeapRef while the object is rooted).
    const h = value && this.tracked(env, value);
    if (h && h.st.group !== st.group) this.update(env, h.v.key, (s) => ({ ...s, slotOf: st.group }));
    const why: Witness = { node, via: undefined, note: `a HeapRef is stored into it at line ${line(node)}` };
    this.update(env, v.key, (s) => stored(s, why, { node, via: undefined }));
  }

  private root(env: MutableEnv, node: TSESTree.CallExpression, eff: RuntimeEffect): void {
    const r = eff.roots!;
    const a = argAt(node.arguments, r.ptrArg);
    if (!a) return;
    const t = this.tracked(env, a);
    let st = t?.st ?? this.typeState(skipOuterEs(a), false);
    if (!st) return;
    const layoutArg = argAt(node.arguments, r.layoutArg);
    const countArg = argAt(node.arguments, r.countArg);
    const count = countArg ? staticNumber(this.checker, this.tsOf(countArg) as ts.Expression) : 1;
    if (t && isMaybeFreed(t.st)) this.usedAfterFree(env, t.v, t.st, node, a, 'root');
    // Zero-initialization must cover every rooted record, not only the first.
    const span = st.zeroSpan;
    if (span && countArg && !isMaybeGarbage(st)) {
      const countText = this.tsOf(countArg).getText();
      const short =
        span.records !== undefined && count !== undefined ? count > span.records : span.countText !== undefined ? span.countText !== countText : count === undefined || count > (span.records ?? 1);
      if (short) {
        const what = span.countText ? `\`${span.countText}\`` : `${span.records}`;
        const note = `\`${calleeName(span.why.node as TSESTree.CallExpression)}\` at line ${line(span.why.node)} clears ${what} record(s) of the \`${countText}\` rooted here (the rest ${span.garbage ? describeShort(span.garbage) : 'may be garbage'})`;
        st = { ...st, mem: st.mem | memGarbage, memWhy: { node: span.why.node, via: undefined, note } };
      }
    }
    const layoutExpr = layoutArg && (this.tsOf(layoutArg) as ts.Expression);
    this.emit({ kind: 'root', node, ptr: a, state: st, how: '`addRoot`', slots: this.slotsOf(a, st, layoutExpr), count });
    if (t) this.update(env, t.v.key, (s) => ({ ...rooted(s, true, count), layout: s.layout ?? layoutExpr }));
  }

  /**
   * The "accesses memory" effect: a load, store or clear through a pointer
   * whose object may be freed is a use after free. True when reported.
   */
  private accessAfterFree(env: MutableEnv, node: TSESTree.CallExpression, eff: RuntimeEffect): boolean {
    const a = argAt(node.arguments, eff.accesses!.ptrArg);
    const at = a && this.addressOf(env, a);
    if (!a || !at || !isMaybeFreed(at.st)) return false;
    this.usedAfterFree(env, at.v, at.st, node, a, eff.accesses!.write ? 'write' : 'read');
    return true;
  }

  /** One report per free: later uses of the same freed object stay quiet. */
  private usedAfterFree(env: MutableEnv, v: VarInfo, st: ObjState, node: TSESTree.Node, ptr: TSESTree.Node, access: 'read' | 'write' | 'root' = 'write'): void {
    this.emit({ kind: 'useAfterFree', node, ptr, state: st, access });
    this.update(env, v.key, (s) => ({ ...s, freed: undefined, pending: undefined }));
  }

  /** A same-file function's summary, or unknown code. */
  private unknownOrSummarised(env: MutableEnv, node: TSESTree.CallExpression): void {
    const summary = this.summaryFor(node);
    const foreign = summary ? undefined : this.foreignFor(node);
    // Code that cannot be read (no body, a function value) may root what it is given.
    const opaque = !summary && !foreign && !this.isLibraryCallee(node);
    // A method of a module-level container of pointers (`roots.push(p)`) publishes into a global root table.
    const callee = skipOuterEs(node.callee);
    const base = callee.type === AST_NODE_TYPES.MemberExpression ? rootIdentifier(callee) : undefined;
    const bv = base && this.varOf(base);
    const table = bv?.where === 'module' && callee.type === AST_NODE_TYPES.MemberExpression && this.containerOfPointers(this.typeOf(callee.object)) ? bv : undefined;
    // `cache.set(k, h)`, `handles.push(h)`: a JS container whose type arguments hold HeapRefs keeps them.
    if (callee.type === AST_NODE_TYPES.MemberExpression && this.containerOfHandles(this.typeOf(callee.object))) {
      for (const a of node.arguments) if (this.isHandle(a)) this.keep(env, node, a, `\`${ellipsis(this.tsOf(callee.object).getText())}\``);
    }
    // `batch.push(p)`, `m.set(k, p)` on a container local to the function: held by it, not handed on.
    const into = callee.type === AST_NODE_TYPES.MemberExpression && !callee.computed && callee.property.type === AST_NODE_TYPES.Identifier && putMethods.has(callee.property.name) && !summary && !foreign && !opaque ? this.containerAt(callee.object) : undefined;
    node.arguments.forEach((a, i) => {
      if (into) return this.putInto(env, into, a.type === AST_NODE_TYPES.SpreadElement ? a.argument : a);
      const t = this.tracked(env, a);
      if (!t) {
        // A module-level table's method publishes what a local container holds (`roots.push(...batch)`).
        if (table) this.publish(env, a.type === AST_NODE_TYPES.SpreadElement ? a.argument : a, node, `the module-level \`${table.name}\``);
        else this.escape(env, a);
        return;
      }
      const eff = summary?.params[i];
      if (!eff) {
        // Handed to code not known to leave it unrooted; a module-level table's method publishes it.
        this.handles.handedOn(env, t.st.group, node, i);
        this.publish(env, a, node, table ? `the module-level \`${table.name}\`` : undefined);
        const frees = foreign?.frees[i];
        if (frees) {
          const at = `${nodePath.basename(frees.getSourceFile().fileName)}:${frees.getSourceFile().getLineAndCharacterOfPosition(frees.getStart()).line + 1}`;
          this.update(env, t.v.key, (s) => freedAt(s, { node, via: undefined, note: `freed by \`${calleeName(node)}\` at line ${line(node)} (it frees its argument at ${at})` }));
        } else if (opaque) this.update(env, t.v.key, (s) => (s.site ? { ...s, site: undefined } : s));
        return;
      }
      if (eff.rooted !== 'no') {
        const how = `\`${calleeName(node)}\` (line ${line(node)})${eff.rooted === 'may' ? ' on some path' : ''}`;
        this.emit({ kind: 'root', node, ptr: a, state: t.st, how, slots: this.slotsOf(a, t.st), count: undefined });
      }
      if (eff.held && !eff.escapes) this.heldByCallee.set(t.st.group, eff.held);
      const storeNote: Witness = { node, via: undefined, note: `\`${calleeName(node)}\` stores a HeapRef into it at line ${line(node)}` };
      this.update(env, t.v.key, (s) => {
        let n: ObjState = s;
        if (eff.mem === 'zero') n = { ...n, mem: memZero, memWhy: undefined };
        else if (eff.mem === 'stores') n = stored(n, storeNote, { node, via: undefined });
        if (eff.rooted !== 'no') n = rooted(n, eff.rooted === 'must');
        if (eff.escapes) n = { ...n, pending: undefined };
        if (eff.freed) n = freedAt(n, { node, via: undefined, note: `\`${calleeName(node)}\` frees it at line ${line(node)}` });
        return n;
      });
    });
  }

  /**
   * A pin is a root: `pin(h)` of a handle read from a HeapRef slot of memory
   * that may still be garbage (`N.owner.get(p)`, inline or through a `const`)
   * makes a stale word visible to the collector, as `addRoot` of that memory would.
   */
  private pinnedLoad(env: Env, node: TSESTree.CallExpression, h: TSESTree.Node): void {
    let load: TSESTree.Node | undefined = skipOuterEs(h);
    if (load.type === AST_NODE_TYPES.Identifier) {
      const decl = this.checker.getSymbolAtLocation(this.tsOf(load))?.valueDeclaration;
      const init = decl && ts.isVariableDeclaration(decl) && ts.isVariableDeclarationList(decl.parent) && decl.parent.flags & ts.NodeFlags.Const ? decl.initializer : undefined;
      load = init && init.getSourceFile() === this.tsOf(node).getSourceFile() ? this.tsToEs.get(init) : undefined;
      load = load && skipOuterEs(load);
    }
    if (load?.type !== AST_NODE_TYPES.CallExpression) return;
    const get = effectOf(this.idOf(load));
    if (get?.id !== 'HeapRefAccessor.get' || !get.accesses) return;
    const holder = argAt(load.arguments, get.accesses.ptrArg);
    const at = holder && this.addressOf(env, holder);
    if (!holder || !at || !isMaybeGarbage(at.st)) return;
    const callee = skipOuterEs(load.callee);
    const field = callee.type === AST_NODE_TYPES.MemberExpression ? skipOuterEs(callee.object) : undefined;
    const slot = field?.type === AST_NODE_TYPES.MemberExpression && field.property.type === AST_NODE_TYPES.Identifier ? field.property.name : 'its HeapRef slot';
    const from = this.tsOf(skipOuterEs(holder)).getText();
    const note = `read at line ${line(load)} from \`${ellipsis(from)}\`, which may hold garbage (${describeShort(at.st.memWhy ?? { node: holder, via: undefined })})`;
    this.emit({ kind: 'root', node, ptr: h, state: { ...at.st, memWhy: { node: load, via: at.st.memWhy?.via, note } }, how: '`pin`', slots: [slot], count: undefined });
  }

  /** The syntactic summary of a callee declared with a body in another file (not the runtime). */
  private foreignFor(node: TSESTree.CallExpression): ForeignSummary | undefined {
    const decl = this.checker.getResolvedSignature(this.tsOf(node) as ts.CallExpression)?.declaration;
    if (!decl || ts.isJSDocSignature(decl)) return undefined;
    // Through an interface or abstract member: the implementations the call graph finds, in any file.
    const dispatched = dispatchedSummary(this.program, decl);
    if (dispatched || decl.getSourceFile() === this.tsOf(node).getSourceFile()) return dispatched;
    return foreignSummary(this.checker, decl);
  }

  /** A callee of the standard library or a package (`Map.set`, `push`): it never calls addRoot. */
  private isLibraryCallee(node: TSESTree.CallExpression): boolean {
    const decl = this.checker.getResolvedSignature(this.tsOf(node) as ts.CallExpression)?.declaration;
    const file = decl && !ts.isJSDocSignature(decl) ? decl.getSourceFile() : undefined;
    return !!file && (this.program.isSourceFileDefaultLibrary(file) || this.program.isSourceFileFromExternalLibrary(file));
  }

  private isRuntimeCallee(node: TSESTree.CallExpression): boolean {
    const decl = this.checker.getResolvedSignature(this.tsOf(node) as ts.CallExpression)?.declaration;
    return !!decl && isRuntimeFile(decl.getSourceFile());
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
    const rec = pointeeOf(this.checker, this.typeOf(skipOuterEs(ptr))) ?? pointeeOf(this.checker, this.typeOf(ptr));
    return rec && structCallOfRecord(this.checker, rec);
  }

  /** A clear of `n` bytes that may leave HeapRef slots of the layout uncleared. */
  private partialClear(n: TSESTree.Node, layoutExpr: ts.Expression | undefined): PartialClear | undefined {
    const bytes = staticNumber(this.checker, this.tsOf(n) as ts.Expression);
    if (bytes === undefined || !layoutExpr) return undefined;
    const sl = staticLayoutOf(this.checker, layoutExpr);
    if (!sl || bytes >= sl.size) return undefined;
    // A truncated slot list: slots past the listed ones are left too.
    const unlisted = sl.truncated && bytes < sl.size ? [`the slots after ${sl.slots[sl.slots.length - 1].path}`] : [];
    return {
      bytes,
      size: sl.size,
      left: [...sl.slots.filter((s) => s.offset + 4 > bytes).map((s) => s.path), ...unlisted],
      cleared: sl.slots.filter((s) => s.offset + 4 <= bytes).map((s) => s.path),
    };
  }

  /** The source name of a tracked variable key. */
  private nameOfKey(key: string): string {
    for (const [, info] of this.vars) if (info.key === key) return info.name;
    return 'the object';
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

/** Entries a local container keeps apart before folding those no variable names into its `*` entry. */
const boxesPerContainer = 8;

/** Whether a variable (not a container's entry) names the object of `group`. */
function hasVariable(env: Env, group: string): boolean {
  for (const [k, s] of env) if (s.group === group && !k.startsWith('box:')) return true;
  return false;
}

/** Whether a local container's entry (`box:`) holds the object of `group`. */
function heldInBox(env: Env, group: string): boolean {
  for (const [k, s] of env) if (s.group === group && k.startsWith('box:')) return true;
  return false;
}

/** The expressions a value may come from: both arms of `?:`, both sides of `??`/`||`, an awaited value. */
function valueParts(e0: TSESTree.Node): TSESTree.Node[] {
  const out: TSESTree.Node[] = [];
  const stack = [e0];
  while (stack.length > 0 && out.length < 64) {
    const e = skipOuterEs(stack.pop()!);
    if (e.type === AST_NODE_TYPES.ConditionalExpression) stack.push(e.consequent, e.alternate);
    else if (e.type === AST_NODE_TYPES.LogicalExpression) stack.push(e.left, e.right);
    else if (e.type === AST_NODE_TYPES.AwaitExpression) stack.push(e.argument);
    else out.push(e);
  }
  return out;
}



function describeShort(w: Witness): string {
  return w.note ?? `from line ${line(w.node)}`;
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

/** `persistentalloc(L.size)`, `sysAlloc(L.size * n)`: the layout whose size is requested. */
function sizeLayout(call: ts.CallExpression, sizeArg: number | undefined): ts.Expression | undefined {
  const a = argAt(call.arguments, sizeArg);
  return a && sizeOfLayout(a)?.layout;
}

/** The function a node belongs to (or the Program). */
function functionOf(n: TSESTree.Node): TSESTree.Node | undefined {
  let a = n.parent;
  while (a && !functionTypes.has(a.type) && a.type !== AST_NODE_TYPES.Program) a = a.parent;
  return a;
}

function rootIdentifier(e: TSESTree.Node): TSESTree.Identifier | undefined {
  let n: TSESTree.Node = e;
  while (n.type === AST_NODE_TYPES.MemberExpression) n = skipOuterEs(n.object);
  return n.type === AST_NODE_TYPES.Identifier ? n : undefined;
}
