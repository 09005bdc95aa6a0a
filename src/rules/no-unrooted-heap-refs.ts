// offheap/no-unrooted-heap-refs: Go's rule 1 for unmanaged memory
// (HACKING.md): every heap pointer in it must be an explicit root, because
// the collector never traces into unmanaged memory. A HeapRef stored into an
// object that is neither rooted nor handed on before the function returns
// keeps nothing alive; a pool whose objects are never rooted anywhere holds
// references the collector cannot see; and hiding a root while its slots
// still hold references leaves them for the next reuse (Go's runfinq clears
// before it hides).
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import path from 'node:path';
import ts from 'typescript';
import { offheapContext } from '../analysis/context.js';
import { mayNameRuntime } from '../analysis/flow/reach.js';
import { calleeId, declarationId, offheapIdAt } from '../analysis/declarations.js';
import { outermostOf, sizeOfLayout, skipOuterExpressions, skipOuterEs as unwrap } from '../analysis/expressions.js';
import { cannotProveData, describeWitness, ellipsis, flowCannotProveMessage, flowFacts, listSome } from '../analysis/flow/index.js';
import { isMaybeRooted, isMaybeTypeSafe, isMaybeUnpinned, isRooted, type AllocSite, type Witness } from '../analysis/memory-state.js';
import { effectOf } from '../analysis/effects.js';
import { importedNameOf } from '../analysis/imports.js';
import { isRuntimeFile } from '../analysis/not-in-heap.js';
import { cacheOf, programAnalysis, syntaxCache } from '../analysis/program-analysis.js';
import { usesOffheap } from '../analysis/offheap-files.js';
import { heapRefSlotsOf, isReference, pointeeOf, staticLayoutOf, structCallOf, structCallOfRecord } from '../analysis/record-layout.js';
import { createRule } from '../util/create-rule.js';

export type MessageIds = 'unrootedStore' | 'unrootedCannotProve' | 'neverRooted' | 'unrootUncleared' | 'freeRooted' | 'useAfterFree' | 'storeBeyondRoot' | 'heapRefOnJsHeap' | 'freeHeapRefRooted' | 'fieldNeverRooted' | 'notUnpinned' | 'flowCannotProve' | 'useTypedmemclrFirst';

interface RootedKinds {
  /** `struct(...)` calls of the layouts passed to addRoot. */
  readonly layouts: Set<ts.Node>;
  /** Whether some addRoot may receive any object of this layout (its pointer is not a `const` holding one allocation). */
  anyOf(layout: ts.Node): boolean;
  /** Whether an addRoot receives the objects of this allocation call through a `const` it initialises (`const p = pool.alloc(); addRoot(p, L)`). */
  roots(alloc: ts.Node): boolean;
  /** Some addRoot's layout is not provable (a parameter, a computed table): nothing is provably never rooted. */
  readonly unknown: boolean;
}

/** Work counters for tests: `const` initializers of addRoot pointers resolved (whether they allocate), lazily. */
export const rootedCounters = { initializersResolved: 0 };

/**
 * The call a `const` pointer argument is initialised with, if any: the
 * objects of that one call, when it allocates (asked lazily, see rootedKinds).
 */
function constInitializerCall(checker: ts.TypeChecker, arg: ts.Expression | undefined): ts.CallExpression | undefined {
  const x = arg && skipOuterExpressions(arg);
  const sym = x && ts.isIdentifier(x) ? checker.getSymbolAtLocation(x) : undefined;
  const decl = sym?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || !ts.isVariableDeclarationList(decl.parent) || !(decl.parent.flags & ts.NodeFlags.Const) || !decl.initializer) return undefined;
  const init = skipOuterExpressions(decl.initializer);
  return ts.isCallExpression(init) ? init : undefined;
}

function allocates(checker: ts.TypeChecker, call: ts.CallExpression): boolean {
  rootedCounters.initializersResolved++;
  return effectOf(calleeId(checker, call))?.allocates !== undefined;
}

function structCallOfRecordOf(checker: ts.TypeChecker, record: ts.Type | undefined): ts.CallExpression | undefined {
  return record && structCallOfRecord(checker, record);
}

