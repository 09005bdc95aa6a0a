// Recognising the runtime's own declarations.
//
// The runtime tags every declaration the rules care about with the JSDoc tag
// `@offheap <id>` (see src/runtime/types.ts). A symbol is resolved through
// import/export aliases to its declaration, and the tag on that declaration
// names it. Names at the use site never matter, so `import { sysAlloc as get }`
// or a re-export through the user's own module resolve the same way.
import ts from 'typescript';
import { seesRuntimeCalls } from './offheap-files.js';
import { analysisOfChecker, cacheOf, symbolAt, syntaxCache } from './program-analysis.js';

const noId = '';

/**
 * The `@offheap` id written on a declaration, or undefined. A file whose text
 * never spells `@offheap` has no such tag, and its declarations' JSDoc is
 * not read (most callees are the user's own functions).
 */
export function declarationId(decl: ts.Node): string | undefined {
  const file = decl.getSourceFile();
  if (!spellsTag(file)) return undefined;
  // A fact of the file's syntax, once per declaration: the same declaration is met again through every
  // instantiation of a generic member (`Field<T>.set` of each layout), whose symbols differ.
  const ids = syntaxCache<ts.Node, string>('declarations:ids', file);
  let id = ids.get(decl);
  if (id === undefined) {
    id = noId;
    declarationCounters.tagReads++;
    for (const tag of ts.getJSDocTags(decl)) {
      if (tag.tagName.text !== 'offheap') continue;
      const text = ts.getTextOfJSDocComment(tag.comment)?.trim();
      if (text) {
        id = text.split(/\s+/, 1)[0];
        break;
      }
    }
    ids.set(decl, id);
  }
  return id === noId ? undefined : id;
}

/** Whether `@offheap` occurs in the file's text (a fact of the file's text: it carries over to later programs). */
function spellsTag(file: ts.SourceFile): boolean {
  const facts = syntaxCache<'spells', boolean>('declarations:spells-tag', file);
  let spells = facts.get('spells');
  if (spells === undefined) facts.set('spells', (spells = file.text.includes('@offheap')));
  return spells;
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

/** The `@offheap` id of the symbol an expression or type name refers to (cached per node for the program's life). */
export function offheapIdAt(checker: ts.TypeChecker, node: ts.Node): string | undefined {
  const memo = cacheOf<ts.Node, string>(checker, 'declarations:at');
  let id = memo.get(node);
  if (id === undefined) memo.set(node, (id = offheapIdOf(checker, symbolAt(checker, node)) ?? noId));
  return id === noId ? undefined : id;
}

/**
 * Work counters for tests: calls whose callee needed the checker's overload resolution, calls answered from the
 * callee's type, calls answered from their file's view of the runtime (no runtime function or class in view),
 * declarations whose JSDoc tags were read, declaration lists a callee's tag was decided for, and calls resolved
 * (neither asked before in the program nor carried from an earlier one).
 */
export const declarationCounters = { signatureResolutions: 0, calleeTypeAnswers: 0, callsOutOfView: 0, tagReads: 0, callableLists: 0, calleesResolved: 0 };

/** The id a signature's declaration carries (on it, or on the `const` an arrow function initialises); null when it cannot be read. */
function signatureId(decl: ts.SignatureDeclaration | ts.JSDocSignature | undefined): string | undefined | null {
  if (!decl || ts.isJSDocSignature(decl)) return null;
  return declarationId(decl) ?? (decl.parent && ts.isVariableDeclaration(decl.parent) ? declarationId(decl.parent) : undefined);
}

/** Declarations a call invokes as they stand (no variable or property holding a function). */
function isCallableDeclaration(d: ts.Declaration): boolean {
  return ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d) || ts.isMethodSignature(d);
}

/**
 * The `@offheap` id of the function or method a call or `new` expression
 * invokes, resolved through its signature so that methods reached through
 * `pool.alloc()` or a destructured alias resolve too.
 *
 * A call whose callee names functions or methods directly (no variable or
 * property holding a function) is answered from their declarations when they
 * all carry the same tag or none: the signature the checker would pick is one
 * of them, so the answer is the same without overload resolution, which
 * type-checks every argument. That is most calls in ordinary code.
 */
