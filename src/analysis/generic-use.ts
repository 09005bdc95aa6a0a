// How a generic declaration uses its type parameters.
//
// Go rejects a not-in-heap type argument because the generic could hold a
// value of it on the GC heap. Here the question is answered from the
// generic's declaration: a type argument is allocated on the JS heap only if
// the declaration keeps `T` by value (a field, parameter, return value, array
// element, `Map` value, or an argument of another generic that keeps it). A
// `T` that only appears under the runtime's types (`Ptr<T>`, `HeapRef<T>`,
// `MaybeGarbage<T>`, `FixAlloc<T>`, `Layout<T>`, …), in `keyof T`, `typeof`,
// a constraint or a conditional's test holds no `T`.
//
// Each declaration is scanned once (all its type parameters in one pass, with
// an explicit stack and a node budget), and each type parameter's answer is
// memoised. Following `T` into another generic recurses through the same
// memo; a cycle (`class A<T> { b: B<T> } class B<T> { a: A<T> }`) holds
// nothing by itself, so a parameter met again while in progress counts as
// not kept.
import ts from 'typescript';
import { isRuntimeFile } from './offheap-files.js';
import { cacheOf, symbolAt, syntaxCache } from './program-analysis.js';

/** Syntax nodes one declaration's scan visits before it gives up and assumes every parameter is kept by value. */
export const declarationScanBudget = 20000;

/** Work counters for tests that prove growth (never timing). */
export const genericUseCounters = { nodesScanned: 0, parametersJudged: 0 };

export interface ParameterUse {
  /** The generic keeps a value of the parameter on the JS heap. */
  readonly byValue: boolean;
  /** The scan ran out of budget: `byValue` is the conservative answer. */
  readonly unproven: boolean;
}

/** Parameters being judged (a cycle through other generics holds nothing by itself). Empty between calls. */
const inProgress = new Set<ts.Symbol>();

const notKept: ParameterUse = { byValue: false, unproven: false };
const kept: ParameterUse = { byValue: true, unproven: false };
const unprovenUse: ParameterUse = { byValue: true, unproven: true };

const fromRuntime = (symbol: ts.Symbol | undefined): boolean =>
  (symbol?.declarations ?? []).some((d) => isRuntimeFile(d.getSourceFile()));

/** The type-parameter declarations of a generic declaration (class, interface, alias, function, signature). */
function typeParametersOf(node: ts.Node): readonly ts.TypeParameterDeclaration[] {
  const own = (node as { typeParameters?: ts.NodeArray<ts.TypeParameterDeclaration> }).typeParameters;
  if (own) return own;
  // JavaScript: `@template` tags give a function, class or `@typedef` its type parameters.
  return node.flags & ts.NodeFlags.JavaScriptFile ? ts.getEffectiveTypeParameterDeclarations(node as ts.DeclarationWithTypeParameters) : [];
}

/**
 * The declaration a JSDoc `@template` parameter belongs to: the `@typedef` or `@callback` of its comment, else
 * the function or class the comment documents (as TypeScript reads it).
 */
function templateOwner(tag: ts.JSDocTemplateTag): ts.Node {
  const doc = tag.parent;
  if (!ts.isJSDoc(doc)) return doc;
  return doc.tags?.find((t) => ts.isJSDocTypedefTag(t) || ts.isJSDocCallbackTag(t)) ?? doc.parent;
}

/** References to the declaration's own type parameters, by name, in one pass over its syntax. */
function scan(owner: ts.Node): Map<string, ts.TypeReferenceNode[]> | null {
  // A fact of the declaration's own syntax: kept per SourceFile object.
  const scanCache = syntaxCache<ts.Node, Map<string, ts.TypeReferenceNode[]> | null>('generic-use:scan', owner.getSourceFile());
  const cached = scanCache.get(owner);
  if (cached !== undefined) return cached;
  const names = new Set(typeParametersOf(owner).map((p) => p.name.text));
  const found = new Map<string, ts.TypeReferenceNode[]>();
  const stack: ts.Node[] = [owner];
  let visited = 0;
  let result: Map<string, ts.TypeReferenceNode[]> | null = found;
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (++visited > declarationScanBudget) {
      result = null;
      break;
    }
    if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && names.has(node.typeName.text)) {
      let list = found.get(node.typeName.text);
      if (!list) found.set(node.typeName.text, (list = []));
      list.push(node);
    }
    ts.forEachChild(node, (child) => {
      stack.push(child);
    });
    // In JavaScript the types are in JSDoc, which is not a child.
    if (node.flags & ts.NodeFlags.JavaScriptFile) for (const doc of (node as { jsDoc?: readonly ts.JSDoc[] }).jsDoc ?? []) stack.push(doc);
  }
  genericUseCounters.nodesScanned += visited;
  scanCache.set(owner, result);
  return result;
}

/** The symbol of the `index`-th type parameter of the generic `symbol` declares, if any. */
export function typeParameterSymbol(checker: ts.TypeChecker, symbol: ts.Symbol | undefined, index: number): ts.Symbol | undefined {
  for (const decl of symbol?.declarations ?? []) {
    const tp = typeParametersOf(decl)[index];
    if (tp) return symbolAt(checker, tp.name);
  }
  return undefined;
}

