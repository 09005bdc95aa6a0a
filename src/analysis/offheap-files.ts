// Which files can see offheap at all.
//
// Rules must be nearly free on code that never touches offheap, so this is
// answered without asking the checker for a single type: a runtime file is
// one whose JSDoc carries `@offheap` tags, and a file uses offheap when its import
// graph reaches one. Reachability is solved once per program for every file a
// walk visits (strongly connected components, so cycles and barrels cost one
// visit per file and edge); the per-file inputs (the tag test, the import
// specifiers) carry over to the next program while the file is unchanged.
import ts from 'typescript';
import { mayBeHeapRef } from './brands.js';
import { analysisCounters, moduleSpecifiers, programAnalysis, syntaxCache, walkSpecifiers, type Carried, type ProgramAnalysis } from './program-analysis.js';

/** A JSDoc line that starts with the tag: `* @offheap id` or `/** @offheap id`. */
const marker = /\*\s*@offheap\s/;

/** A file of the runtime itself: its JSDoc carries `@offheap` declaration tags. */
export function isRuntimeFile(file: ts.SourceFile): boolean {
  const facts = syntaxCache<'runtime', boolean>('offheap-files:runtime', file);
  let known = facts.get('runtime');
  if (known === undefined) facts.set('runtime', (known = file.text.includes('@offheap') && marker.test(file.text)));
  return known;
}

/** Whether any file of the program is a runtime file (each file's answer carries over to later programs). */
function hasRuntime(pa: ProgramAnalysis): boolean {
  const memo = pa.cache<'any', boolean>('offheap-files:has-runtime');
  let any = memo.get('any');
  if (any === undefined) memo.set('any', (any = pa.program.getSourceFiles().some(isRuntimeFile)));
  return any;
}

interface Frame {
  readonly file: ts.SourceFile;
  readonly edges: readonly ts.SourceFile[];
  next: number;
}

/**
 * Whether `file` is a runtime file or reaches one through its imports.
 * Iterative Tarjan over the import graph from `file`, answers cached per
 * program for every file the walk settles:
 * - a component the walk completes without finding the runtime never
 *   reaches it: all its files are cached false;
 * - the first edge into a runtime file (or a file known to reach one) ends
 *   the walk: every file still on the component stack reaches the file being
 *   expanded (Tarjan's invariant: each can reach a file on the current path,
 *   and each file on the path reaches its end), so all are cached true.
 * Every file is expanded at most once per program, and a file that imports
 * the runtime directly is answered without walking the rest of the program.
 */
export function usesOffheap(program: ts.Program, file: ts.SourceFile): boolean {
  return reachesRuntime(programAnalysis(program), file);
}

/** `usesOffheap` on an analysis state already at hand. */
export function reachesRuntime(pa: ProgramAnalysis, file: ts.SourceFile): boolean {
  const known = pa.cache<ts.SourceFile, boolean>('offheap-files:reaches');
  const cached = known.get(file);
  if (cached !== undefined) return cached;
  if (!hasRuntime(pa)) return false;

  const index = new Map<ts.SourceFile, number>();
  const low = new Map<ts.SourceFile, number>();
  const component: ts.SourceFile[] = [];
  const frames: Frame[] = [];
  const found = (): boolean => {
    for (const f of component) known.set(f, true);
    return true;
  };
  const open = (f: ts.SourceFile): void => {
    analysisCounters.reachVisits++;
    index.set(f, index.size);
    low.set(f, index.size - 1);
    frames.push({ file: f, edges: pa.importsOf(f), next: 0 });
    component.push(f);
  };
  if (isRuntimeFile(file)) {
    known.set(file, true);
    return true;
  }
  open(file);
  while (frames.length > 0) {
    const top = frames[frames.length - 1];
    if (top.next < top.edges.length) {
      const to = top.edges[top.next++];
      const done = known.get(to);
      if (done === true || (done === undefined && isRuntimeFile(to))) return found();
      if (done === false) continue;
      if (!index.has(to)) open(to);
      else low.set(top.file, Math.min(low.get(top.file)!, index.get(to)!)); // still on the component stack
      continue;
    }
    frames.pop();
    if (low.get(top.file) === index.get(top.file)) {
      // `top` roots a completed component that never reached the runtime.
      for (const f of component.splice(component.lastIndexOf(top.file))) known.set(f, false);
    } else {
      const parent = frames[frames.length - 1];
      low.set(parent.file, Math.min(low.get(parent.file)!, low.get(top.file)!));
    }
  }
  return known.get(file)!;
}

interface CollectedReferences {
  readonly imports?: readonly ts.StringLiteralLike[];
  readonly moduleAugmentations?: readonly (ts.StringLiteral | ts.Identifier)[];
}

/**
 * Whether a value or type of `file` can be one of the runtime's: the file
 * names a binding (an import, a re-export, an `import()` type) of a runtime
 * file or of a file that itself names one. Side-effect imports
 * (`import 'offheap'`) name nothing and carry nothing on: a program whose
 * files only run the runtime's module holds no offheap type outside it. A
 * specifier that resolves to no module gives its bindings the checker's
 * error type (they carry nothing); one that names an ambient module is an
 * edge to the file declaring it. When a file that names the runtime
 * declares globals (a script, `declare global`), every file may see them;
 * its `declare module 'm'` augments m's file alone, which then counts as
 * naming the runtime. Solved once per program for all files (reverse edges
 * from the runtime, breadth-first), no types asked.
 */
export function namesRuntime(pa: ProgramAnalysis, file: ts.SourceFile): boolean {
  const memo = pa.cache<'files', ReadonlySet<ts.SourceFile> | 'all'>('offheap-files:names-runtime');
  let named = memo.get('files');
  if (named === undefined) memo.set('files', (named = filesNamingRuntime(pa)));
  return named === 'all' || named.has(file);
}

