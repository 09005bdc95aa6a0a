// offheap/zero-before-root: Go's rule 2 for unmanaged memory (HACKING.md):
// if memory is reused, its pointer slots must be zero-initialized before they
// become visible as roots, or the collector reads stale words as live
// references. Checked on every path to the root-making site, plus the two
// pool set-ups that break it by construction: `zero: false` over a layout
// with HeapRef slots, and initialization done only in `first`.
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import ts from 'typescript';
import { offheapContext } from '../analysis/context.js';
import { mayNameRuntime } from '../analysis/flow/reach.js';
import { calleeId, resolveAlias } from '../analysis/declarations.js';
import { skipOuterExpressions, skipOuterEs as unwrap } from '../analysis/expressions.js';
import { effectOf } from '../analysis/effects.js';
import { cannotProveData, describeWitness, flowCannotProveMessage, flowFacts, listSome } from '../analysis/flow/index.js';
import { isMaybeGarbage } from '../analysis/memory-state.js';
import { isRuntimeFile } from '../analysis/not-in-heap.js';
import { heapRefSlotsOf, isReference, staticLayoutOf } from '../analysis/record-layout.js';
import { createRule } from '../util/create-rule.js';

export type MessageIds = 'notZeroed' | 'nonZeroingPool' | 'initInFirst' | 'firstCannotProve' | 'flowCannotProve' | 'useZeroingPool';

/** The suggestion that removes a literal `zero: false` from a pool's options (not when type arguments pin `Z`). */
function dropZeroFalse(node: TSESTree.NewExpression): TSESLint.SuggestionReportDescriptor<MessageIds>[] {
  const opts = node.arguments[1];
  if (node.typeArguments || opts?.type !== AST_NODE_TYPES.ObjectExpression) return [];
  const props = opts.properties;
  const i = props.findIndex(
    (p) => p.type === AST_NODE_TYPES.Property && !p.computed && p.key.type === AST_NODE_TYPES.Identifier && p.key.name === 'zero' && p.value.type === AST_NODE_TYPES.Literal && p.value.value === false,
  );
  if (i < 0) return [];
  const prop = props[i];
  // `{ zero: false }` alone: drop the argument; otherwise the property and its comma.
  const alone = props.length === 1 && node.arguments.length === 2;
  const range: [number, number] = alone
    ? [node.arguments[0].range[1], opts.range[1]]
    : i + 1 < props.length
      ? [prop.range[0], props[i + 1].range[0]]
      : i > 0
        ? [props[i - 1].range[1], prop.range[1]]
        : opts.range;
  const replacement = alone || i + 1 < props.length || i > 0 ? '' : '{}';
  return [{ messageId: 'useZeroingPool', fix: (fixer) => fixer.replaceTextRange(range, replacement) }];
}

