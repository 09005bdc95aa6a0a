// offheap/no-heap-pointers: a not-in-heap type holds no heap reference except
// in `HeapRef` slots (Go: "not-in-heap types must not contain heap pointers";
// the collector never scans unmanaged memory, so such a pointer dangles).
import { AST_NODE_TYPES, type TSESLint, type TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import { offheapContext, whereRuntimeMayBe } from '../analysis/context.js';
import { symbolAt } from '../analysis/program-analysis.js';
import { seesRuntimeStructure, usesRuntime } from '../analysis/offheap-files.js';
import { offheapIdOf } from '../analysis/declarations.js';
import { importedNameOf } from '../analysis/imports.js';
import { jsDocLoc, jsDocTypes } from '../analysis/jsdoc-types.js';
import {
  anonymousName,
  describeReason,
  fileTypeNames,
  formatPath,
  heapRefsOf,
  heldByValue,
  isRuntimeFile,
  mayHoldRuntime,
  notInHeapReason,
  notInHeapUnproven,
  typeName,
  walkBudget,
  type HeapRefFinding,
  type NotInHeapReason,
  valueParts,
} from '../analysis/not-in-heap.js';
import { createRule } from '../util/create-rule.js';

export type Options = [{ allowAnyAndUnknown?: boolean }];
export type MessageIds = 'heapPointer' | 'unprovable' | 'foreignHeapPointer' | 'instanceHeapPointer' | 'cannotProve' | 'useHeapRef';

/** Where a report goes: an ESTree node, or the text of a JSDoc type in its comment (JSDoc has no ESTree nodes). */
type Anchor = { readonly node: TSESTree.Node } | { readonly loc: TSESTree.SourceLocation };

interface Root {
  readonly at: Anchor;
  /** The name messages give the type: built only when one is reported (naming reads the file's aliases). */
  readonly name: () => string;
  readonly type: ts.Type;
  readonly reason: NotInHeapReason;
  /** Whether this declaration creates the type (false for a plain rename `type B = A`). */
  readonly owns: boolean;
  /** An inline `NotInHeap<…>`: a named declaration of the same slot gives the better path. */
  readonly inline: boolean;
  /** How the reason names an anonymous root (`this object type`), whose name in paths is `{…}`. */
  readonly subject?: string;
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
      instanceHeapPointer:
        '`{{path}}` holds a heap reference (`{{held}}`) through a type argument, but {{why}} (the slot is declared in {{file}}). Unmanaged memory is never scanned by the collector; pass a `HeapRef<…>` (or a not-in-heap struct) as the type argument.',
      cannotProve:
        'Cannot prove whether `{{name}}` is not-in-heap: the types it holds by value run past the analysis budget ({{budget}} types, e.g. an instantiation that never ends), so its fields are not checked{{more}}. Break the chain with a `Ptr` or a non-generic type.',
      useHeapRef: 'Store it as `{{replacement}}`.',
    },
    languages: ['js/js'],
  },
  defaultOptions: [{ allowAnyAndUnknown: false }],
  create(context, [options]) {
    const ctx = offheapContext(context);
    // The runtime's own generic records (`FixedArray<V>`, `RecordOf<F>`) are checked where they are instantiated.
    if (!ctx || isRuntimeFile(ctx.sourceFile)) return {};
    // A file that sees no runtime binding but numbers (`Ptr`, `HeapRef`), directly or through modules it names,
    // holds no not-in-heap type: every mark, the decorator and every layout come from such a binding.
    if (!seesRuntimeStructure(ctx.analysis, ctx.sourceFile)) return {};
    // Nor does a file that uses no runtime binding, directly or through the files whose bindings it uses.
    if (!usesRuntime(ctx.analysis, ctx.sourceFile)) return {};
    const { checker, services, sourceFile, analysis } = ctx;
    /** Types as messages name them: by the names this file knows them by. */
    const nameOf = (t: ts.Type): string => typeName(checker, t, fileTypeNames(checker, ctx.sourceFile));
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
    const atRoot: Array<{ root: Root; finding: HeapRefFinding; kind: 'generated' | 'foreign' | 'instance' }> = [];
    const atRootSeen = new Map<ts.Type, Set<string>>();

    /** Declarations of this file whose walk ran out of budget, first declaration per type. */
    const unproven = new Map<ts.Type, { readonly at: Anchor; readonly name: () => string }>();

    /**
     * One report per chain of unproven declarations: at each one no other
     * unproven declaration of this file holds by value (a chain of 12,000
     * interfaces gave 10,000 reports), counting and naming the ones it holds,
     * directly or further down, so each unproven declaration is named or
     * counted once. A cycle with no such head is reported at its first
     * declaration.
     */
    function reportUnproven(): void {
      const held = new Map<ts.Type, ts.Type[]>();
      const isHeld = new Set<ts.Type>();
      for (const t of unproven.keys()) {
        const kids = heldByValue(checker, t).filter((c) => c !== t && unproven.has(c));
        held.set(t, kids);
        for (const c of kids) isHeld.add(c);
      }
      const done = new Set<ts.Type>();
      const report = (head: ts.Type) => {
        const group: ts.Type[] = [];
        done.add(head);
        const queue = [head];
        for (let i = 0; i < queue.length; i++) {
          for (const c of held.get(queue[i])!) {
            if (done.has(c)) continue;
            done.add(c);
            group.push(c);
            queue.push(c);
          }
        }
        const names = group.map((t) => unproven.get(t)!.name);
        const shown = names.length <= 4 ? names.map((n) => n()) : [...names.slice(0, 3).map((n) => n()), '…', names[names.length - 1]()];
        const more = group.length === 0 ? '' : `, nor those of the ${group.length} more declaration${group.length === 1 ? '' : 's'} here it holds by value (${shown.join(', ')})`;
        const { at, name } = unproven.get(head)!;
        context.report({ ...at, messageId: 'cannotProve', data: { name: name(), budget: String(walkBudget), more } });
      };
      for (const t of unproven.keys()) if (!isHeld.has(t)) report(t);
      for (const t of unproven.keys()) if (!done.has(t)) report(t);
    }

    const better = (a: { root: Root; finding: HeapRefFinding }, b: { root: Root; finding: HeapRefFinding }) =>
      a.root.inline !== b.root.inline ? !a.root.inline : a.finding.depth < b.finding.depth;

    function visit(at: Anchor, name: () => string, type: ts.Type | undefined, owns: boolean, inline = false, subject?: string): void {
      if (!type) return;
      const reason = notInHeapReason(checker, type);
      if (!reason) {
        // The walk gave up: say so (at Program:exit, grouped) rather than pass it as ordinary.
        if (owns && !inline && notInHeapUnproven(checker, type) && !unproven.has(type)) unproven.set(type, { at, name });
        return;
      }
      const root: Root = { at, name, type, reason, owns, inline, subject };
      let seen = atRootSeen.get(type);
      if (!seen && owns) atRootSeen.set(type, (seen = new Set()));
      for (const finding of heapRefsOf(checker, type)) {
        if (finding.opaque && allowOpaque) continue;
        const leaf = finding.leaf;
        if (leaf && leaf.getSourceFile() === sourceFile) {
          const key = `${leaf.pos}|${finding.opaque}|${nameOf(finding.held)}`;
          const prev = local.get(key);
          if (!prev || better({ root, finding }, prev)) local.set(key, { leaf, root, finding });
          continue;
        }
        // The slot is declared elsewhere or nowhere. A generic slot (`[i: number]: V`
        // of `FixedArray`, `v: T` of a generic from another file) gets its reference
        // from the type arguments: reported at the instantiation written here, the
        // type reference itself (a named root whose own member holds it leaves it to that).
        const origin: readonly ts.Node[] = finding.first?.declarations ?? (leaf ? [leaf] : []);
        const generated = origin.length === 0;
        const firstElsewhere = !generated && origin.every((d) => d.getSourceFile() !== sourceFile);
        const instance = leaf !== undefined && isGenericSlot(leaf);
        if (instance && !firstElsewhere && !generated && finding.first) continue;
        const key = finding.steps.join('.');
        if (seen && (generated || firstElsewhere || instance) && !seen.has(key)) {
          seen.add(key);
          atRoot.push({ root, finding, kind: instance ? 'instance' : generated ? 'generated' : 'foreign' });
        }
      }
    }

    /** A slot whose declared type is (or has an alternative that is) a type parameter: its instances decide what it holds. */
    function isGenericSlot(leaf: ts.Node): boolean {
      const typeNode = (leaf as { type?: ts.TypeNode }).type;
      if (!typeNode) return false;
      return valueParts(checker, checker.getTypeFromTypeNode(typeNode)).some((p) => p.kind === 'opaque' && (p.type.flags & ts.TypeFlags.TypeParameter) !== 0);
    }

    function declaredType(id: ts.Node): ts.Type | undefined {
      const symbol = symbolAt(checker, id);
      return symbol ? checker.getDeclaredTypeOfSymbol(symbol) : undefined;
    }

    /** A slot's own declaration, else (a slot with no ESTree node: JSDoc's) its text in the comment, else the root. */
    function anchorOf(leaf: ts.Node, root: Root): Anchor {
      const node = services.tsNodeToESTreeNodeMap.get(leaf) as TSESTree.Node | undefined;
      if (node) return { node };
      return leaf.flags & ts.NodeFlags.JSDoc ? { loc: jsDocLoc(context.sourceCode, leaf) } : root.at;
    }

    function suggestion(leaf: ts.Node, finding: HeapRefFinding) {
      // `owner: Owner` → `owner: HeapRef<Owner>`: type-only, so it cannot change behaviour.
      if (finding.opaque || !(finding.held.flags & ts.TypeFlags.Object)) return [];
      if (!(ts.isPropertySignature(leaf) || ts.isPropertyDeclaration(leaf) || ts.isParameter(leaf)) || !leaf.type) {
        return [];
      }
      if (checker.getTypeFromTypeNode(leaf.type) !== finding.held) return [];
      // A type written in JSDoc has no ESTree node to rewrite.
      const annotation = services.tsNodeToESTreeNodeMap.get(leaf.type) as TSESTree.Node | undefined;
      if (!annotation) return [];
      const spelled = heapRefSpelling();
      if (!spelled) return [];
      const replacement = `${spelled.name}<${leaf.type.getText()}>`;
      return [
        {
          messageId: 'useHeapRef' as const,
          data: { replacement },
          fix: (fixer: TSESLint.RuleFixer) => [fixer.replaceText(annotation, replacement), ...(spelled.importFix ? [spelled.importFix(fixer)] : [])],
        },
      ];
    }

    /**
     * How this file can name `HeapRef`: the name it imported it under, or a
     * name to import it by (added to the file's import of a module that
     * exports it, else a new `import { type HeapRef } from 'offheap'`).
     * Nothing when the name `HeapRef` is already taken.
     */
    let spelling: { name: string; importFix?: (fixer: TSESLint.RuleFixer) => TSESLint.RuleFix } | null | undefined;
    function heapRefSpelling() {
      if (spelling !== undefined) return spelling ?? undefined;
      const imported = importedNameOf(checker, sourceFile, 'HeapRef');
      if (imported) return (spelling = { name: imported });
      spelling = null;
      const imports = sourceFile.statements.filter(ts.isImportDeclaration);
      for (const decl of imports) {
        const bindings = decl.importClause?.namedBindings;
        if (!bindings || !ts.isNamedImports(bindings) || bindings.elements.length === 0) continue;
        const moduleSymbol = symbolAt(checker, decl.moduleSpecifier);
        const exported = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((e) => offheapIdOf(checker, e) === 'HeapRef');
        if (!exported || new RegExp(`\\b${exported.name}\\b`).test(sourceFile.text)) continue;
        const last = services.tsNodeToESTreeNodeMap.get(bindings.elements[bindings.elements.length - 1]);
        const text = decl.importClause.isTypeOnly ? `, ${exported.name}` : `, type ${exported.name}`;
        return (spelling = { name: exported.name, importFix: (fixer) => fixer.insertTextAfter(last, text) });
      }
      if (/\bHeapRef\b/.test(sourceFile.text)) return undefined;
      const line = `import { type HeapRef } from 'offheap';\n`;
      const after = imports.length > 0 ? services.tsNodeToESTreeNodeMap.get(imports[imports.length - 1]) : undefined;
      return (spelling = {
        name: 'HeapRef',
        importFix: (fixer) => (after ? fixer.insertTextAfter(after, `\n${line.trimEnd()}`) : fixer.insertTextBeforeRange([0, 0], line)),
      });
    }

    return whereRuntimeMayBe(ctx, {
      TSInterfaceDeclaration(node) {
        visit({ node: node.id }, () => node.id.name, declaredType(analysis.tsOf(node.id)), true);
      },
      'ClassDeclaration, ClassExpression'(node: TSESTree.ClassDeclaration | TSESTree.ClassExpression) {
        const tsNode = analysis.tsOf(node);
        const symbol = checker.getTypeAtLocation(tsNode).getSymbol();
        const type = symbol ? checker.getDeclaredTypeOfSymbol(symbol) : undefined;
        visit({ node: node.id ?? node }, () => node.id?.name ?? 'class', type, true);
      },
      TSTypeAliasDeclaration(node) {
        // `type B = A` renames a type declared elsewhere; only a composed alias creates one.
        const written = node.typeAnnotation;
        const rename = (written.type === AST_NODE_TYPES.TSTypeReference || written.type === AST_NODE_TYPES.TSImportType) && !written.typeArguments;
        visit({ node: node.id }, () => node.id.name, declaredType(analysis.tsOf(node.id)), !rename);
      },
      'TSTypeReference, TSImportType'(node: TSESTree.TSTypeReference | TSESTree.TSImportType) {
        // A not-in-heap type written with arguments outside a named declaration: an
        // inline `NotInHeap<{ … }>`, or an instance such as `Cell<string>` or
        // `FixedArray<Obj, 4>` in an annotation, a type argument or a field, also
        // named through an import type (`import('offheap').NotInHeap<{ … }>`).
        if (!node.typeArguments || node.parent.type === AST_NODE_TYPES.TSTypeAliasDeclaration) return;
        const type = checker.getTypeFromTypeNode(analysis.tsOf(node));
        visit({ node }, () => nameOf(type), type, true, true);
      },
      TSTypeLiteral(node) {
        // An object type written inline (`sysAlloc(n) as unknown as { r: Rec; owner: object }`, an annotation) is
        // not-in-heap by containment as its alias would be; the body of an alias is checked as the alias.
        if (node.parent.type === AST_NODE_TYPES.TSTypeAliasDeclaration) return;
        const type = checker.getTypeFromTypeNode(analysis.tsOf(node));
        visit({ node }, () => anonymousName, type, true, true, 'this object type');
      },
      Program() {
        // Types written in JSDoc (a JavaScript file with checkJs): `@typedef`s as type aliases, and instances with
        // type arguments as inline references. The checker types them; ESTree has no nodes for them.
        const jsDoc = jsDocTypes(sourceFile);
        for (const tag of jsDoc.typedefs) {
          const id = tag.name;
          if (!id || !ts.isIdentifier(id) || !mayHoldRuntime(analysis, tag)) continue;
          const written = tag.typeExpression && ts.isJSDocTypeExpression(tag.typeExpression) ? tag.typeExpression.type : undefined;
          const rename = written !== undefined && (ts.isTypeReferenceNode(written) || ts.isImportTypeNode(written)) && !written.typeArguments;
          visit({ loc: jsDocLoc(context.sourceCode, id) }, () => id.text, declaredType(id), !rename);
        }
        for (const n of jsDoc.typeNodes) {
          // A typedef's own type is the typedef (above), as `type T = G<A>` or `type T = { … }` is.
          if (!(ts.isTypeReferenceNode(n) || ts.isImportTypeNode(n) || ts.isTypeLiteralNode(n)) || (ts.isJSDocTypeExpression(n.parent) && ts.isJSDocTypedefTag(n.parent.parent)) || !mayHoldRuntime(analysis, n)) continue;
          const type = checker.getTypeFromTypeNode(n);
          const at = { loc: jsDocLoc(context.sourceCode, n) };
          if (ts.isTypeLiteralNode(n)) visit(at, () => anonymousName, type, true, true, 'this object type');
          else visit(at, () => nameOf(type), type, true, true);
        }
      },
      'Program:exit'() {
        reportUnproven();
        for (const { leaf, root, finding } of local.values()) {
          const data = {
            path: formatPath(root.name(), finding.steps),
            held: nameOf(finding.held),
            why: describeReason(checker, root.name(), root.reason, fileTypeNames(checker, sourceFile), root.subject),
          };
          context.report({
            ...anchorOf(leaf, root),
            messageId: finding.opaque ? 'unprovable' : 'heapPointer',
            data,
            suggest: suggestion(leaf, finding),
          });
        }
        for (const { root, finding, kind } of atRoot) {
          const data = {
            path: formatPath(root.name(), finding.steps),
            held: nameOf(finding.held),
            why: describeReason(checker, root.name(), root.reason, fileTypeNames(checker, sourceFile), root.subject),
          };
          if (kind === 'generated') {
            context.report({ ...root.at, messageId: finding.opaque ? 'unprovable' : 'heapPointer', data });
            continue;
          }
          const file = finding.leaf?.getSourceFile().fileName ?? '';
          context.report({
            ...root.at,
            messageId: kind === 'instance' ? (finding.opaque ? 'unprovable' : 'instanceHeapPointer') : 'foreignHeapPointer',
            data: { ...data, file: file.slice(file.lastIndexOf('/') + 1) },
          });
        }
      },
    });
  },
});
