// offheap/no-hidden-heap-pointers: a `HeapRef` is only ever stored as a
// `HeapRef`. Written as a plain number (a raw typed-array or DataView write, a
// `u32` field, a number-typed field of a not-in-heap record) it escapes the
// write barrier and the layout's pointer bitmap, so the collector cannot see
// it and may free the object (Go: a heap address hidden in a `uintptr`).
import { AST_NODE_TYPES, ASTUtils, TSESLint, type TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import { mayBeHeapRef, scalarBrandOf } from '../analysis/brands.js';
import { offheapContext, whereRuntimeMayBe } from '../analysis/context.js';
import { seesHeapRefs, usesRuntime } from '../analysis/offheap-files.js';
import { calleeId, offheapIdOf } from '../analysis/declarations.js';
import { symbolAt, syntaxCache } from '../analysis/program-analysis.js';
import { variableAt, type Variable } from '../analysis/references.js';
import { effectOf } from '../analysis/effects.js';
import { fileTypeNames, isNotInHeap, isRuntimeFile, typeName } from '../analysis/not-in-heap.js';
import { createRule } from '../util/create-rule.js';
import { outermostTypedEs, skipOuterExpressions } from '../analysis/expressions.js';

export type Options = [{ allowArithmetic?: boolean }];

/** Work counters for tests that prove growth (never timing). */
export const hiddenCounters = { operandTypeQueries: 0, operandsSkipped: 0, operandsTyped: 0, signaturesAsked: 0, predicatesAsked: 0 };

/**
 * Expressions whose value is never a `HeapRef`, told from syntax, so their
 * types are not asked: literals, array and object literals, functions and
 * classes, the result of every binary, unary and update operator (a
 * number, bigint, string or boolean, or `any`, never a branded number), and
 * a conditional or logical expression whose every result is one of these
 * (`c ? 0 : 1`: its type is its results', and asking for it would check the
 * condition too).
 */
function neverHeapRef(node: TSESTree.Node): boolean {
  // Explicit stack: nesting may be deep.
  const results: TSESTree.Node[] = [node];
  while (results.length > 0) {
    const n = results.pop()!;
    if (n.type === AST_NODE_TYPES.ConditionalExpression) results.push(n.consequent, n.alternate);
    else if (n.type === AST_NODE_TYPES.LogicalExpression) results.push(n.left, n.right);
    else if (!isNeverHeapRef(n)) return false;
  }
  return true;
}

/** `neverHeapRef` of an expression that is not a conditional or logical one. */
function isNeverHeapRef(node: TSESTree.Node): boolean {
  switch (node.type) {
    case AST_NODE_TYPES.Literal:
    case AST_NODE_TYPES.TemplateLiteral:
    case AST_NODE_TYPES.ArrayExpression:
    case AST_NODE_TYPES.ObjectExpression:
    case AST_NODE_TYPES.ArrowFunctionExpression:
    case AST_NODE_TYPES.FunctionExpression:
    case AST_NODE_TYPES.ClassExpression:
    case AST_NODE_TYPES.BinaryExpression:
    case AST_NODE_TYPES.UnaryExpression:
    case AST_NODE_TYPES.UpdateExpression:
      return true;
    default:
      return false;
  }
}
export type MessageIds = 'rawWrite' | 'numberField' | 'conversion' | 'mixedRuntimes' | 'foreignRuntime';

type Sink =
  | { readonly kind: 'rawWrite'; readonly where: string }
  | { readonly kind: 'numberField'; readonly field: string; readonly owner: string }
  | { readonly kind: 'conversion'; readonly how: string };

const typedArrays = new Set([
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'Float16Array',
]);
/** Owners of library methods that write raw memory. */
const rawWriters = new Set([...typedArrays, 'DataView', 'Atomics', 'SharedArrayBuffer', 'ArrayBuffer']);

const arithmetic = new Set(['+', '-', '*', '/', '%', '**', '&', '|', '^', '<<', '>>', '>>>']);

/**
 * Whether `file` names setDefaultRuntime other than in a re-export (`export
 * { setDefaultRuntime } from …` passes the name on and calls nothing). A fact
 * of the file's syntax, carried over while the file is unchanged.
 */
function namesSetDefault(file: ts.SourceFile): boolean {
  if (!file.text.includes('setDefaultRuntime')) return false;
  const facts = syntaxCache<'names', boolean>('no-hidden-heap-pointers:names-set-default', file);
  let found = facts.get('names');
  if (found === undefined) {
    found = false;
    // Explicit stack: deeply nested code must not overflow the JS stack.
    const stack: ts.Node[] = [file];
    while (stack.length > 0 && !found) {
      const node = stack.pop()!;
      if (ts.isExportDeclaration(node) && node.moduleSpecifier) continue;
      if (ts.isIdentifier(node) && node.text === 'setDefaultRuntime') found = true;
      ts.forEachChild(node, (child) => {
        stack.push(child);
      });
    }
    facts.set('names', found);
  }
  return found;
}

export default createRule<Options, MessageIds>({
  name: 'no-hidden-heap-pointers',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow storing a `HeapRef` where the collector cannot see it',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    schema: [
      {
        type: 'object',
        properties: {
          allowArithmetic: {
            type: 'boolean',
            description:
              'Accept arithmetic, bitwise and increment operators on a `HeapRef` (hashing a handle, say); stores and conversions to `number` are still reported.',
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ allowArithmetic: false }],
    messages: {
      rawWrite:
        '`{{expr}}` is a HeapRef written as a plain number into unmanaged memory ({{where}}): the write bypasses the write barrier and the pointer bitmap, so the collector never sees the reference and can free the object (Go: a heap address hidden in a uintptr). Store it in a `heapRef` field of a layout.',
      numberField:
        '`{{expr}}` is a HeapRef kept in the number field `{{field}}` of not-in-heap `{{owner}}`: the pointer bitmap does not cover that slot, so the collector can free the object while it is referenced (Go: a heap address hidden in a uintptr). Declare the field as a `HeapRef`.',
      conversion:
        '`{{expr}}` is a HeapRef converted to a number ({{how}}): the collector cannot see a handle kept as a number, so it can free the object while the number still names it (Go: converting a pointer to uintptr hides it). To keep the object alive while you hold the handle, pin it (`pin`/`unpin`) or keep it in a `heapRef` slot of a rooted record.',
      mixedRuntimes:
        '`{{call}}` uses the default runtime, but this file also uses its own runtime `{{runtime}}` ({{maker}}(), {{at}}): two address spaces with two collectors, and a handle or pointer of one means nothing to the other (Go has one runtime per process). Call the methods of `{{runtime}}`, or make it the default with setDefaultRuntime.',
      foreignRuntime:
        '`{{expr}}` is {{what}} of {{from}} ({{at}}), used with {{to}}: the other runtime\'s collector never sees the handle and its memory is another address space, so the object can be freed or the wrong bytes read (a pointer the collector cannot see). Use the runtime that made it.',
    },
    languages: ['js/js'],
  },
  defaultOptions: [{ allowArithmetic: false }],
  create(context, [options]) {
    const ctx = offheapContext(context);
    if (!ctx || isRuntimeFile(ctx.sourceFile)) return {};
    // A file that sees neither the `HeapRef` brand nor a runtime binding beyond numbers (a file naming only `Ptr`)
    // holds no handle and calls no runtime API.
    if (!seesHeapRefs(ctx.analysis, ctx.sourceFile)) return {};
    // Nor does a file that uses no runtime binding, directly or through the files whose bindings it uses.
    if (!usesRuntime(ctx.analysis, ctx.sourceFile)) return {};
    const { checker, services, program } = ctx;
    /** Types as messages name them: by the names this file knows them by. */
    const nameOf = (t: ts.Type): string => typeName(checker, t, fileTypeNames(checker, ctx.sourceFile));
    const tsOf = (node: TSESTree.Node): ts.Node => ctx.analysis.tsOf(node);

    // An operand of `+` is asked both whether it is a string and whether it may be a HeapRef: typed once (the
    // checker keeps no type for an identifier, whose narrowing it solves again on each query).
    const operandTypes = new Map<TSESTree.Node, ts.Type>();
    const typeOf = (node: TSESTree.Node): ts.Type => {
      let type = operandTypes.get(node);
      if (!type) {
        hiddenCounters.operandsTyped++;
        operandTypes.set(node, (type = ctx.analysis.typeOf(node)));
      }
      return type;
    };
    /**
     * A name bound once with the declared type `number`: annotated `: number` (a variable or a parameter), or a
     * variable without annotation initialised with a number literal (`let i = 0`, declared `number` or the literal).
     * The declared type stays the type at every reference (TS narrows on assignment only within a union), so the
     * name is never a HeapRef or a string. Two things could say otherwise, and such a name is asked: a JSDoc type
     * on an unannotated declaration (a JS file's), and a call the name is passed to whose signature has a type
     * predicate (`isRef(n: number): n is HeapRef<T>`, or `asserts n is …`), which narrows `number` to the handle.
     * Decided once per variable; the calls are asked at Program:exit (`recheckNarrowed`).
     */
    const plainNumbers = new Map<Variable, boolean>();
    const inJs = (ctx.sourceFile.flags & ts.NodeFlags.JavaScriptFile) !== 0;
    const isPlainNumberName = (node: TSESTree.Node): boolean => {
      if (node.type !== AST_NODE_TYPES.Identifier) return false;
      // The variable ESLint's scopes resolved the reference to (indexed once per file), else looked up by name.
      const { scopeManager } = context.sourceCode;
      const variable = (scopeManager && variableAt(scopeManager, node)) ?? ASTUtils.findVariable(context.sourceCode.getScope(node), node);
      if (!variable) return false;
      let plain = plainNumbers.get(variable);
      if (plain === undefined) plainNumbers.set(variable, (plain = declaresPlainNumber(variable)));
      if (plain && callsTaking(variable).length > 0) {
        // Taken as a number for now; the listener runs again at the end if one of those calls narrows the name.
        if (runningListener && runningNode) deferred.push({ listener: runningListener, node: runningNode, variable });
        else if (narrowedByCall(variable)) return false;
      }
      return plain;
    };

    /**
     * Asking a call's signature while the traversal runs would check its arguments before the other rules reach
     * it; at Program:exit every call of the file has been visited. So a listener that took a name as a number
     * while a call the name is passed to might narrow it is recorded, and run again at the end for the names
     * that are narrowed (its reports made once).
     */
    // The listener running and its node (two variables: no object made per visit).
    let runningListener: ((node: never) => void) | undefined;
    let runningNode: TSESTree.Node | undefined;
    let rechecking = false;
    const deferred: { readonly listener: (node: never) => void; readonly node: TSESTree.Node; readonly variable: Variable }[] = [];
    const reported = new Set<string>();
    function recheckNarrowed(): void {
      const narrowed = new Set<Variable>();
      for (const variable of new Set(deferred.map((d) => d.variable))) {
        if (narrowedByCall(variable)) {
          plainNumbers.set(variable, false);
          narrowed.add(variable);
        }
      }
      if (narrowed.size === 0) return;
      const rerun = new Map<(node: never) => void, Set<TSESTree.Node>>();
      rechecking = true;
      for (const { listener, node, variable } of deferred) {
        let nodes = rerun.get(listener);
        if (!nodes) rerun.set(listener, (nodes = new Set()));
        if (!narrowed.has(variable) || nodes.has(node)) continue;
        nodes.add(node);
        (listener as (node: TSESTree.Node) => void)(node);
      }
      rechecking = false;
    }
    /** The rule's listeners, wrapped so that isPlainNumberName knows which one is running. */
    function recorded<L extends TSESLint.RuleListener>(all: L): L {
      const out: TSESLint.RuleListener = {};
      for (const [selector, listener] of Object.entries(all) as [string, ((node: never) => void) | undefined][]) {
        if (!listener || selector === 'Program:exit') {
          out[selector] = listener;
          continue;
        }
        out[selector] = (node: TSESTree.Node) => {
          runningListener = listener;
          runningNode = node;
          try {
            (listener as (node: TSESTree.Node) => void)(node);
          } finally {
            runningListener = runningNode = undefined;
          }
        };
      }
      return out as L;
    }

    /** The calls a variable is passed to (through `!` and type assertions), but those whose callee's declaration says it has no predicate. */
    const takenBy = new Map<Variable, TSESTree.CallExpression[]>();
    const callsTaking = (variable: Variable): readonly TSESTree.CallExpression[] => {
      let calls = takenBy.get(variable);
      if (calls) return calls;
      calls = [];
      for (const ref of variable.references) {
        const arg = outermostTypedEs(ref.identifier);
        const call = arg.parent;
        if (call?.type === AST_NODE_TYPES.CallExpression && call.arguments.includes(arg as TSESTree.Expression) && !annotatedWithoutPredicate(call.callee)) calls.push(call);
      }
      takenBy.set(variable, calls);
      return calls;
    };
    /** Whether one of the calls a variable is passed to has a signature with a type predicate (or an assertion). */
    const narrowedByCall = (variable: Variable): boolean =>
      callsTaking(variable).some((call) => {
        hiddenCounters.predicatesAsked++;
        const signature = checker.getResolvedSignature(tsOf(call) as ts.CallExpression);
        return signature !== undefined && checker.getTypePredicateOfSignature(signature) !== undefined;
      });
    /**
     * A callee named by a function declared once in this file with a return type that is no predicate: told from
     * syntax (without an annotation TypeScript may infer a predicate from the body).
     */
    const annotatedWithoutPredicate = (callee: TSESTree.Node): boolean => {
      if (callee.type !== AST_NODE_TYPES.Identifier) return false;
      const { scopeManager } = context.sourceCode;
      const fn = scopeManager ? variableAt(scopeManager, callee) : undefined;
      const def = fn?.defs.length === 1 ? fn.defs[0] : undefined;
      if (def?.type !== TSESLint.Scope.DefinitionType.FunctionName || (def.node.type !== AST_NODE_TYPES.FunctionDeclaration && def.node.type !== AST_NODE_TYPES.TSDeclareFunction)) return false;
      const returns = def.node.returnType?.typeAnnotation;
      return returns !== undefined && returns.type !== AST_NODE_TYPES.TSTypePredicate;
    };
    const declaresPlainNumber = (variable: Variable): boolean => {
      if (variable.defs.length !== 1) return false;
      const def = variable.defs[0];
      const DefinitionType = TSESLint.Scope.DefinitionType;
      if (def.type !== DefinitionType.Variable && def.type !== DefinitionType.Parameter) return false;
      if (def.name.type !== AST_NODE_TYPES.Identifier) return false;
      const annotation = def.name.typeAnnotation?.typeAnnotation;
      if (annotation) return annotation.type === AST_NODE_TYPES.TSNumberKeyword;
      if (def.type !== DefinitionType.Variable || def.node.id !== def.name) return false;
      const init = def.node.init;
      const literal = init?.type === AST_NODE_TYPES.UnaryExpression && init.operator === '-' ? init.argument : init;
      if (literal?.type !== AST_NODE_TYPES.Literal || typeof literal.value !== 'number') return false;
      // The checker reads JSDoc types in JavaScript files only.
      return !inJs || ts.getJSDocType(tsOf(def.node)) === undefined;
    };
    const isHeapRef = (node: TSESTree.Node): boolean => {
      if (neverHeapRef(node) || isPlainNumberName(node)) {
        hiddenCounters.operandsSkipped++;
        return false;
      }
      hiddenCounters.operandTypeQueries++;
      return mayBeHeapRef(checker, typeOf(node));
    };
    /** A string operand: `+` then formats the other side for display. */
    const isString = (node: TSESTree.Node): boolean => {
      if (isPlainNumberName(node)) return false;
      const type = typeOf(node);
      return (type.isUnion() ? type.types : [type]).every((t) => (t.flags & ts.TypeFlags.StringLike) !== 0);
    };

    /** A target that stores a plain number: `number`, a numeric literal or scalar brand, and no `HeapRef` alternative. */
    function storesPlainNumber(target: ts.Type | undefined): boolean {
      if (!target || mayBeHeapRef(checker, target)) return false;
      const members = target.isUnion() ? target.types : [target];
      return members.some((t) => (t.flags & ts.TypeFlags.NumberLike) !== 0 || scalarBrandOf(checker, t) !== undefined);
    }

    const libOwner = (decl: ts.Declaration | undefined): string | undefined => {
      if (!decl || !program.isSourceFileDefaultLibrary(decl.getSourceFile())) return undefined;
      const parent = decl.parent;
      if (ts.isInterfaceDeclaration(parent)) return parent.name.text;
      if (ts.isModuleBlock(parent)) return parent.parent.name.getText();
      return undefined;
    };

    /** Where a store into `target` (an assignment's left side) goes. */
    function storeSink(target: ts.Expression): Sink {
      if (ts.isElementAccessExpression(target)) {
        const owner = checker.getTypeAtLocation(target.expression).getSymbol();
        const decl = owner?.declarations?.[0];
        if (owner && typedArrays.has(owner.name) && decl && program.isSourceFileDefaultLibrary(decl.getSourceFile())) {
          return { kind: 'rawWrite', where: `a ${owner.name} element` };
        }
      }
      if (ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) {
        const ownerType = checker.getTypeAtLocation(target.expression);
        if (isNotInHeap(checker, ownerType)) {
          return { kind: 'numberField', field: target.getText(), owner: nameOf(ownerType) };
        }
      }
      return { kind: 'conversion', how: `stored in \`${target.getText()}: number\`` };
    }

    function report(node: TSESTree.Node, sink: Sink): void {
      // A listener run again for a narrowed name (recheckNarrowed) reports only what it did not report the first time.
      const key = `${node.range.join(':')}:${sink.kind}`;
      if (rechecking && reported.has(key)) return;
      reported.add(key);
      const expr = tsOf(node).getText();
      const shown = expr.length > 40 ? `${expr.slice(0, 37)}...` : expr;
      context.report({ node, messageId: sink.kind, data: { expr: shown, ...sink } });
    }

    /** `source` flows into a slot of type `target` (asked only when the source may be a HeapRef). */
    function flow(source: TSESTree.Node, target: () => ts.Type | undefined, sink: () => Sink): void {
      if (neverHeapRef(source) || isPlainNumberName(source)) {
        hiddenCounters.operandsSkipped++;
        return;
      }
      const into = target();
      if (storesPlainNumber(into)) {
        if (isHeapRef(source)) report(source, sink());
        return;
      }
      // Element-wise: handles where an array (or ArrayLike) of plain numbers is taken (`u32s.set(refs, 0)`).
      const elements = into && !into.isUnion() ? checker.getIndexTypeOfType(into, ts.IndexKind.Number) : undefined;
      if (!elements || !storesPlainNumber(elements)) return;
      const held = checker.getIndexTypeOfType(typeOf(source), ts.IndexKind.Number);
      if (held && mayBeHeapRef(checker, held)) report(source, sink());
    }

    // Mixing runtimes. A runtime is known only when provable: a `const`
    // initialised by createRuntime() or attachRuntime() (by their tags), in
    // this file or imported from another, that cannot have become the default
    // (see `mayBeDefault`), or the default runtime of the module-level
    // functions (also `const rt = defaultRuntime()`). Values made by one are
    // tracked through `const`s, here or in the file that exports them:
    // handles (newHeapRef), memory (sysAlloc, persistentalloc, a pool's
    // alloc), accessors (access) and pools.
    type RuntimeKey = ts.Symbol | 'default';
    type Made = 'handle' | 'memory' | 'accessor' | 'pool';
    interface Origin {
      readonly runtime: RuntimeKey;
      readonly what: Made;
      readonly at: string;
    }
    interface Known {
      readonly name: string;
      readonly maker: string;
      readonly at: string;
      /** Passed to setDefaultRuntime, or to untagged code while the program may make a runtime the default. */
      escapes: boolean;
    }
    const runtimes = new Map<ts.Symbol, Known>();
    const runtimeCalls: Array<{ readonly node: TSESTree.Node; readonly call: ts.CallExpression | ts.NewExpression; readonly runtime: RuntimeKey }> = [];
    /** Where a declaration is, as messages say it: `line 4`, or `other.ts line 4` in another file. */
    const atOf = (n: ts.Node): string => {
      const file = n.getSourceFile();
      const line = `line ${ts.getLineAndCharacterOfPosition(file, n.getStart(file)).line + 1}`;
      return file === ctx.sourceFile ? line : `${file.fileName.slice(file.fileName.lastIndexOf('/') + 1)} ${line}`;
    };
    const symbolOf = (e: ts.Expression): ts.Symbol | undefined => {
      const x = skipOuterExpressions(e);
      return ts.isIdentifier(x) ? symbolAt(checker, x) : undefined;
    };
    /** The symbol an import alias names (the exported `const` in its own file). */
    const resolved = (sym: ts.Symbol): ts.Symbol => (sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym);
    /** A `const x = <call>` declaration of `sym` outside the runtime: its call. */
    function constCall(sym: ts.Symbol): ts.CallExpression | ts.NewExpression | undefined {
      const decl = sym.valueDeclaration;
      if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name) || !(ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const)) return undefined;
      if (isRuntimeFile(decl.getSourceFile())) return undefined;
      const init = decl.initializer && skipOuterExpressions(decl.initializer);
      return init && (ts.isCallExpression(init) || ts.isNewExpression(init)) ? init : undefined;
    }
    /**
     * Whether a runtime other than the built-in default may have been made
     * the default: some file of the program names setDefaultRuntime outside a
     * re-export (a call, an import of it, a namespace member). Without one,
     * every createRuntime() runtime is provably not the default, wherever it
     * goes. Each file's answer is a fact of its syntax.
     */
    function mayBeDefault(): boolean {
      const memo = ctx!.analysis.cache<'any', boolean>('no-hidden-heap-pointers:sets-default');
      let any = memo.get('any');
      if (any === undefined) {
        any = program.getSourceFiles().some((f) => !isRuntimeFile(f) && namesSetDefault(f));
        memo.set('any', any);
      }
      return any;
    }
    /** The runtime `sym` (a runtime `const`, here or imported) is, registered on first sight. */
    function runtimeConst(sym: ts.Symbol): ts.Symbol | undefined {
      const target = resolved(sym);
      if (runtimes.has(target)) return target;
      const init = constCall(target);
      const id = init && calleeId(checker, init);
      if (!init || (id !== 'createRuntime' && id !== 'attachRuntime')) return undefined;
      const here = target.valueDeclaration!.getSourceFile() === ctx!.sourceFile;
      // A runtime of another file may have been passed anywhere there; only a program that never sets the default proves it apart.
      runtimes.set(target, { name: target.name, maker: id, at: atOf(init), escapes: !here && mayBeDefault() });
      return target;
    }
    /** The runtime a `const` of a runtime value (or `defaultRuntime()`) stands for. */
    /** Per depth and symbol: most calls are methods of a few accessors and pools. */
    const symbolRuntimes = new Map<number, Map<ts.Symbol, RuntimeKey | null>>();
    function runtimeOfSymbol(sym: ts.Symbol, depth: number): RuntimeKey | undefined {
      let memo = symbolRuntimes.get(depth);
      if (!memo) symbolRuntimes.set(depth, (memo = new Map<ts.Symbol, RuntimeKey | null>()));
      const known = memo.get(sym);
      if (known !== undefined) return known ?? undefined;
      let found: RuntimeKey | undefined = runtimeConst(sym);
      if (!found) {
        const init = constCall(resolved(sym));
        if (init && calleeId(checker, init) === 'defaultRuntime') found = 'default';
        else found = depth > 0 ? originOf(sym, depth - 1)?.runtime : undefined;
      }
      memo.set(sym, found ?? null);
      return found;
    }
    /**
     * The runtime's own class (by its methods' tags: the one with a `newHeapRef`
     * method in a runtime file), so a runtime parameter is never told by name.
     */
    function isRuntimeClass(type: ts.Type): boolean {
      const symbol = type.getSymbol();
      if (!symbol || !(symbol.flags & ts.SymbolFlags.Class)) return false;
      const memo = ctx!.analysis.cache<ts.Symbol, boolean>('no-hidden-heap-pointers:runtime-class');
      let is = memo.get(symbol);
      if (is === undefined) {
        is = false;
        if ((symbol.declarations ?? []).some((d) => isRuntimeFile(d.getSourceFile()))) {
          symbol.members?.forEach((member) => {
            if (offheapIdOf(checker, member) === 'newHeapRef') is = true;
          });
        }
        memo.set(symbol, is);
      }
      return is;
    }
    const originMemo = new Map<ts.Symbol, Origin | null>();
    /** What a `const` holds, when a tagged call of a known runtime made it (a few steps through pools and accessors). */
    function originOf(sym: ts.Symbol, depth = 3): Origin | undefined {
      const target = resolved(sym);
      const known = originMemo.get(target);
      if (known !== undefined) return known ?? undefined;
      originMemo.set(target, null);
      const init = constCall(target);
      const id = init && calleeId(checker, init);
      const what = id ? made[id] : undefined;
      const runtime = init && id && what ? runtimeOfCall(init, id, depth) : undefined;
      const origin = runtime && what ? { runtime, what, at: atOf(init!) } : undefined;
      originMemo.set(target, origin ?? null);
      return origin;
    }
    /** The runtime a tagged call works on, when provable. */
    function runtimeOfCall(call: ts.CallExpression | ts.NewExpression, id: string, depth = 3): RuntimeKey | undefined {
      if (ts.isNewExpression(call)) {
        if (id !== 'FixAlloc') return undefined;
        const options = call.arguments?.[1];
        if (!options) return 'default';
        if (!ts.isObjectLiteralExpression(options)) return undefined;
        const prop = options.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'runtime');
        if (!prop) return 'default';
        const value = ts.isPropertyAssignment(prop) ? prop.initializer : ts.isShorthandPropertyAssignment(prop) ? prop.name : undefined;
        const sym = value && symbolOf(value);
        return sym && runtimeConst(sym);
      }
      // Layouts, types and runtime makers touch no runtime.
      if (id === 'createRuntime' || id === 'attachRuntime' || id === 'defaultRuntime' || id === 'setDefaultRuntime' || effectOf(id)?.kind !== 'operation') return undefined;
      const decl = checker.getResolvedSignature(call)?.getDeclaration();
      // A module-level function of the runtime: the default runtime, unless a parameter takes the runtime
      // (`sharedPool(rt, …)`): then the runtime that argument is, when provable.
      if (decl && ts.isFunctionDeclaration(decl) && isRuntimeFile(decl.getSourceFile())) {
        const params = ctx!.analysis.cache<ts.FunctionDeclaration, number>('no-hidden-heap-pointers:runtime-parameter');
        let at = params.get(decl);
        if (at === undefined) params.set(decl, (at = decl.parameters.findIndex((param) => isRuntimeClass(checker.getTypeAtLocation(param)))));
        if (at < 0) return 'default';
        const arg = call.arguments?.[at];
        const sym = arg && symbolOf(arg);
        return sym && runtimeConst(sym);
      }
      if (!ts.isPropertyAccessExpression(call.expression)) return undefined;
      // A method: the runtime of its receiver (a runtime, a pool, or a field accessor `A.owner`).
      let receiver: ts.Expression = skipOuterExpressions(call.expression.expression);
      while (ts.isPropertyAccessExpression(receiver)) receiver = skipOuterExpressions(receiver.expression);
      const sym = ts.isIdentifier(receiver) ? symbolAt(checker, receiver) : undefined;
      return sym && runtimeOfSymbol(sym, depth);
    }
    const made: Record<string, Made> = {
      newHeapRef: 'handle',
      sysAlloc: 'memory',
      persistentalloc: 'memory',
      'FixAlloc.alloc': 'memory',
      access: 'accessor',
      FixAlloc: 'pool',
    };
    const runtimeName = (r: RuntimeKey) => (r === 'default' ? 'the default runtime' : `runtime \`${r.name}\``);
    const article: Record<Made, string> = { handle: 'a handle', memory: 'memory', accessor: 'an accessor', pool: 'a pool' };

    function trackRuntimeCall(node: TSESTree.CallExpression | TSESTree.NewExpression, call: ts.CallExpression | ts.NewExpression): void {
      const id = calleeId(checker, call);
      if (!id || id === 'setDefaultRuntime') {
        // Read at the end, and only in a file that uses a runtime: most calls are neither.
        if (call.arguments && call.arguments.length > 0) handedOn.push({ call, sets: id !== undefined });
        return;
      }
      if (id === 'createRuntime' || id === 'attachRuntime') {
        const declarator = call.parent;
        const target = ts.isVariableDeclaration(declarator) && ts.isIdentifier(declarator.name) ? symbolAt(checker, declarator.name) : undefined;
        if (target) runtimeConst(target);
        return;
      }
      const runtime = runtimeOfCall(call, id);
      if (runtime) runtimeCalls.push({ node, call, runtime });
    }

    /** Calls that may take a runtime somewhere (untagged code, setDefaultRuntime), read once the file's runtime calls are known. */
    const handedOn: Array<{ readonly call: ts.CallExpression | ts.NewExpression; readonly sets: boolean }> = [];

    function reportMixedRuntimes(): void {
      // A runtime given to setDefaultRuntime is the default from then on; one passed to untagged code may
      // reach setDefaultRuntime there, when the program calls it at all.
      for (const { call, sets } of handedOn) {
        if (!sets && !mayBeDefault()) continue;
        for (const a of call.arguments ?? []) {
          const sym = symbolOf(a);
          const rt = sym && runtimeConst(sym);
          if (rt) runtimes.get(rt)!.escapes = true;
        }
      }
      const known = (r: RuntimeKey) => r === 'default' || !runtimes.get(r)!.escapes;
      let mixedReported = false;
      for (const { node, call, runtime } of runtimeCalls) {
        if (!known(runtime)) continue;
        if (runtime === 'default' && !mixedReported) {
          // The first runtime of its own this file uses (made here, or imported) that is provably not the default.
          const own = runtimeCalls.find((c) => c.runtime !== 'default' && known(c.runtime))?.runtime as ts.Symbol | undefined;
          const local = [...runtimes.entries()].find(([sym, r]) => !r.escapes && sym.valueDeclaration?.getSourceFile() === ctx!.sourceFile)?.[0];
          const other = own ?? local;
          if (other) {
            mixedReported = true;
            const r = runtimes.get(other)!;
            context.report({ node, messageId: 'mixedRuntimes', data: { call: `${call.expression.getText()}(…)`, runtime: r.name, maker: r.maker, at: r.at } });
          }
        }
        for (const arg of call.arguments ?? []) {
          const sym = symbolOf(arg);
          const origin = sym && originOf(sym);
          if (!origin || origin.what === 'pool' || origin.runtime === runtime || !known(origin.runtime)) continue;
          context.report({
            node: services.tsNodeToESTreeNodeMap.get(arg),
            messageId: 'foreignRuntime',
            data: { expr: arg.getText(), what: article[origin.what], from: runtimeName(origin.runtime), at: origin.at, to: runtimeName(runtime) },
          });
        }
      }
    }

    return whereRuntimeMayBe(ctx, recorded({
      'Program:exit'() {
        recheckNarrowed();
        if (runtimeCalls.length > 0) reportMixedRuntimes();
      },
      AssignmentExpression(node) {
        if (node.operator === '=') {
          const left = tsOf(node.left) as ts.Expression;
          flow(node.right, () => checker.getTypeAtLocation(left), () => storeSink(left));
        } else if (!options.allowArithmetic && arithmetic.has(node.operator.slice(0, -1))) {
          const side = isHeapRef(node.right) ? node.right : isHeapRef(node.left) ? node.left : undefined;
          if (!side || (node.operator === '+=' && isString(node.left))) return; // `label += ref` formats it
          report(side, { kind: 'conversion', how: `operator \`${node.operator}\`` });
        }
      },
      VariableDeclarator(node) {
        if (!node.init || !node.id.typeAnnotation) return;
        const name = tsOf(node.id).getText();
        flow(node.init, () => checker.getTypeAtLocation(tsOf(node.id)), () => ({ kind: 'conversion', how: `stored in \`${name}\`` }));
      },
      PropertyDefinition(node) {
        if (!node.value) return;
        const tsNode = tsOf(node) as ts.PropertyDeclaration;
        // A static field is a property of the class object: never a record's slot.
        if (node.static) {
          flow(node.value, () => checker.getTypeAtLocation(tsNode), () => ({ kind: 'conversion', how: `stored in static field \`${tsNode.name.getText()}\`` }));
          return;
        }
        flow(node.value, () => checker.getTypeAtLocation(tsNode), () => {
          const classType = checker.getTypeAtLocation(tsNode.parent);
          const instance = classType.getSymbol() ? checker.getDeclaredTypeOfSymbol(classType.getSymbol()!) : undefined;
          return instance && isNotInHeap(checker, instance)
            ? { kind: 'numberField', field: tsNode.name.getText(), owner: nameOf(instance) }
            : { kind: 'conversion', how: `stored in field \`${tsNode.name.getText()}\`` };
        });
      },
      'CallExpression, NewExpression'(node: TSESTree.CallExpression | TSESTree.NewExpression) {
        const call = tsOf(node) as ts.CallExpression | ts.NewExpression;
        if (!rechecking) trackRuntimeCall(node, call);
        const args = node.arguments;
        // Only an argument that may be a HeapRef can be reported: most calls need no signature.
        if (args.every((a) => a.type === AST_NODE_TYPES.SpreadElement || neverHeapRef(a) || isPlainNumberName(a))) return;
        hiddenCounters.signaturesAsked++;
        const decl = checker.getResolvedSignature(call)?.getDeclaration();
        const owner = libOwner(decl);
        const method = decl && ts.isFunctionLike(decl) && decl.name ? decl.name.getText() : '';
        // `Number(ref)`, `BigInt(ref)`: numeric conversions whose parameter is `any`. `String(ref)` formats it for display.
        if (owner === 'StringConstructor') return;
        if (owner === 'NumberConstructor' || owner === 'BigIntConstructor') {
          if (isHeapRef(args[0])) report(args[0], { kind: 'conversion', how: `\`${owner.replace('Constructor', '')}(…)\`` });
          return;
        }
        const raw = owner !== undefined && rawWriters.has(owner);
        const fromRuntime = decl !== undefined && isRuntimeFile(decl.getSourceFile());
        for (const arg of args) {
          if (arg.type === AST_NODE_TYPES.SpreadElement) continue;
          const argTs = tsOf(arg) as ts.Expression;
          flow(arg, () => checker.getContextualType(argTs), () =>
            raw
              ? { kind: 'rawWrite', where: `\`${owner}.${method}\`` }
              : fromRuntime
                ? { kind: 'rawWrite', where: `a number slot of \`${call.expression.getText()}\`` }
                : { kind: 'conversion', how: `passed as a \`number\` to \`${call.expression.getText()}\`` },
          );
        }
      },
      // A spread copies each property: a handle property into a `number` one of the literal's type.
      'ObjectExpression > SpreadElement'(node: TSESTree.SpreadElement) {
        if (neverHeapRef(node.argument)) return;
        const from = typeOf(node.argument);
        const handles = checker.getPropertiesOfType(from).filter((prop) => mayBeHeapRef(checker, checker.getTypeOfSymbol(prop)));
        if (handles.length === 0) return;
        const owner = checker.getContextualType(tsOf(node.parent) as ts.ObjectLiteralExpression);
        const into = owner && handles.find((prop) => {
          const slot = owner.getProperty(prop.name);
          return slot !== undefined && storesPlainNumber(checker.getTypeOfSymbol(slot));
        });
        if (into) report(node.argument, { kind: 'conversion', how: `spread into \`${into.name}: number\`` });
      },
      // A default (`{ id = ref }`, `[first = ref]`, `(x: number = ref)`) is stored in the binding.
      AssignmentPattern(node) {
        if (node.left.type !== AST_NODE_TYPES.Identifier) return;
        const binding = tsOf(node.left);
        flow(node.right, () => checker.getTypeAtLocation(binding), () => ({ kind: 'conversion', how: `the default of \`${binding.getText()}\`` }));
      },
      YieldExpression(node) {
        if (!node.argument || node.delegate) return;
        const arg = tsOf(node.argument) as ts.Expression;
        flow(node.argument, () => checker.getContextualType(arg), () => ({ kind: 'conversion', how: 'yielded as a `number`' }));
      },
      ReturnStatement(node) {
        if (!node.argument) return;
        const arg = tsOf(node.argument) as ts.Expression;
        flow(node.argument, () => checker.getContextualType(arg), () => ({ kind: 'conversion', how: 'returned as a `number`' }));
      },
      'ArrowFunctionExpression > :expression.body'(node: TSESTree.Expression) {
        const body = tsOf(node) as ts.Expression;
        flow(node, () => checker.getContextualType(body), () => ({ kind: 'conversion', how: 'returned as a `number`' }));
      },
      Property(node) {
        if (node.parent.type !== AST_NODE_TYPES.ObjectExpression || node.value.type === AST_NODE_TYPES.AssignmentPattern) return;
        const value = tsOf(node.value) as ts.Expression;
        const literal = tsOf(node.parent) as ts.ObjectLiteralExpression;
        flow(node.value, () => checker.getContextualType(value), () => {
          const owner = checker.getContextualType(literal);
          return owner && isNotInHeap(checker, owner)
            ? { kind: 'numberField', field: (tsOf(node.key)).getText(), owner: nameOf(owner) }
            : { kind: 'conversion', how: `stored in property \`${(tsOf(node.key)).getText()}: number\`` };
        });
      },
      // `<Gauge value={ref} />` where the prop is a number; a handle rendered as a child is text, like `String(ref)`.
      'JSXAttribute > JSXExpressionContainer.value'(node: TSESTree.JSXExpressionContainer) {
        if (node.expression.type === AST_NODE_TYPES.JSXEmptyExpression) return;
        const attribute = node.parent as TSESTree.JSXAttribute;
        const value = tsOf(node.expression) as ts.Expression;
        flow(node.expression, () => checker.getContextualType(value), () => ({
          kind: 'conversion',
          how: `passed as the \`number\` prop \`${tsOf(attribute.name).getText()}\``,
        }));
      },
      'ArrayExpression > .elements'(node: TSESTree.Expression | TSESTree.SpreadElement) {
        if (node.type === AST_NODE_TYPES.SpreadElement) return;
        flow(node, () => checker.getContextualType(tsOf(node) as ts.Expression), () => ({ kind: 'conversion', how: 'stored in a `number[]`' }));
      },
      'TSAsExpression, TSTypeAssertion'(node: TSESTree.TSAsExpression | TSESTree.TSTypeAssertion) {
        const tsNode = tsOf(node) as ts.AsExpression | ts.TypeAssertion;
        const target = checker.getTypeFromTypeNode(tsNode.type);
        if (!storesPlainNumber(target)) return;
        const inner = skipOuterExpressions(tsNode.expression);
        if (!mayBeHeapRef(checker, checker.getTypeAtLocation(inner))) return;
        const innerEs = services.tsNodeToESTreeNodeMap.get(inner);
        report(innerEs ?? node, { kind: 'conversion', how: `cast to \`${tsNode.type.getText()}\`` });
      },
      UpdateExpression(node) {
        if (!options.allowArithmetic && isHeapRef(node.argument)) report(node.argument, { kind: 'conversion', how: `operator \`${node.operator}\`` });
      },
      UnaryExpression(node) {
        if ((node.operator === '+' || node.operator === '-' || node.operator === '~') && isHeapRef(node.argument)) {
          report(node.argument, { kind: 'conversion', how: `unary \`${node.operator}\`` });
        }
      },
      BinaryExpression(node) {
        if (options.allowArithmetic || !arithmetic.has(node.operator) || node.left.type === AST_NODE_TYPES.PrivateIdentifier) return;
        // `'k' + ref` formats the handle for display, like Go's `%p`: the string is not a pointer.
        if (node.operator === '+' && (isString(node.left) || isString(node.right))) return;
        // One conversion per operator: `a - b` of two handles is one report at `a` that names `b` too.
        const sides = [node.left, node.right].filter((side) => isHeapRef(side));
        if (sides.length === 0) return;
        const other = sides.length === 2 ? tsOf(sides[1]).getText() : undefined;
        const shown = other && (other.length > 40 ? `${other.slice(0, 37)}...` : other);
        report(sides[0], { kind: 'conversion', how: `operator \`${node.operator}\`${shown ? ` with the HeapRef \`${shown}\`` : ''}` });
      },
    }));
  },
});
