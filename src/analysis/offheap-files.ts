// Which files can see offheap at all.
//
// Rules must be nearly free on code that never touches offheap, so this is
// answered without asking the checker for a single type: a runtime file is
// one whose JSDoc carries `@offheap` tags, and a file uses offheap when its import
// graph reaches one. Reachability is solved once per program for every file a
// walk visits (strongly connected components, so cycles and barrels cost one
// visit per file and edge); the per-file inputs (the tag test, the import
// specifiers) carry over to the next program while the file is unchanged.
import type ts from 'typescript';
import { analysisCounters, programAnalysis, syntaxCache, type ProgramAnalysis } from './program-analysis.js';

/** A JSDoc line that starts with the tag: `* @offheap id` or `/** @offheap id`. */
const marker = /\*\s*@offheap\s/;

/** A file of the runtime itself: its JSDoc carries `@offheap` declaration tags. */
export function isRuntimeFile(file: ts.SourceFile): boolean {
  const facts = syntaxCache<'runtime', boolean>('offheap-files:runtime', file);
  let known = facts.get('runtime');
  if (known === undefined) facts.set('runtime', (known = marker.test(file.text)));
  return known;
}

interface Frame {
  readonly file: ts.SourceFile;
  readonly edges: readonly ts.SourceFile[];
  next: number;
  reaches: boolean;
}

/**
 * Whether `file` is a runtime file or reaches one through its imports.
 * Iterative Tarjan over the import graph from `file`: each strongly
 * connected component reaches the runtime when one of its files is a runtime
 * file or one of its edges leaves to a component that does, and the answer is
 * cached for every file of every component the walk completes. Over a whole
 * program that is one visit per file and one look per edge.
 */
export function usesOffheap(program: ts.Program, file: ts.SourceFile): boolean {
  return reachesRuntime(programAnalysis(program), file);
}

/** `usesOffheap` on an analysis state already at hand. */
export function reachesRuntime(pa: ProgramAnalysis, file: ts.SourceFile): boolean {
  const known = pa.cache<ts.SourceFile, boolean>('offheap-files:reaches');
  const cached = known.get(file);
  if (cached !== undefined) return cached;

  const index = new Map<ts.SourceFile, number>();
  const low = new Map<ts.SourceFile, number>();
  const component: Frame[] = [];
  const frames: Frame[] = [];
  const open = (f: ts.SourceFile): void => {
    analysisCounters.reachVisits++;
    index.set(f, index.size);
    low.set(f, index.size - 1);
    const frame: Frame = { file: f, edges: pa.importsOf(f), next: 0, reaches: isRuntimeFile(f) };
    frames.push(frame);
    component.push(frame);
  };
  open(file);
  while (frames.length > 0) {
    const top = frames[frames.length - 1];
    if (top.next < top.edges.length) {
      const to = top.edges[top.next++];
      const done = known.get(to);
      if (done !== undefined) top.reaches ||= done;
      else if (!index.has(to)) open(to);
      else low.set(top.file, Math.min(low.get(top.file)!, index.get(to)!)); // on the component stack: same component
      continue;
    }
    frames.pop();
    const parent = frames[frames.length - 1];
    if (low.get(top.file) === index.get(top.file)) {
      // `top` roots a component: everything above it on the component stack.
      const start = component.lastIndexOf(top);
      const members = component.splice(start);
      const reaches = members.some((m) => m.reaches);
      for (const m of members) known.set(m.file, reaches);
      if (parent) parent.reaches ||= reaches;
    } else if (parent) {
      low.set(parent.file, Math.min(low.get(parent.file)!, low.get(top.file)!));
      parent.reaches ||= top.reaches;
    }
  }
  return known.get(file)!;
}