/** Work counters for tests: files whose imports were read into the program's import graph, reverse-edge builds, import names looked up in a file's text. */
export const namesCounters = { filesRead: 0, graphsBuilt: 0, namesRead: 0 };

/** One module specifier of a file, as the fixpoints over the import graph read it. */
interface ImportEdge {
  /** The file the specifier is in. */
  readonly from: ts.SourceFile;
  /** The file it names. */
  readonly to: ts.SourceFile;
  readonly spec: ts.StringLiteralLike;
  /**
   * `names`: an import (`import x, { a as b }`, `import * as ns`, `import x = require()`) that binds `names`;
   * `whole`: a re-export, an `import()` type or call, which take the module without a local name;
   * `augment`: a `declare module 'm'` block, whose declarations merge into m's.
   */
  readonly kind: 'names' | 'whole' | 'augment';
  /** For `names`: each binding's name in the module (`default`, `*` for the whole module) and its local name. */
  readonly names: readonly (readonly [imported: string, local: string])[];
}

/** A program's import graph, built once per program for every fixpoint over it (namesRuntime, usesRuntime). */
interface ImportGraph {
  readonly runtime: readonly ts.SourceFile[];
  /** Each file's own specifiers, and the edges into each file. */
  readonly edges: ReadonlyMap<ts.SourceFile, readonly ImportEdge[]>;
  readonly importers: ReadonlyMap<ts.SourceFile, readonly ImportEdge[]>;
  /** Files that declare globals: a script (all its declarations, block undefined) or a `declare global` block. */
  readonly globalish: readonly (readonly [ts.SourceFile, ts.Node | undefined])[];
}

function importGraph(pa: ProgramAnalysis): ImportGraph {
  const memo = pa.cache<'graph', ImportGraph>('offheap-files:import-graph');
  let graph = memo.get('graph');
  if (graph) return graph;
  namesCounters.graphsBuilt++;
  const runtime: ts.SourceFile[] = [];
  const edges = new Map<ts.SourceFile, ImportEdge[]>();
  const importers = new Map<ts.SourceFile, ImportEdge[]>();
  const globalish: (readonly [ts.SourceFile, ts.Node | undefined])[] = [];
  for (const f of pa.program.getSourceFiles()) {
    const isRuntime = isRuntimeFile(f);
    if (isRuntime) runtime.push(f);
    else if (pa.program.isSourceFileDefaultLibrary(f)) continue;
    if (!ts.isExternalModule(f)) globalish.push([f, undefined]);
    for (const m of (f as CollectedReferences).moduleAugmentations ?? []) if (ts.isIdentifier(m) && m.text === 'global') globalish.push([f, m.parent]);
    // The runtime's own imports lead only to runtime files: nothing flows from them.
    if (isRuntime) continue;
    namesCounters.filesRead++;
    const own: ImportEdge[] = [];
    for (const [node, to] of pa.moduleTargets(f)) {
      const spec = node as ts.StringLiteralLike;
      const bound = bindsOf(spec);
      if (!bound) continue; // `import 'm'` runs the module and names nothing
      const edge: ImportEdge = { from: f, to, spec, ...bound };
      own.push(edge);
      let list = importers.get(to);
      if (!list) importers.set(to, (list = []));
      list.push(edge);
    }
    edges.set(f, own);
  }
  memo.set('graph', (graph = { runtime, edges, importers, globalish }));
  return graph;
}

/** What a module specifier's declaration takes from the module (see `ImportEdge`); undefined for `import 'm'`, which names nothing. */
function bindsOf(spec: ts.StringLiteralLike): Pick<ImportEdge, 'kind' | 'names'> | undefined {
  const at = spec.parent;
  const names: (readonly [string, string])[] = [];
  if (ts.isImportDeclaration(at)) {
    const clause = at.importClause;
    if (!clause) return undefined;
    if (clause.name) names.push(['default', clause.name.text]);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) names.push(['*', bindings.name.text]);
    else if (bindings) for (const el of bindings.elements) names.push([(el.propertyName ?? el.name).text, el.name.text]);
    return { kind: 'names', names };
  }
  if (ts.isExternalModuleReference(at) && ts.isImportEqualsDeclaration(at.parent)) return { kind: 'names', names: [['*', at.parent.name.text]] };
  return { kind: ts.isModuleDeclaration(at) ? 'augment' : 'whole', names };
}

/**
 * A file's part of the import graph, as text (once per SourceFile object):
 * whether it is a runtime file or declares globals (and a script's ambient
 * modules), and per module
 * specifier what its declaration binds (re-exported names too, which the
 * views read), with whether each local name is used. Under one module
 * resolution a specifier resolves to the same file in every program, so
 * two versions of a file with the same signature give the same import
 * graph, and the same answers of everything solved over it alone.
 */
function graphSignature(file: ts.SourceFile): string {
  const facts = syntaxCache<'signature', string>('offheap-files:graph-signature', file);
  let signature = facts.get('signature');
  if (signature !== undefined) return signature;
  const parts = [isRuntimeFile(file) ? 'runtime' : ts.isExternalModule(file) ? 'module' : 'script'];
  for (const m of (file as CollectedReferences).moduleAugmentations ?? []) if (ts.isIdentifier(m)) parts.push(m.text);
  // A script's ambient modules (`declare module 'm'`), which specifiers no file resolves may name.
  if (!ts.isExternalModule(file)) for (const st of file.statements) if (ts.isModuleDeclaration(st) && ts.isStringLiteral(st.name)) parts.push(`ambient ${JSON.stringify(st.name.text)}`);
  for (const spec of moduleSpecifiers(file)) {
    const bound = bindsOf(spec);
    const at = spec.parent;
    const reexported = ts.isExportDeclaration(at) && at.exportClause ? reexportedNames(at.exportClause) : '';
    parts.push(`${bound?.kind ?? 'runs'} ${JSON.stringify(spec.text)} ${reexported}${bound?.names.map(([imported, local]) => `${imported}:${local}:${usesName(file, local)}`).join(',') ?? ''}`);
  }
  facts.set('signature', (signature = parts.join('\n')));
  return signature;
}

