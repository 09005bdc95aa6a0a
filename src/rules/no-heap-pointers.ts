// offheap/no-heap-pointers: a not-in-heap type holds no heap reference except
// in `HeapRef` slots (Go: "not-in-heap types must not contain heap pointers";
// the collector never scans unmanaged memory, so such a pointer dangles).
import { AST_NODE_TYPES, type TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import { offheapContext } from '../analysis/context.js';
import { offheapIdAt } from '../analysis/declarations.js';
import { importedNameOf } from '../analysis/imports.js';
import {
  describeReason,
  formatPath,
  heapRefsOf,
  isRuntimeFile,
  notInHeapReason,
  typeName,
  type HeapRefFinding,
  type NotInHeapReason,
} from '../analysis/not-in-heap.js';
import { createRule } from '../util/create-rule.js';

export type Options = [{ allowAnyAndUnknown?: boolean }];
export type MessageIds = 'heapPointer' | 'unprovable' | 'foreignHeapPointer' | 'useHeapRef';

interface Root {
  readonly node: TSESTree.Node;
  readonly name: string;
  readonly type: ts.Type;
  readonly reason: NotInHeapReason;
  /** Whether this declaration creates the type (false for a plain rename `type B = A`). */
  readonly owns: boolean;
  /** An inline `NotInHeap<…>`: a named declaration of the same slot gives the better path. */
  readonly inline: boolean;
}

export default createRule<Options, MessageIds>({
  name: 'no-heap-pointers',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow heap references in not-in-heap types, except in `HeapRef` slots',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    schema: [
      {
        type: 'object',
        properties: {
          allowAnyAndUnknown: {
            type: 'boolean',
            description:
              'Accept `any`, `unknown` and unconstrained type parameters in not-in-heap types instead of reporting them as unprovable.',
          },
        },
        additionalProperties: false,
      },
    ],
    defaultOptions: [{ allowAnyAndUnknown: false }],
    messages: {
      heapPointer:
        '`{{path}}` holds a heap reference (`{{held}}`), but {{why}}. Unmanaged memory is never scanned by the collector, so the object can be freed while still referenced; store a `HeapRef` instead (Go: a not-in-heap type holds no heap pointers).',
      unprovable:
        '`{{path}}` has type `{{held}}`, which cannot be proven free of heap references, but {{why}}. Give it a precise type (a number, `Ptr`, `HeapRef` or a not-in-heap struct).',
      foreignHeapPointer:
        '{{why}}, and it gets a heap reference from a declaration in another file: `{{path}}` holds `{{held}}` ({{file}}). Unmanaged memory is never scanned by the collector; make that field a `HeapRef`.',
      useHeapRef: 'Store it as `{{replacement}}`.',
    },
    languages: ['js/js'],
  },
  defaultOptions: [{ allowAnyAndUnknown: false }],
  create(context, [options]) {
    const ctx = offheapContext(context);
    // The runtime's own generic records (`FixedArray<V>`, `RecordOf<F>`) are checked where they are instantiated.
    if (!ctx || isRuntimeFile(ctx.sourceFile)) return {};
    const { checker, services, sourceFile } = ctx;
    const allowOpaque = options.allowAnyAndUnknown === true;

    /**
     * Per slot declared in this file and what it holds: the best path that
     * reaches it. A generic's slot can hold different things per instance
     * (`G<T>.v: T` unprovable, `G<string>.v` a string), each reported once.
     */
    const local = new Map<string, { leaf: ts.Node; root: Root; finding: HeapRefFinding }>();
    /**
     * Reported at the type: slots declared in another file that the type's own
     * members (inherited, merged) bring in, and generated slots (mapped types)
     * that have no declaration. Once per type and path, at the first root met.
     */
    const atRoot: Array<{ root: Root; finding: HeapRefFinding; foreign: boolean }> = [];
    const atRootSeen = new Map<ts.Type, Set<string>>();

    const better = (a: { root: Root; finding: HeapRefFinding }, b: { root: Root; finding: HeapRefFinding }) =>
      a.root.inline !== b.root.inline ? !a.root.inline : a.finding.steps.length < b.finding.steps.length;

    function visit(node: TSESTree.Node, name: string, type: ts.Type | undefined, owns: boolean, inline = false): void {
      if (!type) return;
      const reason = notInHeapReason(checker, type);
      if (!reason) return;
      const root: Root = { node, name, type, reason, owns, inline };
      let seen = atRootSeen.get(type);
      if (!seen && owns) atRootSeen.set(type, (seen = new Set()));
      for (const finding of heapRefsOf(checker, type)) {
        if (finding.opaque && allowOpaque) continue;
        const leaf = finding.leaf;
        if (leaf && leaf.getSourceFile() === sourceFile) {
          const key = `${leaf.pos}|${finding.opaque}|${typeName(checker, finding.held)}`;
          const prev = local.get(key);
          if (!prev || better({ root, finding }, prev)) local.set(key, { leaf, root, finding });
          continue;
        }
        // The slot is declared elsewhere or nowhere. Report the type here when its
        // own member brings the reference in; a nested struct declared elsewhere
        // is reported where it is declared.
        const origin: readonly ts.Node[] = finding.first?.declarations ?? (leaf ? [leaf] : []);
        const generated = origin.length === 0;
        const firstElsewhere = !generated && origin.every((d) => d.getSourceFile() !== sourceFile);
        const key = finding.steps.join('.');
        if (seen && (generated || firstElsewhere) && !seen.has(key)) {
          seen.add(key);
          atRoot.push({ root, finding, foreign: !generated });
        }
      }
    }

    function declaredType(id: TSESTree.Node): ts.Type | undefined {
      const symbol = checker.getSymbolAtLocation(services.esTreeNodeToTSNodeMap.get(id));
      return symbol ? checker.getDeclaredTypeOfSymbol(symbol) : undefined;
    }

    function suggestion(leaf: ts.Node, finding: HeapRefFinding) {
      // `owner: Owner` → `owner: HeapRef<Owner>`: type-only, so it cannot change behaviour.
      if (finding.opaque || !(finding.held.flags & ts.TypeFlags.Object)) return [];
      if (!(ts.isPropertySignature(leaf) || ts.isPropertyDeclaration(leaf) || ts.isParameter(leaf)) || !leaf.type) {
        return [];
      }
      const heapRef = importedNameOf(checker, sourceFile, 'HeapRef');
      if (!heapRef || checker.getTypeFromTypeNode(leaf.type) !== finding.held) return [];
      const annotation = services.tsNodeToESTreeNodeMap.get(leaf.type);
      const replacement = `${heapRef}<${leaf.type.getText()}>`;
      return [
        {
          messageId: 'useHeapRef' as const,
          data: { replacement },
          fix: (fixer: import('@typescript-eslint/utils').TSESLint.RuleFixer) => fixer.replaceText(annotation, replacement),
        },
      ];
    }

    return {
      TSInterfaceDeclaration(node) {
        visit(node.id, node.id.name, declaredType(node.id), true);
      },
      'ClassDeclaration, ClassExpression'(node: TSESTree.ClassDeclaration | TSESTree.ClassExpression) {
        const tsNode = services.esTreeNodeToTSNodeMap.get(node);
        const symbol = checker.getTypeAtLocation(tsNode).getSymbol();
        const type = symbol ? checker.getDeclaredTypeOfSymbol(symbol) : undefined;
        visit(node.id ?? node, node.id?.name ?? 'class', type, true);
      },
      TSTypeAliasDeclaration(node) {
        // `type B = A` renames a type declared elsewhere; only a composed alias creates one.
        const rename = node.typeAnnotation.type === AST_NODE_TYPES.TSTypeReference && !node.typeAnnotation.typeArguments;
        visit(node.id, node.id.name, declaredType(node.id), !rename);
      },
      TSTypeReference(node) {
        // An inline `NotInHeap<{ … }>` outside a named declaration.
        if (!node.typeArguments || node.parent.type === AST_NODE_TYPES.TSTypeAliasDeclaration) return;
        const tsNode = services.esTreeNodeToTSNodeMap.get(node);
        if (offheapIdAt(checker, tsNode.typeName) !== 'NotInHeap') return;
        const type = checker.getTypeFromTypeNode(tsNode);
        visit(node, typeName(checker, type), type, true, true);
      },
      'Program:exit'() {
        for (const { leaf, root, finding } of local.values()) {
          const data = {
            path: formatPath(root.name, finding.steps),
            held: typeName(checker, finding.held),
            why: describeReason(checker, root.name, root.reason),
          };
          context.report({
            node: services.tsNodeToESTreeNodeMap.get(leaf) ?? root.node,
            messageId: finding.opaque ? 'unprovable' : 'heapPointer',
            data,
            suggest: suggestion(leaf, finding),
          });
        }
        for (const { root, finding, foreign } of atRoot) {
          if (!foreign) {
            context.report({
              node: root.node,
              messageId: finding.opaque ? 'unprovable' : 'heapPointer',
              data: {
                path: formatPath(root.name, finding.steps),
                held: typeName(checker, finding.held),
                why: describeReason(checker, root.name, root.reason),
              },
            });
            continue;
          }
          const file = finding.leaf?.getSourceFile().fileName ?? '';
          context.report({
            node: root.node,
            messageId: 'foreignHeapPointer',
            data: {
              path: formatPath(root.name, finding.steps),
              held: typeName(checker, finding.held),
              why: describeReason(checker, root.name, root.reason),
              file: file.slice(file.lastIndexOf('/') + 1),
            },
          });
        }
      },
    };
  },
});
