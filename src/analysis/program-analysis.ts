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
//   re-analyses the edited file only. No link between successive programs is
//   needed: the SourceFile object is the key.
// - A per-file fact that also depends on other files (a call's resolved
//   target, a declaration's tag seen through re-exports) goes into
//   `dependentCache(name, sourceFile)` with the files it read. It carries
//   over only to programs in which the file and each of those files are the
//   same objects, so editing a dependency invalidates it.
// - A per-file fact that also depends on how the file's module specifiers
//   resolve (which file `./x.js` is) is a `dependentCache(name, file,
//   { resolution: true })` fact: it carries over only while the program
//   reuses the previous program's module resolution whole (TypeScript does
//   when no file changed its imports and no resolution was invalidated; any
//   other program resolves anew and re-derives every such fact).
// - A fact solved over the whole program (which files name the runtime,
//   each file's runtime view, the carrying statements) is `carry`-stored
//   with the program's files by name. The next program with the same module
//   resolution (`resolutionEpoch`: same files, each resolving its
//   specifiers to the same files) reads it back with the files whose
//   SourceFile object changed, and re-solves those files only, or all of
//   them when the change can reach another file. An editor's keystroke
//   changes one file.
// - A per-file fact read from the checker (a call's callee) is a
//   `typeCache(name, file)` fact: it carries over to later programs of the
//   same module resolution while no changed file can change a type the file
//   sees (each changed file is a module that only imports can reach, and
//   the file does not import it, directly or through others).
// - Values of the per-file caches must be plain data or syntax nodes, never
//   checker objects (they belong to a dead checker in the next program).
// - Code that holds only a checker reaches the same program-scoped maps with
//   `cacheOf(checker, name)`, and a file's syntax facts with
//   `syntaxCache(name, file)` (no program needed).
// - No analysis keeps a module-level cache of its own: a module-level
//   `WeakMap<ts.Type | ts.Symbol>` duplicates `cache`, and one keyed by
//   `ts.Node` breaks the rule on reused nodes above.
import type { ParserServicesWithTypeInformation, TSESLint, TSESTree } from '@typescript-eslint/utils';
import ts from 'typescript';
import { variableAt, type Variable } from './references.js';

/** Work counters for tests that prove growth (never timing). */
export const analysisCounters = {
  /** Per-file fact maps created: a file (re)analysed for one cache name. */
  fileCachesCreated: 0,
  /** Dependent facts dropped because the file they were read from changed. */
  dependentFactsDropped: 0,
  /** Import specifier scans: one per file whose syntax was not seen before. */
  specifierScans: 0,
  /** Files opened by the import reachability walk (offheap-files.ts). */
  reachVisits: 0,
  /** Dependencies looked up to validate carried facts: once per distinct dependency list per program. */
  dependencyChecks: 0,
  /** Files whose module specifiers were resolved to files (`moduleTargets`): once per file and module resolution. */
  targetScans: 0,
  /** Nodes whose symbol the checker was asked for through `symbolAt`: once per node and program. */
  symbolLookups: 0,
  /** Nodes `symbolAt` answered from the variable they name (a reference after the variable's first). */
  symbolsByVariable: 0,
  /** Whole-program solutions read back from an earlier program (`carried`), and those stored (`carry`). */
  solutionsCarried: 0,
  solutionsStored: 0,
  /** Files whose checker-derived facts (`typeCache`) were dropped because a file they can see changed. */
  typedFactsDropped: 0,
};

type NodeMap = ParserServicesWithTypeInformation['esTreeNodeToTSNodeMap'];

/** A dependent fact with the files it was read from. */
interface Dependent<V> {
  readonly value: V;
  readonly dependsOn: readonly ts.SourceFile[];
  /** The module resolution the fact was read under (`resolution` stores), or undefined. */
  readonly resolution?: object;
}

