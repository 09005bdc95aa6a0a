// Types written in JSDoc in a JavaScript file (allowJs + checkJs): the
// checker gives them types as it does TypeScript annotations, but ESTree has
// no nodes for them, so a rule that reads annotations from ESLint's walk
// never meets them. A file's JSDoc types are listed here once, from
// TypeScript's syntax, for the rules to check as they check annotations.
import type { TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import { syntaxCache } from './program-analysis.js';

export interface JsDocTypes {
  /**
   * Every type reference with type arguments (`Map<string, Chunk>`, `Array.<Chunk>`), array type (`Chunk[]`),
   * tuple type, rest type (`...Chunk`, an array) and object type (`{ c: Chunk, s: string }`) in the file's JSDoc type
   * expressions, nested ones included.
   */
  readonly typeNodes: readonly ts.TypeNode[];
  /** Every `@typedef` tag: a type the file declares in JSDoc, as `type T = …` does in TypeScript. */
  readonly typedefs: readonly ts.JSDocTypedefTag[];
}

const none: JsDocTypes = { typeNodes: [], typedefs: [] };

/** Work counters for tests: files whose syntax was walked for JSDoc, and nodes visited. */
export const jsDocTypeCounters = { files: 0, nodes: 0 };

/**
 * The JSDoc types of `file`; none for a TypeScript file (its JSDoc types mean
 * nothing to the checker) or a file whose text has no JSDoc comment. Read once
 * per file version (a fact of its syntax).
 */
export function jsDocTypes(file: ts.SourceFile): JsDocTypes {
  if (!isJavaScript(file) || !file.text.includes('/**')) return none;
  const facts = syntaxCache<'types', JsDocTypes>('jsdoc-types', file);
  const known = facts.get('types');
  if (known) return known;
  jsDocTypeCounters.files++;
  const typeNodes: ts.TypeNode[] = [];
  const typedefs: ts.JSDocTypedefTag[] = [];
  // Explicit stack of (node, inside a JSDoc comment): code nests without bound.
  const stack: Array<[ts.Node, boolean]> = [[file, false]];
  while (stack.length > 0) {
    const [node, doc] = stack.pop()!;
    jsDocTypeCounters.nodes++;
    if (doc) {
      if (ts.isJSDocTypedefTag(node)) typedefs.push(node);
      else if (
        ((ts.isTypeReferenceNode(node) || ts.isImportTypeNode(node)) && node.typeArguments) ||
        ts.isArrayTypeNode(node) ||
        ts.isTupleTypeNode(node) ||
        ts.isJSDocVariadicType(node) ||
        ts.isTypeLiteralNode(node)
      ) {
        typeNodes.push(node);
      }
    }
    const children: Array<[ts.Node, boolean]> = [];
    for (const j of (node as { jsDoc?: readonly ts.JSDoc[] }).jsDoc ?? []) children.push([j, true]);
    ts.forEachChild(node, (child) => {
      children.push([child, doc]);
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  const types: JsDocTypes = { typeNodes, typedefs };
  facts.set('types', types);
  return types;
}

function isJavaScript(file: ts.SourceFile): boolean {
  return (file.flags & ts.NodeFlags.JavaScriptFile) !== 0;
}

/** Where a report on a JSDoc node goes: its own text in the comment. */
export function jsDocLoc(sourceCode: { getLocFromIndex(index: number): TSESTree.Position }, node: ts.Node): TSESTree.SourceLocation {
  return { start: sourceCode.getLocFromIndex(node.getStart()), end: sourceCode.getLocFromIndex(node.getEnd()) };
}
