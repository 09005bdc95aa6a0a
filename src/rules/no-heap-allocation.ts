// offheap/no-heap-allocation: not-in-heap values are never created on the JS
// heap. Go's compiler rejects `new`, `make`, `append`, conversions from
// ordinary pointers and type arguments of not-in-heap types ("can't be
// allocated in Go; it is incomplete (or unallocatable)"); this is the same
// discipline for `new`, object and array literals, casts, JS containers and
// generics. Only the allocators produce not-in-heap memory.
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import { insideAllocator } from '../analysis/allocators.js';
import { offheapContext, whereRuntimeMayBe } from '../analysis/context.js';
import { symbolAt } from '../analysis/program-analysis.js';
import { seesRuntimeStructure, usesRuntime } from '../analysis/offheap-files.js';
import { importedNameOf } from '../analysis/imports.js';
import { parentSkippingParentheses, skipOuterExpressions, skipParentheses } from '../analysis/expressions.js';
import { declarationScanBudget, parameterUse, signatureTypeParameter, typeParameterSymbol } from '../analysis/generic-use.js';
import { sharedPoolHeapRefs } from '../analysis/shared-pools.js';
import { anonymousName, describeTypeReason, fileTypeNames, isAnonymousObject, isRuntimeFile, mayHoldRuntime, notInHeapReason, typeName } from '../analysis/not-in-heap.js';
import { jsDocLoc, jsDocTypes } from '../analysis/jsdoc-types.js';
import { typeArgumentsOfSignature } from '../analysis/ts-compat.js';
import { createRule } from '../util/create-rule.js';

export type Options = [{ allocators?: string[] }];

/** Work counters for tests that prove growth (never timing). */
export const allocationCounters = {
  literalTypeQueries: 0,
  literalsTyped: 0,
  allocatorChecks: 0,
  /** Calls whose resolved declaration's symbol was asked for: only a `construct`/`create` member or a generic call. */
  declarationSymbols: 0,
};
export type MessageIds = 'allocation' | 'literal' | 'cast' | 'container' | 'typeArgument' | 'sharedPoolHeapRef' | 'sharedPoolUnproven' | 'usePtr';

function isFresh(e: ts.Expression): boolean {
  return ts.isObjectLiteralExpression(e) || ts.isArrayLiteralExpression(e) || ts.isNewExpression(e) || ts.isClassExpression(e);
}

