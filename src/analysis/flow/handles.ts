// Handles held by JavaScript, and handles read back from slots.
//
// The collector sees only root blocks and pins. A HeapRef held by a JS object
// (a Map, Set or array, an object literal, a class field, a closure, a
// module-level variable) keeps nothing alive: after a collection its object
// is gone and `deref` throws StaleHandleError. Three parts, each carried in
// the flow state under keys of its own:
// - keeps (`keep:` keys): a handle entering the JS heap is an obligation that
//   shares the handle's must-alias group, so `pin`/`unpin` reach it. It is
//   reported when a call that may run the collector (the catalogue's
//   `collector` flag, or code not proven free of it) runs while the handle
//   may be unpinned, or when the function returns with the holder escaping
//   and the handle unpinned. A holder local to the function that never
//   escapes dies with it: no pin is needed while no collection can run.
// - leaves (`leave:` keys): a value leaving a container the file keeps pinned
//   handles in (Map/Set `delete`/`clear`, array `pop`/`shift`/`splice`, a
//   field overwritten outside the constructor) must have its handle unpinned
//   on every path, or be handed on. The state is the set of {removed,
//   unpinned} combinations of the paths reaching a point (in the `pin`
//   bits); an edge on which the holder read from the container is nullish
//   counts as unpinned (there was nothing to unpin).
// - loads: a handle read from a record's HeapRef slot (`A.f.get(p)`)
//   remembers the record (`slotOf`) and the accessor it came through, so
//   `freeHeapRef` before the slot is cleared is freeHeapRefRooted. Handing the
//   record to unknown code, or storing into the same field, forgets it.
import type { TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import ts from 'typescript';
import { mayBeHeapRef } from '../brands.js';
import { callGraphOf } from '../call-graph/graph.js';
import { isFunctionLikeWithBody } from '../directives.js';
import { calleeId } from '../declarations.js';
import { argAt, effectOf } from '../effects.js';
import { outermostOf, skipOuterEs, skipOuterExpressions } from '../expressions.js';
import { isMaybeUnpinned, memZero, pinNo, pinYes, rootNo, type ObjState, type Witness } from '../memory-state.js';
import { isRuntimeFile } from '../offheap-files.js';
import { isPointerType, isReference } from '../record-layout.js';
import type { Env, MutableEnv } from './env.js';
import { calleeName, ellipsis, line } from './explain.js';
import type { FlowFact } from './facts.js';
import { edgeTest } from './predicates.js';
import type { PathInfo, SegInfo } from './recorder.js';

/** What the flow engine lends this module. */
export interface HandleHost {
  readonly checker: ts.TypeChecker;
  readonly program: ts.Program;
  tsOf(n: TSESTree.Node): ts.Node;
  esOf(n: ts.Node): TSESTree.Node | undefined;
  typeOf(n: TSESTree.Node): ts.Type;
  idOf(call: TSESTree.CallExpression | TSESTree.NewExpression): string | undefined;
  /** The variable an identifier names: its state key and where it lives. */
  varOf(id: TSESTree.Node): { readonly key: string; readonly name: string; readonly where: 'local' | 'module' | 'outer' | 'ambient' } | undefined;
  tracked(env: Env, e: TSESTree.Node): { readonly key: string; readonly st: ObjState } | undefined;
  update(env: MutableEnv, key: string, f: (s: ObjState) => ObjState | undefined): void;
  emit(f: FlowFact): void;
  /** Facts are being collected: a solve, not a summary run. */
  collecting(): boolean;
  /** Runs `f` when the segment being run turns out to have its solved input (its last run), else never. */
  defer(f: () => void): void;
  isRuntimeCallee(call: TSESTree.CallExpression): boolean;
}

/** Counted work, for the linear-cost tests. */
export const handleStats = { keeps: 0, collectorQueries: 0, functionsScanned: 0, reachVisits: 0, escapeScans: 0, derivedWalks: 0, leaves: 0, clearScans: 0 };

/** Functions a "may run the collector" question may visit before it answers yes (cannot prove otherwise). */
export const handleLimits = { functionsPerQuery: 2000 };

// Combinations of the paths reaching a point, for one container (in `pin`).
const none = 1; // nothing left it, nothing unpinned
const removed = 2; // a value left it and was not unpinned
const unpinnedOnly = 4; // unpinned, nothing left it (yet)
const done = 8; // left and unpinned

const removals = new Set(['delete', 'clear', 'pop', 'shift', 'splice']);
/** Library container methods that read, test or remove, and keep nothing they are given. */
const queries = new Set(['get', 'has', 'delete', 'includes', 'indexOf', 'lastIndexOf', 'at', 'find', 'findIndex', 'findLast', 'findLastIndex', 'some', 'every', 'forEach']);
/** Library containers whose callback-taking methods call back at once and keep nothing. */
const syncContainers = new Set(['Array', 'ReadonlyArray', 'Map', 'ReadonlyMap', 'Set', 'ReadonlySet']);

interface Keep {
  readonly node: TSESTree.Node;
  readonly value: TSESTree.Node;
  readonly where: string;
  /** The holder outlives the function (a field, a container not local, a returned or passed object). */
  readonly escapes: boolean;
}

interface Helper {
  readonly pins: ReadonlySet<number>;
  readonly unpins: ReadonlySet<number>;
  /** The parameter every return hands back, if one. */
  readonly returns: number | undefined;
}

interface Holder {
  readonly held: boolean;
  readonly escapes: boolean;
  readonly where: string;
  /** The container the value goes into, when it has a name (for "unpinned where it leaves"). */
  readonly sym: ts.Symbol | undefined;
}

export class HandleFlow {
  private readonly checker: ts.TypeChecker;
  private readonly keeps = new Map<string, Keep>();
  /** Containers the file keeps handles in that are pinned on every path to the store. */
  private readonly pinnedInto = new Set<ts.Symbol>();
  private readonly containerIds = new Map<ts.Symbol, number>();
  private readonly leaveSyms = new Map<string, ts.Symbol>();
  private readonly leaveFacts: { fact: FlowFact; sym: ts.Symbol }[] = [];
  private readonly reported = new Set<string>();
  private readonly reportedKeeps = new Set<string>();

  constructor(private readonly host: HandleHost) {
    this.checker = host.checker;
  }

  // ---- hooks called by the engine ----

  /** A HeapRef-typed value not otherwise followed: unpinned, and for a slot load, where it was read from. */
  valueState(env: Env, e: TSESTree.Node): ObjState | undefined {
    if (!mayBeHeapRef(this.checker, this.host.typeOf(e))) return undefined;
    // `retain(h)` returning the handle it pinned: the same handle, pinned.
    const helper = e.type === AST_NODE_TYPES.CallExpression ? this.helperOf(e) : undefined;
    const arg = helper?.returns !== undefined ? (e as TSESTree.CallExpression).arguments[helper.returns] : undefined;
    const t = arg && this.host.tracked(env, arg);
    if (t) return { ...t.st, pin: helper!.pins.has(helper!.returns!) ? pinYes : helper!.unpins.has(helper!.returns!) ? pinNo : t.st.pin };
    let slotOf: string | undefined;
    let via: ts.Symbol | undefined;
    if (e.type === AST_NODE_TYPES.CallExpression && this.host.idOf(e) === 'HeapRefAccessor.get') {
      const p = e.arguments[0];
      const t = p && this.host.tracked(env, p);
      if (t) {
        slotOf = t.st.group;
        via = this.accessorOf(e);
      }
    }
    // `layout` is unused for handles: it names the accessor the handle was read through.
    return { mem: memZero, memWhy: undefined, root: rootNo, pending: undefined, local: false, layout: via, group: `site:${e.range[0]}`, pin: pinNo, slotOf };
  }

  /** A record handed to code that may clear its slots: handles read from it no longer provably sit there. */
  handedOn(env: MutableEnv, group: string, call: TSESTree.CallExpression, index: number): void {
    let any = false;
    for (const s of env.values()) any ||= s.slotOf === group;
    if (!any || !this.mayClear(this.host.tsOf(call) as ts.CallExpression, index, 0)) return;
    for (const [k, s] of env) if (s.slotOf === group) env.set(k, { ...s, slotOf: undefined });
  }

  private readonly clearMemo = new Map<ts.Node, boolean[]>();

  /**
   * Whether the callee may clear, store into, unroot or free the record
   * passed as argument `index`: read from its body (any file of the
   * program), where the parameter may only be an argument of runtime calls
   * that do none of those (accessor loads, pointer-field stores) or of
   * functions that, read the same way, do none either (three levels deep).
   * Code without a body may do anything.
   */
  private mayClear(call: ts.CallExpression, index: number, depth: number): boolean {
    const decl = this.checker.getResolvedSignature(call)?.declaration;
    if (!decl || ts.isJSDocSignature(decl) || !ts.isFunctionLike(decl)) return true;
    const body = (decl as ts.FunctionLikeDeclaration).body;
    const param = decl.parameters[index];
    if (!body || !param || !ts.isIdentifier(param.name) || decl.getSourceFile().isDeclarationFile || depth > 3) return true;
    let memo = this.clearMemo.get(decl);
    if (!memo) this.clearMemo.set(decl, (memo = []));
    if (memo[index] !== undefined) return memo[index];
    memo[index] = true; // recursion: may
    const sym = this.checker.getSymbolAtLocation(param.name);
    let out = false;
    const stack: ts.Node[] = [body];
    while (stack.length > 0 && !out) {
      const n = stack.pop()!;
      handleStats.clearScans++;
      if (ts.isIdentifier(n) && sym && this.checker.getSymbolAtLocation(n) === sym) {
        const use = outermostOf(n);
        const p = use.parent;
        if (ts.isBinaryExpression(p) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(p.operatorToken.kind)) continue;
        if (!ts.isCallExpression(p) || !p.arguments.includes(use as ts.Expression)) {
          out = true;
          continue;
        }
        const eff = effectOf(calleeId(this.checker, p));
        if (eff) out = !!(eff.clears || eff.storesHeapRef || eff.frees || eff.unroots);
        else if (!isRuntimeFile(this.checker.getResolvedSignature(p)?.declaration?.getSourceFile() ?? n.getSourceFile())) out = this.mayClear(p, p.arguments.indexOf(use as ts.Expression), depth + 1);
        continue;
      }
      ts.forEachChild(n, (c) => void stack.push(c));
    }
    memo[index] = out;
    return out;
  }

  /** The function's entry: one `leave:` entry per container it removes from. */
  entry(path: PathInfo, env: Env): Env {
    let out: MutableEnv | undefined;
    for (const s of path.segs) {
      for (const ev of s.events) {
        const c = this.removal(ev);
        if (!c) continue;
        const key = this.leaveKey(c.sym);
        out ??= new Map(env);
        if (!out.has(key)) out.set(key, leaveState(key));
      }
    }
    return out ?? env;
  }

  /** A removal from a container of handle holders (`m.delete(k)`): the function is worth solving. */
  leaves(call: TSESTree.CallExpression): boolean {
    return this.removal(call) !== undefined;
  }

  /** Runs before the engine's own transfer of `node`. */
  event(env: MutableEnv, node: TSESTree.Node): void {
    switch (node.type) {
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression:
        if (this.holdsKeeps(env) && this.mayCollect(node)) this.collectorRuns(env, node);
        for (const a of node.arguments) this.closure(env, a);
        if (node.type === AST_NODE_TYPES.CallExpression) this.call(env, node);
        this.fieldInitialiser(env, node);
        return;
      case AST_NODE_TYPES.VariableDeclarator:
        if (node.init) this.closure(env, node.init);
        return;
      case AST_NODE_TYPES.YieldExpression:
      case AST_NODE_TYPES.AwaitExpression:
        // Suspended: any code may run before the function resumes, the collector included.
        if (this.holdsKeeps(env)) this.collectorRuns(env, node);
        return;
      case AST_NODE_TYPES.AssignmentExpression:
        this.closure(env, node.right);
        this.overwrite(env, node);
        return;
      case AST_NODE_TYPES.ReturnStatement:
        if (node.argument) {
          this.closure(env, node.argument);
          this.handOn(env, node.argument);
        }
        return;
      case AST_NODE_TYPES.Property:
        if (node.parent.type === AST_NODE_TYPES.ObjectExpression) this.element(env, node, node.value);
        return;
      case AST_NODE_TYPES.ArrayExpression:
        for (const e of node.elements) if (e && e.type !== AST_NODE_TYPES.SpreadElement) this.element(env, e, e);
        return;
      default:
        return;
    }
  }

  /** A handle kept at `node` (a container method, a field, a module-level or enclosing variable). */
  keep(env: MutableEnv, node: TSESTree.Node, value: TSESTree.Node, where: string): void {
    if (isNil(value)) return;
    // `hs.includes(h)`, `m.get(h)`: a library container's query keeps nothing.
    const callee = node.type === AST_NODE_TYPES.CallExpression ? node.callee : undefined;
    if (callee?.type === AST_NODE_TYPES.MemberExpression && callee.property.type === AST_NODE_TYPES.Identifier && queries.has(callee.property.name) && this.libraryCallee(node as TSESTree.CallExpression)) return;
    const target = node.type === AST_NODE_TYPES.CallExpression && node.callee.type === AST_NODE_TYPES.MemberExpression ? node.callee.object : node.type === AST_NODE_TYPES.AssignmentExpression ? node.left : undefined;
    const escapes = target ? this.outlives(target) : true;
    this.addKeep(env, node, value, where, escapes, target && this.symbolOf(target));
  }

  /** On a forking edge: a holder read from a container that is nullish here had nothing to unpin. */
  edge(from: SegInfo, to: SegInfo, env: Env): Env {
    if (this.leaveSyms.size === 0) return env;
    const x = nullishOnEdge(from, to, this.checker, this.host);
    if (!x) return env;
    const syms = this.derived(x);
    let out: MutableEnv | undefined;
    for (const [k, s] of env) {
      const sym = this.leaveSyms.get(k);
      if (sym && syms.has(sym)) (out ??= new Map(env)).set(k, { ...s, pin: discharge(s.pin!) });
    }
    return out ?? env;
  }

  /** The function's normal exit: holders that outlive it with unpinned handles, containers left without unpin. */
  atExit(exit: Env, facts: FlowFact[]): void {
    for (const [k, s] of exit) {
      const keep = this.keeps.get(k);
      if (keep?.escapes && isMaybeUnpinned(s)) {
        if (!this.reportedKeeps.has(k)) {
          this.reportedKeeps.add(k);
          facts.push(this.keepFact(keep, s, ', and it is still held there, unpinned, when the function returns'));
        }
        continue;
      }
      const sym = this.leaveSyms.get(k);
      if (sym && s.pending && s.pin! & removed) {
        const call = s.pending.node as TSESTree.CallExpression | TSESTree.AssignmentExpression;
        const ptr = call.type === AST_NODE_TYPES.CallExpression ? (call.callee as TSESTree.MemberExpression).object : call.left;
        const at = `${call.range[0]}`;
        if (!this.reported.has(at)) {
          this.reported.add(at);
          this.leaveFacts.push({ fact: { kind: 'notUnpinned', call, ptr, state: s, container: ellipsis(this.host.tsOf(ptr).getText()) }, sym });
        }
      }
    }
  }

  /** After every function: removals are judged only for containers the file keeps pinned handles in. */
  finish(facts: FlowFact[]): void {
    for (const { fact, sym } of this.leaveFacts) if (this.pinnedInto.has(sym)) facts.push(fact);
  }

  // ---- keeps ----

  private addKeep(env: MutableEnv, node: TSESTree.Node, value: TSESTree.Node, where: string, escapes: boolean, sym: ts.Symbol | undefined): void {
    const t = this.host.tracked(env, value);
    // `{ h: this.h }`, `other.set(k, lease.value)`: read from a JS holder, it was judged where it entered the JS heap.
    if (!t && skipOuterEs(value).type === AST_NODE_TYPES.MemberExpression) return;
    handleStats.keeps++;
    const key = `keep:${node.range[0]}:${value.range[0]}`;
    // Not followed: unpinned, unless a helper of the program hands it back pinned (`xs.push(retain(newHeapRef(o)))`).
    const v = skipOuterEs(value);
    const helper = !t && v.type === AST_NODE_TYPES.CallExpression ? this.helperOf(v) : undefined;
    const pin = helper?.returns !== undefined && helper.pins.has(helper.returns) ? pinYes : pinNo;
    const st: ObjState = t ? { ...t.st, local: false } : { mem: memZero, memWhy: undefined, root: rootNo, pending: undefined, local: false, layout: undefined, group: key, pin };
    if (!this.keeps.has(key)) this.keeps.set(key, { node, value, where, escapes });
    env.set(key, st);
    if (sym && st.pin === pinYes && this.host.collecting()) this.host.defer(() => this.pinnedInto.add(sym));
  }

  /** Whether some path reaching here keeps a handle on the JS heap. */
  private holdsKeeps(env: Env): boolean {
    if (this.keeps.size === 0) return false;
    for (const k of env.keys()) if (this.keeps.has(k)) return true;
    return false;
  }

  /** A call that may run the collector: every handle held unpinned on the JS heap here may be freed. */
  private collectorRuns(env: MutableEnv, node: TSESTree.CallExpression | TSESTree.NewExpression | TSESTree.YieldExpression | TSESTree.AwaitExpression): void {
    let why: string;
    if (node.type === AST_NODE_TYPES.YieldExpression) why = `, and the generator is suspended at the \`yield\` at line ${line(node)}, where any code may run the collector while it is held unpinned`;
    else if (node.type === AST_NODE_TYPES.AwaitExpression) why = `, and the function is suspended at the \`await\` at line ${line(node)}, where any code may run the collector while it is held unpinned`;
    else {
      const what = node.type === AST_NODE_TYPES.CallExpression ? `\`${calleeName(node)}\`` : `\`new ${ellipsis(this.host.tsOf(node.callee).getText())}\``;
      const known = node.type === AST_NODE_TYPES.CallExpression && effectOf(this.host.idOf(node))?.collector;
      why = `, and ${what} at line ${line(node)} ${known ? 'runs' : 'may run'} the collector while it is held unpinned`;
    }
    for (const [k, s] of [...env]) {
      const keep = this.keeps.get(k);
      if (!keep) continue;
      if (!isMaybeUnpinned(s)) continue;
      this.report(k, keep, s, why);
      env.delete(k);
    }
  }

  private report(key: string, keep: Keep, s: ObjState, why: string): void {
    if (!this.host.collecting()) return;
    this.host.defer(() => {
      if (this.reportedKeeps.has(key)) return;
      this.reportedKeeps.add(key);
      this.host.emit(this.keepFact(keep, s, why));
    });
  }

  private keepFact(keep: Keep, s: ObjState, why: string): FlowFact {
    return { kind: 'keepHeapRef', node: keep.node, value: keep.value, state: s, where: keep.where, why };
  }

  /** A handle as a property value or an array element of a literal: held by the object the literal makes. */
  private element(env: MutableEnv, at: TSESTree.Node, value: TSESTree.Node): void {
    const v = skipOuterEs(value);
    if (functionLike(v)) {
      this.closure(env, v);
      return;
    }
    if (isNil(v) || !mayBeHeapRef(this.checker, this.host.typeOf(v))) return;
    const h = this.holderOf(at.parent!);
    if (h.held) this.addKeep(env, at, v, h.where, h.escapes, h.sym);
  }

  /** A function value: the handles of this function it captures are held by the closure. */
  private closure(env: MutableEnv, value: TSESTree.Node): void {
    const fn = skipOuterEs(value);
    if (!functionLike(fn)) return;
    const captured = this.capturedHandles(fn);
    if (captured.length === 0) return;
    const h = this.holderOf(fn, 'a closure');
    if (!h.held) return;
    for (const id of captured) if (this.host.tracked(env, id)) this.addKeep(env, fn, id, h.where, h.escapes, h.sym);
  }

  /** `h = rt.newHeapRef(x)` as a class field's initialiser: the instance holds it. */
  private fieldInitialiser(env: MutableEnv, node: TSESTree.Node): void {
    let c: TSESTree.Node = node;
    while (isWrapper(c.parent)) c = c.parent!;
    const p = c.parent;
    if (p?.type !== AST_NODE_TYPES.PropertyDefinition || p.value !== c || !mayBeHeapRef(this.checker, this.host.typeOf(node))) return;
    const name = p.key.type === AST_NODE_TYPES.Identifier ? p.key.name : ellipsis(this.host.tsOf(p.key).getText());
    this.addKeep(env, node, node, `the field \`${name}\``, true, this.checker.getSymbolAtLocation((this.host.tsOf(p) as ts.PropertyDeclaration).name));
  }

  /**
   * Where the object a literal or closure makes ends up: discarded, called at
   * once, in a local variable (escaping or not), or handed on.
   */
  private holderOf(made: TSESTree.Node, what = made.type === AST_NODE_TYPES.ArrayExpression ? 'an array' : 'an object'): Holder {
    let c = made;
    for (;;) {
      while (isWrapper(c.parent) || (c.parent?.type === AST_NODE_TYPES.ConditionalExpression && c.parent.test !== c)) c = c.parent!;
      const p = c.parent;
      if (p?.type === AST_NODE_TYPES.Property && p.value === c && p.parent.type === AST_NODE_TYPES.ObjectExpression) c = p.parent;
      else if (p?.type === AST_NODE_TYPES.ArrayExpression) c = p;
      else break;
    }
    const p = c.parent;
    const gone: Holder = { held: false, escapes: false, where: what, sym: undefined };
    if (!p || p.type === AST_NODE_TYPES.ExpressionStatement) return gone;
    if ((p.type === AST_NODE_TYPES.CallExpression && p.callee === c) || (p.type === AST_NODE_TYPES.MemberExpression && p.object === c)) return gone;
    if (p.type === AST_NODE_TYPES.VariableDeclarator && p.init === c && p.id.type === AST_NODE_TYPES.Identifier) {
      return { held: true, escapes: this.outlives(p.id), where: `${what} in \`${p.id.name}\``, sym: this.symbolOf(p.id) };
    }
    if ((p.type === AST_NODE_TYPES.CallExpression || p.type === AST_NODE_TYPES.NewExpression) && p.arguments.includes(c as TSESTree.CallExpressionArgument)) {
      if (what === 'a closure' && p.type === AST_NODE_TYPES.CallExpression && this.callsBackAtOnce(p)) return gone;
      // An object handed to the program's own code is that code's to pin (as a pointer handed on is its to root);
      // a library container (`m.set(k, {…})`, `xs.push({…})`) only keeps it. A closure's captures no callee can pin.
      if (what !== 'a closure' && !this.libraryCallee(p)) return gone;
      const callee = ellipsis(this.host.tsOf(p.callee).getText());
      const sym = p.callee.type === AST_NODE_TYPES.MemberExpression ? this.symbolOf(p.callee.object) : undefined;
      return { held: true, escapes: true, where: `${what} passed to \`${callee}\``, sym };
    }
    if (p.type === AST_NODE_TYPES.ReturnStatement || p.type === AST_NODE_TYPES.ArrowFunctionExpression) return { held: true, escapes: true, where: `${what} returned from the function`, sym: undefined };
    if (p.type === AST_NODE_TYPES.AssignmentExpression && p.right === c) {
      return { held: true, escapes: this.outlives(p.left), where: `${what} stored into \`${ellipsis(this.host.tsOf(p.left).getText())}\``, sym: this.symbolOf(p.left) };
    }
    return { held: true, escapes: true, where: what, sym: undefined };
  }

  /** A callee declared by the standard library or a package: it keeps what it is given, and pins nothing. */
  private libraryCallee(call: TSESTree.CallExpression | TSESTree.NewExpression): boolean {
    const decl = this.checker.getResolvedSignature(this.host.tsOf(call) as ts.CallExpression)?.declaration;
    const file = decl && !ts.isJSDocSignature(decl) ? decl.getSourceFile() : undefined;
    return !!file && !isRuntimeFile(file) && (this.host.program.isSourceFileDefaultLibrary(file) || this.host.program.isSourceFileFromExternalLibrary(file));
  }

  /** `xs.forEach(f)`, `m.forEach(f)`: a library container's method that calls back before it returns and keeps nothing. */
  private callsBackAtOnce(call: TSESTree.CallExpression): boolean {
    const decl = this.checker.getResolvedSignature(this.host.tsOf(call) as ts.CallExpression)?.declaration;
    const owner = decl?.parent;
    return !!owner && ts.isInterfaceDeclaration(owner) && syncContainers.has(owner.name.text) && this.host.program.isSourceFileDefaultLibrary(owner.getSourceFile());
  }

  private readonly captures = new Map<TSESTree.Node, TSESTree.Identifier[]>();

  /** Identifiers in `fn` typed HeapRef that name variables declared outside it (first use of each). */
  private capturedHandles(fn: TSESTree.Node): TSESTree.Identifier[] {
    let found = this.captures.get(fn);
    if (found) return found;
    found = [];
    const tsFn = this.host.tsOf(fn);
    const [start, end] = [tsFn.getStart(), tsFn.getEnd()];
    const seen = new Set<ts.Symbol>();
    const stack: ts.Node[] = [tsFn];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (ts.isIdentifier(n)) {
        const sym = this.checker.getSymbolAtLocation(n);
        const decl = sym?.valueDeclaration;
        if (sym && decl && !seen.has(sym) && (decl.getStart() < start || decl.getStart() >= end) && decl.getSourceFile() === tsFn.getSourceFile()) {
          seen.add(sym);
          const es = this.host.esOf(n);
          if (es?.type === AST_NODE_TYPES.Identifier && mayBeHeapRef(this.checker, this.checker.getTypeAtLocation(n))) found.push(es);
        }
      }
      ts.forEachChild(n, (c) => void stack.push(c));
    }
    this.captures.set(fn, found);
    return found;
  }

  /** Whether what `target` names outlives the function: anything but a local variable that never escapes. */
  private outlives(target: TSESTree.Node): boolean {
    let base = skipOuterEs(target);
    while (base.type === AST_NODE_TYPES.MemberExpression) base = skipOuterEs(base.object);
    if (base.type !== AST_NODE_TYPES.Identifier) return true;
    const v = this.host.varOf(base);
    if (v?.where !== 'local') return true;
    const sym = this.checker.getSymbolAtLocation(this.host.tsOf(base));
    return !sym || this.escapes(sym);
  }

  private readonly escapeMemo = new Map<ts.Symbol, boolean>();

  /**
   * Whether a local variable's value may leave its function: used anywhere
   * but as the object of a member access or element access, a `for…of`
   * source, a comparison or a test, or from a nested function.
   */
  private escapes(sym: ts.Symbol): boolean {
    let out = this.escapeMemo.get(sym);
    if (out !== undefined) return out;
    handleStats.escapeScans++;
    out = false;
    const decl = sym.valueDeclaration;
    let fn: ts.Node | undefined = decl?.parent;
    while (fn && !ts.isFunctionLike(fn) && !ts.isSourceFile(fn)) fn = fn.parent;
    // A parameter's value is the caller's; a module-level one outlives every call.
    if (!decl || !ts.isVariableDeclaration(decl) || !fn || ts.isSourceFile(fn)) out = true;
    const stack: ts.Node[] = fn && !out ? [fn] : [];
    while (stack.length > 0 && !out) {
      const n = stack.pop()!;
      if (ts.isIdentifier(n) && n !== (decl as ts.NamedDeclaration).name && this.checker.getSymbolAtLocation(n) === sym) {
        let inner: ts.Node = n.parent;
        while (!ts.isFunctionLike(inner) && !ts.isSourceFile(inner)) inner = inner.parent;
        out = inner !== fn || escapingUse(n) || this.escapesThroughMember(n);
        continue;
      }
      ts.forEachChild(n, (c) => void stack.push(c));
    }
    this.escapeMemo.set(sym, out);
    return out;
  }

  /** `return hs.slice()`, `take(m.values())`: a member read or method result that carries the handles away. */
  private escapesThroughMember(id: ts.Identifier): boolean {
    const n = outermostOf(id);
    let r = n.parent;
    if (!(ts.isPropertyAccessExpression(r) || ts.isElementAccessExpression(r)) || r.expression !== n) return false;
    if (ts.isCallExpression(r.parent) && r.parent.expression === r) r = r.parent;
    const t = this.checker.getTypeAtLocation(r);
    const carries = !mayBeHeapRef(this.checker, t) && (this.holdsHandles(t, 2) || (isReference(t) && this.checker.getTypeArguments(t).some((a) => this.holdsHandles(a, 2))));
    return carries && escapingUse(r as ts.Expression);
  }

  // ---- the collector ----

  private readonly callMemo = new Map<ts.Node, boolean>();
  private readonly fnMemo = new Map<ts.Node, boolean>();
  private readonly direct = new Map<ts.Node, { collects: boolean; callees: ts.Node[] }>();

  /** Whether a call may run collector work before it returns (unknown code may). */
  private mayCollect(node: TSESTree.CallExpression | TSESTree.NewExpression): boolean {
    const call = this.host.tsOf(node) as ts.CallExpression | ts.NewExpression;
    let out = this.callMemo.get(call);
    if (out === undefined) {
      handleStats.collectorQueries++;
      const site = { collects: false, callees: [] as ts.Node[] };
      this.site(call, site);
      out = site.collects || this.reaches(site.callees);
      this.callMemo.set(call, out);
    }
    return out;
  }

  /** What one call site does: runs the collector (or unknown code), or calls these functions with bodies. */
  private site(call: ts.CallExpression | ts.NewExpression, into: { collects: boolean; callees: ts.Node[] }): void {
    const eff = effectOf(calleeId(this.checker, call));
    if (eff) {
      if (eff.collector) into.collects = true;
      return;
    }
    const decl = this.checker.getResolvedSignature(call)?.declaration;
    if (!decl || ts.isJSDocSignature(decl)) {
      // `new C()` of a class without a constructor runs its field initialisers.
      const cls = ts.isNewExpression(call) ? this.checker.getSymbolAtLocation(call.expression)?.valueDeclaration : undefined;
      if (cls && ts.isClassLike(cls) && !cls.getSourceFile().isDeclarationFile) into.callees.push(cls);
      else into.collects = true;
      return;
    }
    const file = decl.getSourceFile();
    if (isRuntimeFile(file)) return;
    if (this.host.program.isSourceFileDefaultLibrary(file)) {
      // The library calls back only into functions it is given.
      for (const a of call.arguments ?? []) {
        const inner = skipOuterExpressions(a);
        if (ts.isFunctionExpression(inner) || ts.isArrowFunction(inner)) into.callees.push(inner);
        else if (this.checker.getTypeAtLocation(a).getCallSignatures().length > 0) into.collects = true;
      }
      return;
    }
    // A method runs whichever implementation the receiver has: the call graph's dispatch names them all (overrides too).
    if ((ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl)) && ts.isCallExpression(call)) {
      const targets = this.dispatchTargets(call);
      if (targets === undefined) into.collects = true;
      else into.callees.push(...targets);
      if (targets !== undefined || ts.isMethodSignature(decl)) return;
    }
    if (ts.isFunctionLike(decl) && (decl as ts.FunctionLikeDeclaration).body) into.callees.push(decl);
    else into.collects = true;
  }

  /** The implementations a method call may run, from the call graph; undefined when it cannot tell. */
  private dispatchTargets(call: ts.CallExpression): ts.Node[] | undefined {
    let f: ts.Node | undefined = call.parent;
    while (f && !isFunctionLikeWithBody(f) && !ts.isClassLike(f) && !ts.isSourceFile(f)) f = f.parent;
    if (!f || ts.isSourceFile(f)) return undefined;
    const facts = callGraphOf(this.host.program).facts(f);
    if (facts.unresolved.some((u) => u.site === call)) return undefined;
    const targets = facts.callees.filter((e) => e.site === call).map((e) => e.target);
    return targets.length > 0 ? targets : undefined;
  }

  /**
   * Whether any of `roots` (functions, or classes for their initialisers) may
   * reach collector work. Depth-first with parent links: a function that
   * collects marks every function on the way to it, so a chain of helpers
   * is read once however many calls go through it.
   */
  private reaches(roots: ts.Node[]): boolean {
    const parent = new Map<ts.Node, ts.Node | null>();
    const stack: ts.Node[] = [];
    for (const r of roots) {
      if (parent.has(r)) continue;
      parent.set(r, null);
      stack.push(r);
    }
    while (stack.length > 0) {
      const f = stack.pop()!;
      handleStats.reachVisits++;
      const m = this.fnMemo.get(f);
      if (m === false) continue;
      if (m === true || parent.size > handleLimits.functionsPerQuery || this.directOf(f).collects) {
        for (let a: ts.Node | null | undefined = f; a; a = parent.get(a)) this.fnMemo.set(a, true);
        return true;
      }
      for (const c of this.directOf(f).callees) {
        if (parent.has(c)) continue;
        parent.set(c, f);
        stack.push(c);
      }
    }
    for (const f of parent.keys()) this.fnMemo.set(f, false);
    return false;
  }

  /** The call sites in a function's own body (nested functions run only when called). */
  private directOf(f: ts.Node): { collects: boolean; callees: ts.Node[] } {
    let d = this.direct.get(f);
    if (d) return d;
    handleStats.functionsScanned++;
    d = { collects: false, callees: [] };
    const stack: ts.Node[] = [];
    if (ts.isClassLike(f)) {
      for (const m of f.members) if (ts.isPropertyDeclaration(m) && m.initializer && !ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) stack.push(m.initializer);
    } else {
      const body = (f as ts.FunctionLikeDeclaration).body;
      if (body) stack.push(body);
    }
    while (stack.length > 0 && !d.collects) {
      const n = stack.pop()!;
      if (ts.isFunctionLike(n) || ts.isClassLike(n)) continue;
      if (ts.isCallExpression(n) || ts.isNewExpression(n)) this.site(n, d);
      ts.forEachChild(n, (c) => void stack.push(c));
    }
    this.direct.set(f, d);
    return d;
  }

  // ---- leaves ----

  /** A removal from a container of handle holders: `m.delete(k)`, `xs.pop()`, a field overwrite. */
  private removal(ev: TSESTree.Node): { sym: ts.Symbol; all: boolean } | undefined {
    if (ev.type === AST_NODE_TYPES.CallExpression) {
      const callee = ev.callee;
      if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier || !removals.has(callee.property.name)) return undefined;
      const t = this.host.typeOf(callee.object);
      if (!isReference(t) || !this.checker.getTypeArguments(t).some((a) => this.holdsHandles(a, 2))) return undefined;
      const sym = this.symbolOf(callee.object);
      return sym && { sym, all: callee.property.name === 'clear' };
    }
    if (ev.type === AST_NODE_TYPES.AssignmentExpression && ev.operator === '=' && ev.left.type === AST_NODE_TYPES.MemberExpression && !ev.left.computed) {
      // A field of an object that outlives the function (`this.lease`); a local object's field starts empty.
      if (!this.holdsHandles(this.host.typeOf(ev.left), 1) || !this.outlives(ev.left)) return undefined;
      // A constructor sets the first value: nothing was held before.
      for (let a: TSESTree.Node | undefined = ev.parent; a; a = a.parent) {
        if (a.type === AST_NODE_TYPES.FunctionExpression || a.type === AST_NODE_TYPES.ArrowFunctionExpression || a.type === AST_NODE_TYPES.FunctionDeclaration) {
          if (a.parent?.type === AST_NODE_TYPES.MethodDefinition && a.parent.kind === 'constructor') return undefined;
          break;
        }
      }
      const sym = this.symbolOf(ev.left);
      return sym && { sym, all: false };
    }
    return undefined;
  }

  private leaveKey(sym: ts.Symbol): string {
    let id = this.containerIds.get(sym);
    if (id === undefined) this.containerIds.set(sym, (id = this.containerIds.size));
    const key = `leave:${id}`;
    this.leaveSyms.set(key, sym);
    return key;
  }

  private call(env: MutableEnv, node: TSESTree.CallExpression): void {
    const eff = effectOf(this.host.idOf(node));
    if (eff?.unpins) {
      const a = argAt(node.arguments, eff.unpins.arg);
      if (a) this.dischargeFrom(env, a);
      return;
    }
    if (eff?.storesHeapRef?.slot === 'accessor') {
      // A store through the accessor a handle was read through replaces it in that slot.
      const p = argAt(node.arguments, eff.storesHeapRef.ptrArg);
      const t = p && this.host.tracked(env, p);
      const acc = this.accessorOf(node);
      const element = eff.storesHeapRef.element !== undefined && node.arguments.length === eff.storesHeapRef.element.arity;
      if (t && acc && !element) for (const [k, s] of env) if (s.slotOf === t.st.group && s.layout === acc) env.set(k, { ...s, slotOf: undefined });
      return;
    }
    if (eff) return;
    // A helper of the program that pins or unpins a handle it is given, on every path (`retain(h)`).
    const helper = this.helperOf(node);
    if (helper) {
      node.arguments.forEach((a, i) => {
        const t = (helper.pins.has(i) || helper.unpins.has(i)) && this.host.tracked(env, a);
        if (t) this.host.update(env, t.key, (st) => ({ ...st, pin: helper.pins.has(i) ? pinYes : pinNo }));
      });
    }
    const r = this.removal(node);
    if (r) {
      this.removed(env, node, r.sym);
      if (r.all && this.unpinsSomewhere(node, r.sym)) this.discharge(env, r.sym);
      return;
    }
    // A holder handed to other code: that code answers for its handle now.
    if (this.leaveSyms.size === 0 || this.host.isRuntimeCallee(node)) return;
    for (const a of node.arguments) this.handOn(env, a);
  }

  private overwrite(env: MutableEnv, node: TSESTree.AssignmentExpression): void {
    const r = this.removal(node);
    if (r) this.removed(env, node, r.sym);
    else this.handOn(env, node.right);
  }

  private removed(env: MutableEnv, node: TSESTree.CallExpression | TSESTree.AssignmentExpression, sym: ts.Symbol): void {
    handleStats.leaves++;
    const key = this.leaveKey(sym);
    const s = env.get(key) ?? leaveState(key);
    const b = s.pin!;
    const pin = (b & (none | removed) ? removed : 0) | (b & (unpinnedOnly | done) ? done : 0);
    env.set(key, { ...s, pin, pending: s.pending ?? ({ node, via: undefined } satisfies Witness) });
  }

  private handOn(env: MutableEnv, value: TSESTree.Node): void {
    if (this.leaveSyms.size === 0) return;
    const v = skipOuterEs(value);
    const t = this.host.typeOf(v);
    if (this.holdsHandles(t, 1)) this.dischargeFrom(env, v);
  }

  private dischargeFrom(env: MutableEnv, e: TSESTree.Node): void {
    if (this.leaveSyms.size === 0) return;
    for (const sym of this.derived(this.host.tsOf(e))) this.discharge(env, sym);
  }

  private discharge(env: MutableEnv, sym: ts.Symbol): void {
    const id = this.containerIds.get(sym);
    const key = id === undefined ? undefined : `leave:${id}`;
    const s = key && env.get(key);
    if (key && s) env.set(key, { ...s, pin: discharge(s.pin!) });
  }

  /** `m.clear()` after a loop that unpins what `m` holds: the loop runs once per element, or not at all when it is empty. */
  private unpinsSomewhere(node: TSESTree.Node, sym: ts.Symbol): boolean {
    let fn: ts.Node = this.host.tsOf(node);
    while (!ts.isFunctionLike(fn) && !ts.isSourceFile(fn)) fn = fn.parent;
    let found = false;
    const stack: ts.Node[] = [fn];
    while (stack.length > 0 && !found) {
      const n = stack.pop()!;
      if (ts.isCallExpression(n) && effectOf(calleeId(this.checker, n))?.unpins) {
        const a = argAt(n.arguments, effectOf(calleeId(this.checker, n))!.unpins!.arg);
        if (a && this.derived(a).has(sym)) found = true;
      }
      ts.forEachChild(n, (c) => void stack.push(c));
    }
    return found;
  }

  private readonly derivedMemo = new Map<ts.Node, Set<ts.Symbol>>();

  /**
   * The containers and variables a value is read from: `lease.value` where
   * `const lease = this.leases.get(id)` gives {lease, leases, value, …}; a
   * `for…of` variable is read from what the loop iterates.
   */
  private derived(e0: ts.Node | TSESTree.Node, depth = 0): Set<ts.Symbol> {
    const e = typeof (e0 as { kind?: unknown }).kind === 'number' ? (e0 as ts.Node) : this.host.tsOf(e0 as TSESTree.Node);
    let out = this.derivedMemo.get(e);
    if (out) return out;
    handleStats.derivedWalks++;
    out = new Set();
    let x: ts.Node = ts.isExpression(e) ? skipOuterExpressions(e) : e;
    for (let steps = 0; steps < 32; steps++) {
      if (ts.isPropertyAccessExpression(x)) {
        const s = this.checker.getSymbolAtLocation(x.name);
        if (s) out.add(s);
        x = skipOuterExpressions(x.expression);
      } else if (ts.isCallExpression(x)) {
        // `this.mesh(name)` returning `this.meshes.get(name)`: what the callee's returns are read from.
        if (depth < 4) for (const r of this.returnsOf(x)) for (const y of this.derived(r, depth + 1)) out.add(y);
        x = skipOuterExpressions(x.expression);
      } else if (ts.isElementAccessExpression(x)) x = skipOuterExpressions(x.expression);
      else if (ts.isIdentifier(x)) {
        const s = this.checker.getSymbolAtLocation(x);
        if (s) out.add(s);
        const d = s?.valueDeclaration;
        // `m.forEach((l) => unpin(l.value))`: a callback's parameter is read from what the method is called on.
        const cb = d && ts.isParameter(d) ? d.parent : undefined;
        if (cb && (ts.isArrowFunction(cb) || ts.isFunctionExpression(cb)) && ts.isCallExpression(cb.parent) && ts.isPropertyAccessExpression(cb.parent.expression) && depth < 4) {
          for (const y of this.derived(cb.parent.expression.expression, depth + 1)) out.add(y);
        }
        // `const [l] = xs.splice(i, 1)`, `const { value } = m.get(k)!`: read from the destructured initializer.
        let decl = d;
        while (decl && ts.isBindingElement(decl)) decl = decl.parent.parent;
        if (decl && decl !== d && ts.isVariableDeclaration(decl) && decl.initializer && depth < 4) for (const y of this.derived(decl.initializer, depth + 1)) out.add(y);
        if (d && ts.isVariableDeclaration(d) && depth < 4) {
          const source = d.initializer ?? (ts.isVariableDeclarationList(d.parent) && ts.isForOfStatement(d.parent.parent) ? d.parent.parent.expression : undefined);
          if (source) for (const y of this.derived(source, depth + 1)) out.add(y);
        }
        break;
      } else break;
    }
    this.derivedMemo.set(e, out);
    return out;
  }

  private readonly returnsMemo = new Map<ts.Node, readonly ts.Expression[]>();

  /** The returned expressions of a call's callee, when it is the program's own function with a body. */
  private returnsOf(call: ts.CallExpression): readonly ts.Expression[] {
    const decl = this.checker.getResolvedSignature(call)?.declaration;
    if (!decl || ts.isJSDocSignature(decl) || !ts.isFunctionLike(decl) || decl.getSourceFile().isDeclarationFile || isRuntimeFile(decl.getSourceFile())) return [];
    let out = this.returnsMemo.get(decl);
    if (out) return out;
    const found: ts.Expression[] = [];
    const body = (decl as ts.FunctionLikeDeclaration).body;
    if (body && !ts.isBlock(body)) found.push(body);
    const stack: ts.Node[] = body && ts.isBlock(body) ? [body] : [];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (ts.isFunctionLike(n)) continue;
      if (ts.isReturnStatement(n) && n.expression) found.push(n.expression);
      ts.forEachChild(n, (c) => void stack.push(c));
    }
    this.returnsMemo.set(decl, (out = found));
    return out;
  }

  private readonly helpers = new Map<ts.Node, Helper | null>();

  /**
   * What a function of the program does to the handles it is given, read
   * from its body: the parameters it pins or unpins in a statement of the
   * body itself (so on every path that returns normally, barring an earlier
   * return, which disqualifies it), and the parameter every return hands back.
   */
  private helperOf(call: TSESTree.CallExpression): Helper | undefined {
    const decl = this.checker.getResolvedSignature(this.host.tsOf(call) as ts.CallExpression)?.declaration;
    if (!decl || ts.isJSDocSignature(decl) || !ts.isFunctionLike(decl) || decl.getSourceFile().isDeclarationFile || isRuntimeFile(decl.getSourceFile())) return undefined;
    let h = this.helpers.get(decl);
    if (h !== undefined) return h ?? undefined;
    h = null;
    const body = (decl as ts.FunctionLikeDeclaration).body;
    const params = decl.parameters.map((p) => (ts.isIdentifier(p.name) ? this.checker.getSymbolAtLocation(p.name) : undefined));
    const index = (e: ts.Expression | undefined): number => {
      const x = e && skipOuterExpressions(e);
      const sym = x && ts.isIdentifier(x) ? this.checker.getSymbolAtLocation(x) : undefined;
      return sym ? params.indexOf(sym) : -1;
    };
    if (body && ts.isBlock(body)) {
      const pins = new Set<number>();
      const unpins = new Set<number>();
      let returns: number | undefined;
      let early = false;
      body.statements.forEach((st, i) => {
        const x = ts.isExpressionStatement(st) ? skipOuterExpressions(st.expression) : undefined;
        const eff = x && ts.isCallExpression(x) ? effectOf(calleeId(this.checker, x)) : undefined;
        const k = eff?.pins || eff?.unpins ? index(argAt((x as ts.CallExpression).arguments, (eff.pins ?? eff.unpins)!.arg)) : -1;
        if (k >= 0) (eff!.pins ? pins : unpins).add(k);
        if (ts.isReturnStatement(st)) {
          if (i !== body.statements.length - 1) early = true;
          else if (index(st.expression) >= 0) returns = index(st.expression);
        } else if (containsReturn(st)) early = true;
      });
      if (!early && (pins.size > 0 || unpins.size > 0)) h = { pins, unpins, returns };
    }
    this.helpers.set(decl, h);
    return h ?? undefined;
  }

  // ---- types and names ----

  private readonly holds = new Map<ts.Type, (boolean | undefined)[]>();

  /** A HeapRef, or an object with a HeapRef-typed property (`depth` levels down); never a pointer or a primitive. */
  private holdsHandles(t: ts.Type, depth: number): boolean {
    if (mayBeHeapRef(this.checker, t)) return true;
    if (depth === 0 || isPointerType(this.checker, t)) return false;
    const members = t.isUnion() ? t.types : [t];
    const memo = this.holds.get(t);
    if (memo?.[depth] !== undefined) return memo[depth];
    let out = false;
    for (const m of members) {
      if (!(m.flags & ts.TypeFlags.Object) || m.getCallSignatures().length > 0) continue;
      const props = this.checker.getPropertiesOfType(m);
      for (let i = 0; i < props.length && i < 64 && !out; i++) {
        const p = props[i];
        const decl = p.valueDeclaration ?? p.declarations?.[0];
        if (!decl || decl.getSourceFile().isDeclarationFile) continue;
        out = this.holdsHandles(this.checker.getTypeOfSymbol(p), depth - 1);
      }
    }
    if (memo) memo[depth] = out;
    else this.holds.set(t, depth === 1 ? [undefined, out] : [undefined, undefined, out]);
    return out;
  }

  /** The symbol a container expression names: a variable, or the last property of `this.leases`. */
  private symbolOf(e: TSESTree.Node): ts.Symbol | undefined {
    const x = skipOuterEs(e);
    const n = x.type === AST_NODE_TYPES.MemberExpression && !x.computed ? x.property : x.type === AST_NODE_TYPES.Identifier ? x : undefined;
    return n && this.checker.getSymbolAtLocation(this.host.tsOf(n));
  }

  /** The field accessor a HeapRef accessor call goes through (`N.owner` of `N.owner.get(p)`). */
  private accessorOf(call: TSESTree.CallExpression): ts.Symbol | undefined {
    const callee = skipOuterEs(call.callee);
    return callee.type === AST_NODE_TYPES.MemberExpression ? this.symbolOf(callee.object) : undefined;
  }
}