export function calleeId(
  checker: ts.TypeChecker,
  call: ts.CallExpression | ts.NewExpression | ts.Decorator,
): string | undefined {
  // Several rules ask about the same call; the answer holds for the program's life, and for later programs
  // while no file the call's file can see changes (an editor's re-lint of another file reads it again).
  const memo = cacheOf<ts.Node, string>(checker, 'declarations:callee');
  let id = memo.get(call);
  if (id === undefined) {
    const carried = analysisOfChecker(checker)?.typeCache<ts.Node, string>('declarations:callee', call.getSourceFile());
    id = carried?.get(call);
    if (id === undefined) {
      declarationCounters.calleesResolved++;
      id = (mayCallRuntime(checker, call) ? resolveCalleeId(checker, call) : undefined) ?? noId;
      carried?.set(call, id);
    }
    memo.set(call, id);
  }
  return id === noId ? undefined : id;
}

/**
 * Whether a call of this file can invoke a tagged declaration at all: only
 * when the file sees a runtime value or a type with runtime members,
 * directly or through the files whose bindings it names (offheap-files.ts,
 * seesRuntimeCalls). A file that names only `Ptr`, `HeapRef` or the
 * `NotInHeap` mark, or nothing of the runtime, calls none of it.
 */
function mayCallRuntime(checker: ts.TypeChecker, call: ts.Node): boolean {
  const pa = analysisOfChecker(checker);
  if (!pa) return true;
  if (seesRuntimeCalls(pa, call.getSourceFile())) return true;
  declarationCounters.callsOutOfView++;
  return false;
}

/**
 * The tag shared by the declarations of a callee named directly (functions and methods, after aliases),
 * `noId` when they share none, null when they cannot decide (a variable or property holding a function,
 * or overloads tagged apart). Per symbol: calls of the same function or method share it.
 */
function callableId(checker: ts.TypeChecker, symbol: ts.Symbol): string | null {
  const memo = cacheOf<ts.Symbol, string | null>(checker, 'declarations:callable');
  let id = memo.get(symbol);
  if (id === undefined) {
    const decls = resolveAlias(checker, symbol).declarations;
    id = decls && decls.length > 0 ? callableIdOf(checker, decls) : null;
    memo.set(symbol, id);
  }
  return id;
}

/**
 * `callableId` of a declaration list, once per list: each instantiation of a
 * generic type has its own member symbols, but they share the declaring
 * symbol's list (every layout's `set` is one method of the runtime).
 */
function callableIdOf(checker: ts.TypeChecker, decls: readonly ts.Declaration[]): string | null {
  const memo = cacheOf<readonly ts.Declaration[], string | null>(checker, 'declarations:callable-lists');
  let id = memo.get(decls);
  if (id === undefined) {
    declarationCounters.callableLists++;
    id = null;
    if (decls.every(isCallableDeclaration)) {
      const first = declarationId(decls[0]);
      if (decls.every((d, i) => i === 0 || declarationId(d) === first)) id = first ?? noId;
    }
    memo.set(decls, id);
  }
  return id;
}

function resolveCalleeId(checker: ts.TypeChecker, call: ts.CallExpression | ts.NewExpression | ts.Decorator): string | undefined {
  const target = call.expression;
  const named = ts.isPropertyAccessExpression(target) ? target.name : target;
  if (ts.isCallExpression(call) && (ts.isIdentifier(named) || ts.isPrivateIdentifier(named))) {
    const symbol = symbolAt(checker, named);
    const byDeclarations = symbol && callableId(checker, symbol);
    if (byDeclarations !== undefined && byDeclarations !== null) return byDeclarations === noId ? undefined : byDeclarations;
  }
  if (ts.isCallExpression(call)) {
    // A function-typed variable, parameter or property (`cb(x)`, `this.onDone()`): the checker picks
    // one of the signatures of the callee's type, so when they all carry the same tag (or none), the
    // answer needs no overload resolution, which type-checks every argument.
    const signatures = checker.getTypeAtLocation(target).getCallSignatures();
    if (signatures.length > 0) {
      const first = signatureId(signatures[0].declaration);
      if (first !== null && signatures.every((sig) => signatureId(sig.declaration) === first)) {
        declarationCounters.calleeTypeAnswers++;
        return first ?? offheapIdAt(checker, named);
      }
    }
  }
  declarationCounters.signatureResolutions++;
  const id = signatureId(checker.getResolvedSignature(call)?.declaration);
  return id ?? offheapIdAt(checker, named);
}
