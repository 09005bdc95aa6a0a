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
import { outermostOf } from './expressions.js';
import { syntaxCache } from './program-analysis.js';

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

/** Every node under `root` (itself included) in source order, with an explicit stack: any nesting depth costs no recursion. */
export function forEachNode(root: ts.Node, cb: (node: ts.Node) => void): void {
  findNode(root, (node) => {
    cb(node);
    return false;
  });
}

/**
 * The first node under `root` (itself included), in source order, for which
 * `pred` holds: the walk stops there. Below a node for which `prune` holds,
 * nothing is visited.
 */
export function findNode(root: ts.Node, pred: (node: ts.Node) => boolean, prune?: (node: ts.Node) => boolean): ts.Node | undefined {
  const stack: ts.Node[] = [root];
  const children: ts.Node[] = [];
  const collect = (child: ts.Node): void => void children.push(child);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (pred(node)) return node;
    if (prune?.(node)) continue;
    ts.forEachChild(node, collect);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    children.length = 0;
  }
  return undefined;
}

/**
 * A type, which holds no function with a body (a walk for functions need not
 * enter it); not a heritage clause's `extends f(class { … })`, which is an
 * expression.
 */
export function isTypeOnly(node: ts.Node): boolean {
  // The syntax kinds of type nodes form one range (keyword types are leaves, and the heritage clause's
  // ExpressionWithTypeArguments lies outside it).
  return node.kind >= ts.SyntaxKind.FirstTypeNode && node.kind <= ts.SyntaxKind.LastTypeNode;
}

export interface BarrierDirectives {
  /** `@nowritebarrier`, or implied by `@nowritebarrierrec`. */
  readonly nowritebarrier: boolean;
  readonly nowritebarrierrec: boolean;
  readonly yeswritebarrierrec: boolean;
}

const none: BarrierDirectives = { nowritebarrier: false, nowritebarrierrec: false, yeswritebarrierrec: false };

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

/** What a function expression is written in, past parentheses, `as`, `<T>`, `satisfies` and `!`: the declaration or assignment that names it, if any. */
export function namingHost(fn: ts.Node): ts.Node {
  return outermostOf(fn).parent;
}