export default createRule<Options, MessageIds>({
  name: 'no-heap-allocation',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow creating not-in-heap values on the JS heap',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [
      {
        type: 'object',
        properties: {
          allocators: {
            type: 'array',
            items: { type: 'string' },
            uniqueItems: true,
            description:
              'Names of your own functions that are allocators: code inside them may create not-in-heap values. The JSDoc tag `@allocator` on a function does the same.',
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ allocators: [] }],
    messages: {
      allocation:
        '{{how}} allocates `{{type}}` on the JS heap, but {{why}}. Only the allocators (sysAlloc, persistentalloc, FixAlloc) create not-in-heap values; refer to one through `Ptr<{{type}}>` (Go: "can\'t be allocated in Go").',
      literal:
        'This literal creates a `{{type}}` on the JS heap, but {{why}}. Allocate it with sysAlloc, persistentalloc or a FixAlloc pool and write its fields through the layout (Go: not-in-heap values can\'t be allocated).',
      cast:
        'Casting `{{from}}` to `{{type}}` does not move it off the JS heap, and {{why}}. Only memory from an allocator may be viewed as a not-in-heap type (Go: cannot convert *U to *T, T is incomplete (or unallocatable)).',
      container:
        '`{{container}}` holds `{{type}}` by value on the JS heap, but {{why}}. Hold `{{ptr}}` instead (Go: make and append of a not-in-heap element type are rejected).',
      typeArgument:
        '`{{type}}` is a type argument of `{{generic}}` by value, but {{why}}. Use `{{ptr}}` (Go: cannot use incomplete (or unallocatable) type as a type argument).',
      sharedPoolHeapRef:
        "`{{record}}` has HeapRef slots ({{slots}}), but this pool is shared: every thread that opens it allocates, writes and frees its records, while a HeapRef names a JS object that only one thread's heap and collector can see (a second thread opening it fails with ERR_SHARED_HEAPREF). Share a pointer-free layout, or keep these records in a pool of this thread's runtime (`new FixAlloc({{record}}, { runtime })`).",
      sharedPoolUnproven:
        "Cannot prove that `{{record}}` has no HeapRef slots: this shared pool's layout is a type parameter, and an instantiation with HeapRef slots would fail only at run time, when a second thread opens the pool (ERR_SHARED_HEAPREF). Open the shared pool where the layout is concrete, or keep this generic to pools of one runtime (`new FixAlloc(L, { runtime })`).",
      usePtr: 'Use `{{replacement}}` instead.',
    },
    languages: ['js/js'],
  },
  defaultOptions: [{ allocators: [] }],
  create(context, [options]) {
    const ctx = offheapContext(context);
    if (!ctx || isRuntimeFile(ctx.sourceFile)) return {};
    // A file that sees no runtime binding but numbers (`Ptr`, `HeapRef`), directly or through modules it names,
    // holds no not-in-heap type and calls no runtime API: every mark, layout and pool comes from such a binding.
    if (!seesRuntimeStructure(ctx.analysis, ctx.sourceFile)) return {};
    // Nor does a file that uses no runtime binding, directly or through the files whose bindings it uses.
    if (!usesRuntime(ctx.analysis, ctx.sourceFile)) return {};
    const { checker, sourceFile, program, services } = ctx;
    /** Types as messages name them: by the names this file knows them by. */
    // Asked only when a message is worded: the names walk the file's imports and aliases through the checker, which
    // cost about 200 ms of cold one-time work per program on the L2 corpus when it ran for every file (0cbb30c).
    let names: ReadonlyMap<ts.Type, string> | undefined;
    const fileNames = (): ReadonlyMap<ts.Type, string> => (names ??= fileTypeNames(checker, sourceFile));
    const nameOf = (t: ts.Type): string => typeName(checker, t, fileNames());
    /**
     * A message spells the not-in-heap type it is about once: where that type is an anonymous object type,
     * the rest of the message (the container, the `Ptr` to use, the field path) calls it `{…}`.
     */
    const namesAfter = (held: ts.Type): ReadonlyMap<ts.Type, string> =>
      isAnonymousObject(checker, held, fileNames()) ? new Map([...fileNames(), [held, anonymousName]]) : fileNames();
    const ptrTo = (held: ts.Type): string => `Ptr<${typeName(checker, held, namesAfter(held))}>`;
    const allocators = new Set(options.allocators ?? []);
    const tsOf = (node: TSESTree.Node): ts.Node => ctx.analysis.tsOf(node);

    /** A generic or library declaration of the runtime (Ptr, FixAlloc, FixedArray, …): exempt. */
    const fromRuntime = (symbol: ts.Symbol | undefined): boolean =>
      (symbol?.declarations ?? []).some((d) => isRuntimeFile(d.getSourceFile()));

    const why = (type: ts.Type) => {
      const reason = notInHeapReason(checker, type);
      return reason ? describeTypeReason(checker, type, reason, fileNames()) : undefined;
    };

    /** The not-in-heap member of a union (`Span | undefined` holds a `Span`), or the type itself. */
    const nihMember = (type: ts.Type): ts.Type =>
      type.isUnion() ? (type.types.find((t) => notInHeapReason(checker, t) !== undefined) ?? type) : type;

    /** Reports a JS container (or generic instance) that holds a not-in-heap value by value, outside an allocator. */
    function reportContainer(node: TSESTree.Node, type: ts.Type, at: ts.Node): void {
      const found = heldByValue(type);
      if (found && !exempt(at)) {
        context.report({
          node,
          messageId: 'container',
          data: {
            container: typeName(checker, type, namesAfter(found.held)),
            type: nameOf(found.held),
            ptr: ptrTo(found.held),
            why: why(found.held)! + (found.unproven ? unprovenUse : ''),
          },
        });
      }
    }

    /**
     * The first not-in-heap type argument of a generic instance that the
     * generic keeps by value (not only under `Ptr`, `FixAlloc`, `Layout`, …),
     * unless the instance embeds it and is itself not-in-heap.
     */
    function heldByValue(type: ts.Type): { held: ts.Type; unproven: boolean } | undefined {
      if (!(type.flags & ts.TypeFlags.Object) || !((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference)) return undefined;
      const ref = type as ts.TypeReference;
      if (fromRuntime(ref.target.getSymbol())) return undefined;
      // An instance that holds the argument as by-value storage is itself not-in-heap and checked as such.
      if (!checker.isArrayType(type) && !checker.isTupleType(type) && notInHeapReason(checker, type)) return undefined;
      const params = (ref.target as ts.InterfaceType).typeParameters ?? [];
      const args = checker.getTypeArguments(ref);
      for (let i = 0; i < args.length; i++) {
        if (!notInHeapReason(checker, args[i])) continue;
        // Tuples have no declared parameters: their elements are held.
        const use = params[i] ? parameterUse(checker, params[i].symbol) : undefined;
        if (use && !use.byValue) continue;
        return { held: nihMember(args[i]), unproven: use?.unproven ?? false };
      }
      return undefined;
    }

    /**
     * The type (and contextual type) of an object or array literal. The
     * checker is asked once per outermost literal; the literals nested in it
     * (property values, elements) get theirs from the enclosing literal's
     * type, so deep nesting costs one lookup per literal, not one re-check of
     * the whole nest per level.
     */
    interface LiteralInfo {
      readonly type: ts.Type;
      readonly contextual: ts.Type | undefined;
      /** A property value of a literal that is itself a not-in-heap record (reported there). */
      readonly insideRecord: boolean;
    }
    const literals = new Map<ts.Node, LiteralInfo>();
    const memberType = (type: ts.Type | undefined, name: string | number): ts.Type | undefined => {
      if (!type) return undefined;
      if (typeof name === 'number') {
        if (checker.isTupleType(type)) return checker.getTypeArguments(type as ts.TypeReference)[name];
        if (checker.isArrayType(type)) return checker.getTypeArguments(type as ts.TypeReference)[0];
        return checker.getIndexTypeOfType(type, ts.IndexKind.Number);
      }
      const prop = checker.getPropertyOfType(type, name);
      return prop ? checker.getTypeOfSymbol(prop) : undefined;
    };
    // Parentheses only: a cast literal (`{ a: [x] as T[] }`) has a type of its own, not its slot's.
    const literalChild = (e: ts.Expression): ts.ObjectLiteralExpression | ts.ArrayLiteralExpression | undefined => {
      const x = skipParentheses(e);
      return ts.isObjectLiteralExpression(x) || ts.isArrayLiteralExpression(x) ? x : undefined;
    };
    function literalInfo(node: ts.ObjectLiteralExpression | ts.ArrayLiteralExpression): LiteralInfo {
      const known = literals.get(node);
      if (known) return known;
      allocationCounters.literalTypeQueries++;
      const root: LiteralInfo = { type: checker.getTypeAtLocation(node), contextual: checker.getContextualType(node), insideRecord: false };
      literals.set(node, root);
      const stack: Array<[ts.ObjectLiteralExpression | ts.ArrayLiteralExpression, LiteralInfo]> = [[node, root]];
      while (stack.length > 0) {
        const [lit, info] = stack.pop()!;
        if (ts.isObjectLiteralExpression(lit)) {
          const recordLike = why(info.contextual ?? info.type) !== undefined || why(info.type) !== undefined;
          for (const p of lit.properties) {
            if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name))) continue;
            const child = literalChild(p.initializer);
            const type = child && memberType(info.type, p.name.text);
            if (!child || !type) continue;
            const childInfo = { type, contextual: memberType(info.contextual, p.name.text), insideRecord: recordLike };
            literals.set(child, childInfo);
            allocationCounters.literalsTyped++;
            stack.push([child, childInfo]);
          }
        } else {
          lit.elements.forEach((e, i) => {
            const child = literalChild(e);
            const type = child && memberType(info.type, i);
            // A union element type (`[[1], [r]]`) does not say which member this element is: it asks for its own.
            if (!child || !type || type.isUnion()) return;
            const childInfo = { type, contextual: memberType(info.contextual, i), insideRecord: false };
            literals.set(child, childInfo);
            allocationCounters.literalsTyped++;
            stack.push([child, childInfo]);
          });
        }
      }
      return root;
    }

    /** Said when a generic's declaration was too large to scan: holding `T` only behind pointers is then not proven. */
    const unprovenUse = ` (cannot prove the generic holds it only behind a pointer: its declaration is past the scan budget of ${declarationScanBudget} nodes)`;

    function exempt(node: ts.Node): boolean {
      allocationCounters.allocatorChecks++;
      return insideAllocator(node, allocators);
    }

    /**
     * Whether rewriting a type argument inside `node` cannot break the
     * program: it annotates a variable without initialiser, or is the body
     * of a type alias, that nothing in the file refers to. Elsewhere the new
     * type meets values of the old one (`id<Ptr<R>>(r)`, `const xs: Ptr<R>[] = [r]`).
     */
    function rewriteIsSafe(node: TSESTree.Node): boolean {
      let at: TSESTree.Node = node;
      while (at.parent && at.parent.type.startsWith('TS') && at.parent.type !== AST_NODE_TYPES.TSTypeAliasDeclaration && at.parent.type !== AST_NODE_TYPES.TSTypeAnnotation) {
        at = at.parent;
      }
      let holder = at.parent;
      if (holder?.type === AST_NODE_TYPES.TSTypeAnnotation) {
        const id = holder.parent;
        holder = id?.type === AST_NODE_TYPES.Identifier && id.parent.type === AST_NODE_TYPES.VariableDeclarator && id.parent.id === id ? id.parent : undefined;
        if (!holder || holder.init) return false;
      } else if (holder?.type !== AST_NODE_TYPES.TSTypeAliasDeclaration) {
        return false;
      }
      return context.sourceCode.getDeclaredVariables(holder).every((v) => v.references.every((r) => r.init === true));
    }

    function usePtr(typeNode: ts.TypeNode, esNode: TSESTree.Node) {
      const ptr = importedNameOf(checker, sourceFile, 'Ptr');
      if (!ptr || !rewriteIsSafe(esNode)) return [];
      const replacement = `${ptr}<${typeNode.getText()}>`;
      return [
        {
          messageId: 'usePtr' as const,
          data: { replacement },
          fix: (fixer: TSESLint.RuleFixer) => fixer.replaceText(esNode, replacement),
        },
      ];
    }

    /**
     * `Array<Span>`, `Map<K, Span>`, `Span[]`, `[Span]`, `Box<Span>` in a type
     * position. `generic` is the generic's symbol: an argument it keeps only
     * under `Ptr`, `FixAlloc`, … is fine. Arrays and tuples pass none: they hold their elements.
     * `exemptInstance` is asked only once an argument would be reported
     * (it walks the whole instance type, which most references never need).
     */
    function checkTypeArguments(args: readonly ts.TypeNode[], name: (held: ts.Type) => string, container: boolean, generic?: ts.Symbol, exemptInstance?: () => boolean): void {
      let exempted: boolean | undefined;
      args.forEach((argTs, i) => {
        const argType = checker.getTypeFromTypeNode(argTs);
        if (!notInHeapReason(checker, argType)) return;
        const use = generic ? parameterUse(checker, typeParameterSymbol(checker, generic, i)) : undefined;
        if (use && !use.byValue) return;
        if ((exempted ??= exemptInstance?.() ?? false)) return;
        const type = nihMember(argType);
        // A type written in JSDoc has no ESTree node: reported at its text in the comment, without a rewrite.
        const arg = services.tsNodeToESTreeNodeMap.get(argTs) as TSESTree.Node | undefined;
        context.report({
          ...(arg ? { node: arg } : { loc: jsDocLoc(context.sourceCode, argTs) }),
          messageId: container ? 'container' : 'typeArgument',
          data: { container: name(type), generic: name(type), type: nameOf(type), ptr: ptrTo(type), why: why(type)! + (use?.unproven ? unprovenUse : '') },
          // `Span` → `Ptr<Span>`: type-only; a union argument has no single rewrite.
          suggest: type === argType && arg ? usePtr(argTs, arg) : [],
        });
      });
    }

    /** The parameter a lib mapped alias makes every member of (`Record`'s `T`), if any. */
    function mappedTemplateParameter(alias: ts.Symbol): number | undefined {
      const decl = alias.declarations?.find(ts.isTypeAliasDeclaration);
      const template = decl && ts.isMappedTypeNode(decl.type) ? decl.type.type : undefined;
      if (!decl || !template || !ts.isTypeReferenceNode(template) || !ts.isIdentifier(template.typeName) || template.typeArguments) return undefined;
      const name = template.typeName.text;
      const at = decl.typeParameters?.findIndex((p) => p.name.text === name) ?? -1;
      return at < 0 ? undefined : at;
    }

    /** The values `xs.push(…)`, `xs.unshift(…)`, `xs.splice(i, n, …)` and `xs[i] = v` put into the array `id` names. */
    function storedInto(id: TSESTree.Node): TSESTree.Node[] {
      const member = id.parent;
      if (member?.type !== AST_NODE_TYPES.MemberExpression || member.object !== id) return [];
      if (member.computed && member.parent.type === AST_NODE_TYPES.AssignmentExpression && member.parent.left === member) return [member.parent.right];
      const call = member.parent;
      if (member.computed || member.property.type !== AST_NODE_TYPES.Identifier || call.type !== AST_NODE_TYPES.CallExpression || call.callee !== member) return [];
      const skip = { push: 0, unshift: 0, splice: 2 }[member.property.name];
      return skip === undefined ? [] : call.arguments.slice(skip);
    }

    /** Lib declarations: `Reflect.construct`, `Object.create`, `Array`, `Map`, … */
    const libSymbols = ctx.analysis.cache<ts.Symbol, boolean>('no-heap-allocation:lib');
    const isLib = (symbol: ts.Symbol | undefined): boolean => {
      if (!symbol) return false;
      let lib = libSymbols.get(symbol);
      if (lib === undefined) libSymbols.set(symbol, (lib = (symbol.declarations ?? []).some((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()))));
      return lib;
    };

    /** An array or tuple type as written; one holding an anonymous object type shows it as `{…}` (the message spells it once). */
    const containerText = (node: ts.TypeNode, held: ts.Type): string =>
      isAnonymousObject(checker, held, fileNames()) || ts.isJSDocVariadicType(node) ? typeName(checker, checker.getTypeFromTypeNode(node), namesAfter(held)) : node.getText();

    const containerNames = new Set(['Array', 'ReadonlyArray', 'Map', 'ReadonlyMap', 'Set', 'ReadonlySet', 'WeakMap', 'WeakSet', 'WeakRef']);

    /** `Map<K, Span>`, `Box<Span>`, `Record<K, Span>` in a type position (an annotation or JSDoc). */
    /** A generic's instance as written: `Name<…>`, or through an import type, `import('m').Name<…>`. */
    function checkTypeReference(tsNode: ts.TypeReferenceNode | ts.ImportTypeNode): void {
      const typeArgs = tsNode.typeArguments ?? [];
      const typeName = ts.isImportTypeNode(tsNode) ? tsNode.qualifier : tsNode.typeName;
      // `import('m')<T>` names no type: the checker reports it.
      if (!typeName) return;
      const written = () => (ts.isImportTypeNode(tsNode) ? tsNode.getText().slice(0, typeName.end - tsNode.getStart()) : typeName.getText());
      const symbol = symbolAt(checker, typeName);
      const target = symbol && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      if (fromRuntime(target)) return;
      // JSDoc's `Object.<K, V>` (the lib's `Object` takes no type arguments) is an index signature: it holds its values.
      // Named as written: plain `Object` holds nothing.
      if (typeArgs.length === 2 && target?.name === 'Object' && isLib(target)) {
        checkTypeArguments(typeArgs.slice(1), (held) => containerText(tsNode, held), true);
        return;
      }
      // Library type aliases compute types (`Readonly`, `Partial`, `Pick`, `ReturnType`, …: the argument's own
      // view), except a mapped alias whose members are an argument itself (`Record<K, T>` is `{ [P in K]: T }`).
      if (target && target.flags & ts.SymbolFlags.TypeAlias && isLib(target)) {
        const held = mappedTemplateParameter(target);
        if (held !== undefined && typeArgs[held]) checkTypeArguments([typeArgs[held]], written, true);
        return;
      }
      // A generic whose instance embeds the argument is itself not-in-heap and checked as such.
      const exemptInstance = (): boolean => {
        const instance = checker.getTypeFromTypeNode(tsNode);
        return !checker.isArrayType(instance) && notInHeapReason(checker, instance) !== undefined;
      };
      const container = isLib(target) && containerNames.has(target?.name ?? '');
      checkTypeArguments(typeArgs, written, container, target, exemptInstance);
    }

    /** `Span[]`, and JSDoc's rest type `...Span` (an array of them). */
    function checkArray(tsNode: ts.ArrayTypeNode | ts.JSDocVariadicType): void {
      checkTypeArguments([ts.isArrayTypeNode(tsNode) ? tsNode.elementType : tsNode.type], (held) => containerText(tsNode, held), true);
    }

    function checkTuple(tsNode: ts.TupleTypeNode): void {
      const elements = tsNode.elements.map((e) => (ts.isNamedTupleMember(e) || ts.isOptionalTypeNode(e) || ts.isRestTypeNode(e) ? e.type : e));
      checkTypeArguments(elements, (held) => containerText(tsNode, held), true);
    }

    return whereRuntimeMayBe(ctx, {
      NewExpression(node) {
        const tsNode = tsOf(node) as ts.NewExpression;
        const type = checker.getTypeAtLocation(tsNode);
        const reason = why(type);
        if (reason) {
          if (exempt(tsNode)) return;
          context.report({
            node,
            messageId: 'allocation',
            data: { how: `\`new ${tsNode.expression.getText()}\``, type: nameOf(type), why: reason },
          });
          return;
        }
        reportContainer(node, type, tsNode);
      },
      CallExpression(node) {
        const tsNode = tsOf(node) as ts.CallExpression;
        // A shared pool of a layout with HeapRef slots (src/analysis/shared-pools.ts); allocators are not exempt.
        const shared = sharedPoolHeapRefs(ctx, node);
        if (shared?.kind === 'heapRef') context.report({ node, messageId: 'sharedPoolHeapRef', data: { record: shared.record, slots: shared.slots } });
        else if (shared) context.report({ node, messageId: 'sharedPoolUnproven', data: { record: shared.record } });
        // Whether the call lies in an allocator is asked only before a report: most calls report nothing.
        const signature = checker.getResolvedSignature(tsNode);
        const decl = signature?.getDeclaration();
        // The declaration's symbol is asked only where it decides: for a member spelled `construct`/`create`
        // (a lib one allocates) and for a call with type arguments (a runtime generic is exempt).
        let declSymbol: ts.Symbol | null | undefined = null;
        const symbolOfDecl = (): ts.Symbol | undefined => {
          if (declSymbol === null) {
            allocationCounters.declarationSymbols++;
            declSymbol = decl?.name ? symbolAt(checker, decl.name) : undefined;
          }
          return declSymbol;
        };
        const spelled = decl?.name && ts.isIdentifier(decl.name) ? decl.name.text : undefined;
        // `Reflect.construct(C, args)` and `Object.create(C.prototype)` allocate like `new C`.
        if (decl && (spelled === 'construct' || spelled === 'create') && tsNode.arguments.length > 0 && isLib(symbolOfDecl())) {
          const owner = ts.isInterfaceDeclaration(decl.parent) || ts.isModuleBlock(decl.parent) ? decl.parent : undefined;
          const ownerName = owner && ts.isInterfaceDeclaration(owner) ? owner.name.text : owner ? (owner.parent).name.getText() : '';
          const member = symbolOfDecl()?.name;
          let created: ts.Type | undefined;
          if (ownerName === 'Reflect' && member === 'construct') {
            const ctor = checker.getTypeAtLocation(tsNode.arguments[0]);
            created = ctor.getConstructSignatures()[0]?.getReturnType();
          } else if (ownerName === 'ObjectConstructor' && member === 'create') {
            created = checker.getTypeAtLocation(tsNode.arguments[0]);
          }
          const reason = created && why(created);
          if (created && reason) {
            if (exempt(tsNode)) return;
            context.report({
              node,
              messageId: 'allocation',
              data: { how: `\`${ownerName === 'Reflect' ? 'Reflect.construct' : 'Object.create'}\``, type: nameOf(created), why: reason },
            });
            return;
          }
        }
        // Type arguments, explicit or inferred, of a generic that is not the runtime's.
        if (!signature || !decl) return;
        const args = typeArgumentsOfSignature(checker, signature) ?? [];
        if (args.length === 0 || fromRuntime(symbolOfDecl())) return;
        // The first not-in-heap argument the generic keeps by value (a `Ptr<T>`-only generic holds none).
        const index = args.findIndex(
          (t, i) => notInHeapReason(checker, t) !== undefined && parameterUse(checker, signatureTypeParameter(checker, decl, i)).byValue,
        );
        if (index < 0 || exempt(tsNode)) return;
        const explicit = node.typeArguments?.params[index];
        const type = nihMember(args[index]);
        const unproven = parameterUse(checker, signatureTypeParameter(checker, decl, index)).unproven;
        // No suggestion: `id<Ptr<R>>(r)` does not type-check while the value arguments are records.
        context.report({
          node: explicit ?? node,
          messageId: 'typeArgument',
          data: { type: nameOf(type), generic: tsNode.expression.getText(), ptr: ptrTo(type), why: why(type)! + (unproven ? unprovenUse : '') },
        });
      },
      ObjectExpression(node) {
        const tsNode = tsOf(node) as ts.ObjectLiteralExpression;
        // A cast of the literal is reported at the cast; a literal nested in a reported one is not reported again.
        const outer = parentSkippingParentheses(tsNode);
        if (ts.isAsExpression(outer) || ts.isTypeAssertionExpression(outer)) return;
        const info = literalInfo(tsNode);
        if (info.insideRecord) return;
        const target = info.contextual && why(info.contextual) ? info.contextual : info.type;
        const reason = why(target);
        if (reason && !exempt(tsNode)) context.report({ node, messageId: 'literal', data: { type: nameOf(target), why: reason } });
      },
      ArrayExpression(node) {
        const tsNode = tsOf(node) as ts.ArrayLiteralExpression;
        reportContainer(node, literalInfo(tsNode).type, tsNode);
        // `const xs = []` without a type is an evolving array: the checker types it at each use by what the code
        // put in before (`xs.push(makeRec())`), so its literal says nothing. Judged at its uses, reported here once.
        const decl = node.parent;
        if (node.elements.length > 0 || decl.type !== AST_NODE_TYPES.VariableDeclarator || decl.init !== node) return;
        // A declared type (an annotation, or JSDoc's `@type` in a JavaScript file) is checked where it is written.
        if (decl.id.type !== AST_NODE_TYPES.Identifier || decl.id.typeAnnotation || ts.getJSDocType(tsOf(decl))) return;
        for (const ref of context.sourceCode.getDeclaredVariables(decl)[0]?.references ?? []) {
          if (ref.init) continue;
          const type = checker.getTypeAtLocation(tsOf(ref.identifier));
          if (heldByValue(type)) {
            reportContainer(node, type, tsNode);
            return;
          }
          // What is put in where no later use reads it back: the values pushed or stored.
          for (const value of storedInto(ref.identifier)) {
            const held = nihMember(checker.getTypeAtLocation(tsOf(value)));
            const reason = why(held);
            if (reason && !exempt(tsNode)) {
              context.report({ node, messageId: 'container', data: { container: decl.id.name, type: nameOf(held), ptr: ptrTo(held), why: reason } });
              return;
            }
          }
        }
      },
      'TSAsExpression, TSTypeAssertion'(node: TSESTree.TSAsExpression | TSESTree.TSTypeAssertion) {
        const tsNode = tsOf(node) as ts.AsExpression | ts.TypeAssertion;
        const target = checker.getTypeFromTypeNode(tsNode.type);
        const reason = why(target);
        if (!reason || exempt(tsNode)) return;
        const source = skipOuterExpressions(tsNode.expression);
        const sourceType = checker.getTypeAtLocation(source);
        if (why(sourceType)) return; // not-in-heap to not-in-heap
        // Raw memory (a number, a Ptr) may be viewed as a record; an opaque value only when it is not fresh.
        const opaque = (sourceType.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;
        const numeric = (sourceType.flags & ts.TypeFlags.NumberLike) !== 0 || checker.isTypeAssignableTo(sourceType, checker.getNumberType());
        if (!isFresh(source) && (numeric || opaque)) return;
        context.report({
          node,
          messageId: 'cast',
          data: { from: nameOf(sourceType), type: nameOf(target), why: reason },
        });
      },
      'TSTypeReference, TSImportType'(node: TSESTree.TSTypeReference | TSESTree.TSImportType) {
        if (node.typeArguments) checkTypeReference(tsOf(node) as ts.TypeReferenceNode | ts.ImportTypeNode);
      },
      TSArrayType(node) {
        checkArray(tsOf(node) as ts.ArrayTypeNode);
      },
      TSTupleType(node) {
        checkTuple(tsOf(node) as ts.TupleTypeNode);
      },
      Program() {
        // Types written in JSDoc (a JavaScript file with checkJs): the checker types them, ESTree has no nodes for them.
        for (const n of jsDocTypes(sourceFile).typeNodes) {
          if (!mayHoldRuntime(ctx.analysis, n)) continue;
          if (ts.isTypeReferenceNode(n) || ts.isImportTypeNode(n)) checkTypeReference(n);
          else if (ts.isTupleTypeNode(n)) checkTuple(n);
          else if (ts.isArrayTypeNode(n) || ts.isJSDocVariadicType(n)) checkArray(n);
        }
      },
    });
  },
});