function leaveState(key: string): ObjState {
  return { mem: memZero, memWhy: undefined, root: rootNo, pending: undefined, local: false, layout: undefined, group: key, pin: none };
}

/** Every combination now counts as unpinned (or handed on). */
function discharge(b: number): number {
  return (b & (none | unpinnedOnly) ? unpinnedOnly : 0) | (b & (removed | done) ? done : 0);
}

function functionLike(n: TSESTree.Node): n is TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression {
  return n.type === AST_NODE_TYPES.ArrowFunctionExpression || n.type === AST_NODE_TYPES.FunctionExpression;
}

function isWrapper(n: TSESTree.Node | undefined): boolean {
  return (
    !!n &&
    (n.type === AST_NODE_TYPES.TSAsExpression ||
      n.type === AST_NODE_TYPES.TSNonNullExpression ||
      n.type === AST_NODE_TYPES.TSSatisfiesExpression ||
      n.type === AST_NODE_TYPES.TSTypeAssertion ||
      n.type === AST_NODE_TYPES.ChainExpression ||
      n.type === AST_NODE_TYPES.LogicalExpression ||
      n.type === AST_NODE_TYPES.AwaitExpression)
  );
}

/** A `return` inside a statement (not in a nested function). */
function containsReturn(n: ts.Node): boolean {
  const stack: ts.Node[] = [n];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (ts.isReturnStatement(x)) return true;
    if (!ts.isFunctionLike(x) && !ts.isClassLike(x)) ts.forEachChild(x, (c) => void stack.push(c));
  }
  return false;
}