/** The names the runtime declares its `@offheap addRoot` functions and methods under (read from the tags). */
function addRootNames(program: ts.Program): Set<string> {
  const names = new Set<string>();
  for (const file of program.getSourceFiles()) {
    if (!isRuntimeFile(file)) continue;
    const visit = (n: ts.Node): void => {
      if ((ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isMethodSignature(n)) && n.name && ts.isIdentifier(n.name) && declarationId(n) === 'addRoot') {
        names.add(n.name.text);
      }
      ts.forEachChild(n, visit);
    };
    visit(file);
  }
  return names;
}

/** The name a callee or initializer is spelled with: `f`, `o.f`, `o['f']`, through parentheses and casts. */
function spelledName(e: ts.Expression): string | undefined {
  const x = skipOuterExpressions(e);
  if (ts.isIdentifier(x)) return x.text;
  if (ts.isPropertyAccessExpression(x)) return x.name.text;
  if (ts.isElementAccessExpression(x) && ts.isStringLiteralLike(x.argumentExpression)) return x.argumentExpression.text;
  // `addRoot.bind(rt)`: the bound function's name.
  if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && x.expression.name.text === 'bind') return spelledName(x.expression.expression);
  return undefined;
}

/** Work counters for tests: files whose syntax the never-rooted scan walked (once per SourceFile, carried across programs), and the nodes visited. */
export const neverRootedCounters = { filesWalked: 0, nodesVisited: 0, importsResolved: 0 };

/** The names a file's calls are spelled with (`f(…)`, `o.f(…)`, `f.call(…)`) and the sources of its aliases, once per SourceFile. */
function calledOrAliased(file: ts.SourceFile, calls: readonly ts.CallExpression[], aliases: readonly (readonly [string, string])[]): ReadonlySet<string> {
  const memo = syntaxCache<'used', Set<string>>('no-unrooted-heap-refs:used', file);
  let found = memo.get('used');
  if (found) return found;
  found = usedNames(calls, aliases);
  memo.set('used', found);
  return found;
}

type FileSyntax = { calls: readonly ts.CallExpression[]; aliases: readonly (readonly [string, string])[]; imported: readonly ts.Identifier[] };

/** The names a file imports bindings under (a renamed import of addRoot is resolved through them): top-level statements only. */
function importedNames(file: ts.SourceFile): ts.Identifier[] {
  const imported: ts.Identifier[] = [];
  for (const st of file.statements) {
    const clause = ts.isImportDeclaration(st) ? st.importClause : undefined;
    if (clause?.name) imported.push(clause.name);
    if (clause?.namedBindings && ts.isNamedImports(clause.namedBindings)) for (const e of clause.namedBindings.elements) imported.push(e.name);
  }
  return imported;
}

/** A call the never-rooted scan considers: one with an argument. */
function scannedCall(n: ts.Node): n is ts.CallExpression {
  return ts.isCallExpression(n) && n.arguments.length >= 1;
}

/** The alias a declaration makes: `const a = b` (a, b), `const { addRoot: root } = rt` (root, addRoot). */
function aliasOf(n: ts.Node): readonly [string, string] | undefined {
  if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) {
    const from = spelledName(n.initializer);
    return from ? [n.name.text, from] : undefined;
  }
  if (ts.isBindingElement(n) && ts.isIdentifier(n.name) && ts.isObjectBindingPattern(n.parent) && !n.dotDotDotToken) {
    // `const { addRoot: root } = rt`: `root` is an alias of the property it takes.
    const from = n.propertyName ?? n.name;
    if (ts.isIdentifier(from) || ts.isStringLiteral(from)) return [n.name.text, from.text];
  }
  return undefined;
}

/**
 * The calls with an argument and the `const a = b` aliases of a file: its
 * syntax alone, so walked once per SourceFile (an unchanged file is not
 * walked again in the next program), on an explicit stack.
 */
function callsAndAliases(file: ts.SourceFile): FileSyntax {
  const memo = syntaxCache<'scan', FileSyntax>('no-unrooted-heap-refs:scan', file);
  let found = memo.get('scan');
  if (found) return found;
  neverRootedCounters.filesWalked++;
  const calls: ts.CallExpression[] = [];
  const aliases: (readonly [string, string])[] = [];
  const stack: ts.Node[] = [file];
  // A type holds no call and no variable (the syntax kinds of type nodes form one range; a heritage clause's
  // `extends f(…)` is an ExpressionWithTypeArguments, outside it).
  const push = (c: ts.Node): void => {
    if (c.kind < ts.SyntaxKind.FirstTypeNode || c.kind > ts.SyntaxKind.LastTypeNode) stack.push(c);
  };
  while (stack.length > 0) {
    const n = stack.pop()!;
    neverRootedCounters.nodesVisited++;
    if (scannedCall(n)) calls.push(n);
    else {
      const a = aliasOf(n);
      if (a) aliases.push(a);
    }
    ts.forEachChild(n, push);
  }
  found = { calls, aliases, imported: importedNames(file) };
  memo.set('scan', found);
  return found;
}

