// Recognising the runtime's own declarations.
//
// The runtime tags every declaration the rules care about with the JSDoc tag
// `@offheap <id>` (see src/runtime/types.ts). A symbol is resolved through
// import/export aliases to its declaration, and the tag on that declaration
// names it. Names at the use site never matter, so `import { sysAlloc as get }`
// or a re-export through the user's own module resolve the same way.
import ts from 'typescript';
import { cacheOf } from './program-analysis.js';

const noId = '';

/** The `@offheap` id written on a declaration, or undefined. */
export function declarationId(decl: ts.Node): string | undefined {
  for (const tag of ts.getJSDocTags(decl)) {
    if (tag.tagName.text !== 'offheap') continue;
    const text = ts.getTextOfJSDocComment(tag.comment)?.trim();
    if (text) return text.split(/\s+/, 1)[0];
  }
  return undefined;
}

/** Follows import/export aliases to the symbol that owns the declarations. */
export function resolveAlias(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/**
 * The `@offheap` id of what `symbol` resolves to: `sysAlloc`, `FixAlloc.alloc`,
 * `brand:Ptr`, … Cached per symbol for the program's life.
 */
export function offheapIdOf(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): string | undefined {
  if (!symbol) return undefined;
  const target = resolveAlias(checker, symbol);
  const idCache = cacheOf<ts.Symbol, string>(checker, 'declarations:id');
  let id = idCache.get(target);
  if (id === undefined) {
    id = noId;
    for (const decl of target.declarations ?? []) {
      const found = declarationId(decl);
      if (found) {
        id = found;
        break;
      }
    }
    idCache.set(target, id);
  }
  return id === noId ? undefined : id;
}

/** The `@offheap` id of the symbol an expression or type name refers to. */
export function offheapIdAt(checker: ts.TypeChecker, node: ts.Node): string | undefined {
  return offheapIdOf(checker, checker.getSymbolAtLocation(node));
}

/**
 * The `@offheap` id of the function or method a call or `new` expression
 * invokes, resolved through its signature so that methods reached through
 * `pool.alloc()` or a destructured alias resolve too.
 */
export function calleeId(
  checker: ts.TypeChecker,
  call: ts.CallExpression | ts.NewExpression | ts.Decorator,
): string | undefined {
  const decl = checker.getResolvedSignature(call)?.declaration;
  if (decl && !ts.isJSDocSignature(decl)) {
    const id = declarationId(decl) ?? (decl.parent && ts.isVariableDeclaration(decl.parent) ? declarationId(decl.parent) : undefined);
    if (id) return id;
  }
  const target = ts.isDecorator(call) ? call.expression : call.expression;
  return offheapIdAt(checker, ts.isPropertyAccessExpression(target) ? target.name : target);
}
