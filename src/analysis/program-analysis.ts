// One analysis state per TypeScript program: the checker, the ESTree-to-TS
// lookups, and every cache the analyses keep.
//
// Invariant (what may be cached where):
// - A `ts.Program` comes with its own checker, and every `ts.Type`,
//   `ts.Signature` and checker-made `ts.Symbol` belongs to that checker. Facts
//   that hold or are derived from them live in `cache(name)`: program-scoped,
//   dropped with the program.
// - When the language server (or typescript-eslint's project service) builds
//   the next program of a project, TypeScript reuses the `ts.SourceFile`
//   object of every file whose text did not change. An edited file gets a new
//   object, but incremental parsing may move its unchanged `ts.Node`s into
//   the new tree under new parents, so a node seen again does not prove its
//   context unchanged. Facts about a file's own syntax therefore live in
//   `fileCache(name, sourceFile)`, keyed by the SourceFile object: they carry
//   over to every later program that holds the same object, and an edit
//   re-analyses the edited file only. Their values must be plain data or
//   nodes of that file, never checker objects.
// - A per-file fact that also depends on other files names them:
//   `fileCache(name, sourceFile, dependsOn)`. The facts carry over only while
//   the file and every file in `dependsOn` are the same objects as when they
//   were first cached, so editing a dependency invalidates them. No link
//   between successive programs is needed: the SourceFile object is the key.
// - Code that holds only a checker reaches the same program-scoped maps with
//   `cacheOf(checker, name)`, and facts of a file's own syntax with
//   `syntaxCache(name, file)` (no program needed).
// - No analysis keeps a module-level cache of its own: a module-level
//   `WeakMap<ts.Type | ts.Symbol>` outlives nothing useful, and one keyed by
//   `ts.Node` breaks the rule above.
import type { ParserServicesWithTypeInformation, TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';

/** Work counters for tests that prove growth (never timing). */
export const analysisCounters = {
  /** File caches created: a file's own facts (re)computed for `name`. */
  fileCachesCreated: 0,
  /** Import specifier scans: one per file whose syntax was not seen before. */
  specifierScans: 0,
  /** Files opened by the import reachability walk (offheap-files.ts). */
  reachVisits: 0,
};

type NodeMap = ParserServicesWithTypeInformation['esTreeNodeToTSNodeMap'];

interface FileEntry {
  readonly value: Map<unknown, unknown>;
  readonly deps: readonly ts.SourceFile[];
}

/** Per checker (so per program): the named program-scoped maps. */
const programCaches = new WeakMap<ts.TypeChecker, Map<string, Map<unknown, unknown>>>();

/**
 * The program-scoped map `name` of the program `checker` belongs to: the same
 * map as `programAnalysis(program).cache(name)`, for code that holds only the
 * checker.
 */
export function cacheOf<K, V>(checker: ts.TypeChecker, name: string): Map<K, V> {
  let caches = programCaches.get(checker);
  if (!caches) programCaches.set(checker, (caches = new Map<string, Map<unknown, unknown>>()));
  let map = caches.get(name);
  if (!map) caches.set(name, (map = new Map()));
  return map as Map<K, V>;
}

/** Per SourceFile object: named fact maps. Survives programs that reuse the object. */
const fileFacts = new WeakMap<ts.SourceFile, Map<string, FileEntry>>();

const sameList = (a: readonly ts.SourceFile[], b: readonly ts.SourceFile[]): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** The fact map `name` of `file`, new when the file or a dependency is not the object it was made with. */
function entryOf(name: string, file: ts.SourceFile, dependsOn: readonly ts.SourceFile[]): Map<unknown, unknown> {
  let entries = fileFacts.get(file);
  if (!entries) fileFacts.set(file, (entries = new Map<string, FileEntry>()));
  let entry = entries.get(name);
  if (!entry || !sameList(entry.deps, dependsOn)) {
    entry = { value: new Map(), deps: [...dependsOn] };
    entries.set(name, entry);
    analysisCounters.fileCachesCreated++;
  }
  return entry.value;
}

/**
 * Facts derived from `file` alone (its text and syntax), one map per name:
 * valid in every program that holds this SourceFile object, so they need no
 * program. Values must be plain data or nodes of `file`.
 */
export function syntaxCache<K, V>(name: string, file: ts.SourceFile): Map<K, V> {
  return entryOf(name, file, []) as Map<K, V>;
}

export class ProgramAnalysis {
  readonly checker: ts.TypeChecker;
  /** The ESTree-to-TS map of the file being linted (the last one bound). */
  private nodes: NodeMap | undefined;
  /** Every bound map by its ESTree root, for nodes of a file linted earlier. */
  private readonly roots = new WeakMap<TSESTree.Node, NodeMap>();

  constructor(readonly program: ts.Program) {
    this.checker = program.getTypeChecker();
  }

  /** Makes `tsOf`/`typeOf` answer for the ESTree of the file typescript-eslint just parsed. */
  bind(services: ParserServicesWithTypeInformation, root: TSESTree.Node): void {
    this.nodes = services.esTreeNodeToTSNodeMap;
    this.roots.set(root, services.esTreeNodeToTSNodeMap);
  }

  /** The TypeScript node an ESTree node was converted from. */
  tsOf<T extends ts.Node = ts.Node>(node: TSESTree.Node): T {
    let found = this.nodes?.get(node);
    if (!found) {
      let root: TSESTree.Node = node;
      while (root.parent) root = root.parent;
      found = this.roots.get(root)?.get(node);
    }
    if (!found) throw new Error(`offheap: no TypeScript node for ${node.type} at line ${node.loc.start.line}: the file was not bound to this program`);
    return found as T;
  }

  /** The checker's type at an ESTree node. */
  typeOf(node: TSESTree.Node): ts.Type {
    return this.checker.getTypeAtLocation(this.tsOf(node));
  }

  /** A program-scoped map, one per name: for facts that hold checker objects or span files. */
  cache<K, V>(name: string): Map<K, V> {
    return cacheOf<K, V>(this.checker, name);
  }

  /**
   * A map of facts about `file`, one per name, carried over to later programs
   * that reuse the same SourceFile object (and the same `dependsOn` objects,
   * in order). Values must be plain data or nodes of `file`. The dependency
   * list is compared once per program and file; pass the same list every time.
   */
  fileCache<K, V>(name: string, file: ts.SourceFile, dependsOn: readonly ts.SourceFile[] = []): Map<K, V> {
    if (dependsOn.length === 0) return syntaxCache<K, V>(name, file);
    const checked = this.cache<ts.SourceFile, Map<unknown, unknown>>(`program-analysis:validated:${name}`);
    let map = checked.get(file);
    if (!map) checked.set(file, (map = entryOf(name, file, dependsOn)));
    return map as Map<K, V>;
  }

  /**
   * The files `file` imports, re-exports from, or names in `import()` types
   * and `declare module` augmentations, resolved in this program. The
   * specifiers are a per-file fact; resolving them asks the checker for
   * symbols only (no types), so files that never use offheap stay cheap.
   */
  importsOf(file: ts.SourceFile): readonly ts.SourceFile[] {
    const edges = this.cache<ts.SourceFile, readonly ts.SourceFile[]>('program-analysis:imports');
    let found = edges.get(file);
    if (!found) {
      const out: ts.SourceFile[] = [];
      for (const spec of moduleSpecifiers(this, file)) {
        const decl = this.checker.getSymbolAtLocation(spec)?.valueDeclaration;
        if (decl && ts.isSourceFile(decl) && !out.includes(decl)) out.push(decl);
      }
      edges.set(file, (found = out));
    }
    return found;
  }
}

/** Module specifiers of a file's imports, re-exports, `import()` types and module augmentations (a per-file fact). */
function moduleSpecifiers(pa: ProgramAnalysis, file: ts.SourceFile): readonly ts.StringLiteralLike[] {
  const facts = pa.fileCache<'specifiers', readonly ts.StringLiteralLike[]>('program-analysis:specifiers', file);
  let found = facts.get('specifiers');
  if (found) return found;
  analysisCounters.specifierScans++;
  const out: ts.StringLiteralLike[] = [];
  // Explicit stack: deeply nested code must not overflow the JS stack.
  const stack: ts.Node[] = [file];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteralLike(node.moduleSpecifier)) out.push(node.moduleSpecifier);
      continue;
    }
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expr = node.moduleReference.expression;
      if (ts.isStringLiteralLike(expr)) out.push(expr);
      continue;
    }
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteralLike(node.argument.literal)) {
      out.push(node.argument.literal);
    }
    if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) out.push(node.name);
    const children: ts.Node[] = [];
    ts.forEachChild(node, (child) => {
      children.push(child);
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  facts.set('specifiers', (found = out));
  return found;
}

const analyses = new WeakMap<ts.Program, ProgramAnalysis>();

/** The analysis state of `program`, made on first use. */
export function programAnalysis(program: ts.Program): ProgramAnalysis {
  let pa = analyses.get(program);
  if (!pa) analyses.set(program, (pa = new ProgramAnalysis(program)));
  return pa;
}