export default createRule<[], MessageIds>({
  name: 'zero-before-root',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require memory with HeapRef slots to be zero-initialized on every path before it becomes visible as a root',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      flowCannotProve: flowCannotProveMessage,
      notZeroed:
        '`{{ptr}}` becomes visible as a root here (through {{how}}) but may still hold garbage ({{why}}): its HeapRef slots ({{slots}}) would be scanned with stale words in them, shading junk or keeping dead objects alive (Go: reused memory must be zero-initialized before it is visible as a root). Clear it with `memclrNoHeapPointers` on every path first.',
      nonZeroingPool:
        'This pool is `zero: {{zero}}` but `{{record}}` has HeapRef slots ({{slots}}): reused objects would keep the previous object\'s references and the stale free-list link in them (Go allows `zero = false` only for pointer-free types such as mspan). Drop `zero: false`.',
      initInFirst:
        '`first` initializes the object here, but `first` runs only when a fresh address is handed out: objects taken from the free list skip it and reach their users uninitialized (Go: fixalloc\'s first callback only records the object). Initialize after every `alloc()`.',
      firstCannotProve:
        'Cannot prove this pool\'s `first` hook only records the object: `{{name}}` {{why}}. `first` runs only for fresh addresses, so an initialization inside it would be skipped for reused objects. Pass a function with a body, or initialize after every `alloc()`.',
      useZeroingPool: 'Drop `zero: false`: the pool clears reused objects.',
    },
    languages: ['js/js'],
  },
  defaultOptions: [],
  create(context) {
    const ctx = offheapContext(context);
    // A file that names nothing of a module reaching the runtime has no memory, pool or root to judge.
    if (!ctx || isRuntimeFile(ctx.sourceFile) || !mayNameRuntime(ctx.analysis, ctx.sourceFile)) return {};
    const { checker, services } = ctx;
    const text = (n: TSESTree.Node): string => context.sourceCode.getText(n);
    const tsOf = (n: TSESTree.Node): ts.Node => ctx.analysis.tsOf(n);

    /** The HeapRef slots of a pool's objects, from its type argument or its layout argument. */
    const poolSlots = (node: TSESTree.NewExpression): { record: string; slots: readonly string[] } | undefined => {
      const t = checker.getTypeAtLocation(tsOf(node));
      const args = isReference(t) ? checker.getTypeArguments(t) : [];
      if (args[0] && !(args[0].flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) {
        const slots = heapRefSlotsOf(checker, args[0]);
        const layout = node.arguments[0] && staticLayoutOf(checker, tsOf(node.arguments[0]) as ts.Expression);
        return { record: layout?.name ?? checker.typeToString(args[0]), slots };
      }
      const layout = node.arguments[0] && staticLayoutOf(checker, tsOf(node.arguments[0]) as ts.Expression);
      return layout && { record: layout.name, slots: layout.slots.map((s) => s.path) };
    };

    /** The `zero` option of a pool: its type argument `Z`, when it may be false. */
    const mayNotZero = (node: TSESTree.NewExpression): string | undefined => {
      const t = checker.getTypeAtLocation(tsOf(node));
      const z = isReference(t) ? checker.getTypeArguments(t)[1] : undefined;
      if (!z) return undefined;
      const members = z.isUnion() ? z.types : [z];
      const canBeFalse = members.some((m) => m.flags & ts.TypeFlags.BooleanLiteral && checker.typeToString(m) === 'false');
      if (!canBeFalse) return undefined;
      return members.length > 1 ? 'boolean' : 'false';
    };

    /**
     * The functions a `first` value may be: an arrow, a function expression, a method, a function or overload set of
     * this or another file, a `const`/`let`/class field/property holding one, `f.bind(…)`, either arm of `?:`.
     * `unknown` names what cannot be seen (a declaration without a body, a parameter, a computed value).
     */
    type Hook = { fn: ts.SignatureDeclaration } | { unknown: string; why: string };
    const hooksOf = (value: ts.Expression): Hook[] => {
      const out: Hook[] = [];
      const seen = new Set<ts.Node>();
      const stack: ts.Expression[] = [value];
      while (stack.length > 0) {
        const e = skipOuterExpressions(stack.pop()!);
        if (seen.has(e)) continue;
        seen.add(e);
        if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) out.push({ fn: e });
        else if (ts.isConditionalExpression(e)) stack.push(e.whenTrue, e.whenFalse);
        else if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'bind') stack.push(e.expression.expression);
        else if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
          const at = ts.isPropertyAccessExpression(e) ? e.name : e;
          const sym0 = ts.isShorthandPropertyAssignment(e.parent) && e.parent.name === e ? checker.getShorthandAssignmentValueSymbol(e.parent) : checker.getSymbolAtLocation(at);
          const sym = sym0 && resolveAlias(checker, sym0);
          const decls = sym?.declarations ?? [];
          const body = decls.find((d) => (ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d)) && d.body) as ts.SignatureDeclaration | undefined;
          const decl = sym?.valueDeclaration;
          const init = decl && (ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl) || ts.isPropertyAssignment(decl)) ? decl.initializer : undefined;
          if (body) out.push({ fn: body });
          else if (decl && (ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl) || ts.isMethodSignature(decl))) out.push({ unknown: e.getText(), why: 'has no body to analyse (a declaration only)' });
          else if (decl && ts.isShorthandPropertyAssignment(decl)) {
            const v = checker.getShorthandAssignmentValueSymbol(decl)?.valueDeclaration;
            if (v && ts.isVariableDeclaration(v) && v.initializer) stack.push(v.initializer);
            else out.push({ unknown: e.getText(), why: 'is a value the analysis cannot follow' });
          } else if (init) {
            stack.push(init);
            // A `let` holds whatever is assigned to it later too: each `x = f` is a hook; a loop head's write cannot be followed.
            const holder = init.parent;
            if (ts.isVariableDeclaration(holder) && !(ts.getCombinedNodeFlags(holder) & ts.NodeFlags.Const)) {
              const scope = ts.findAncestor(holder.parent, (n) => ts.isFunctionLike(n) || ts.isSourceFile(n)) ?? holder.getSourceFile();
              const walk: ts.Node[] = [scope];
              while (walk.length > 0) {
                const n = walk.pop()!;
                if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(skipOuterExpressions(n.left)) && checker.getSymbolAtLocation(skipOuterExpressions(n.left)) === sym0) {
                  stack.push(n.right);
                } else if (ts.isIdentifier(n) && (ts.isForOfStatement(n.parent) || ts.isForInStatement(n.parent)) && n.parent.initializer === n && checker.getSymbolAtLocation(n) === sym0) {
                  out.push({ unknown: e.getText(), why: 'is a `let` written by a loop head' });
                }
                ts.forEachChild(n, (c) => void walk.push(c));
              }
            }
          }
          else if (decl && ts.isParameter(decl)) out.push({ unknown: e.getText(), why: 'is a parameter: the function passed in is not visible here' });
          else out.push({ unknown: e.getText(), why: 'is a value the analysis cannot follow' });
        } else out.push({ unknown: e.getText(), why: 'is computed at run time' });
      }
      return out;
    };

    /** The `first` values of a pool's options: an object literal, through a `const`, `as const`, `satisfies` and spreads. */
    const firstValues = (opts: ts.Expression): { values: ts.Expression[]; opaque?: ts.Expression } => {
      const values: ts.Expression[] = [];
      const stack: ts.Expression[] = [opts];
      const seen = new Set<ts.Node>();
      let opaque: ts.Expression | undefined;
      while (stack.length > 0) {
        const e = skipOuterExpressions(stack.pop()!);
        if (seen.has(e)) continue;
        seen.add(e);
        if (ts.isObjectLiteralExpression(e)) {
          for (const prop of e.properties) {
            if (ts.isSpreadAssignment(prop)) stack.push(prop.expression);
            else if (!prop.name || !ts.isIdentifier(prop.name) || prop.name.text !== 'first') continue;
            else if (ts.isPropertyAssignment(prop)) values.push(prop.initializer);
            else if (ts.isShorthandPropertyAssignment(prop)) values.push(prop.name);
            else if (ts.isMethodDeclaration(prop)) values.push(prop as unknown as ts.Expression);
          }
          continue;
        }
        const decl = ts.isIdentifier(e) ? checker.getSymbolAtLocation(e)?.valueDeclaration : undefined;
        if (decl && ts.isVariableDeclaration(decl) && decl.initializer) stack.push(decl.initializer);
        else if (checker.getTypeAtLocation(e).getProperty('first')) opaque ??= e;
      }
      return { values, opaque };
    };

    /** Whether the address argument is the hook's object: `p`, `p as number`, `p + off`. */
    const isObjectOf = (arg: ts.Expression | undefined, param: ts.Symbol): boolean => {
      let a = arg && skipOuterExpressions(arg);
      while (a && ts.isBinaryExpression(a) && a.operatorToken.kind === ts.SyntaxKind.PlusToken) a = skipOuterExpressions(a.left);
      return !!a && ts.isIdentifier(a) && checker.getSymbolAtLocation(a) === param;
    };

    /**
     * Calls in `first` (and in the functions of any file it hands its object to, callees first on an explicit stack)
     * that write into the object it is given.
     */
    const initStores = (hook: ts.SignatureDeclaration): { found: ts.Node[]; gaveUp: boolean } => {
      const found: ts.Node[] = [];
      const done = new Set<string>();
      const work: [ts.SignatureDeclaration, number][] = [[hook, 0]];
      while (work.length > 0 && done.size < 256) {
        const [fn, index] = work.pop()!;
        const key = `${fn.pos}:${fn.getSourceFile().fileName}:${index}`;
        if (done.has(key)) continue;
        done.add(key);
        const pi = fn.parameters[index];
        const param = pi && ts.isIdentifier(pi.name) ? checker.getSymbolAtLocation(pi.name) : undefined;
        if (!param) continue;
        const visit = (n: ts.Node): void => {
          if (ts.isCallExpression(n)) {
            const eff = effectOf(calleeId(checker, n));
            const at = eff?.accesses?.write ? n.arguments[eff.accesses.ptrArg] : undefined;
            if (at && isObjectOf(at, param)) found.push(n);
            else if (!eff && n.arguments.length >= 2 && isObjectOf(n.arguments[0], param)) {
              // An untagged runtime write (a method of the runtime returning void).
              const sig = checker.getResolvedSignature(n);
              const decl = sig?.declaration;
              if (decl && !ts.isJSDocSignature(decl) && isRuntimeFile(decl.getSourceFile()) && checker.getReturnTypeOfSignature(sig).flags & ts.TypeFlags.Void) found.push(n);
            }
            if (!eff) {
              // The object handed to a function with a body: its writes are the hook's.
              const i = n.arguments.findIndex((a) => isObjectOf(a, param) && ts.isIdentifier(skipOuterExpressions(a)));
              const decl = i >= 0 ? checker.getResolvedSignature(n)?.declaration : undefined;
              if (decl && !ts.isJSDocSignature(decl) && (decl as { body?: ts.Node }).body && !decl.getSourceFile().isDeclarationFile && !isRuntimeFile(decl.getSourceFile())) work.push([decl, i]);
            }
          }
          if (!ts.isFunctionLike(n) || n === fn) ts.forEachChild(n, visit);
        };
        visit(fn);
      }
      return { found, gaveUp: work.length > 0 };
    };

    return {
      ...flowFacts(context, ctx, (facts, reportsCannotProve) => {
        for (const f of facts) {
          if (f.kind === 'cannotProve') {
            if (reportsCannotProve) context.report({ node: f.node, loc: f.node.loc.start, messageId: 'flowCannotProve', data: cannotProveData(f) });
            continue;
          }
          if (f.kind !== 'root' || !isMaybeGarbage(f.state)) continue;
          // Pointer-free memory may be published as is; unknown layouts cannot be proven wrong.
          if (!f.slots || f.slots.length === 0) continue;
          context.report({
            node: f.node,
            messageId: 'notZeroed',
            data: { ptr: text(unwrap(f.ptr)), how: f.how, why: describeWitness(f.state.memWhy, text), slots: listSome(f.slots) },
          });
        }
      }),
      NewExpression(node) {
        if (calleeId(checker, tsOf(node) as ts.NewExpression) !== 'FixAlloc') return;
        const zero = mayNotZero(node);
        const info = zero ? poolSlots(node) : undefined;
        if (zero && info && info.slots.length > 0) {
          context.report({ node, messageId: 'nonZeroingPool', data: { zero, record: info.record, slots: listSome(info.slots) }, suggest: dropZeroFalse(node) });
        }
        const opts = node.arguments[1];
        if (!opts || opts.type === AST_NODE_TYPES.SpreadElement) return;
        const { values, opaque } = firstValues(tsOf(opts) as ts.Expression);
        const at = (n: ts.Node): TSESTree.Node => (n.getSourceFile() === ctx.sourceFile ? services.tsNodeToESTreeNodeMap.get(n) : undefined) ?? node;
        if (opaque) context.report({ node: at(opaque), messageId: 'firstCannotProve', data: { name: opaque.getText(), why: 'is options the analysis cannot read' } });
        for (const value of values) {
          const hooks = ts.isMethodDeclaration(value) ? [{ fn: value as ts.SignatureDeclaration }] : hooksOf(value);
          for (const h of hooks) {
            if ('unknown' in h) {
              context.report({ node: at(value), messageId: 'firstCannotProve', data: { name: h.unknown, why: h.why } });
              continue;
            }
            // A store in another file (or in a function the object is handed to) is reported at the `first` value that brings it in.
            const { found, gaveUp } = initStores(h.fn);
            for (const store of found) context.report({ node: store.getSourceFile() === ctx.sourceFile ? at(store) : at(value), messageId: 'initInFirst' });
            if (gaveUp) context.report({ node: at(value), messageId: 'firstCannotProve', data: { name: value.getText(), why: 'hands its object to more functions than the analysis follows (256)' } });
          }
        }
      },
    };
  },
});
