// Functions the user declares to be allocators: the one place that may turn
// raw memory into not-in-heap values (Go: the runtime's own allocators).
import ts from 'typescript';
import { syntaxCache } from './program-analysis.js';

/** The JSDoc tag that marks a user function as an allocator. */
export const allocatorTag = 'allocator';


function functionName(fn: ts.SignatureDeclaration): string | undefined {
  if (fn.name && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name) || ts.isStringLiteral(fn.name))) {
    return fn.name.text;
  }
  const parent = fn.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name)) {
    return parent.name.text;
  }
  return undefined;
}

function hasAllocatorTag(node: ts.Node): boolean {
  return ts.getJSDocTags(node).some((t) => t.tagName.text === allocatorTag);
}

/**
 * The overload signatures of an implementation: the bodiless declarations of the same name right before it (TypeScript
 * requires them adjacent). Their JSDoc is where an overloaded function's comment is written and shown.
 */
function overloadSignatures(fn: ts.Node): ts.Node[] {
  if (!(ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) || !fn.body || !fn.name) return [];
  const parent = fn.parent;
  const siblings: readonly ts.Node[] | undefined = ts.isClassLike(parent) ? parent.members : ts.isSourceFile(parent) || ts.isBlock(parent) || ts.isModuleBlock(parent) ? parent.statements : undefined;
  const name = fn.name.getText();
  const out: ts.Node[] = [];
  for (let i = (siblings?.indexOf(fn) ?? 0) - 1; i >= 0; i--) {
    const s = siblings![i];
    if (s.kind !== fn.kind || (s as ts.FunctionLikeDeclaration).body || (s as ts.FunctionLikeDeclaration).name?.getText() !== name) break;
    out.push(s);
  }
  return out;
}

/**
 * Whether `node` lies inside a function marked `@allocator` (on the function
 * or on the variable it initialises) or named in `names` (the rule option).
 * The tag lookup is cached per function node.
 */
export function insideAllocator(node: ts.Node, names: ReadonlySet<string>): boolean {
  for (let at: ts.Node | undefined = node.parent; at && !ts.isSourceFile(at); at = at.parent) {
    if (!ts.isFunctionLike(at)) continue;
    // The tag is the file's own syntax: cached with the SourceFile (ProgramAnalysis), so an edit re-reads only that file.
    const cache = syntaxCache<ts.Node, boolean>('allocators:tagged', at.getSourceFile());
    let tagged = cache.get(at);
    if (tagged === undefined) {
      tagged = hasAllocatorTag(at) || (ts.isVariableDeclaration(at.parent) && hasAllocatorTag(at.parent)) || overloadSignatures(at).some(hasAllocatorTag);
      cache.set(at, tagged);
    }
    const name = names.size > 0 ? functionName(at) : undefined;
    const marked = tagged || (name !== undefined && names.has(name));
    if (marked) return true;
  }
  return false;
}