/**
 * What addRoot calls root, accumulated file by file: the program's (every
 * file that uses offheap), or one file's alone (from the syntax the lint of
 * that file walks anyway). Each set only grows with more files, so a file's
 * own finding that a layout or allocation is rooted holds for the program.
 */
class RootScan implements RootedKinds {
  readonly layouts = new Set<ts.Node>();
  private readonly anyOfSet = new Set<ts.Node>();
  private readonly sites = new Set<ts.Node>();
  unknown = false;
  /**
   * Roots through a `const` initialised by a call, with their layout: a site (one allocation's objects) when the
   * call allocates, else any object of the layout. Which is asked only when a layout or an allocation is judged
   * (resolving every such call up front made the program's first lint resolve every pool's `alloc()` in every file).
   */
  private readonly pending = new Map<ts.Node, ts.CallExpression[]>();
  private readonly byInit = new Map<ts.Node, ts.Node>();

  constructor(
    private readonly checker: ts.TypeChecker,
    private readonly declared: ReadonlySet<string>,
  ) {}

  private settle(layout: ts.Node): void {
    const calls = this.pending.get(layout);
    if (!calls) return;
    this.pending.delete(layout);
    for (const init of calls) {
      this.byInit.delete(init);
      if (allocates(this.checker, init)) this.sites.add(init);
      else this.anyOfSet.add(layout);
    }
  }

  anyOf(layout: ts.Node): boolean {
    this.settle(layout);
    return this.anyOfSet.has(layout);
  }

  roots(alloc: ts.Node): boolean {
    const layout = this.byInit.get(alloc);
    if (layout) this.settle(layout);
    return this.sites.has(alloc);
  }

  /** Adds the roots of one file, given its calls, aliases and imported names (`used`: the names it calls or aliases). */
  addFile(syntax: FileSyntax, used: ReadonlySet<string>): void {
    const { checker } = this;
    const { calls, aliases, imported } = syntax;
    // Names addRoot goes by in this file: its declared names, the local names of imports that resolve to it
    // (`import { addRoot as root }`, through re-exports), and aliases of them, transitively.
    const names = new Set(this.declared);
    // Only a binding the file calls or aliases can root (a type, a layout, a pool never called is not resolved).
    for (const id of imported) {
      if (names.has(id.text) || !used.has(id.text)) continue;
      neverRootedCounters.importsResolved++;
      if (offheapIdAt(checker, id) === 'addRoot') names.add(id.text);
    }
    for (let grew = true; grew; ) {
      grew = false;
      for (const [to, from] of aliases) if (names.has(from) && !names.has(to)) grew = names.add(to).size > 0;
    }
    for (const call of calls) {
      const callee = skipOuterExpressions(call.expression);
      // `addRoot.call(rt, p, L)` and `addRoot.apply(rt, [p, L])` root like the plain call (the flow reports the
      // function "cannot prove"); an `apply` whose arguments are not an array literal may root anything.
      const how = ts.isPropertyAccessExpression(callee) && (callee.name.text === 'call' || callee.name.text === 'apply') ? callee.name.text : undefined;
      const inner = how ? skipOuterExpressions((callee as ts.PropertyAccessExpression).expression) : callee;
      const name = spelledName(inner);
      if (name === undefined || !names.has(name)) continue;
      if (how ? offheapIdAt(checker, ts.isPropertyAccessExpression(inner) ? inner.name : inner) !== 'addRoot' : calleeId(checker, call) !== 'addRoot') continue;
      const spread = how === 'apply' ? call.arguments[1] && skipOuterExpressions(call.arguments[1]) : undefined;
      if (how === 'apply' && !(spread && ts.isArrayLiteralExpression(spread))) {
        this.unknown = true;
        continue;
      }
      const args: readonly ts.Expression[] = how === 'call' ? call.arguments.slice(1) : spread && ts.isArrayLiteralExpression(spread) ? spread.elements : call.arguments;
      if (!args[0]) continue;
      // The layout argument names the struct syntactically; the pointer's type only when it does not.
      const rec = () => pointeeOf(checker, checker.getTypeAtLocation(args[0]));
      const l = (args[1] && structCallOf(checker, args[1])) ?? structCallOfRecordOf(checker, rec());
      // A const holds the objects of one allocation only: this root covers that allocation, whatever
      // its layout (a generic wrapper's `Layout<T>` included), and no other object.
      const init = constInitializerCall(checker, args[0]);
      if (l) this.layouts.add(l);
      if (init && l) {
        if (this.sites.has(init)) continue;
        const list = this.pending.get(l);
        if (list) list.push(init);
        else this.pending.set(l, [init]);
        this.byInit.set(init, l);
      } else if (init) {
        // Without a layout, whether it roots one allocation or an unknown one decides `unknown` now.
        if (allocates(checker, init)) this.sites.add(init);
        else this.unknown = true;
      } else if (l) this.anyOfSet.add(l);
      else this.unknown = true;
    }
  }
}

