// offheap/zeroing-variant: the clear must match the memory's state (Go,
// HACKING.md "zero-initialization versus zeroing"). Memory that may still hold
// old bytes is zero-initialized with memclrNoHeapPointers: a barriered clear
// would shade the junk as references. Type-safe memory whose layout has
// HeapRef slots is zeroed with typedmemclr or memclrHasPointers: the plain
// clear drops live references without the deletion barrier.
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import { offheapContext } from '../analysis/context.js';
import { mayNameRuntime } from '../analysis/flow/reach.js';
import ts from 'typescript';
import { sizeOfLayout, skipOuterEs as unwrap } from '../analysis/expressions.js';
import { cannotProveData, describeWitness, flowCannotProveMessage, flowFacts, listSome, type FlowFact } from '../analysis/flow/index.js';
import { importedNameOf } from '../analysis/imports.js';
import { isMaybeGarbage, isMaybeTypeSafe } from '../analysis/memory-state.js';
import { isRuntimeFile } from '../analysis/not-in-heap.js';
import { createRule } from '../util/create-rule.js';

export type MessageIds = 'barrierOnGarbage' | 'storeOnGarbage' | 'missedBarrier' | 'flowCannotProve' | 'useNoHeapPointers' | 'useTypedmemclr' | 'useHasPointers';

type ClearFact = Extract<FlowFact, { kind: 'clear' }>;