/** nil spelled as `0` (through casts): holds nothing. */
function isNil(e: TSESTree.Node): boolean {
  const x = skipOuterEs(e);
  return x.type === AST_NODE_TYPES.Literal && x.value === 0;
}

/** A use of a local variable's value that may carry it out of the function. */
function escapingUse(id: ts.Expression): boolean {
  const n = outermostOf(id);
  const p = n.parent;
  if ((ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) && p.expression === n) return false;
  if (ts.isForOfStatement(p) && p.expression === n) return false;
  if (ts.isCallExpression(p) && p.expression === n) return false;
  if (ts.isBinaryExpression(p)) {
    const k = p.operatorToken.kind;
    if (k === ts.SyntaxKind.EqualsToken) return p.right === n;
    return !(k >= ts.SyntaxKind.FirstBinaryOperator && k <= ts.SyntaxKind.LastBinaryOperator) || k === ts.SyntaxKind.CommaToken || k === ts.SyntaxKind.BarBarToken || k === ts.SyntaxKind.AmpersandAmpersandToken || k === ts.SyntaxKind.QuestionQuestionToken;
  }
  if (ts.isPrefixUnaryExpression(p) || ts.isTypeOfExpression(p)) return false;
  if ((ts.isIfStatement(p) || ts.isWhileStatement(p)) && p.expression === n) return false;
  if (ts.isExpressionStatement(p)) return false;
  return true;
}

/**
 * The expression known nullish (undefined, null, nil `0`) on the edge from
 * `from` to `to`: `if (x === undefined) …`, `if (!x) return`, the `else` of `if (x)`.
 */
function nullishOnEdge(from: SegInfo, to: SegInfo, checker: ts.TypeChecker, host: HandleHost): ts.Expression | undefined {
  const edge = edgeTest(from, to);
  if (!edge) return undefined;
  const { test: t, value } = edge;
  if (t.type === AST_NODE_TYPES.BinaryExpression && ['===', '==', '!==', '!='].includes(t.operator)) {
    const eq = t.operator === '===' || t.operator === '==';
    if (eq !== value) return undefined;
    const nullish = (x: TSESTree.Node): boolean => {
      const ty = checker.getTypeAtLocation(host.tsOf(x));
      return !!(ty.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)) || (ty.isNumberLiteral() && ty.value === 0);
    };
    const other = nullish(t.right) ? t.left : nullish(t.left) ? t.right : undefined;
    return other && (host.tsOf(other) as ts.Expression);
  }
  if (t.type === AST_NODE_TYPES.LogicalExpression) return undefined;
  return value ? undefined : (host.tsOf(t) as ts.Expression);
}