/** The names a file's calls are spelled with (`f(…)`, `o.f(…)`, `f.call(…)`) and the sources of its aliases. */
function usedNames(calls: readonly ts.CallExpression[], aliases: readonly (readonly [string, string])[]): Set<string> {
  const found = new Set<string>();
  for (const call of calls) {
    const callee = skipOuterExpressions(call.expression);
    const how = ts.isPropertyAccessExpression(callee) && (callee.name.text === 'call' || callee.name.text === 'apply');
    const name = spelledName(how ? skipOuterExpressions(callee.expression) : callee);
    if (name !== undefined) found.add(name);
  }
  for (const [, from] of aliases) found.add(from);
  return found;
}

/** The names the runtime declares addRoot under, once per program. */
function declaredAddRootNames(program: ts.Program, checker: ts.TypeChecker): ReadonlySet<string> {
  const cache = cacheOf<'names', Set<string>>(checker, 'no-unrooted-heap-refs:addRootNames');
  let found = cache.get('names');
  if (!found) cache.set('names', (found = addRootNames(program)));
  return found;
}

/**
 * What the program ever roots: scanned once per program over the files that
 * use offheap. A call is resolved by `calleeId`, as the flow resolves it, so
 * `const root = addRoot`, `(addRoot)(…)` and `rt['addRoot'](…)` root here
 * exactly when they root there. Calls are filtered first by the names
 * `addRoot` is declared, imported or aliased under (each import binding is
 * resolved once, not each call), so only candidates reach the checker's
 * signature resolution.
 */
function rootedKinds(program: ts.Program, checker: ts.TypeChecker): RootedKinds {
  const cache = cacheOf<'rooted', RootedKinds>(checker, 'no-unrooted-heap-refs:rooted');
  let found = cache.get('rooted');
  if (found) return found;
  const scan = new RootScan(checker, declaredAddRootNames(program, checker));
  const pa = programAnalysis(program);
  for (const file of program.getSourceFiles()) {
    if (file.isDeclarationFile || program.isSourceFileFromExternalLibrary(file) || isRuntimeFile(file) || !usesOffheap(program, file)) continue;
    // A file that names no binding of a module reaching the runtime (`import 'offheap'` only) cannot call addRoot.
    if (!mayNameRuntime(pa, file)) continue;
    const syntax = callsAndAliases(file);
    scan.addFile(syntax, calledOrAliased(file, syntax.calls, syntax.aliases));
  }
  found = scan;
  cache.set('rooted', found);
  return found;
}

/**
 * Whether the class roots `this.<field>` (addRoot) or hands it on: passes it
 * to a function that is not a runtime store or clear, returns it, stores it
 * elsewhere, or puts it in a literal. Uses as the pointer of accessors,
 * stores and clears keep it where it is.
 */