export default createRule<[], MessageIds>({
  name: 'zeroing-variant',
  meta: {
    type: 'problem',
    docs: {
      description: 'Require the clear that matches the memory: `memclrNoHeapPointers` for possible garbage, a barriered clear for type-safe memory with HeapRef slots',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [],
    messages: {
      flowCannotProve: flowCannotProveMessage,
      barrierOnGarbage:
        '`{{ptr}}` may still hold garbage here ({{why}}), and `{{api}}` runs a deletion barrier over its old bytes: while the collector marks, it shades junk words as if they were live references (Go: "found bad pointer in Go heap", or a dead object kept alive). Zero-initialize memory that is not yet type-safe with `memclrNoHeapPointers`.',
      storeOnGarbage:
        '`{{ptr}}` may still hold garbage here ({{why}}), and this barriered HeapRef store shades the old word of the slot as if it were a live reference (Go: a pointer write as the first write to junk memory). Zero-initialize it with `memclrNoHeapPointers` first.',
      missedBarrier:
        '`{{ptr}}` is type-safe memory ({{why}}) whose layout has HeapRef slots ({{slots}}): {{how}} drops them without the deletion barrier, so a reference the collector has not seen yet vanishes and its object can be freed while still in use (Go: zero type-safe memory with typedmemclr or memclrHasPointers). Use `typedmemclr`.',
      useNoHeapPointers: 'Zero-initialize with `{{replacement}}`.',
      useTypedmemclr: 'Zero with the barriered `{{replacement}}`.',
      useHasPointers: 'Zero with the barriered `{{replacement}}`.',
    },
    languages: ['js/js'],
  },
  defaultOptions: [],
  create(context) {
    const ctx = offheapContext(context);
    // A file that names nothing of a module reaching the runtime has no memory, pool or root to judge.
    if (!ctx || isRuntimeFile(ctx.sourceFile) || !mayNameRuntime(ctx.analysis, ctx.sourceFile)) return {};
    const { checker, sourceFile } = ctx;
    const src = context.sourceCode;
    const text = (n: TSESTree.Node): string => src.getText(n);

    /**
     * The callee spelled like the call spells it, on the same runtime: `rt.x`, `rt?.x` (also for `rt['y']`), `rt.x`
     * for a method destructured from `rt` (`const { typedmemclr: clear } = rt`), or the file's import of `x`. Any
     * other bare name (an alias, a parameter) may be another runtime's method: the module-level function would clear
     * in the default runtime, so no rewrite.
     */
    const calleeFor = (call: TSESTree.CallExpression, id: string): string | undefined => {
      const callee = call.callee;
      if (callee.type === AST_NODE_TYPES.MemberExpression) {
        const named = !callee.computed || (callee.property.type === AST_NODE_TYPES.Literal && typeof callee.property.value === 'string');
        return named ? `${text(callee.object)}${callee.optional ? '?.' : '.'}${id}` : undefined;
      }
      const symbol = callee.type === AST_NODE_TYPES.Identifier ? checker.getSymbolAtLocation(ctx.analysis.tsOf(callee)) : undefined;
      const decl = symbol?.valueDeclaration;
      if (decl && ts.isBindingElement(decl) && ts.isObjectBindingPattern(decl.parent) && ts.isVariableDeclaration(decl.parent.parent)) {
        const from = decl.parent.parent.initializer;
        return from && !decl.dotDotDotToken && !ts.isObjectBindingPattern(decl.name) ? `${from.getText()}.${id}` : undefined;
      }
      if (!symbol || !(symbol.flags & ts.SymbolFlags.Alias)) return undefined;
      return importedNameOf(checker, sourceFile, id);
    };

    const suggestFor = (f: ClearFact & { call: TSESTree.CallExpression }, garbage: boolean): TSESLint.SuggestionReportDescriptor<MessageIds>[] => {
      const args = f.call.arguments.map(text);
      const out: TSESLint.SuggestionReportDescriptor<MessageIds>[] = [];
      const add = (messageId: MessageIds, id: string, argList: string[] | undefined): void => {
        const callee = calleeFor(f.call, id);
        if (!callee || !argList) return;
        const replacement = `${callee}(${argList.join(', ')})`;
        out.push({ messageId, data: { replacement }, fix: (fixer) => fixer.replaceText(f.call, replacement) });
      };
      if (garbage) {
        // typedmemclr(L, p) → memclrNoHeapPointers(p, L.size); memclrHasPointers(p, n) → memclrNoHeapPointers(p, n).
        add('useNoHeapPointers', 'memclrNoHeapPointers', f.api === 'typedmemclr' ? (args.length === 2 ? [args[1], `${args[0]}.size`] : undefined) : args);
      } else {
        // memclrNoHeapPointers(p, L.size) → typedmemclr(L, p); otherwise the untyped memclrHasPointers(p, n).
        const n = f.call.arguments[1];
        const bySize = n && sizeOfLayout(ctx.analysis.tsOf<ts.Expression>(n));
        // Only a clear of exactly one `L` becomes typedmemclr(L, p).
        const layout = bySize && !bySize.count ? bySize.layout.getText() : undefined;
        if (layout) add('useTypedmemclr', 'typedmemclr', [layout, args[0]]);
        add('useHasPointers', 'memclrHasPointers', args);
      }
      return out;
    };

    return flowFacts(context, ctx, (facts, reportsCannotProve) => {
      for (const f of facts) {
        if (f.kind === 'cannotProve') {
          if (reportsCannotProve) context.report({ node: f.node, loc: f.node.loc.start, messageId: 'flowCannotProve', data: cannotProveData(f) });
          continue;
        }
        if (f.kind === 'store' && f.barrier && isMaybeGarbage(f.state)) {
          context.report({ node: f.call, messageId: 'storeOnGarbage', data: { ptr: text(unwrap(f.ptr)), why: describeWitness(f.state.memWhy, text) } });
          continue;
        }
        if (f.kind !== 'clear') continue;
        const call = f.call.type === AST_NODE_TYPES.CallExpression ? f.call : undefined;
        const asCall = call && { ...f, call };
        const ptr = text(unwrap(f.ptr));
        if (f.api !== 'memclrNoHeapPointers') {
          const garbage = isMaybeGarbage(f.state) || f.typeGarbage;
          if (!garbage) continue;
          // typedmemclr barriers only the layout's HeapRef slots: none, no harm. memclrHasPointers barriers every word.
          // A generic wrapper's clear is wrong for every `T` with slots, so for the records it is used with.
          if (f.api === 'typedmemclr' && f.slots?.length === 0 && !f.generic) continue;
          const why = isMaybeGarbage(f.state) ? describeWitness(f.state.memWhy, text) : 'its type says it may be garbage';
          context.report({ node: f.call, messageId: 'barrierOnGarbage', data: { ptr, api: f.api, why }, suggest: asCall ? suggestFor(asCall, true) : [] });
          continue;
        }
        // The plain clear: wrong only on type-safe memory that has HeapRef slots.
        if (!isMaybeTypeSafe(f.state) || ((!f.slots || f.slots.length === 0) && !f.generic)) continue;
        // A partial clear that covers no HeapRef slot drops no reference.
        if (f.partial && f.partial.cleared.length === 0) continue;
        const safe = f.state.safeWhy ? describeWitness(f.state.safeWhy, text) : 'a parameter, a loaded pointer or memory after a HeapRef store';
        const why = f.alias ? `an alias of \`${f.alias}\`; ${safe}` : safe;
        context.report({
          node: f.call,
          messageId: 'missedBarrier',
          data: {
            ptr,
            why,
            slots: f.slots && f.slots.length > 0 ? listSome(f.partial?.cleared ?? f.slots) : `whichever \`${f.generic}\` has: the wrapper is generic`,
            how: f.raw ? `the raw write \`${f.raw}\`` : '`memclrNoHeapPointers`',
          },
          // A raw view write has no barriered spelling of its own: the rewrite is the user's.
          suggest: f.raw || !asCall ? [] : suggestFor(asCall, false),
        });
      }
    });
  },
});
