// Raw views of the runtime's memory are known by the runtime's tags through any chain of consts and destructurings;
// the origins evaluated (memoised per expression and binding) do not grow with the chain (counted, never timed).
import { describe, expect, it } from 'vitest';
import { rawViewCounters } from '../../src/analysis/raw-views.js';
import { lintFile, runtimeIndex } from './nih-lint.js';
import { virtualProgram } from '../virtual-program.js';

/** A file whose function clears a record with HeapRef slots through `view` (declared by `chain`). */
function lint(chain: string[], view: string) {
  const source = [
    `import { createRuntime, heapRef, struct, u32, type LayoutType, type Ptr } from '${runtimeIndex}';`,
    `const rt = createRuntime();`,
    `const mine = { space: { u8: new Uint8Array(64) }, buffer: new ArrayBuffer(64) };`,
    `const Entry = struct('Entry', { key: u32, session: heapRef<object>() });`,
    `type Entry = LayoutType<typeof Entry>;`,
    ...chain,
    `export function wipe(p: Ptr<Entry>) { ${view}.fill(0, p, p + Entry.size); }`,
    `export { rt, mine };`,
  ].join('\n');
  const program = virtualProgram({ '/p/a.ts': source });
  const before = rawViewCounters.origins;
  const reports = lintFile(program, '/p/a.ts', ['zeroing-variant']);
  return { reports: reports.map((r) => `${r.line} ${r.messageId}`), origins: rawViewCounters.origins - before };
}

/** `const v0 = <from>; const v1 = v0; …`: n aliases, the last named v{n-1}. */
const aliases = (from: string, n: number): string[] => Array.from({ length: n }, (_, i) => `const v${i} = ${i === 0 ? from : `v${i - 1}`};`);
/** `const { space: d0 } = <from>;`, n - 1 aliases of it, then `const { u8: bytes } = d{n-1};`. */
const destructured = (from: string, n: number): string[] => [`const { space: d0 } = ${from};`, ...Array.from({ length: n - 1 }, (_, i) => `const d${i + 1} = d${i};`), `const { u8: bytes } = d${n - 1};`];