function reexportedNames(clause: ts.NamedExportBindings): string {
  return ts.isNamespaceExport(clause) ? `* as ${clause.name.text}` : clause.elements.map((el) => `${(el.propertyName ?? el.name).text}:${el.name.text}`).join(',');
}

/** A file set solved over the import graph. */
interface GraphSolution {
  readonly files: ReadonlySet<ts.SourceFile> | 'all';
  /** Whether a `declare global` block was read to decide it. */
  readonly readBlocks: boolean;
}

/**
 * A file set solved over the import graph alone, carried from an earlier
 * program of the same module resolution when every changed file kept its
 * graph signature; a set that read a `declare global` block (whose answer
 * other files' declarations decide) is solved again. Else undefined.
 */
function carriedGraphSolution(pa: ProgramAnalysis, name: string): ReadonlySet<ts.SourceFile> | 'all' | undefined {
  const carried = pa.carried<GraphSolution>(name);
  if (!carried || carried.value.readBlocks) return undefined;
  if (!carried.changed.every(([before, now]) => graphSignature(before) === graphSignature(now))) return undefined;
  const { files } = carried.value;
  return files === 'all' ? files : withChanged(files, carried.changed);
}

/** `files` with each changed file's new object in place of its old one. */
function withChanged(files: ReadonlySet<ts.SourceFile>, changed: Carried<unknown>['changed']): ReadonlySet<ts.SourceFile> {
  const out = new Set(files);
  for (const [before, now] of changed) if (out.delete(before)) out.add(now);
  return out;
}

/** Solves a file set over the import graph (`solve`), or carries it from an earlier program, and stores it for the next. */
function graphSolution(pa: ProgramAnalysis, name: string, solve: (graph: ImportGraph) => GraphSolution): ReadonlySet<ts.SourceFile> | 'all' {
  const carried = carriedGraphSolution(pa, name);
  if (carried) carriedNow(pa).set(name, true);
  const solution = carried ? { files: carried, readBlocks: false } : solve(importGraph(pa));
  pa.carry<GraphSolution>(name, solution);
  return solution.files;
}

/** The solutions this program carried from an earlier one. */
function carriedNow(pa: ProgramAnalysis): Map<string, true> {
  return pa.cache<string, true>('offheap-files:carried');
}

/** A closure's files, or 'all' when one of them declares globals that can carry what it holds. */
function withGlobals(pa: ProgramAnalysis, graph: ImportGraph, found: ReadonlySet<ts.SourceFile>): GraphSolution {
  return {
    files: globalsCarry(pa, graph, found) ? 'all' : found,
    readBlocks: graph.globalish.some(([f, block]) => block !== undefined && found.has(f)),
  };
}

/** 'all' when a file of `files` declares globals that can carry what it holds (a script, or a `declare global` block that carries). */
function globalsCarry(pa: ProgramAnalysis, graph: ImportGraph, files: ReadonlySet<ts.SourceFile>): boolean {
  // A block is read only when its file is in the set (lib and @types blocks are large and never are).
  return graph.globalish.some(([f, block]) => files.has(f) && (block === undefined || globalBlockCarries(pa, block)));
}

/** The runtime's files and every file `step` marks from a file already found, breadth-first (each file once). */
function closure(graph: ImportGraph, step: (f: ts.SourceFile, mark: (to: ts.SourceFile) => void) => void): Set<ts.SourceFile> {
  const found = new Set<ts.SourceFile>(graph.runtime);
  const queue = [...graph.runtime];
  const mark = (f: ts.SourceFile): void => {
    if (found.has(f)) return;
    found.add(f);
    queue.push(f);
  };
  for (let i = 0; i < queue.length; i++) step(queue[i], mark);
  return found;
}

function filesNamingRuntime(pa: ProgramAnalysis): ReadonlySet<ts.SourceFile> | 'all' {
  return graphSolution(pa, 'offheap-files:names-runtime', (graph) =>
    withGlobals(
      pa,
      graph,
      closure(graph, (f, mark) => {
        // Every file importing one that names the runtime names it; a file's `declare module 'm'` adds members to
        // m's file only (m's importers then see them), so it names what m's file names only through an import.
        for (const e of graph.importers.get(f) ?? []) if (e.kind !== 'augment') mark(e.from);
        for (const e of graph.edges.get(f) ?? []) if (e.kind === 'augment') mark(e.to);
      }),
    ),
  );
}

/**
 * The files whose declarations can hold a not-in-heap mark, a HeapRef or
 * anything else of the runtime: the runtime's, and every file that uses a
 * binding of one of them (reads the name it imports anywhere past its
 * import, re-exports from it, or names it in an `import()` type or a
 * `declare module` augmentation, whose declarations merge both ways). A
 * file that imports the mark and never uses it builds every type it
 * declares from files without marks. Solved once per program over the
 * import graph's reverse edges; each file's text is read at most once.
 * 'all' when such a file declares globals (a script, a `declare global`
 * block that carries), which any file sees without an import.
 */
export function usingFiles(pa: ProgramAnalysis): ReadonlySet<ts.SourceFile> | 'all' {
  const memo = pa.cache<'files', ReadonlySet<ts.SourceFile> | 'all'>('offheap-files:using-files');
  let found = memo.get('files');
  if (found) return found;
  found = graphSolution(pa, 'offheap-files:using-files', (graph) =>
    withGlobals(
      pa,
      graph,
      closure(graph, (f, mark) => {
        for (const e of graph.importers.get(f) ?? []) {
          if (e.kind === 'names' && !e.names.some(([, local]) => usesName(e.from, local))) continue;
          mark(e.from);
        }
        for (const e of graph.edges.get(f) ?? []) if (e.kind === 'augment') mark(e.to);
      }),
    ),
  );
  memo.set('files', found);
  return found;
}

