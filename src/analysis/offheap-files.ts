// Which files can see offheap at all.
//
// Rules must be nearly free on code that never touches offheap, so this is
// answered without asking the checker for a single type: a runtime file is
// one whose JSDoc carries `@offheap` tags, and a file uses offheap when its import
// graph reaches one. Both are computed once per program.
import ts from 'typescript';

/** A JSDoc line that starts with the tag: `* @offheap id` or `/** @offheap id`. */
const marker = /\*\s*@offheap\s/;

interface ProgramFacts {
  /** Files that declare the runtime (hold `@offheap` tags). */
  readonly runtimeFiles: ReadonlySet<ts.SourceFile>;
  /** Per file: whether its imports reach a runtime file. Filled lazily. */
  readonly reaches: Map<ts.SourceFile, boolean>;
}

const factsByProgram = new WeakMap<ts.Program, ProgramFacts>();
const runtimeFileCache = new WeakMap<ts.SourceFile, boolean>();

/** A file of the runtime itself: its JSDoc carries `@offheap` declaration tags. */
export function isRuntimeFile(file: ts.SourceFile): boolean {
  let known = runtimeFileCache.get(file);
  if (known === undefined) {
    known = marker.test(file.text);
    runtimeFileCache.set(file, known);
  }
  return known;
}

function factsOf(program: ts.Program): ProgramFacts {
  let facts = factsByProgram.get(program);
  if (!facts) {
    const runtimeFiles = new Set<ts.SourceFile>();
    for (const file of program.getSourceFiles()) {
      if (isRuntimeFile(file)) runtimeFiles.add(file);
    }
    facts = { runtimeFiles, reaches: new Map() };
    factsByProgram.set(program, facts);
  }
  return facts;
}

/** Module specifiers of a file's imports, re-exports and `import()` types. */
function moduleSpecifiers(file: ts.SourceFile): ts.StringLiteralLike[] {
  const found: ts.StringLiteralLike[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteralLike(node.moduleSpecifier)) found.push(node.moduleSpecifier);
      return;
    }
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expr = node.moduleReference.expression;
      if (ts.isStringLiteralLike(expr)) found.push(expr);
      return;
    }
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteralLike(node.argument.literal)) {
      found.push(node.argument.literal);
    }
    if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) found.push(node.name);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
  return found;
}

function importedFiles(checker: ts.TypeChecker, file: ts.SourceFile): ts.SourceFile[] {
  const files: ts.SourceFile[] = [];
  for (const spec of moduleSpecifiers(file)) {
    const decl = checker.getSymbolAtLocation(spec)?.valueDeclaration;
    if (decl && ts.isSourceFile(decl)) files.push(decl);
  }
  return files;
}

/**
 * Whether `file` is a runtime file or reaches one through its imports. Graph
 * walk with an explicit stack and a seen-set, so import cycles terminate.
 */
export function usesOffheap(program: ts.Program, file: ts.SourceFile): boolean {
  const facts = factsOf(program);
  if (facts.runtimeFiles.size === 0) return false;
  const known = facts.reaches.get(file);
  if (known !== undefined) return known;

  const checker = program.getTypeChecker();
  const seen = new Set<ts.SourceFile>([file]);
  const stack = [file];
  let result = false;
  while (stack.length > 0 && !result) {
    const current = stack.pop()!;
    const cached = facts.reaches.get(current);
    if (facts.runtimeFiles.has(current) || cached === true) {
      result = true;
      break;
    }
    if (cached === false) continue;
    for (const next of importedFiles(checker, current)) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  // A negative answer holds for everything walked; a positive one only for the start.
  if (result) facts.reaches.set(file, true);
  else for (const f of seen) facts.reaches.set(f, false);
  return result;
}
