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
import { analysisCounters, programAnalysis, syntaxCache, walkSpecifiers, type ProgramAnalysis } from './program-analysis.js';

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

/** Work counters for tests: files whose named imports were read to solve `namesRuntime`. */
export const namesCounters = { filesRead: 0 };

function filesNamingRuntime(pa: ProgramAnalysis): ReadonlySet<ts.SourceFile> | 'all' {
  const files = pa.program.getSourceFiles();
  const importers = new Map<ts.SourceFile, ts.SourceFile[]>();
  const named = new Set<ts.SourceFile>();
  const queue: ts.SourceFile[] = [];
  const mark = (f: ts.SourceFile): void => {
    if (named.has(f)) return;
    named.add(f);
    queue.push(f);
  };
  const globalish: ts.SourceFile[] = [];
  for (const f of files) {
    if (isRuntimeFile(f)) {
      mark(f);
      continue;
    }
    if (pa.program.isSourceFileDefaultLibrary(f)) continue;
    namesCounters.filesRead++;
    const refs = f as CollectedReferences;
    // A script's declarations and `declare global` are visible to every file; `declare module 'm'` adds
    // members to m's file only, so it is an edge from this file to m's (m's importers then see them).
    if (!ts.isExternalModule(f)) globalish.push(f);
    for (const m of refs.moduleAugmentations ?? []) {
      if (ts.isIdentifier(m)) {
        if (m.text === 'global') globalish.push(f);
        continue;
      }
      const augmented = pa.resolvedFile(m, f) ?? pa.checker.getSymbolAtLocation(m)?.declarations?.[0]?.getSourceFile();
      if (!augmented) continue;
      let list = importers.get(f);
      if (!list) importers.set(f, (list = []));
      list.push(augmented);
    }
    for (const spec of refs.imports ?? walkSpecifiers(f)) {
      const at = spec.parent;
      // `import 'offheap'` runs the module and names nothing.
      if (ts.isImportDeclaration(at) && at.importClause === undefined) continue;
      // A specifier that resolves to no file: an ambient `declare module` (its declaring file, which may
      // name the runtime), or no module at all, whose bindings are the checker's error type and carry nothing.
      const target = pa.resolvedFile(spec, f) ?? pa.checker.getSymbolAtLocation(spec)?.declarations?.[0]?.getSourceFile();
      if (!target) continue;
      let list = importers.get(target);
      if (!list) importers.set(target, (list = []));
      list.push(f);
    }
  }
  for (let i = 0; i < queue.length; i++) for (const importer of importers.get(queue[i]) ?? []) mark(importer);
  return globalish.some((f) => named.has(f)) ? 'all' : named;
}