/**
 * Whether anything of the runtime can occur in `file` at all: it is a
 * runtime file, or uses a binding of one, directly or through the files
 * whose bindings it uses (`usingFiles`). Every mark, `HeapRef`, layout, pool
 * and runtime function reaches a file that way, so one that does not holds
 * no not-in-heap value and no handle, and calls nothing of the runtime (a
 * file that imports `NotInHeap` and never names it again, for one).
 */
export function usesRuntime(pa: ProgramAnalysis, file: ts.SourceFile): boolean {
  const using = usingFiles(pa);
  return using === 'all' || using.has(file);
}

/**
 * The files a file that names the runtime augments (`declare module 'm'`):
 * their declarations merge with the augmenting ones, so any of their
 * statements may hold what the augmentation adds (once per program).
 */
export function augmentedFiles(pa: ProgramAnalysis): ReadonlySet<ts.SourceFile> {
  const memo = pa.cache<'files', ReadonlySet<ts.SourceFile>>('offheap-files:augmented');
  let found = memo.get('files');
  if (found) return found;
  const files = graphSolution(pa, 'offheap-files:augmented', (graph) => {
    const out = new Set<ts.SourceFile>();
    for (const [f, edges] of graph.edges) {
      for (const e of edges) if (e.kind === 'augment' && namesRuntime(pa, f)) out.add(e.to);
    }
    // Read through namesRuntime, which a `declare global` block can decide.
    return { files: out, readBlocks: graph.globalish.some(([, block]) => block !== undefined) };
  });
  memo.set('files', (found = files === 'all' ? new Set() : files));
  return found;
}

/** Characters that continue an identifier (ASCII, `$`, `_`, and anything past ASCII to be safe). */
const identifierPart = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 36 || c === 95 || c > 127;

/**
 * Whether `name` occurs in `file`'s text more than once as a whole word: a
 * local name of an import that occurs only in its import is never used.
 * Comments and strings count too (an over-approximation: then it is used).
 */
function usesName(file: ts.SourceFile, name: string): boolean {
  // A fact of the file's text: it carries over to the next program while the file is unchanged (an editor's re-lint).
  const facts = syntaxCache<string, boolean>('offheap-files:uses-name', file);
  const known = facts.get(name);
  if (known !== undefined) return known;
  namesCounters.namesRead++;
  const text = file.text;
  let count = 0;
  for (let at = text.indexOf(name); at >= 0 && count < 2; at = text.indexOf(name, at + name.length)) {
    if (at > 0 && identifierPart(text.charCodeAt(at - 1))) continue;
    if (identifierPart(text.charCodeAt(at + name.length))) continue;
    count++;
  }
  facts.set(name, count > 1);
  return count > 1;
}

/**
 * Whether a `declare global` block can carry what its file names into the
 * globals: some name in it resolves to an import, to a declaration of its
 * own file outside the block, or to a runtime file, or it holds an
 * `import()` type. A block that only extends globals with globals and
 * primitives (rxjs's `interface SymbolConstructor { readonly observable:
 * symbol }`) carries nothing, whatever else its file imports. Symbol lookups
 * only.
 */
export function globalBlockCarries(pa: ProgramAnalysis, block: ts.Node): boolean {
  const memo = pa.cache<ts.Node, boolean>('offheap-files:global-block');
  let carries = memo.get(block);
  if (carries === undefined) memo.set(block, (carries = globalBlockNamesFile(pa, block)));
  return carries;
}

function globalBlockNamesFile(pa: ProgramAnalysis, block: ts.Node): boolean {
  const file = block.getSourceFile();
  const stack: ts.Node[] = [block];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (ts.isImportTypeNode(node)) return true;
    if (ts.isIdentifier(node) && node !== (block as ts.ModuleDeclaration).name) {
      const symbol = pa.checker.getSymbolAtLocation(node);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) return true;
      for (const decl of symbol?.declarations ?? []) {
        const at = decl.getSourceFile();
        if (isRuntimeFile(at)) return true;
        if (at === file && (decl.pos < block.pos || decl.end > block.end)) return true;
      }
    }
    ts.forEachChild(node, (child) => {
      stack.push(child);
    });
  }
  return false;
}

/**
 * What of the runtime a file can see: the runtime declarations it names
 * (imports and re-exports resolved through aliases, so a barrel passes on
 * only what is named through it) and everything seen by the files whose own
 * declarations it names. `all` when it takes a whole runtime module (`import
 * *`, `export *`, `import()`, `require`) or when globals carry the runtime.
 */
export interface RuntimeView {
  readonly all: boolean;
  readonly symbols: ReadonlySet<ts.Symbol>;
}

const seesAll: RuntimeView = { all: true, symbols: new Set() };
const seesNothing: RuntimeView = { all: false, symbols: new Set() };

/**
 * Work counters for tests: bindings resolved to their declarations by `runtimeView` (once per module, name and
 * program, however many files name it), and the checker's alias lookups they made (one per link of the alias
 * chain, plus the checker's own resolution of the first).
 */
export const viewCounters = { bindingsResolved: 0, aliasLookups: 0 };

/**
 * The runtime declarations `file` can see (see `RuntimeView`). Solved once
 * per program for the files that name the runtime, by symbol lookups only
 * (no types). An import from a module that re-exports nothing is an edge
 * from that module (its whole view flows in). A binding named through a
 * barrel (`export … from`, as the package's entry) or from a runtime file is
 * resolved to its declaration: one in a runtime file is seen, one elsewhere
 * is an edge from that file. The views are joined over the edges to a
 * fixpoint. Declaration files are read only when a view flows from them;
 * one that is never read may see anything it names. The solution is
 * carried to the next program of the same module resolution (see
 * `carriedViews`).
 */