function handsOnField(checker: ts.TypeChecker, cls: ts.ClassLikeDeclaration, field: ts.Symbol): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if ((ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) && n.expression.kind === ts.SyntaxKind.ThisKeyword && checker.getSymbolAtLocation(ts.isPropertyAccessExpression(n) ? n.name : n.argumentExpression) === field) {
      const use = outermostOf(n);
      const p = use.parent;
      if (ts.isCallExpression(p) && p.arguments.includes(use as ts.Expression)) {
        const eff = effectOf(calleeId(checker, p));
        // A runtime store, clear, free or accessor keeps it here; addRoot, or any other function, may root it.
        const keeps = eff !== undefined ? !eff.roots : isRuntimeFile(checker.getResolvedSignature(p)?.declaration?.getSourceFile() ?? cls.getSourceFile());
        if (!keeps) found = true;
      } else if (ts.isReturnStatement(p) || ts.isArrayLiteralExpression(p) || ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) || ts.isVariableDeclaration(p) || ts.isNewExpression(p) || ts.isYieldExpression(p)) found = true;
      else if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === use) found = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(cls);
  return found;
}

export default createRule<[], MessageIds>({
  name: 'no-unrooted-heap-refs',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require every HeapRef stored in unmanaged memory to be covered by an explicit root',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      flowCannotProve: flowCannotProveMessage,
      unrootedStore:
        'A HeapRef is stored into `{{ptr}}` here, but on {{path}} the function returns with `{{ptr}}` neither registered with `addRoot` nor handed on: the collector never scans unmanaged memory that is not a root, so the referenced object can be freed while this slot still names it (Go: every heap pointer in unmanaged memory must be an explicit root).',
      unrootedCannotProve:
        'Cannot prove this HeapRef store into `{{ptr}}` rooted: on {{path}} `{{ptr}}` is neither registered with `addRoot` nor handed on except through the local `{{container}}`, and `{{container}}` is used at line {{line}} (`{{use}}`) in a way the analysis does not follow. Root `{{ptr}}`, or hand `{{container}}` itself on (return it, store it, pass it).',
      neverRooted:
        'Objects of `{{record}}`{{which}} have HeapRef slots ({{slots}}), but nothing in the program passes them to `addRoot`: the collector never sees those references and frees their objects (Go: heap pointers in unmanaged memory must be explicit roots, e.g. allfin for finalizers). Register the blocks with `addRoot`.',
      unrootUncleared:
        '`removeRoot({{ptr}})` hides HeapRef slots ({{slots}}) that may still hold references: the last barriered clear is skipped and the stale words wait in memory for the next reuse (Go: runfinq clears fn, arg and ot before it lowers cnt). Clear them with `typedmemclr` first.',
      freeRooted:
        '`{{ptr}}` is freed here while it may still be registered as a root ({{why}}): the collector keeps scanning memory the allocator hands out again, and the next `alloc()` of it fails (MisuseError), or scans the new owner\'s words as references (Go unroots before it frees). Call `removeRoot({{ptr}})` first, on every path.',
      useAfterFree:
        '`{{ptr}}` may already be freed here ({{why}}): this {{what}} memory the allocator may have handed to another owner (use after free). Finish with the object before `free`, or allocate a new one.',
      storeBeyondRoot:
        'This HeapRef store writes record {{index}} of `{{ptr}}`, but `addRoot` registered only {{count}} record(s) there: the collector never scans this slot and frees the object it names (Go: a root job covers exactly its range). Root enough records, or store inside the rooted range.',
      heapRefOnJsHeap:
        'The HeapRef `{{value}}` is kept in {{where}} on the JavaScript heap without a pin on every path here{{why}}: the collector cannot see handles held by JS objects, so after the next collection `deref` throws StaleHandleError. `pin` it before keeping it and `unpin` it where it leaves, or keep it in a HeapRef slot of rooted memory.',
      freeHeapRefRooted:
        '`freeHeapRef({{ptr}})` frees a handle that is still stored in a HeapRef slot of `{{holder}}`, which may be a root here: the collector scans that slot at the next collection and meets a freed handle (BadPointerError), or a handle reissued to another object. Clear the slot first (`typedmemclr`, or store nil into it), or `removeRoot` after clearing.',
      fieldNeverRooted:
        'The field `{{name}}` holds a `{{record}}` with HeapRef slots ({{slots}}) allocated here, but nothing in the class roots it or hands it on: the collector never scans those slots, so the objects they name are freed while the record still names them (StaleHandleError on the next deref), even when other objects of the same pool are rooted. Register it with `addRoot` (and `removeRoot` before freeing it).',
      notUnpinned:
        'A value holding a pinned HeapRef leaves `{{container}}` here, but on {{path}} the function returns without unpinning it: pins count, so its object is never freed (a leak), and `freeHeapRef` of it throws MisuseError. `unpin` its handle on every path where it leaves, or hand the value on.',
      useTypedmemclrFirst: 'Clear the slots with `{{replacement}}` before `removeRoot`.',
    },
    languages: ['js/js'],
  },
  defaultOptions: [],
  create(context) {
    const ctx = offheapContext(context);
    // A file that names nothing of a module reaching the runtime has no memory, pool or root to judge.
    if (!ctx || isRuntimeFile(ctx.sourceFile) || !mayNameRuntime(ctx.analysis, ctx.sourceFile)) return {};
    const { checker, services, program } = ctx;
    const text = (n: TSESTree.Node): string => context.sourceCode.getText(n);
    const tsOf = (n: TSESTree.Node): ts.Node => ctx.analysis.tsOf(n);

    /** The name a layout is reachable by at module level of this file (a const or an import), if any. */
    const layoutName = (layout: ts.Expression | undefined): string | undefined => {
      if (!layout) return undefined;
      const e = skipOuterExpressions(layout);
      const id = ts.isIdentifier(e) ? e : ts.isCallExpression(e) && ts.isVariableDeclaration(e.parent) && ts.isIdentifier(e.parent.name) ? e.parent.name : undefined;
      const sym = id && checker.getSymbolAtLocation(id);
      const decl = sym?.declarations?.[0];
      if (!decl || decl.getSourceFile() !== ctx.sourceFile) return undefined;
      const moduleLevel = ts.isImportSpecifier(decl) || (ts.isVariableDeclaration(decl) && ts.isSourceFile(decl.parent.parent.parent));
      return moduleLevel && id ? id.text : undefined;
    };

    /** Inserts `typedmemclr(L, p);` before the `removeRoot(p);` statement, spelled like the file spells runtime calls. */
    const clearFirst = (call: TSESTree.CallExpression, ptr: TSESTree.Node, layout: ts.Expression | undefined): TSESLint.SuggestionReportDescriptor<MessageIds>[] => {
      const stmt = call.parent;
      const name = layoutName(layout);
      if (stmt.type !== AST_NODE_TYPES.ExpressionStatement || !name) return [];
      const callee = call.callee.type === AST_NODE_TYPES.MemberExpression && !call.callee.computed ? `${text(call.callee.object)}.typedmemclr` : importedNameOf(checker, ctx.sourceFile, 'typedmemclr');
      if (!callee) return [];
      const replacement = `${callee}(${name}, ${text(ptr)})`;
      const indent = ' '.repeat(stmt.loc.start.column);
      return [{ messageId: 'useTypedmemclrFirst', data: { replacement }, fix: (fixer) => fixer.insertTextBefore(stmt, `${replacement};\n${indent}`) }];
    };

    // The calls and aliases of this file, from the walk ESLint makes anyway (the never-rooted scan reads them before
    // walking any file's syntax itself); judged at the end of the file, when all are seen.
    const localCalls: ts.CallExpression[] = [];
    const localAliases: (readonly [string, string])[] = [];
    const atExit: (() => void)[] = [];
    let local: RootScan | null | undefined;
    /** What this file's own addRoot calls root (undefined for a file the program-wide scan skips). */
    const localRoots = (): RootScan | undefined => {
      if (local === undefined) {
        local = null;
        if (usesOffheap(program, ctx.sourceFile)) {
          local = new RootScan(checker, declaredAddRootNames(program, checker));
          local.addFile({ calls: localCalls, aliases: localAliases, imported: importedNames(ctx.sourceFile) }, usedNames(localCalls, localAliases));
        }
      }
      return local ?? undefined;
    };
    const alias = (n: TSESTree.Node): void => {
      const a = aliasOf(tsOf(n));
      if (a) localAliases.push(a);
    };

    const checkNeverRooted = (node: TSESTree.Node, record: ts.Type | undefined, layoutArg: TSESTree.Node | undefined): void => {
      const layoutExpr = layoutArg ? (tsOf(layoutArg) as ts.Expression) : record && structCallOfRecord(checker, record);
      const layout = layoutExpr && staticLayoutOf(checker, layoutExpr);
      const slots = record ? heapRefSlotsOf(checker, record) : layout?.slots.map((s) => s.path);
      if (!slots || slots.length === 0) return;
      const struct = (layoutArg && structCallOf(checker, tsOf(layoutArg) as ts.Expression)) ?? structCallOfRecordOf(checker, record);
      if (!struct) return;
      // This file's own roots first: a layout it roots is rooted in the program, with no other file read.
      const local = localRoots();
      if (local && (local.unknown || local.layouts.has(struct))) return;
      const rooted = rootedKinds(program, checker);
      if (rooted.unknown || rooted.layouts.has(struct)) return;
      const name = layout?.name ?? (record ? checker.typeToString(record) : 'the layout');
      context.report({ node, messageId: 'neverRooted', data: { record: name, which: '', slots: listSome(slots) } });
    };

    const sitesReported = new Set<TSESTree.Node>();
    /**
     * An allocation with a HeapRef stored into its object that the function
     * neither roots nor hands to unreadable code: reported unless some addRoot
     * in the program may receive it (one of any object of its layout, one of
     * this very allocation, or one of a layout it cannot know).
     */
    const checkSite = (site: AllocSite, store: Witness): void => {
      if (sitesReported.has(site.at)) return;
      const local = localRoots();
      if (local && (local.unknown || local.roots(site.alloc as ts.Node))) return;
      const rec = pointeeOf(checker, checker.getTypeAtLocation(tsOf(site.at)));
      const struct = rec && structCallOfRecord(checker, rec);
      if (!rec || !struct || local?.anyOf(struct)) return;
      const rooted = rootedKinds(program, checker);
      if (rooted.unknown || rooted.roots(site.alloc as ts.Node) || rooted.anyOf(struct)) return;
      const slots = heapRefSlotsOf(checker, rec);
      if (slots.length === 0) return;
      const alloc = site.alloc as ts.Node;
      // A layout nothing roots at all is reported where its pool (or block) is made, when that shows
      // the layout (not a generic wrapper's `FixAlloc<T>`, not a pool held in a field set elsewhere).
      if (!rooted.layouts.has(struct) && site.layoutKnown) return;
      sitesReported.add(site.at);
      const from = alloc.getSourceFile() === ctx.sourceFile ? 'allocated here' : `allocated by \`${ellipsis(text(site.at))}\` (${path.basename(alloc.getSourceFile().fileName)}:${alloc.getSourceFile().getLineAndCharacterOfPosition(alloc.getStart()).line + 1})`;
      const which = ` ${from}, with a HeapRef stored at line ${store.node.loc.start.line},`;
      context.report({ node: site.at, messageId: 'neverRooted', data: { record: staticLayoutOf(checker, struct)?.name ?? checker.typeToString(rec), which, slots: listSome(slots) } });
    };

    const flow = flowFacts(context, ctx, (facts, reportsCannotProve) => {
        for (const f of facts) {
          if (f.kind === 'cannotProve') {
            if (reportsCannotProve) context.report({ node: f.node, loc: f.node.loc.start, messageId: 'flowCannotProve', data: cannotProveData(f) });
          } else if (f.kind === 'unrootedAtExit') {
            const path = f.store.via ?? 'the path that falls through to the end';
            if (f.held) context.report({ node: f.store.node, messageId: 'unrootedCannotProve', data: { ptr: f.name, path, container: f.held.container, use: ellipsis(text(f.held.use.parent ?? f.held.use)), line: String(f.held.use.loc.start.line) } });
            else context.report({ node: f.store.node, messageId: 'unrootedStore', data: { ptr: f.name, path } });
          } else if (f.kind === 'unroot' && isMaybeTypeSafe(f.state) && ((f.slots && f.slots.length > 0) || f.generic)) {
            // A generic wrapper is wrong for every `T` with HeapRef slots, so for the records it is used with.
            const slots = f.slots && f.slots.length > 0 ? listSome(f.slots) : `whichever \`${f.generic}\` has: the wrapper is generic`;
            context.report({ node: f.call, messageId: 'unrootUncleared', data: { ptr: text(unwrap(f.ptr)), slots }, suggest: clearFirst(f.call, f.ptr, f.layout) });
          } else if (f.kind === 'free' && isMaybeRooted(f.state) && (f.state.local || isRooted(f.state) || (f.slots !== undefined && f.slots.length > 0))) {
            // A pointer read from elsewhere (a list, a parameter) is "rooted or not" by its type alone: that
            // counts for records with HeapRef slots (what roots are for), not for pointer-free ones (Go's span lists).
            const why = isRooted(f.state)
              ? 'it is rooted on every path here'
              : f.state.local
                ? 'it is rooted on some path here'
                : `nothing here unroots it, and a record with HeapRef slots (${listSome(f.slots ?? [])}) is kept rooted while in use`;
            context.report({ node: f.call, messageId: 'freeRooted', data: { ptr: text(unwrap(f.ptr)), why } });
          } else if (f.kind === 'useAfterFree') {
            const what = f.access === 'read' ? 'reads' : f.access === 'root' ? 'registers as a root' : 'writes into';
            context.report({ node: f.node, messageId: 'useAfterFree', data: { ptr: text(unwrap(f.ptr)), what, why: describeWitness(f.state.freed, text).replace(/^from /, 'freed by ') } });
          } else if (f.kind === 'freeHeapRefRooted') {
            context.report({ node: f.call, messageId: 'freeHeapRefRooted', data: { ptr: text(unwrap(f.ptr)), holder: f.holder } });
          } else if (f.kind === 'keepHeapRef' && isMaybeUnpinned(f.state)) {
            context.report({ node: f.node, messageId: 'heapRefOnJsHeap', data: { value: text(unwrap(f.value)), where: f.where, why: f.why ?? '' } });
          } else if (f.kind === 'notUnpinned') {
            context.report({ node: f.call, messageId: 'notUnpinned', data: { container: f.container, path: f.state.pending?.via ?? 'the path that falls through to the end' } });
          } else if (f.kind === 'storedUnrooted') {
            checkSite(f.site, f.store);
          } else if (f.kind === 'store' && f.beyond) {
            context.report({ node: f.call, messageId: 'storeBeyondRoot', data: { ptr: text(unwrap(f.ptr)), index: String(f.beyond.index), count: String(f.beyond.count) } });
          }
        }
      });
    const flowExit = flow['Program:exit'];
    return {
      ...flow,
      'Program:exit'(node) {
        flowExit?.(node);
        for (const check of atExit) check();
      },
      VariableDeclarator: alias,
      'ObjectPattern > Property': alias,
      PropertyDefinition(node) {
        // `slots = pool.alloc()`: a record allocated per instance, judged by what the class does with `this.slots`.
        const value = node.value && unwrap(node.value);
        if (value?.type !== AST_NODE_TYPES.CallExpression || node.computed || node.static) return;
        if (!effectOf(calleeId(checker, tsOf(value) as ts.CallExpression))?.allocates) return;
        const rec = pointeeOf(checker, checker.getTypeAtLocation(tsOf(value)));
        const slots = rec ? heapRefSlotsOf(checker, rec) : [];
        if (slots.length === 0) return;
        const fieldSym = checker.getSymbolAtLocation((tsOf(node) as ts.PropertyDeclaration).name);
        const cls = tsOf(node.parent.parent) as ts.ClassLikeDeclaration;
        if (!fieldSym || handsOnField(checker, cls, fieldSym)) return;
        const layout = structCallOfRecord(checker, rec!);
        const name = (layout && staticLayoutOf(checker, layout)?.name) ?? checker.typeToString(rec!);
        context.report({ node: node.value!, messageId: 'fieldNeverRooted', data: { name: fieldSym.name, record: name, slots: listSome(slots) } });
      },
      NewExpression(node) {
        if (calleeId(checker, tsOf(node) as ts.NewExpression) !== 'FixAlloc') return;
        const t = checker.getTypeAtLocation(tsOf(node));
        const rec = isReference(t) ? checker.getTypeArguments(t)[0] : undefined;
        atExit.push(() => checkNeverRooted(node, rec && !(rec.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) ? rec : undefined, node.arguments[0]));
      },
      CallExpression(node) {
        const call = tsOf(node);
        if (scannedCall(call)) localCalls.push(call);
        const id = calleeId(checker, call as ts.CallExpression);
        if (id !== 'persistentalloc' && id !== 'sysAlloc') return;
        const rec = pointeeOf(checker, checker.getTypeAtLocation(tsOf(node)));
        // `persistentalloc(L.size)` without a type argument: the layout whose size is asked for.
        const size = node.arguments[0];
        const bySize = !rec && size ? sizeOfLayout(tsOf(size) as ts.Expression) : undefined;
        const layout = bySize && (services.tsNodeToESTreeNodeMap.get(bySize.layout) as TSESTree.Node | undefined);
        if (rec || layout) atExit.push(() => checkNeverRooted(node, rec, layout));
      },
    };
  },
});