/** The `index`-th type parameter of a signature's declaration. */
export function signatureTypeParameter(checker: ts.TypeChecker, decl: ts.Node | undefined, index: number): ts.Symbol | undefined {
  const tp = decl ? typeParametersOf(decl)[index] : undefined;
  return tp ? symbolAt(checker, tp.name) : undefined;
}

/**
 * How the generic declaring the type parameter `param` uses it: whether a
 * type argument for it is kept by value on the JS heap. Memoised per
 * parameter (that is, per declaration and position).
 */
export function parameterUse(checker: ts.TypeChecker, param: ts.Symbol | undefined): ParameterUse {
  // A parameter with no declaration (a tuple's element, a mapped or synthetic type) holds its argument.
  if (!param || !(param.flags & ts.SymbolFlags.TypeParameter)) return kept;
  const keptCache = cacheOf<ts.Symbol, ParameterUse>(checker, 'generic-use:parameters');
  const cached = keptCache.get(param);
  if (cached) return cached;
  if (inProgress.has(param)) return notKept;
  inProgress.add(param);
  genericUseCounters.parametersJudged++;
  let use = notKept;
  try {
    for (const decl of param.declarations ?? []) {
      if (!ts.isTypeParameterDeclaration(decl)) {
        use = kept;
        break;
      }
      const refs = scan(ts.isJSDocTemplateTag(decl.parent) ? templateOwner(decl.parent) : decl.parent);
      if (refs === null) {
        use = unprovenUse;
        break;
      }
      for (const ref of refs.get(decl.name.text) ?? []) {
        if (symbolAt(checker, ref.typeName) !== param) continue; // a shadowing parameter
        const at = useAt(checker, ref);
        if (at.byValue) {
          use = at;
          break;
        }
      }
      if (use.byValue) break;
    }
  } finally {
    inProgress.delete(param);
  }
  keptCache.set(param, use);
  return use;
}

/** Whether one occurrence of a type parameter holds it by value, judged by what encloses it. */
function useAt(checker: ts.TypeChecker, ref: ts.TypeReferenceNode): ParameterUse {
  let child: ts.Node = ref;
  for (let parent = ref.parent; parent; child = parent, parent = parent.parent) {
    // An argument of another generic: as that generic uses it (`import('offheap').Ptr<T>` too).
    if ((ts.isTypeReferenceNode(parent) || ts.isExpressionWithTypeArguments(parent) || ts.isImportTypeNode(parent)) && parent.typeArguments?.includes(child as ts.TypeNode)) {
      const name = ts.isTypeReferenceNode(parent) ? parent.typeName : ts.isImportTypeNode(parent) ? parent.qualifier : parent.expression;
      if (!name) return kept;
      let symbol = symbolAt(checker, name);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      if (fromRuntime(symbol)) return notKept;
      return parameterUse(checker, typeParameterSymbol(checker, symbol, parent.typeArguments.indexOf(child as ts.TypeNode)));
    }
    if (
      (ts.isCallExpression(parent) || ts.isNewExpression(parent) || ts.isTaggedTemplateExpression(parent)) &&
      parent.typeArguments?.includes(child as ts.TypeNode)
    ) {
      const index = parent.typeArguments.indexOf(child as ts.TypeNode);
      if (ts.isNewExpression(parent)) {
        // The class's parameters (a class without a constructor has no signature declaration).
        let symbol = symbolAt(checker, parent.expression);
        if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
        if (fromRuntime(symbol)) return notKept;
        return parameterUse(checker, typeParameterSymbol(checker, symbol, index));
      }
      const decl = checker.getResolvedSignature(parent)?.getDeclaration();
      if (decl && isRuntimeFile(decl.getSourceFile())) return notKept;
      return parameterUse(checker, decl ? signatureTypeParameter(checker, decl, index) : undefined);
    }
    // Positions that name the type without holding a value of it.
    if (
      ts.isTypeQueryNode(parent) ||
      (ts.isTypeOperatorNode(parent) && parent.operator === ts.SyntaxKind.KeyOfKeyword) ||
      ts.isTypePredicateNode(parent) ||
      ts.isTypeParameterDeclaration(parent) ||
      ts.isIndexedAccessTypeNode(parent) ||
      (ts.isConditionalTypeNode(parent) && (child === parent.checkType || child === parent.extendsType)) ||
      ts.isHeritageClause(parent)
    ) {
      return notKept;
    }
    // Type composition: the enclosing type decides.
    if (
      ts.isArrayTypeNode(parent) ||
      ts.isTupleTypeNode(parent) ||
      ts.isNamedTupleMember(parent) ||
      ts.isOptionalTypeNode(parent) ||
      ts.isRestTypeNode(parent) ||
      ts.isUnionTypeNode(parent) ||
      ts.isIntersectionTypeNode(parent) ||
      ts.isParenthesizedTypeNode(parent) ||
      ts.isTypeOperatorNode(parent) ||
      ts.isConditionalTypeNode(parent)
    ) {
      continue;
    }
    // Anything else (a field, parameter, return type, index signature, variable, cast) holds it.
    return kept;
  }
  return kept;
}