export function runtimeView(pa: ProgramAnalysis, file: ts.SourceFile): RuntimeView {
  if (isRuntimeFile(file)) return seesAll;
  if (!namesRuntime(pa, file)) return seesNothing;
  const memo = pa.cache<ts.SourceFile | 'views', RuntimeView | ViewSolution>('offheap-files:views');
  let views = memo.get('views') as ViewSolution | undefined;
  if (views === undefined) {
    views = carriedViews(pa) ?? solveViews(pa);
    pa.carry<ViewSolution>('offheap-files:views', views);
    memo.set('views', views);
  }
  if (views.views === 'all') return seesAll;
  // A declaration file no view flows from was not read: it may see anything it names.
  const solved = views.views.get(file);
  if (!solved) return seesAll;
  let view = memo.get(file) as RuntimeView | undefined;
  if (!view) {
    // The runtime's declarations are looked up by name in each program: a lost one takes everything, never less.
    const symbols = new Set<ts.Symbol>();
    let all = solved.all;
    for (const name of all ? [] : solved.names) {
      const symbol = symbolOfName(pa, name);
      if (symbol) symbols.add(symbol);
      else all = true;
    }
    memo.set(file, (view = all ? seesAll : { all, symbols }));
  }
  return view;
}

/** A file's view as plain data: the names of the runtime declarations it sees (nodes of runtime files). */
interface SolvedView {
  all: boolean;
  readonly names: Set<ts.Node>;
}

/** The views of a program, with what a later program needs to carry them (see `carriedViews`). */
interface ViewSolution {
  readonly views: ReadonlyMap<ts.SourceFile, SolvedView> | 'all';
  /** Files whose view flows into another file's. */
  readonly flowsOut: ReadonlySet<ts.SourceFile>;
  /** Every file a binding's resolution read. */
  readonly readByBindings: ReadonlySet<ts.SourceFile>;
}

/**
 * The previous program's views, when one file changed and the change can
 * reach no other view: the file kept its graph signature and the files
 * naming the runtime were carried (so they are the same), no binding
 * resolved through it, it augments no module, and its view, read again and
 * joined with the views flowing into it, is the same as before or flows
 * nowhere. Else undefined: solved anew.
 */
function carriedViews(pa: ProgramAnalysis): ViewSolution | undefined {
  const carried = pa.carried<ViewSolution>('offheap-files:views');
  const named = namedFiles(pa);
  if (!carried || carried.changed.length !== 1 || named === 'all' || !carriedNow(pa).has('offheap-files:names-runtime')) return undefined;
  const [[before, now]] = carried.changed;
  const { views, flowsOut, readByBindings } = carried.value;
  if (views === 'all' || readByBindings.has(before) || graphSignature(before) !== graphSignature(now)) return undefined;
  if (((now as CollectedReferences).moduleAugmentations ?? []).some((m) => ts.isStringLiteral(m))) return undefined;
  const old = views.get(before);
  const next = new Map(views);
  next.delete(before);
  // Read as solveViews reads: the sources that name the runtime, and a declaration file a view flows from.
  if (!named.has(now) || (now.isDeclarationFile && !old)) return { views: next, flowsOut, readByBindings };
  const view: SolvedView = { all: false, names: new Set() };
  const from: ts.SourceFile[] = [];
  const bound = readBindings(pa, named, now, new Map(), {
    see: (name) => view.names.add(name),
    seeAll: () => (view.all = true),
    flowFrom: (f) => from.push(f),
  });
  for (const f of from) {
    if (f === now || !named.has(f)) continue;
    const v = next.get(f);
    if (!v) return undefined; // a declaration file no view flowed from before, so not read
    view.all ||= v.all;
    for (const n of v.names) view.names.add(n);
  }
  if (flowsOut.has(before) && !(old && old.all === view.all && old.names.size === view.names.size && [...old.names].every((n) => view.names.has(n)))) return undefined;
  next.set(now, view);
  return { views: next, flowsOut: withChanged(flowsOut, carried.changed), readByBindings: withReads(readByBindings, bound) };
}

/** `files` and every file the resolution of one of `bound` read. */
function withReads(files: ReadonlySet<ts.SourceFile>, bound: ReadonlyMap<ts.Node, BoundName>): ReadonlySet<ts.SourceFile> {
  let out: Set<ts.SourceFile> | undefined;
  for (const b of bound.values()) {
    for (const f of b.read) {
      if (files.has(f) || out?.has(f)) continue;
      out ??= new Set(files);
      out.add(f);
    }
  }
  return out ?? files;
}

function namedFiles(pa: ProgramAnalysis): ReadonlySet<ts.SourceFile> | 'all' {
  return pa.cache<'files', ReadonlySet<ts.SourceFile> | 'all'>('offheap-files:names-runtime').get('files')!;
}

