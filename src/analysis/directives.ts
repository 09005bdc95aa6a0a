// Go's write-barrier directives as JSDoc tags.
//
// Go writes `//go:nowritebarrier`, `//go:nowritebarrierrec` and
// `//go:yeswritebarrierrec` above a func; offheap writes `@nowritebarrier`,
// `@nowritebarrierrec` and `@yeswritebarrierrec` in the JSDoc of a function,
// method, accessor, constructor, or a function expression / arrow function
// given a name (variable, class field, object property, assignment). The
// APIs that perform a barrier are known by their `@offheap` id and the
// effect catalogue (write-barriers.ts); nothing is matched by name.
import ts from 'typescript';

/** A function whose body runs as one unit of the call graph. */
export type FunctionLikeWithBody =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration
  | ts.FunctionExpression
  | ts.ArrowFunction;

export function isFunctionLikeWithBody(node: ts.Node): node is FunctionLikeWithBody {
  switch (node.kind) {
    case ts.SyntaxKind.FunctionDeclaration:
    case ts.SyntaxKind.MethodDeclaration:
    case ts.SyntaxKind.Constructor:
    case ts.SyntaxKind.GetAccessor:
    case ts.SyntaxKind.SetAccessor:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ArrowFunction:
      return (node as FunctionLikeWithBody).body !== undefined;
    default:
      return false;
  }
}

export interface BarrierDirectives {
  /** `@nowritebarrier`, or implied by `@nowritebarrierrec`. */
  readonly nowritebarrier: boolean;
  readonly nowritebarrierrec: boolean;
  readonly yeswritebarrierrec: boolean;
}

const none: BarrierDirectives = { nowritebarrier: false, nowritebarrierrec: false, yeswritebarrierrec: false };
const directiveCache = new WeakMap<ts.Node, BarrierDirectives>();

/**
 * The JSDoc tags on a declaration. For a function expression or arrow
 * function TypeScript also returns the tags of the variable statement, class
 * field or property that names it; `x.f = function () {}` and
 * `export default () => {}` carry theirs on the statement, added here.
 */
function jsDocTags(decl: ts.Node): readonly ts.JSDocTag[] {
  const own = ts.getJSDocTags(decl);
  if (!ts.isFunctionExpression(decl) && !ts.isArrowFunction(decl)) return own;
  const parent = decl.parent as ts.Node | undefined;
  let host: ts.Node | undefined;
  if (parent && ts.isBinaryExpression(parent) && parent.right === decl && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    if (ts.isExpressionStatement(parent.parent)) host = parent.parent;
  } else if (parent && ts.isExportAssignment(parent)) host = parent;
  if (!host) return own;
  const tags = [...own];
  for (const tag of ts.getJSDocTags(host)) if (!tags.includes(tag)) tags.push(tag);
  return tags;
}

function tagNames(decl: ts.Node): string[] {
  return jsDocTags(decl).map((tag) => tag.tagName.text);
}

/** Whether a function-like node names itself through a host that can carry JSDoc. */
function canCarryDirectives(fn: FunctionLikeWithBody): boolean {
  if (!ts.isFunctionExpression(fn) && !ts.isArrowFunction(fn)) return true;
  let host: ts.Node = fn.parent;
  while (ts.isParenthesizedExpression(host) || ts.isAsExpression(host) || ts.isSatisfiesExpression(host)) host = host.parent;
  return (
    ts.isVariableDeclaration(host) ||
    ts.isPropertyDeclaration(host) ||
    ts.isPropertyAssignment(host) ||
    ts.isExportAssignment(host) ||
    (ts.isBinaryExpression(host) && host.operatorToken.kind === ts.SyntaxKind.EqualsToken)
  );
}

/** The directives written on a function-like declaration. Cached per node. */
export function barrierDirectives(fn: FunctionLikeWithBody): BarrierDirectives {
  let found = directiveCache.get(fn);
  if (found) return found;
  found = none;
  if (canCarryDirectives(fn)) {
    const names = tagNames(fn);
    const rec = names.includes('nowritebarrierrec');
    const yes = names.includes('yeswritebarrierrec');
    const no = rec || names.includes('nowritebarrier');
    if (rec || yes || no) found = { nowritebarrier: no, nowritebarrierrec: rec, yeswritebarrierrec: yes };
  }
  directiveCache.set(fn, found);
  return found;
}

const directiveNames = new Set(['nowritebarrier', 'nowritebarrierrec', 'yeswritebarrierrec']);

/**
 * Directive tags in `file` that apply to no function (on a statement, a
 * type, an overload signature, a function expression that is not given a
 * name, …). Go rejects a misplaced directive; silently ignoring one would
 * turn a safety check off without a word.
 */
export function misplacedDirectives(file: ts.SourceFile): ts.JSDocTag[] {
  if (!file.text.includes('writebarrier')) return [];
  const placed = new Set<ts.JSDocTag>();
  const all = new Set<ts.JSDocTag>();
  const visit = (node: ts.Node): void => {
    for (const tag of ts.getJSDocTags(node)) if (directiveNames.has(tag.tagName.text)) all.add(tag);
    if (isFunctionLikeWithBody(node) && canCarryDirectives(node)) for (const tag of jsDocTags(node)) placed.add(tag);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return [...all].filter((tag) => !placed.has(tag)).sort((a, b) => a.pos - b.pos);
}

/** Source text markers: a file without them has no directives to find. */
export const directiveMarker = '@nowritebarrier';
export const recMarker = '@nowritebarrierrec';