/** Whether a function-like node names itself through a host that can carry JSDoc. */
function canCarryDirectives(fn: FunctionLikeWithBody): boolean {
  if (!ts.isFunctionExpression(fn) && !ts.isArrowFunction(fn)) return true;
  const host = namingHost(fn);
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
  const directiveCache = syntaxCache<ts.Node, BarrierDirectives>('barrier-directives', fn.getSourceFile());
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

const directiveNames = ['nowritebarrier', 'nowritebarrierrec', 'yeswritebarrierrec'] as const;
export type DirectiveName = (typeof directiveNames)[number];

/** A directive written where or how offheap does not read it. */
export type DirectiveProblem =
  | {
      readonly kind: 'misplaced';
      readonly pos: number;
      readonly end: number;
      readonly tag: DirectiveName;
      /** The function whose body holds it (a JSDoc there was surely meant for the function). */
      readonly inside?: FunctionLikeWithBody;
      /** It is on an overload signature of this function instead of its implementation. */
      readonly overloadOf?: FunctionLikeWithBody;
    }
  | {
      readonly kind: 'misspelled';
      readonly pos: number;
      readonly end: number;
      /** The text as written: `//go:nowritebarrier`, `// @nowritebarrier`, `@noWriteBarrier`. */
      readonly found: string;
      readonly tag: DirectiveName;
      /** `go` (Go's `//go:` form), `comment` (not a JSDoc comment), `case`, `typo` (a JSDoc tag). */
      readonly why: 'go' | 'comment' | 'case' | 'typo';
    };

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** Words that are the runtime's own tag or its near-misses: not a directive. */
const barrierTag = 'writebarrier';
const maxDistance = 3;

/**
 * The directive a word means, if it is one or a near-miss of one (any case,
 * `-`/`_` separators, up to three edits), and not nearer to the runtime's
 * `@writebarrier` tag.
 */
export function directiveNear(word: string): DirectiveName | undefined {
  const norm = word.toLowerCase().replace(/[-_]/g, '');
  if (norm.length < 8) return undefined;
  let best: DirectiveName | undefined;
  let bestDistance = maxDistance + 1;
  const prefix = (name: string): number => {
    let i = 0;
    while (i < name.length && name[i] === norm[i]) i++;
    return i;
  };
  for (const name of directiveNames) {
    const d = editDistance(norm, name);
    // On a tie, the directive the word starts like: `yeswritebarrier` is `yeswritebarrierrec`.
    if (d < bestDistance || (d === bestDistance && best !== undefined && prefix(name) > prefix(best))) {
      best = name;
      bestDistance = d;
    }
  }
  if (!best || editDistance(norm, barrierTag) < bestDistance) return undefined;
  return best;
}

/** A cheap test for any `@word` or `go:word` in the text near a directive name. */
const candidatePattern = /(?:@|go:)([A-Za-z][\w-]*)/g;

/**
 * The comment (JSDoc included) that holds position `at`, if any: the token
 * whose leading trivia holds `at` is found by descending through the children
 * that contain it (one path, not the whole file), and its trivia's comments
 * are read: those trailing the previous token and those leading this one.
 * A position inside a token's own text (a string, a template, JSX text) is in
 * no comment.
 */
function commentAt(file: ts.SourceFile, at: number): { pos: number; end: number; kind: ts.CommentKind } | undefined {
  let node: ts.Node = file;
  for (;;) {
    directiveCounters.commentLevels++;
    const children = node.kind === ts.SyntaxKind.EndOfFileToken ? [] : node.getChildren(file);
    if (children.length === 0) break;
    const next = children.find((c) => !ts.isJSDoc(c) && c.pos <= at && at < c.end);
    if (!next) return undefined;
    node = next;
  }
  if (at >= node.getStart(file)) return undefined;
  let found: { pos: number; end: number; kind: ts.CommentKind } | undefined;
  const visit = (pos: number, end: number, kind: ts.CommentKind): void => {
    if (!found && pos <= at && at < end) found = { pos, end, kind };
  };
  ts.forEachTrailingCommentRange(file.text, node.pos, visit);
  ts.forEachLeadingCommentRange(file.text, node.pos, visit);
  return found;
}

/** The innermost function whose body contains `pos`. */
function functionAround(file: ts.SourceFile, pos: number): FunctionLikeWithBody | undefined {
  let found: FunctionLikeWithBody | undefined;
  let node: ts.Node | undefined = file;
  while (node) {
    let next: ts.Node | undefined;
    ts.forEachChild(node, (child) => {
      if (!next && child.pos <= pos && pos < child.end) next = child;
    });
    if (next && isFunctionLikeWithBody(next) && next.body && next.body.pos <= pos && pos < next.body.end) found = next;
    node = next;
  }
  return found;
}

/** The function with a body that an overload signature belongs to. */
function implementationOf(host: ts.Node): FunctionLikeWithBody | undefined {
  if (!(ts.isFunctionDeclaration(host) || ts.isMethodDeclaration(host) || ts.isConstructorDeclaration(host)) || host.body) return undefined;
  const siblings: readonly ts.Node[] = ts.isSourceFile(host.parent) || ts.isModuleBlock(host.parent) || ts.isBlock(host.parent)
    ? host.parent.statements
    : ts.isClassLike(host.parent)
      ? host.parent.members
      : [];
  const name = host.name && ts.isIdentifier(host.name) ? host.name.text : undefined;
  return siblings.find(
    (s): s is FunctionLikeWithBody =>
      s.kind === host.kind &&
      isFunctionLikeWithBody(s) &&
      (ts.isConstructorDeclaration(s) || ((s as { name?: ts.Node }).name !== undefined && ts.isIdentifier((s as { name: ts.Identifier }).name) && (s as { name: ts.Identifier }).name.text === name)),
  );
}

/**
 * Directives in `file` that offheap does not read, each with the form that
 * would work. Go rejects a misplaced or unknown `//go:` directive; silently
 * ignoring one here would turn a safety check off without a word.
 * - misplaced: a directive tag on no function (a statement, a type, an
 *   overload signature, an unnamed function expression), or in a JSDoc
 *   TypeScript attaches to nothing (after `{` on the same line);
 * - misspelled: Go's `//go:nowritebarrier`, a `// @nowritebarrier` or
 *   `/* @nowritebarrier *\/` comment, a tag in the wrong case or with a typo.
 * Mentions are not directives: a word inside backticks or a string, or
 * prose that does not start a comment line, is left alone.
 */
export function directiveProblems(file: ts.SourceFile): readonly DirectiveProblem[] {
  const cache = syntaxCache<'problems', readonly DirectiveProblem[]>('directive-problems', file);
  let found = cache.get('problems');
  if (!found) cache.set('problems', (found = findDirectiveProblems(file)));
  return found;
}

/** Work counters for tests: files whose comments were scanned for directives, and syntax levels descended to find the comments of candidate words. */
export const directiveCounters = { commentScans: 0, commentLevels: 0 };

function findDirectiveProblems(file: ts.SourceFile): DirectiveProblem[] {
  const text = file.text;
  // Every directive-like word of the text, then the comment it is written in (most files have none).
  const candidates: { index: number; word: string; tag: DirectiveName; match: string }[] = [];
  candidatePattern.lastIndex = 0;
  for (let m = candidatePattern.exec(text); m; m = candidatePattern.exec(text)) {
    const tag = directiveNear(m[1]);
    if (tag) candidates.push({ index: m.index, word: m[1], tag, match: m[0] });
  }
  if (candidates.length === 0) return [];
  directiveCounters.commentScans++;
  const problems: DirectiveProblem[] = [];
  for (const { index, word, tag, match } of candidates) {
    const c = commentAt(file, index);
    if (!c) continue;
    const { pos, kind } = c;
    const comment = text.slice(pos, c.end);
    const jsDoc = kind === ts.SyntaxKind.MultiLineCommentTrivia && comment.startsWith('/**') && !comment.startsWith('/**/');
    const at = index - pos;
    const before = comment.slice(comment.lastIndexOf('\n', at - 1) + 1, at);
    // Only what starts a comment line (after `//`, `/*`, `/**` or a leading `*`) is written as a directive;
    // in JSDoc, TypeScript also reads a tag after a space.
    const lineStart = /^\s*(?:\/\/+|\/\*+|\*+)?\s*$/.test(before);
    const afterSpace = at > 0 && /\s/.test(comment[at - 1]);
    const goForm = match.startsWith('go:');
    if (!(lineStart || (jsDoc && !goForm && afterSpace))) continue;
    const start = index;
    const wordEnd = start + match.length;
    if (goForm) {
      const from = lineStart && !jsDoc && kind === ts.SyntaxKind.SingleLineCommentTrivia ? pos : start;
      problems.push({ kind: 'misspelled', pos: from, end: wordEnd, found: text.slice(from, wordEnd), tag, why: 'go' });
    } else if (!jsDoc) {
      const from = lineStart && kind === ts.SyntaxKind.SingleLineCommentTrivia ? pos : start;
      problems.push({ kind: 'misspelled', pos: from, end: wordEnd, found: text.slice(from, wordEnd), tag, why: 'comment' });
    } else if (word !== tag) {
      problems.push({ kind: 'misspelled', pos: start, end: wordEnd, found: match, tag, why: word.toLowerCase() === tag ? 'case' : 'typo' });
    } else if (!scanDirectives(file).placed.has(start)) {
      const host = scanDirectives(file).overloadHosts.get(start);
      const overloadOf = host && implementationOf(host);
      const inside = functionAround(file, start);
      problems.push({ kind: 'misplaced', pos: start, end: wordEnd, tag, inside: inside && canCarryDirectives(inside) ? inside : undefined, overloadOf });
    }
  }
  return problems.sort((a, b) => a.pos - b.pos);
}

interface DirectiveScan {
  /** Functions that carry a directive, in source order. */
  readonly directed: readonly FunctionLikeWithBody[];
  /** Positions of the tags TypeScript attaches to a function that reads them. */
  readonly placed: ReadonlySet<number>;
  /** Positions of the tags on overload signatures (bodiless declarations), with the signature. */
  readonly overloadHosts: ReadonlyMap<number, ts.Node>;
}

const noScan: DirectiveScan = { directed: [], placed: new Set(), overloadHosts: new Map() };

/** Work counters for tests: files walked for their directive-carrying functions, and the nodes those walks visited. */
export const directiveScanCounters = { walks: 0, nodesVisited: 0 };

/**
 * One walk of a file that writes a directive tag (`@nowritebarrier`,
 * `@nowritebarrierrec`, `@yeswritebarrierrec`): the functions that carry one,
 * and where TypeScript attached each tag. A per-file fact; a file without a
 * tag in its text is not walked.
 */
function scanDirectives(file: ts.SourceFile): DirectiveScan {
  const cache = syntaxCache<'scan', DirectiveScan>('directive-scan', file);
  let found = cache.get('scan');
  if (found) return found;
  if (!file.text.includes(directiveMarker) && !file.text.includes('@yeswritebarrierrec')) {
    cache.set('scan', noScan);
    return noScan;
  }
  directiveScanCounters.walks++;
  const directed: FunctionLikeWithBody[] = [];
  const placed = new Set<number>();
  const overloadHosts = new Map<number, ts.Node>();
  // Every directive is written in a statement's or class member's own text (its JSDoc or that of the
  // declaration, assignment or property naming the function), and every tag position asked of `placed`
  // and `overloadHosts` is a directive's: a statement or member whose text holds no "writebarrier" is not entered.
  const text = file.text;
  const marks: number[] = [];
  for (let at = text.indexOf('writebarrier'); at >= 0; at = text.indexOf('writebarrier', at + 1)) marks.push(at);
  const marked = (n: ts.Node): boolean => {
    let lo = 0;
    let hi = marks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (marks[mid] < n.pos) lo = mid + 1;
      else hi = mid;
    }
    return lo < marks.length && marks[lo] < n.end;
  };
  const prune = (n: ts.Node): boolean => isTypeOnly(n) || ((ts.isStatement(n) || ts.isClassElement(n)) && !marked(n));
  findNode(file, (node) => {
    directiveScanCounters.nodesVisited++;
    if (isFunctionLikeWithBody(node)) {
      if (!canCarryDirectives(node)) return false;
      for (const tag of jsDocTags(node)) placed.add(tag.pos);
      const d = barrierDirectives(node);
      if (d.nowritebarrier || d.yeswritebarrierrec) directed.push(node);
    } else if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)) {
      for (const tag of ts.getJSDocTags(node)) if (!overloadHosts.has(tag.pos)) overloadHosts.set(tag.pos, node);
    }
    return false;
  }, prune);
  cache.set('scan', (found = { directed, placed, overloadHosts }));
  return found;
}

/** The functions of `file` that carry a barrier directive, in source order (a per-file fact). */
export function directedFunctions(file: ts.SourceFile): readonly FunctionLikeWithBody[] {
  return scanDirectives(file).directed;
}

/** Source text markers: a file without them has no directives to find. */
export const directiveMarker = '@nowritebarrier';
export const recMarker = '@nowritebarrierrec';