function solveViews(pa: ProgramAnalysis): ViewSolution {
  const named = namedFiles(pa);
  if (named === 'all') return { views: 'all', flowsOut: new Set(), readByBindings: new Set() };
  const views = new Map<ts.SourceFile, SolvedView>();
  const viewOf = (f: ts.SourceFile): SolvedView => {
    let v = views.get(f);
    if (!v) views.set(f, (v = { all: isRuntimeFile(f), names: new Set() }));
    return v;
  };
  /** Files whose views flow into each file. */
  const into = new Map<ts.SourceFile, ts.SourceFile[]>();
  /** Files whose own imports are read: the program's sources, and the declaration files a view flows from. */
  const read = new Set<ts.SourceFile>();
  const toRead: ts.SourceFile[] = [];
  const readLater = (f: ts.SourceFile): void => {
    if (read.has(f) || isRuntimeFile(f)) return;
    read.add(f);
    toRead.push(f);
  };
  const edge = (from: ts.SourceFile, to: ts.SourceFile): void => {
    if (from === to || !named.has(from)) return;
    let list = into.get(from);
    if (!list) into.set(from, (list = []));
    list.push(to);
    readLater(from);
  };
  const byExport = new Map<ts.SourceFile, Map<string, BoundName>>();
  const readByBindings = new Set<ts.SourceFile>();
  for (const f of named) if (!f.isDeclarationFile) readLater(f);
  for (let i = 0; i < toRead.length; i++) {
    const f = toRead[i];
    const view = viewOf(f);
    const bound = readBindings(pa, named, f, byExport, {
      see: (name) => view.names.add(name),
      seeAll: () => (view.all = true),
      flowFrom: (from) => edge(from, f),
      flowTo: (to) => edge(f, to),
    });
    for (const b of bound.values()) for (const r of b.read) readByBindings.add(r);
  }
  // Join the views along the edges (a worklist: each file is revisited only when a view flowing into it grew).
  const queue = [...views.keys()];
  const queued = new Set(queue);
  for (let i = 0; i < queue.length; i++) {
    const from = queue[i];
    queued.delete(from);
    const v = viewOf(from);
    for (const to of into.get(from) ?? []) {
      const w = viewOf(to);
      const before = w.names.size;
      const wasAll = w.all;
      w.all ||= v.all;
      for (const s of v.names) w.names.add(s);
      if ((w.all !== wasAll || w.names.size !== before) && !queued.has(to)) {
        queued.add(to);
        queue.push(to);
      }
    }
  }
  return { views, flowsOut: new Set(into.keys()), readByBindings };
}

/** Where `readBindings` reports what a file sees and which views flow into and out of it. */
interface ViewSink {
  /** It sees this runtime declaration (its name). */
  see(name: ts.Node): void;
  /** It takes a whole runtime module. */
  seeAll(): void;
  /** The view of `from` flows into it. */
  flowFrom(from: ts.SourceFile): void;
  /** Its view flows into `to` (a `declare module` augmentation of `to`); absent where the caller allows none. */
  flowTo?(to: ts.SourceFile): void;
}

/**
 * Reads the import and re-export bindings of `f` that name files of
 * `named`, resolving those of a barrel or runtime file (carried from an
 * earlier program while every file a resolution read is unchanged); returns
 * them. `byExport` shares resolutions of one named export between files:
 * the checker takes a named, non-default export of a module from the module
 * and the name alone (a default import also depends on the importing
 * file's module format).
 */
function readBindings(
  pa: ProgramAnalysis,
  named: ReadonlySet<ts.SourceFile>,
  f: ts.SourceFile,
  byExport: Map<ts.SourceFile, Map<string, BoundName>>,
  sink: ViewSink,
): ReadonlyMap<ts.Node, BoundName> {
  const targets = pa.moduleTargets(f);
  const carried = pa.dependentCache<'bindings', Map<ts.Node, BoundName>>('offheap-files:bindings', f, { resolution: true });
  let bound = carried.get('bindings') ?? new Map<ts.Node, BoundName>();
  let grew = false;
  /** `f` takes a whole module: every runtime binding it exports. */
  const whole = (target: ts.SourceFile): void => {
    if (isRuntimeFile(target)) sink.seeAll();
    else sink.flowFrom(target);
  };
  /** `f` names the binding `name` of the module `target` at `spec`; `exported` is its name there (`undefined` for a default import). */
  const binding = (name: ts.Node, target: ts.SourceFile, spec: ts.StringLiteralLike, exported: ts.ModuleExportName | undefined): void => {
    let b = bound.get(name);
    if (!b) {
      // A carried map is shared with the stored fact: grow a copy.
      if (!grew) bound = new Map(bound);
      const key = exported && exported.text !== 'default' ? `${spec.text}\0${exported.text}` : undefined;
      let shared = key === undefined ? undefined : byExport.get(target);
      b = key === undefined ? undefined : shared?.get(key);
      if (!b) {
        b = resolveBinding(pa, name, target);
        if (key !== undefined) {
          if (!shared) byExport.set(target, (shared = new Map<string, BoundName>()));
          shared.set(key, b);
        }
      }
      bound.set(name, b);
      grew = true;
    }
    if (b.runtime) sink.see(b.runtime);
    for (const at of b.from) sink.flowFrom(at);
  };
  for (const m of (f as CollectedReferences).moduleAugmentations ?? []) {
    if (!ts.isStringLiteral(m)) continue;
    const augmented = targets.get(m);
    if (augmented) sink.flowTo?.(augmented);
  }
  for (const spec of (f as CollectedReferences).imports ?? walkSpecifiers(f)) {
    const at = spec.parent;
    if (ts.isImportDeclaration(at) && at.importClause === undefined) continue;
    const target = targets.get(spec);
    if (!target || !named.has(target)) continue;
    // A module that re-exports nothing passes on its whole view (what each of its bindings carries is part of
    // it, and no lookup is needed); a barrel, such as the package's entry that re-exports the runtime, passes on
    // only what is named through it.
    if (!isRuntimeFile(target) && !reexports(target)) whole(target);
    else if (ts.isImportDeclaration(at)) {
      const clause = at.importClause!;
      if (clause.name) binding(clause.name, target, spec, undefined);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) whole(target);
      else if (bindings) for (const el of bindings.elements) binding(el.name, target, spec, el.propertyName ?? el.name);
    } else if (ts.isExportDeclaration(at) && at.exportClause && ts.isNamedExports(at.exportClause)) {
      for (const el of at.exportClause.elements) binding(el.name, target, spec, el.propertyName ?? el.name);
    } else {
      // `export *`, `export * as ns`, `import x = require()`, `import()` calls and types: the whole module.
      whole(target);
    }
  }
  // Carried over while every file a resolution read is unchanged (see resolveBinding).
  if (grew && [...bound.values()].every((b) => b.carries)) carried.set('bindings', bound, [...bound.values()].flatMap((b) => b.read));
  return bound;
}