/** Per-file facts that also depend on other files (see `ProgramAnalysis.dependentCache`). */
export interface DependentCache<K, V> {
  /** The fact, if recorded and every file it read is unchanged in this program. */
  get(key: K): V | undefined;
  /** Records a fact and the files (other than the cache's own) it was read from. */
  set(key: K, value: V, dependsOn: Iterable<ts.SourceFile>): void;
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

/**
 * The checker's symbol at `node`, once per node and program. The checker
 * keeps no answer of `getSymbolAtLocation` for an identifier: each call walks
 * the scopes again (and the node's ancestors for JSDoc), and several rules
 * ask about the same callee and type names. A reference to a variable of the
 * file being linted is answered from the variable (references.ts): the
 * checker is asked at its first reference only.
 */
export function symbolAt(checker: ts.TypeChecker, node: ts.Node): ts.Symbol | undefined {
  const memo = cacheOf<ts.Node, ts.Symbol | null>(checker, 'program-analysis:symbol-at');
  let symbol = memo.get(node);
  if (symbol === undefined) {
    const variable = byChecker.get(checker)?.variableOfName(node);
    const byVariable = variable && cacheOf<Variable, ts.Symbol | null>(checker, 'program-analysis:variable-symbol');
    symbol = byVariable?.get(variable!);
    if (symbol === undefined) {
      analysisCounters.symbolLookups++;
      symbol = checker.getSymbolAtLocation(node) ?? null;
      byVariable?.set(variable!, symbol);
    } else analysisCounters.symbolsByVariable++;
    memo.set(node, symbol);
  }
  return symbol ?? undefined;
}

/** A whole-program solution, with the files it was solved over by name. */
interface Stored {
  readonly value: unknown;
  readonly files: ReadonlyMap<string, ts.SourceFile>;
}

/**
 * Per module resolution (a program's `resolutionEpoch`): the named solutions
 * its programs stored last. Held while a program of that resolution lives.
 */
const solutions = new WeakMap<object, Map<string, Stored>>();

/** A whole-program solution stored by an earlier program of the same module resolution (see `carried`). */
export interface Carried<S> {
  readonly value: S;
  /** The files whose SourceFile object changed since: the object the solution read, and this program's. */
  readonly changed: readonly (readonly [before: ts.SourceFile, now: ts.SourceFile])[];
}

/** A file's checker-derived facts (`typeCache`): the module resolution and the program they hold for, by name. */
interface TypedFacts {
  readonly epoch: object;
  /** The files of the last program they were found to hold in. */
  files: ReadonlyMap<string, ts.SourceFile>;
  readonly maps: Map<string, Map<unknown, unknown>>;
}

const typedFacts = new WeakMap<ts.SourceFile, TypedFacts>();

/** Per module resolution: each file's importers by name (see `importersByName`). */
const importersByEpoch = new WeakMap<object, ReadonlyMap<string, readonly string[]>>();

/** Per SourceFile object: named fact maps. Survives programs that reuse the object. */
const fileFacts = new WeakMap<ts.SourceFile, Map<string, Map<unknown, unknown>>>();

/**
 * Facts derived from `file` alone (its text and syntax), one map per name:
 * valid in every program that holds this SourceFile object, so they need no
 * program. Values must be plain data or nodes of `file`.
 */
export function syntaxCache<K, V>(name: string, file: ts.SourceFile): Map<K, V> {
  let named = fileFacts.get(file);
  if (!named) fileFacts.set(file, (named = new Map<string, Map<unknown, unknown>>()));
  let map = named.get(name);
  if (!map) {
    named.set(name, (map = new Map()));
    analysisCounters.fileCachesCreated++;
  }
  return map as Map<K, V>;
}

export class ProgramAnalysis {
  readonly checker: ts.TypeChecker;
  /** The ESTree-to-TS map of the file being linted (the last one bound). */
  private nodes: NodeMap | undefined;
  /** Every bound map by its ESTree root, for nodes of a file linted earlier. */
  private readonly roots = new WeakMap<TSESTree.Node, NodeMap>();
  /** The TS-to-ESTree map and ESLint's scopes of the file being linted (`variableOfName`), if bound with them. */
  private names: { readonly esTree: ParserServicesWithTypeInformation['tsNodeToESTreeNodeMap']; readonly scopes: TSESLint.Scope.ScopeManager } | undefined;

