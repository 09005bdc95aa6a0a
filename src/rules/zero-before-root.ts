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
        'Cannot prove this pool\'s `first` hook only records the object: `{{name}}` has no body to analyse (a declaration only). `first` runs only for fresh addresses, so an initialization inside it would be skipped for reused objects. Pass a function with a body, or initialize after every `alloc()`.',
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
     * The function a `first` option names: an arrow, a function expression, a
     * method shorthand, or a function or const of this or another file.
     * `bodyless` when it resolves to a declaration without a body.
     */
    const functionOf = (value: TSESTree.Node): { fn: ts.SignatureDeclaration } | { bodyless: string } | undefined => {
      let n: ts.Node | undefined = tsOf(value);
      if (ts.isExpression(n)) n = skipOuterExpressions(n);
      if (ts.isIdentifier(n) || ts.isPropertyAccessExpression(n)) {
        const sym = checker.getSymbolAtLocation(n);
        const decl = sym && resolveAlias(checker, sym).valueDeclaration;
        const name = n.getText();
        n = decl && ts.isVariableDeclaration(decl) ? decl.initializer : decl;
        if (n && ts.isExpression(n)) n = skipOuterExpressions(n);
        if (n && (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) && !n.body) return { bodyless: name };
      }
      if (!n) return undefined;
      if (ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n)) return n.body ? { fn: n } : undefined;
      return undefined;
    };

    /** Calls in `first` that write into the object it is given. */
    const initStores = (fn: ts.SignatureDeclaration): ts.Node[] => {
      const p0 = fn.parameters[0];
      const param = p0 && ts.isIdentifier(p0.name) ? checker.getSymbolAtLocation(p0.name) : undefined;
      if (!param) return [];
      const found: ts.Node[] = [];
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n) && n.arguments.length >= 2) {
          const a0 = n.arguments[0];
          const target = ts.isIdentifier(a0) ? checker.getSymbolAtLocation(a0) : undefined;
          if (target === param) {
            const id = calleeId(checker, n);
            const sig = checker.getResolvedSignature(n);
            const decl = sig?.declaration;
            const runtimeWrite =
              decl && !ts.isJSDocSignature(decl) && isRuntimeFile(decl.getSourceFile()) && checker.getReturnTypeOfSignature(sig).flags & ts.TypeFlags.Void;
            if (effectOf(id)?.storesHeapRef || runtimeWrite) found.push(n);
          }
        }
        if (!ts.isFunctionLike(n) || n === fn) ts.forEachChild(n, visit);
      };
      visit(fn);
      return found;
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
        if (opts?.type !== AST_NODE_TYPES.ObjectExpression) return;
        for (const prop of opts.properties) {
          if (prop.type !== AST_NODE_TYPES.Property || prop.key.type !== AST_NODE_TYPES.Identifier || prop.key.name !== 'first') continue;
          const found = functionOf(prop.value);
          if (found && 'bodyless' in found) context.report({ node: prop.value, messageId: 'firstCannotProve', data: { name: found.bodyless } });
          else if (found) {
            for (const store of initStores(found.fn)) {
              // A store in another file is reported at the `first` option that brings it in.
              const here = store.getSourceFile() === ctx.sourceFile ? (services.tsNodeToESTreeNodeMap.get(store) as TSESTree.Node | undefined) : undefined;
              context.report({ node: here ?? prop.value, messageId: 'initInFirst' });
            }
          }
        }
      },
    };
  },
});