/** What an import or re-export binding resolves to, as plain data carried with its file. */
interface BoundName {
  /** The name of the runtime declaration it denotes (its symbol is looked up again in each program), if any. */
  readonly runtime: ts.Node | undefined;
  /** Files other than the runtime's that declare it: their views flow in. */
  readonly from: readonly ts.SourceFile[];
  /** Every file the resolution read: the alias chain's files, the target's `export … from` closure, the declarations' files. */
  readonly read: readonly ts.SourceFile[];
  /** Whether the runtime declaration is found again by its name (else resolved in every program). */
  readonly carries: boolean;
}

/**
 * Resolves an import or re-export binding through its aliases to its
 * declarations, with the files the resolution depends on besides the
 * binding's own: each other file of the alias chain, and every module the
 * target reaches through `export … from` (an `export *` that does not
 * provide the name still decides whether it is ambiguous). The declarations
 * are the checker's own resolution of the binding (which every later lookup
 * of the name reuses); the chain is walked link by link only for its files.
 */
function resolveBinding(pa: ProgramAnalysis, name: ts.Node, target: ts.SourceFile): BoundName {
  viewCounters.bindingsResolved++;
  const { checker } = pa;
  const read = new Set<ts.SourceFile>(reexportClosure(pa, target));
  const first = checker.getSymbolAtLocation(name);
  let resolved = first;
  if (first && first.flags & ts.SymbolFlags.Alias) {
    viewCounters.aliasLookups++;
    resolved = checker.getAliasedSymbol(first);
    for (const f of aliasTail(pa, first)) read.add(f);
  }
  let runtime: ts.Node | undefined;
  const from: ts.SourceFile[] = [];
  for (const decl of resolved?.declarations ?? []) {
    const at = decl.getSourceFile();
    read.add(at);
    if (isRuntimeFile(at)) runtime ??= ts.getNameOfDeclaration(decl) ?? decl;
    else from.push(at);
  }
  const carries = runtime === undefined || checker.getSymbolAtLocation(runtime) === resolved;
  if (runtime) symbolsByName(pa).set(runtime, resolved!);
  return { runtime, from, read: [...read], carries };
}

/**
 * The files of the aliases after `alias` on its chain (a re-export of a
 * re-export …), up to the first symbol that is no alias. Each link is looked
 * up once per program: the walk stops at an alias whose tail is known (a
 * barrel's own re-export, resolved as a binding of the barrel), and a cycle
 * (which the checker resolves to nothing) gives every alias on it all of
 * the cycle's files.
 */
function aliasTail(pa: ProgramAnalysis, alias: ts.Symbol): readonly ts.SourceFile[] {
  const memo = pa.cache<ts.Symbol, readonly ts.SourceFile[]>('offheap-files:alias-tails');
  const known = memo.get(alias);
  if (known) return known;
  const filesOf = (s: ts.Symbol): ts.SourceFile[] => (s.declarations ?? []).map((d) => d.getSourceFile());
  const path: ts.Symbol[] = [];
  const onPath = new Set<ts.Symbol>();
  let rest: ReadonlySet<ts.SourceFile> = new Set();
  for (let s: ts.Symbol | undefined = alias; s && s.flags & ts.SymbolFlags.Alias; ) {
    const tail = memo.get(s);
    if (tail) {
      rest = new Set([...filesOf(s), ...tail]);
      break;
    }
    if (onPath.has(s)) {
      rest = new Set(path.flatMap(filesOf));
      break;
    }
    path.push(s);
    onPath.add(s);
    viewCounters.aliasLookups++;
    const next: ts.Symbol | undefined = pa.checker.getImmediateAliasedSymbol(s);
    if (next === s) break;
    s = next;
  }
  // Backwards: each alias's tail is the next alias's files and tail.
  for (let i = path.length - 1; i >= 0; i--) {
    const tail = [...rest];
    memo.set(path[i], tail);
    if (i > 0) rest = new Set([...filesOf(path[i]), ...tail]);
  }
  return memo.get(alias)!;
}

function symbolsByName(pa: ProgramAnalysis): Map<ts.Node, ts.Symbol> {
  return pa.cache<ts.Node, ts.Symbol>('offheap-files:runtime-symbols');
}

/** The symbol of a runtime declaration's name in this program (once per declaration and program). */
function symbolOfName(pa: ProgramAnalysis, name: ts.Node): ts.Symbol | undefined {
  const memo = symbolsByName(pa);
  let symbol = memo.get(name);
  if (!symbol) {
    symbol = pa.checker.getSymbolAtLocation(name);
    if (symbol) memo.set(name, symbol);
  }
  return symbol;
}