  constructor(readonly program: ts.Program) {
    this.checker = program.getTypeChecker();
    byChecker.set(this.checker, this);
  }

  /**
   * Makes `tsOf`/`typeOf` answer for the ESTree of the file typescript-eslint just parsed, and `symbolAt` read
   * its references from ESLint's scopes (`scopes`, the same parse's).
   */
  bind(services: ParserServicesWithTypeInformation, root: TSESTree.Node, scopes?: TSESLint.Scope.ScopeManager | null): void {
    this.nodes = services.esTreeNodeToTSNodeMap;
    this.roots.set(root, services.esTreeNodeToTSNodeMap);
    this.names = scopes ? { esTree: services.tsNodeToESTreeNodeMap, scopes } : undefined;
  }

  /**
   * The variable an identifier reference of the bound file names, by ESLint's scopes, when its symbol is the
   * variable's; else undefined. The name of a shorthand property or an export specifier has another symbol (the
   * property, the alias): typescript-estree maps those names to nodes that are no reference (the key, the
   * exported name), and the parent test keeps the answer right should that change.
   */
  variableOfName(node: ts.Node): Variable | undefined {
    if (!this.names || node.kind !== ts.SyntaxKind.Identifier) return undefined;
    const parent = node.parent as ts.Node | undefined;
    if (!parent || parent.kind === ts.SyntaxKind.ShorthandPropertyAssignment || parent.kind === ts.SyntaxKind.ExportSpecifier) return undefined;
    const id = this.names.esTree.get(node);
    return id && variableAt(this.names.scopes, id);
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
   * A map of facts about `file`'s own syntax, one per name, carried over to
   * later programs that reuse the same SourceFile object. Values must be
   * plain data or nodes of `file`.
   */
  fileCache<K, V>(name: string, file: ts.SourceFile): Map<K, V> {
    return syntaxCache<K, V>(name, file);
  }

  /**
   * Facts about `file` (say, per function of it) that also read other files,
   * one store per name, carried over to later programs while `file` and the
   * files each fact recorded are the same objects there. Each fact is checked
   * once per program.
   */
  dependentCache<K, V>(name: string, file: ts.SourceFile, { resolution = false }: { resolution?: boolean } = {}): DependentCache<K, V> {
    const store = syntaxCache<K, Dependent<V>>(`dependent:${name}`, file);
    const epoch = resolution ? this.resolutionEpoch() : undefined;
    const checked = this.cache<Dependent<V>, true>('program-analysis:checked');
    // Facts recorded with the same list object share one copy of it, so a list (say, every file a function
    // can see, the same for all functions of its file) is validated once per program, not once per fact.
    const interned = this.cache<Iterable<ts.SourceFile>, readonly ts.SourceFile[]>(`program-analysis:lists:${name}`);
    const valid = this.cache<readonly ts.SourceFile[], boolean>('program-analysis:valid-lists');
    const files = this.files();
    return {
      get(key) {
        const fact = store.get(key);
        if (!fact) return undefined;
        if (checked.has(fact)) return fact.value;
        let ok = fact.resolution === epoch ? valid.get(fact.dependsOn) : false;
        if (ok === undefined) {
          analysisCounters.dependencyChecks += fact.dependsOn.length;
          valid.set(fact.dependsOn, (ok = fact.dependsOn.every((dep) => files.has(dep))));
        }
        if (ok) {
          checked.set(fact, true);
          return fact.value;
        }
        store.delete(key);
        analysisCounters.dependentFactsDropped++;
        return undefined;
      },
      set(key, value, dependsOn) {
        let deps = interned.get(dependsOn);
        // The fact's own file may stay in the list: it is in every program the store is read in.
        if (!deps) interned.set(dependsOn, (deps = [...new Set(dependsOn)]));
        const fact: Dependent<V> = { value, dependsOn: deps, resolution: epoch };
        store.set(key, fact);
        checked.set(fact, true);
      },
    };
  }

  /**
   * The solution `name` an earlier program of the same module resolution
   * stored (`carry`), with the files changed since; undefined if none. The
   * same resolution means the same files by name, each with the same module
   * specifiers, resolved to the same files: only the changed files' own
   * syntax can differ (an import's bound names, say). The caller re-solves
   * the changed files, or everything when a change can reach other files.
   */
  carried<S>(name: string): Carried<S> | undefined {
    const stored = solutions.get(this.resolutionEpoch())?.get(name);
    if (!stored) return undefined;
    const changed = this.changedSince(stored.files);
    if (!changed) return undefined;
    analysisCounters.solutionsCarried++;
    return { value: stored.value as S, changed };
  }

  /** Stores this program's solution `name` for the next program of the same module resolution (see `carried`). */
  carry<S>(name: string, value: S): void {
    const epoch = this.resolutionEpoch();
    let named = solutions.get(epoch);
    if (!named) solutions.set(epoch, (named = new Map<string, Stored>()));
    named.set(name, { value, files: this.filesByName() });
    analysisCounters.solutionsStored++;
  }

  /**
   * Facts about `file` read from the checker (the callee of a call, say),
   * one map per name, carried over to later programs of the same module
   * resolution while no changed file can change a type `file` sees: every
   * changed file is a module in both versions that declares no globals and
   * augments no module, so its declarations reach other files only through
   * imports, and `file` imports none of them, directly or through other
   * files. Checked once per file and program. Values must be plain data or
   * nodes of `file`.
   */
  typeCache<K, V>(name: string, file: ts.SourceFile): Map<K, V> {
    const checked = this.cache<ts.SourceFile, TypedFacts>('program-analysis:typed');
    let facts = checked.get(file);
    if (!facts) {
      const epoch = this.resolutionEpoch();
      const files = this.filesByName();
      facts = typedFacts.get(file);
      if (facts && facts.epoch === epoch && this.unaffected(file, facts.files)) facts.files = files;
      else {
        if (facts) analysisCounters.typedFactsDropped++;
        typedFacts.set(file, (facts = { epoch, files, maps: new Map() }));
      }
      checked.set(file, facts);
    }
    let map = facts.maps.get(name);
    if (!map) facts.maps.set(name, (map = new Map()));
    return map as Map<K, V>;
  }

  /** Whether no file changed since the program of `files` can change a type `file` sees (see `typeCache`). */
  private unaffected(file: ts.SourceFile, files: ReadonlyMap<string, ts.SourceFile>): boolean {
    const changed = this.changedSince(files);
    if (!changed) return false;
    if (changed.length === 0) return true;
    const memo = this.cache<ReadonlyMap<string, ts.SourceFile>, ReadonlySet<string> | 'all'>('program-analysis:affected');
    let affected = memo.get(files);
    if (!affected) memo.set(files, (affected = this.affectedBy(changed)));
    return affected !== 'all' && !affected.has(file.fileName);
  }

  /** The files that import a changed file, directly or through others, by name; 'all' when a change can reach them otherwise. */
  private affectedBy(changed: Carried<unknown>['changed']): ReadonlySet<string> | 'all' {
    const local = (f: ts.SourceFile): boolean => ts.isExternalModule(f) && (f as CollectedReferences).moduleAugmentations?.length === 0;
    if (!changed.every(([before, now]) => local(before) && local(now))) return 'all';
    const importers = this.importersByName();
    const found = new Set(changed.map(([, now]) => now.fileName));
    const queue = [...found];
    for (let i = 0; i < queue.length; i++) {
      for (const from of importers.get(queue[i]) ?? []) {
        if (!found.has(from)) {
          found.add(from);
          queue.push(from);
        }
      }
    }
    return found;
  }

  /** Each file's importers by name: the same in every program of one module resolution, so built once for it. */
  private importersByName(): ReadonlyMap<string, readonly string[]> {
    const epoch = this.resolutionEpoch();
    let importers = importersByEpoch.get(epoch);
    if (!importers) {
      const out = new Map<string, string[]>();
      for (const f of this.program.getSourceFiles()) {
        for (const to of this.importsOf(f)) {
          const list = out.get(to.fileName);
          if (list) list.push(f.fileName);
          else out.set(to.fileName, [f.fileName]);
        }
      }
      importersByEpoch.set(epoch, (importers = out));
    }
    return importers;
  }

  /** The program's files by name (once per program). */
  private filesByName(): ReadonlyMap<string, ts.SourceFile> {
    const memo = this.cache<'files', ReadonlyMap<string, ts.SourceFile>>('program-analysis:files-by-name');
    let files = memo.get('files');
    if (!files) memo.set('files', (files = new Map(this.program.getSourceFiles().map((f) => [f.fileName, f]))));
    return files;
  }

  /** The files whose object differs from `before`'s (once per stored file list and program); undefined if the file names differ. */
  private changedSince(before: ReadonlyMap<string, ts.SourceFile>): Carried<unknown>['changed'] | undefined {
    const memo = this.cache<ReadonlyMap<string, ts.SourceFile>, Carried<unknown>['changed'] | null>('program-analysis:changed');
    let changed = memo.get(before);
    if (changed === undefined) {
      const now = this.filesByName();
      let out: (readonly [ts.SourceFile, ts.SourceFile])[] | null = now.size === before.size ? [] : null;
      for (const [name, f] of out ? now : []) {
        const old = before.get(name);
        if (!old) {
          out = null;
          break;
        }
        if (old !== f) out!.push([old, f]);
      }
      memo.set(before, (changed = out));
    }
    return changed ?? undefined;
  }

  /**
   * The program's module resolution as one object: the same object in a
   * program that reused the previous program's resolution whole. That is
   * TypeScript's table of every file's resolved modules (not in the public
   * typings; TypeScript 6.0 has it); without it, an object of this program
   * alone, so nothing tied to resolution carries over.
   */
  private resolutionEpoch(): object {
    const memo = this.cache<'epoch', object>('program-analysis:epoch');
    let epoch = memo.get('epoch');
    if (!epoch) {
      const table = (this.program as ResolutionTable).resolvedModules;
      memo.set('epoch', (epoch = typeof table === 'object' && table !== null ? table : {}));
    }
    return epoch;
  }

  /**
   * The file each module specifier of `file` names (its imports,
   * re-exports, `import()` types and calls, `require`s and `declare module
   * 'm'` augmentations): the program's resolution, or for a specifier it did
   * not resolve, the file declaring the ambient module of that name.
   * Carried over to later programs while `file`, the files found and the
   * module resolution are unchanged; a file that needed the ambient lookup
   * (which any file can change) is resolved again in every program.
   */
  moduleTargets(file: ts.SourceFile): ReadonlyMap<ts.Node, ts.SourceFile> {
    const memo = this.cache<ts.SourceFile, ReadonlyMap<ts.Node, ts.SourceFile>>('program-analysis:targets');
    let found = memo.get(file);
    if (found) return found;
    const carried = this.dependentCache<'targets', ReadonlyMap<ts.Node, ts.SourceFile>>('program-analysis:targets', file, { resolution: true });
    found = carried.get('targets');
    if (!found) {
      analysisCounters.targetScans++;
      const out = new Map<ts.Node, ts.SourceFile>();
      let ambient = false;
      for (const spec of moduleSpecifiers(file)) {
        let target = this.resolvedFile(spec, file);
        if (!target) {
          ambient = true;
          target = this.checker.getSymbolAtLocation(spec)?.declarations?.[0]?.getSourceFile();
        }
        if (target) out.set(spec, target);
      }
      found = out;
      if (!ambient) carried.set('targets', found, out.values());
    }
    memo.set(file, found);
    return found;
  }

  /** The program's SourceFile objects (a dependency holds while its object is one of them). */
  private files(): ReadonlySet<ts.SourceFile> {
    const memo = this.cache<'files', ReadonlySet<ts.SourceFile>>('program-analysis:files');
    let files = memo.get('files');
    if (!files) memo.set('files', (files = new Set(this.program.getSourceFiles())));
    return files;
  }

  /**
   * The files `file` imports, re-exports from, or names in `import()` types
   * and `declare module` augmentations, resolved in this program. The
   * specifiers are a per-file fact. Each is resolved by the module resolution
   * the program already did (a lookup), or where that is not available by the
   * checker's symbol for the specifier (no types either way, so files that
   * never use offheap stay cheap).
   */
  importsOf(file: ts.SourceFile): readonly ts.SourceFile[] {
    const edges = this.cache<ts.SourceFile, readonly ts.SourceFile[]>('program-analysis:imports');
    let found = edges.get(file);
    if (!found) {
      // The same targets the fixpoints read, ambient modules included (`import { n } from 'x'` with `declare module 'x'` in a .d.ts).
      edges.set(file, (found = [...new Set(this.moduleTargets(file).values())]));
    }
    return found;
  }

  /** The file a module specifier of `file` resolves to in this program, if any. */
  resolvedFile(spec: ts.StringLiteralLike, file: ts.SourceFile): ts.SourceFile | undefined {
    // Not in the public typings: the program's own resolution (TypeScript 6.0 has it); without it, the checker resolves.
    const lookup = (this.program as ResolvedModuleLookup).getResolvedModuleFromModuleSpecifier;
    if (typeof lookup === 'function') {
      const name = lookup.call(this.program, spec, file)?.resolvedModule?.resolvedFileName;
      const target = name === undefined ? undefined : this.program.getSourceFile(name);
      if (target) return target;
    }
    const decl = this.checker.getSymbolAtLocation(spec)?.valueDeclaration;
    return decl && ts.isSourceFile(decl) ? decl : undefined;
  }
}

interface ResolutionTable {
  readonly resolvedModules?: unknown;
}

interface ResolvedModuleLookup {
  getResolvedModuleFromModuleSpecifier?: (spec: ts.StringLiteralLike, file: ts.SourceFile) => { resolvedModule?: { resolvedFileName: string } } | undefined;
}

/** What program creation records on every SourceFile (not in the public typings; TypeScript 6.0 has both). */
interface CollectedReferences {
  readonly imports?: readonly ts.StringLiteralLike[];
  readonly moduleAugmentations?: readonly (ts.StringLiteral | ts.Identifier)[];
}

/**
 * Module specifiers of a file's imports, re-exports, `import()` types and
 * calls, and module augmentations (a per-file fact): the list program
 * creation already collected, or where it is missing a walk of the syntax.
 */
export function moduleSpecifiers(file: ts.SourceFile): readonly ts.StringLiteralLike[] {
  const facts = syntaxCache<'specifiers', readonly ts.StringLiteralLike[]>('program-analysis:specifiers', file);
  let found = facts.get('specifiers');
  if (found) return found;
  analysisCounters.specifierScans++;
  const { imports, moduleAugmentations } = file as CollectedReferences;
  if (imports !== undefined && moduleAugmentations !== undefined) {
    found = [...imports, ...moduleAugmentations.filter((m): m is ts.StringLiteral => ts.isStringLiteral(m))];
  } else {
    found = walkSpecifiers(file);
  }
  facts.set('specifiers', found);
  return found;
}

/** The specifiers by a walk of the syntax (where program creation did not collect them; exported for tests). */
export function walkSpecifiers(file: ts.SourceFile): ts.StringLiteralLike[] {
  const out: ts.StringLiteralLike[] = [];
  // Explicit stack: deeply nested code must not overflow the JS stack.
  const stack: ts.Node[] = [file];
  const push = (child: ts.Node): void => {
    stack.push(child);
  };
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
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      out.push(node.arguments[0]);
    }
    if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) out.push(node.name);
    ts.forEachChild(node, push);
  }
  return out;
}

const analyses = new WeakMap<ts.Program, ProgramAnalysis>();
const byChecker = new WeakMap<ts.TypeChecker, ProgramAnalysis>();

/** The analysis state a checker's program already has, for code that holds only the checker (none if never made). */
export function analysisOfChecker(checker: ts.TypeChecker): ProgramAnalysis | undefined {
  return byChecker.get(checker);
}

/** The analysis state of `program`, made on first use. */
export function programAnalysis(program: ts.Program): ProgramAnalysis {
  let pa = analyses.get(program);
  if (!pa) analyses.set(program, (pa = new ProgramAnalysis(program)));
  return pa;
}