describe('raw views', () => {
  it('follows a chain of const aliases of rt.space to its view; the origins evaluated do not grow with the chain', () => {
    const a = lint(aliases('rt.space', 50), 'v49.u8');
    const b = lint(aliases('rt.space', 100), 'v99.u8');
    expect(a.reports).toEqual([`56 missedBarrier`]);
    expect(b.reports).toEqual([`106 missedBarrier`]);
    expect(b.origins).toBe(a.origins);
    expect(a.origins).toBeLessThanOrEqual(4);
    // The twin: the same chain from the program's own object with a `space.u8` is no view of the runtime.
    expect(lint(aliases('mine.space', 50), 'v49.u8').reports).toEqual([]);
  });

  it('follows destructuring (`const { space: d0 } = rt`, `const { u8: bytes } = d`) the same way', () => {
    const a = lint(destructured('rt', 50), 'bytes');
    const b = lint(destructured('rt', 100), 'bytes');
    expect(a.reports).toEqual([`57 missedBarrier`]);
    expect(b.reports).toEqual([`107 missedBarrier`]);
    expect(b.origins).toBe(a.origins);
    expect(lint(destructured('mine', 50), 'bytes').reports).toEqual([]);
  });

  it('follows a same-module helper\'s typed-array parameter to its calls once per parameter, whatever the uses and depth', () => {
    // `h0(rt.space.u32, p)` → h0 passes v to h1 … → h{n-1}, whose `uses` fills each clear the record's HeapRef slot.
    const run = (n: number, uses: number, first = 'rt.space.u32') => {
      const source = [
        `import { createRuntime, heapRef, struct, u32, type LayoutType, type Ptr } from '${runtimeIndex}';`,
        `const rt = createRuntime();`,
        `const Entry = struct('Entry', { key: u32, session: heapRef<object>() });`,
        `type Entry = LayoutType<typeof Entry>;`,
        ...Array.from({ length: n - 1 }, (_, i) => `function h${i}(v: Uint32Array, p: Ptr<Entry>) { h${i + 1}(v, p); }`),
        `function h${n - 1}(v: Uint32Array, p: Ptr<Entry>) {`,
        ...Array.from({ length: uses }, () => `  v.fill(0, p >>> 2, (p + Entry.size) >>> 2);`),
        `}`,
        `export function use(p: Ptr<Entry>) { h0(${first}, p); }`,
      ].join('\n');
      const program = virtualProgram({ '/p/a.ts': source });
      const [origins, callSites] = [rawViewCounters.origins, rawViewCounters.callSites];
      const reports = lintFile(program, '/p/a.ts', ['zeroing-variant']).map((r) => `${r.line} ${r.messageId}`);
      return { reports, origins: rawViewCounters.origins - origins, callSites: rawViewCounters.callSites - callSites };
    };
    const fills = (n: number, uses: number) => Array.from({ length: uses }, (_, i) => `${n + 5 + i} missedBarrier`);
    const a = run(10, 1);
    expect(a.reports).toEqual(fills(10, 1));
    expect(a.callSites).toBe(10);
    // Ten times the uses: each call site is still read once.
    const b = run(10, 10);
    expect(b.reports).toEqual(fills(10, 10));
    expect(b.callSites).toBe(10);
    expect(b.origins).toBe(a.origins);
    // Twice the depth: twice the call sites, no more (chains deeper than 32 helpers are not followed).
    const c = run(20, 1);
    expect(c.reports).toEqual(fills(20, 1));
    expect(c.callSites).toBe(20);
    // The twin: the same chain from a plain array is no view.
    expect(run(10, 1, 'new Uint32Array(64)').reports).toEqual([]);
  });

  it('knows a view by its member\'s declaration: a helper in its own file taking the runtime\'s views (`v: SpaceViews`) is read once per write', () => {
    // The layout in one file, the helper in another that names only types of the runtime: the runtime's views reach it
    // as a parameter, as users pass `rt.space`. Its twin takes the program's own interface with the same members.
    const helper = (views: string, write: string) =>
      virtualProgram({
        '/p/rec.ts': [`import { heapRef, struct, u32, type LayoutType } from '${runtimeIndex}';`, `export const Rec = struct('Rec', { key: u32, owner: heapRef<object>() });`, `export type Rec = LayoutType<typeof Rec>;`].join('\n'),
        '/p/wipe.ts': [
          `import type { Ptr, SpaceViews } from '${runtimeIndex}';`,
          `import { Rec } from './rec.ts';`,
          `export interface MyViews { readonly u8: Uint8Array; readonly u32: Uint32Array }`,
          `export function wipe(v: ${views}, p: Ptr<Rec>) { ${write} }`,
        ].join('\n'),
      });
    const run = (views: string, write: string) => {
      const before = rawViewCounters.origins;
      const reports = lintFile(helper(views, write), '/p/wipe.ts', ['zeroing-variant']).map((r) => `${r.line} ${r.messageId}`);
      return { reports, origins: rawViewCounters.origins - before };
    };
    const fill = `v.u32.fill(0, p >>> 2, (p + Rec.size) >>> 2);`;
    const store = `v.u32[(p + Rec.offsets.owner) >>> 2] = 0;`;
    expect(run('SpaceViews', fill)).toEqual({ reports: ['4 missedBarrier'], origins: 1 });
    expect(run('SpaceViews', store).reports).toEqual(['4 missedBarrier']);
    expect(run('SpaceViews', `v.u32[(p + Rec.offsets.key) >>> 2] = 0;`).reports).toEqual([]);
    expect(run('MyViews', fill).reports).toEqual([]);
    expect(run('MyViews', store).reports).toEqual([]);
    expect(run('Readonly<SpaceViews>', fill).reports).toEqual(['4 missedBarrier']);
  });
});