/** The files a module reaches through `export … from`, itself included (once per module and program). */
function reexportClosure(pa: ProgramAnalysis, file: ts.SourceFile): readonly ts.SourceFile[] {
  const memo = pa.cache<ts.SourceFile, readonly ts.SourceFile[]>('offheap-files:reexport-closure');
  let found = memo.get(file);
  if (found) return found;
  const seen = new Set<ts.SourceFile>([file]);
  const queue = [file];
  for (let i = 0; i < queue.length; i++) {
    const f = queue[i];
    if (!reexports(f)) continue;
    for (const [spec, to] of pa.moduleTargets(f)) {
      if (ts.isExportDeclaration(spec.parent) && !seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  memo.set(file, (found = queue));
  return found;
}

/** Whether a file re-exports from other modules (`export … from`): a barrel, whose bindings are resolved one by one. */
function reexports(file: ts.SourceFile): boolean {
  const facts = syntaxCache<'reexports', boolean>('offheap-files:reexports', file);
  let found = facts.get('reexports');
  if (found === undefined) {
    found = ((file as CollectedReferences).imports ?? walkSpecifiers(file)).some((spec) => ts.isExportDeclaration(spec.parent));
    facts.set('reexports', found);
  }
  return found;
}

/** What values of a runtime binding can be: only numbers (the pointer and handle brands, constants), and whether a `HeapRef`. */
interface BindingKind {
  readonly numeric: boolean;
  readonly heapRef: boolean;
}

/**
 * Whether a runtime declaration denotes only numbers: a type alias or a
 * constant whose every alternative is a number or a branded number (`Ptr`,
 * `Garbage`, `MaybeGarbage`, `HeapRef`, `nil`). Such a binding holds nothing
 * by value, calls nothing and marks nothing: a `Ptr<T>` only carries the `T`
 * it was given. Asked lazily, once per declaration and program.
 */
function bindingKind(pa: ProgramAnalysis, symbol: ts.Symbol): BindingKind {
  const memo = pa.cache<ts.Symbol, BindingKind>('offheap-files:binding-kind');
  let kind = memo.get(symbol);
  if (kind) return kind;
  const { checker } = pa;
  const meanings = symbol.flags & ~(ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Variable);
  let type: ts.Type | undefined;
  if (meanings === 0 && symbol.flags & ts.SymbolFlags.TypeAlias && !(symbol.flags & ts.SymbolFlags.Variable)) type = checker.getDeclaredTypeOfSymbol(symbol);
  else if (meanings === 0 && symbol.flags & ts.SymbolFlags.Variable && !(symbol.flags & ts.SymbolFlags.TypeAlias)) type = checker.getTypeOfSymbol(symbol);
  const members = type ? (type.isUnion() ? type.types : [type]) : [];
  const isNumber = (t: ts.Type): boolean =>
    (t.flags & ts.TypeFlags.NumberLike) !== 0 || (t.isIntersection() && t.types.some((m) => (m.flags & ts.TypeFlags.NumberLike) !== 0));
  const numeric = members.length > 0 && members.every(isNumber);
  kind = { numeric, heapRef: numeric && type !== undefined && mayBeHeapRef(checker, type) };
  memo.set(symbol, kind);
  return kind;
}

/**
 * Whether `file` can see a runtime binding that is more than a number: a
 * function, class, layout or the `NotInHeap` mark. Without one, no type of
 * the file can be not-in-heap (a mark, the decorator and every layout come
 * from such a binding) and no call of it can be the runtime's.
 */
export function seesRuntimeStructure(pa: ProgramAnalysis, file: ts.SourceFile): boolean {
  const memo = pa.cache<ts.SourceFile, boolean>('offheap-files:sees-structure');
  let sees = memo.get(file);
  if (sees === undefined) {
    const view = runtimeView(pa, file);
    sees = view.all || [...view.symbols].some((s) => !bindingKind(pa, s).numeric);
    memo.set(file, sees);
  }
  return sees;
}

/**
 * Whether a call in `file` can invoke a runtime function or method: the
 * file sees a runtime value (a function, class, constant or namespace), or
 * a type with a callable member declared in a runtime file (an accessor
 * type's `get`, a pool interface's `alloc`). A file that sees only marks and
 * numbers (`NotInHeap`, `FixedArray`, `Ptr`) calls nothing of the runtime:
 * every value it can call is its own or comes through a file it names.
 */
export function seesRuntimeCalls(pa: ProgramAnalysis, file: ts.SourceFile): boolean {
  if (!seesRuntimeStructure(pa, file)) return false;
  const memo = pa.cache<ts.SourceFile, boolean>('offheap-files:sees-calls');
  let sees = memo.get(file);
  if (sees === undefined) {
    const view = runtimeView(pa, file);
    sees = view.all || [...view.symbols].some((s) => mayCall(pa, s));
    memo.set(file, sees);
  }
  return sees;
}

/** Whether a runtime binding is a value, or a type with a callable member declared in a runtime file (once per symbol). */
function mayCall(pa: ProgramAnalysis, symbol: ts.Symbol): boolean {
  const memo = pa.cache<ts.Symbol, boolean>('offheap-files:may-call');
  let may = memo.get(symbol);
  if (may === undefined) {
    may = true;
    const typeOnly = symbol.flags & (ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Interface) && !(symbol.flags & ts.SymbolFlags.Value);
    if (typeOnly) {
      const type = pa.checker.getDeclaredTypeOfSymbol(symbol);
      const generic = (type.flags & (ts.TypeFlags.Conditional | ts.TypeFlags.IndexedAccess | ts.TypeFlags.Substitution | ts.TypeFlags.Index)) !== 0;
      const callable = (p: ts.Symbol): boolean => {
        if (!(p.declarations ?? []).some((d) => isRuntimeFile(d.getSourceFile()))) return false;
        const t = pa.checker.getTypeOfSymbol(p);
        return t.getCallSignatures().length > 0 || t.getConstructSignatures().length > 0 || (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0;
      };
      may = generic || pa.checker.getPropertiesOfType(type).some(callable);
    }
    memo.set(symbol, may);
  }
  return may;
}

/** Whether a value of `file` can be a `HeapRef`: it sees runtime structure or the `HeapRef` brand. */
export function seesHeapRefs(pa: ProgramAnalysis, file: ts.SourceFile): boolean {
  if (seesRuntimeStructure(pa, file)) return true;
  for (const s of runtimeView(pa, file).symbols) if (bindingKind(pa, s).heapRef) return true;
  return false;
}
