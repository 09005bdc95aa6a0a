// The flow engine behind zeroing-variant, zero-before-root and
// no-unrooted-heap-refs: linear cost on large, deeply nested functions
// (counted work, not time), and the path and alias wording of its messages.
import path from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { flowLimits, flowStats } from '../../src/analysis/flow/index.js';
import { reachCounters } from '../../src/analysis/flow/reach.js';
import { foreignCounters } from '../../src/analysis/flow/foreign.js';
import { containerStats } from '../../src/analysis/flow/containers.js';
import { neverRootedCounters } from '../../src/rules/no-unrooted-heap-refs.js';
import { rules } from '../../src/rules/index.js';
import { fixturesDir } from '../rule-tester.js';

const head = [
  `import { struct, u32, heapRef, access, FixAlloc, persistentalloc, memclrNoHeapPointers, typedmemclr, addRoot, type HeapRef, type MaybeGarbage, type Ptr, type LayoutType } from 'offheap';`,
  `class Owner { name = ''; }`,
  `const Node = struct('Node', { count: u32, owner: heapRef<Owner>() }); type Node = LayoutType<typeof Node>; const N = access(Node);`,
  `const pool = new FixAlloc(Node); const junk = new FixAlloc(Node, { zero: false }); // eslint-disable-line`,
  `declare const c: boolean; declare const ref: HeapRef<Owner>; declare function work(): void;`,
];

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({
    cwd: fixturesDir,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tsParser, parserOptions: { projectService: true, tsconfigRootDir: fixturesDir } },
        plugins: { offheap: { rules: rules as never } },
        rules: { 'offheap/zeroing-variant': 'error', 'offheap/zero-before-root': 'error', 'offheap/no-unrooted-heap-refs': 'error' },
      },
    ],
  });
});

async function lint(lines: string[]): Promise<{ messages: { ruleId: string | null; line: number; message: string }[]; work: typeof flowStats }> {
  for (const k of Object.keys(flowStats) as (keyof typeof flowStats)[]) flowStats[k] = 0;
  const [res] = await eslint.lintText([...head, ...lines].join('\n'), { filePath: path.join(fixturesDir, 'file.ts') });
  return { messages: res.messages, work: { ...flowStats } };
}

/** One block of a generated function: 15 lines, eight levels deep, every construct the engine handles. */
function chunk(k: number): string[] {
  return [
    `  {`,
    `    const p${k} = junk.alloc();`,
    `    if (c) {`,
    `      for (let i = 0; i < 3; i++) {`,
    `        try {`,
    `          switch (i) {`,
    `            case 0: memclrNoHeapPointers(p${k}, Node.size); break;`,
    `            default: while (c) { if (c) { memclrNoHeapPointers(p${k}, Node.size); } else { work(); } }`,
    `          }`,
    `        } catch { work(); } finally { work(); }`,
    `      }`,
    `    } else { memclrNoHeapPointers(p${k}, Node.size); }`,
    `    c && addRoot(p${k} as Ptr<Node>, Node);`,
    `  }`,
  ];
}

/** A single chain of nested loops and branches `depth` deep, with the object's state changing at the bottom. */
function chain(depth: number): string[] {
  const open: string[] = [];
  const close: string[] = [];
  for (let d = 0; d < depth; d++) {
    const pad = ' '.repeat(2 + (d % 40));
    open.push(d % 3 === 0 ? `${pad}for (let i${d} = 0; i${d} < 2; i${d}++) {` : d % 3 === 1 ? `${pad}if (c) {` : `${pad}while (c) {`);
    close.unshift(`${pad}}`);
  }
  return [`function deep() {`, `  let p = junk.alloc();`, ...open, `  memclrNoHeapPointers(p, Node.size);`, `  p = junk.alloc();`, `  N.count.set(p as Ptr<Node>, 1);`, ...close, `  addRoot(p as Ptr<Node>, Node);`, `}`];
}

describe('linear cost', () => {
  it('a generated 1,000-line function of deeply nested blocks: work at 2n is about twice the work at n', async () => {
    const n = 70; // 70 × 14 lines ≈ 1,000 lines
    const gen = (m: number) => [`function big() {`, ...Array.from({ length: m }, (_, k) => chunk(k)).flat(), `}`];
    expect(gen(n).length).toBeGreaterThanOrEqual(980);
    const a = await lint(gen(n));
    const b = await lint(gen(2 * n));
    expect([...a.messages, ...b.messages].filter((m) => m.ruleId === null)).toEqual([]);
    // Each block roots p on the path that skips every clear (the `for` may run zero times).
    expect(a.messages.filter((m) => m.ruleId === 'offheap/zero-before-root')).toHaveLength(n);
    expect(b.messages.filter((m) => m.ruleId === 'offheap/zero-before-root')).toHaveLength(2 * n);
    for (const key of ['segments', 'transfers', 'stateOps'] as const) {
      expect(a.work[key]).toBeGreaterThan(0);
      const ratio = b.work[key] / a.work[key];
      expect(ratio, `${key}: ${a.work[key]} → ${b.work[key]}`).toBeLessThan(2.3);
      expect(ratio, `${key}: ${a.work[key]} → ${b.work[key]}`).toBeGreaterThan(1.7);
    }
  });

  it('asks the declared type only of module-level variables a function assigns: 60 locals, one table', async () => {
    const gen = (m: number) => [
      `let last: Ptr<Node> = 0 as Ptr<Node>;`,
      `export function f() {`,
      ...Array.from({ length: m }, (_, k) => `  let x${k} = junk.alloc(); x${k} = junk.alloc();`),
      `  const p = junk.alloc();`,
      `  last = p as Ptr<Node>;`,
      `}`,
    ];
    const r = await lint(gen(60));
    expect(r.work.placeTypes).toBe(1);
    // The one it asks decides: `last` is a root the garbage reaches (twin: cleared first, clean).
    expect(r.messages.map((m) => m.ruleId)).toEqual(['offheap/zero-before-root']);
    const ok = await lint([...gen(60).slice(0, -2), `  memclrNoHeapPointers(p, Node.size);`, `  last = p as Ptr<Node>;`, `}`]);
    expect(ok.messages).toEqual([]);
  });

  it('a local container filled from 100 then 200 blocks: its uses are read once, and the state stays small', async () => {
    // Each block allocates, stores a HeapRef and pushes into `batch`; the twin returns `batch.length` instead of `batch`.
    const gen = (m: number, ret: string) => [
      `export function fill() {`,
      `  const batch: Ptr<Node>[] = [];`,
      ...Array.from({ length: m }, (_, k) => [`  if (c) {`, `    const p${k} = pool.alloc();`, `    N.owner.set(p${k}, ref);`, `    batch.push(p${k});`, `  }`]).flat(),
      `  return ${ret};`,
      `}`,
    ];
    const run = async (m: number, ret: string) => {
      const before = { ...containerStats };
      const r = await lint(gen(m, ret));
      return { ...r, classified: containerStats.classified - before.classified, walked: containerStats.nodesWalked - before.nodesWalked };
    };
    const a = await run(100, 'batch');
    const b = await run(200, 'batch');
    expect([...a.messages, ...b.messages]).toEqual([]);
    expect([a.classified, b.classified]).toEqual([1, 1]);
    for (const [key, x, y] of [['walked', a.walked, b.walked], ['transfers', a.work.transfers, b.work.transfers], ['stateOps', a.work.stateOps, b.work.stateOps]] as const) {
      expect(y / x, `${key}: ${x} → ${y}`).toBeLessThan(2.3);
      expect(y / x, `${key}: ${x} → ${y}`).toBeGreaterThan(1.7);
    }
    // The twins: every store is owed. Five blocks: one report each. A hundred: the records only `batch` still names are
    // folded into one entry, whose first store is reported with the ones still apart (fewer reports, never none).
    const few = await run(5, 'batch.length');
    expect(few.messages.filter((m) => m.ruleId === 'offheap/no-unrooted-heap-refs').map((m) => m.line)).toEqual([0, 1, 2, 3, 4].map((k) => head.length + 5 + 5 * k));
    const broken = await run(100, 'batch.length');
    const reported = broken.messages.filter((m) => m.ruleId === 'offheap/no-unrooted-heap-refs');
    expect(reported.length).toBeGreaterThan(0);
    expect(reported.every((m) => m.message.includes('A HeapRef is stored into'))).toBe(true);
  });

  it('one chain of nested loops and branches 120 then 240 deep: work grows linearly with depth', async () => {
    // Much deeper chains overflow the parser's stack before the rules run.
    const a = await lint(chain(120));
    const b = await lint(chain(240));
    for (const r of [a, b]) {
      expect(r.messages.filter((m) => m.ruleId === null)).toEqual([]);
      // The object popped at the bottom of the chain is rooted unzeroed after a loop iteration.
      expect(r.messages.filter((m) => m.ruleId === 'offheap/zero-before-root')).toHaveLength(1);
    }
    for (const key of ['segments', 'transfers', 'stateOps'] as const) {
      const ratio = b.work[key] / a.work[key];
      expect(ratio, `${key}: ${a.work[key]} → ${b.work[key]}`).toBeLessThan(2.3);
    }
  });

  it('no segment runs again once the flow is solved: each event of a branchy function and of its helper is transferred once', async () => {
    // A helper of k branches that clears its parameter and returns it; the caller has k branches too, roots its own
    // object unzeroed (reported) and roots what the helper returned (clean). Straight-line branches settle in one run
    // per segment, so each solve transfers the 2 calls of a branch once: the helper twice (its summary, and on its
    // own), the caller once, 6 per k. A second pass over the solved segments for the facts made it 10.
    const file = (k: number) => [
      `function h(p: MaybeGarbage<Node>) {`,
      ...Array.from({ length: k }, (_, i) => `  if (c) work(); else N.count.set(p as Ptr<Node>, ${i});`),
      `  memclrNoHeapPointers(p, Node.size);`,
      `  return p;`,
      `}`,
      `function f() {`,
      `  const p = junk.alloc();`,
      ...Array.from({ length: k }, (_, i) => `  if (c) work(); else N.count.set(p as Ptr<Node>, ${i});`),
      `  addRoot(p as Ptr<Node>, Node);`,
      `  const q = h(junk.alloc());`,
      `  addRoot(q as Ptr<Node>, Node);`,
      `}`,
    ];
    const a = await lint(file(10));
    const b = await lint(file(40));
    for (const r of [a, b]) {
      expect(r.messages.filter((m) => m.ruleId === null)).toEqual([]);
      // `p` rooted unzeroed: reported once; `q` went through the helper's clear: clean.
      expect(r.messages.map((m) => `${m.ruleId}:${m.line}`)).toEqual([`offheap/zero-before-root:${head.length + 2 * (r === a ? 10 : 40) + 7}`]);
    }
    expect((b.work.transfers - a.work.transfers) / 30).toBe(6);
  });
});

describe('sharing and bail-out', () => {
  it('the three rules share one recording and one solve per file', async () => {
    const r = await lint([`function f() {`, `  const p = junk.alloc();`, `  addRoot(p as Ptr<Node>, Node);`, `}`]);
    expect(r.messages.map((m) => m.ruleId)).toEqual(['offheap/zero-before-root']);
    // Code paths: the module and f, each solved once, not once per rule; Owner's field initializer holds no memory state and is skipped.
    expect(r.work.functions).toBe(2);
    expect(r.work.skipped).toBe(1);
  });

  it('each helper is summarised once per file lint, and both rules read that summary: 2 helpers, 2 summary runs', async () => {
    const r = await lint([
      `function publish(p: Ptr<Node>) { addRoot(p, Node); }`,
      `function fill(p: Ptr<Node>) { N.owner.set(p, ref); }`,
      `function make() { const p = junk.alloc(); publish(p as Ptr<Node>); }`,
      `function keep() { const p = pool.alloc(); fill(p); }`,
    ]);
    // zero-before-root through publish's summary (it roots), no-unrooted-heap-refs through fill's (it stores).
    expect(r.messages.map((m) => [m.ruleId, m.line])).toEqual([
      ['offheap/zero-before-root', head.length + 3],
      ['offheap/no-unrooted-heap-refs', head.length + 4],
    ]);
    expect(r.work.summaries).toBe(2);
    // The module, the four functions once each for their facts, and the two summary runs: not again per rule.
    expect(r.work.functions).toBe(1 + 4 + 2);
  });

  it('a file that never imports offheap costs no flow work', async () => {
    for (const k of Object.keys(flowStats) as (keyof typeof flowStats)[]) flowStats[k] = 0;
    const [res] = await eslint.lintText(`function f(p: number) {\n  if (p) return p;\n  return 0;\n}\n`, { filePath: path.join(fixturesDir, 'file.ts') });
    expect(res.messages).toEqual([]);
    expect(flowStats).toEqual({ segments: 0, transfers: 0, functions: 0, summaries: 0, stateOps: 0, widened: 0, skipped: 0, gated: 0, placeTypes: 0 });
  });
});

describe('functions that hold no memory state are not solved', () => {
  /** N ordinary functions (loops, branches, closures, calls between them) that never touch offheap memory. */
  const ordinary = (n: number): string[] =>
    Array.from({ length: n }, (_, i) => [
      `function plain${i}(xs: number[], s: string): string {`,
      `  let acc = 0;`,
      `  for (const x of xs) { if (x > ${i}) acc += x; else acc -= 1; }`,
      `  const o = { s, acc, list: [acc, xs.length] };`,
      `  return ${i > 0 ? `plain${i - 1}(xs, s) + ` : ''}String(o.acc) + [1, 2].map((v) => v * acc).join(',');`,
      `}`,
    ]).flat();

  it('a file of ordinary functions with the offheap import solves nothing', async () => {
    const n = 40;
    const r = await lint(ordinary(n));
    expect(r.messages).toEqual([]);
    // Only the module itself (its pools) is solved; each function and its arrow callback is skipped.
    expect(r.work.functions).toBe(1);
    expect(r.work.skipped).toBe(2 * n + 1);
  });

  it('the twin: one function that touches memory is solved and still reported, directly and through a same-file helper', async () => {
    const n = 40;
    const direct = await lint([...ordinary(n), `function bad() {`, `  const p = junk.alloc();`, `  addRoot(p as Ptr<Node>, Node);`, `}`]);
    expect(direct.messages.map((m) => [m.ruleId, m.line])).toEqual([['offheap/zero-before-root', head.length + 6 * n + 3]]);
    expect(direct.work.functions).toBe(2);
    expect(direct.work.skipped).toBe(2 * n + 1);
    // The allocation sits in a helper with an untyped result: the caller is relevant through the helper's summary.
    const helper = await lint([
      ...ordinary(n),
      `function make(): unknown { return junk.alloc(); }`,
      `function bad() {`,
      `  const p = make();`,
      `  addRoot(p as Ptr<Node>, Node);`,
      `}`,
    ]);
    expect(helper.messages.map((m) => [m.ruleId, m.line])).toEqual([['offheap/zero-before-root', head.length + 6 * n + 4]]);
    expect(helper.work.skipped).toBe(2 * n + 1);
    // No runtime call and no typed value in the caller: it is relevant only through its helpers' summaries
    // (one returns garbage, one roots its parameter on some path), and the finding stays.
    const rooting = await lint([
      ...ordinary(n),
      `function make(): unknown { return junk.alloc(); }`,
      `function keep(q: unknown) { if (c) addRoot(q as Ptr<Node>, Node); }`,
      `function bad() {`,
      `  const p = make();`,
      `  keep(p);`,
      `}`,
    ]);
    expect(rooting.messages.filter((m) => m.line === head.length + 6 * n + 5).map((m) => m.ruleId)).toEqual(['offheap/zero-before-root']);
    expect(rooting.work.skipped).toBe(2 * n + 1);
  });
});

describe('a file that names nothing of the runtime is answered from its imports', () => {
  const lintRaw = async (lines: string[]) => {
    for (const k of Object.keys(flowStats) as (keyof typeof flowStats)[]) flowStats[k] = 0;
    const before = reachCounters.filesWithoutBindings;
    const [res] = await eslint.lintText(lines.join('\n'), { filePath: path.join(fixturesDir, 'file.ts') });
    return { messages: res.messages, work: { ...flowStats }, answered: reachCounters.filesWithoutBindings - before };
  };
  const body = [`export function f(xs: number[]) { let s = 0; for (const x of xs) s += x; return s; }`];

  it('a side-effect import of offheap only: no function is solved or even looked at', async () => {
    const r = await lintRaw([`import 'offheap';`, ...body]);
    expect(r.messages).toEqual([]);
    expect(r.answered).toBe(1);
    expect(r.work.functions + r.work.skipped).toBe(0);
  });

  it('the twins: a binding of offheap, or of a module that reaches it, and the mistake is reported', async () => {
    const direct = await lintRaw([`import { persistentalloc, addRoot, memclrNoHeapPointers } from 'offheap';`, `import { Node } from './flow-layouts.js';`, `export function g() {`, `  const p = persistentalloc<Node>(Node.size);`, `  memclrNoHeapPointers(p, Node.size);`, `  addRoot(p, Node);`, `}`]);
    expect(direct.answered).toBe(0);
    expect(direct.messages).toEqual([]);
    // Only through the layouts module: the retire helper of flow-retire.ts frees, the store after it is a use after free.
    const via = await lintRaw([`import 'offheap';`, `import { retire } from './flow-retire.js';`, `import type { Node } from './flow-layouts.js';`, `import type { Ptr } from 'offheap';`, `export function h(p: Ptr<Node>) {`, `  retire(p);`, `  retire(p);`, `}`]);
    expect(via.answered).toBe(0);
    expect(via.work.functions).toBeGreaterThan(0);
  });
});

describe('callees in other files', () => {
  it('are read once per program however often they are called: 100 -> 200 calls, one summary, the same nodes read', async () => {
    const calls = (n: number): string[] => [
      `import { retire } from './flow-retire.js';`,
      ...Array.from({ length: n }, (_, k) => `function r${k}(p: Ptr<Node>) { N.count.set(p, ${k}); retire(p); }`),
    ];
    const run = async (n: number) => {
      const before = { ...foreignCounters };
      const r = await lint(calls(n));
      return { r, summaries: foreignCounters.summaries - before.summaries, nodes: foreignCounters.nodes - before.nodes };
    };
    const a = await run(100);
    const b = await run(200);
    for (const x of [a, b]) {
      expect(x.r.messages).toEqual([]);
      expect(x.summaries).toBe(1);
    }
    expect(b.nodes).toBe(a.nodes);
  });
});

describe('the never-rooted scan', () => {
  it('walks each file once per SourceFile: a second program that changes one file walks only that file', async () => {
    await lint([`function a() { return 1; }`]);
    const before = neverRootedCounters.filesWalked;
    await lint([`function b() { return 2; }`]);
    await lint([`function c() { return 3; }`]);
    // Only file.ts changed between the programs (the pools of the head make each lint ask the scan).
    expect(neverRootedCounters.filesWalked - before).toBe(2);
  });

  it('resolves only the import bindings a file calls or aliases', async () => {
    const resolved = async (lines: string[]): Promise<number> => {
      const before = neverRootedCounters.importsResolved;
      await lint(lines);
      return neverRootedCounters.importsResolved - before;
    };
    // Per program, over the fixture project's files that use offheap; file.ts varies.
    const plain = await resolved([`function t() { return 1; }`]);
    expect(plain).toBeGreaterThan(0);
    // Ten more bindings imported and never called: none resolved (each was, before).
    const unused = [`import { removeRoot as r0, sysAlloc as r1, sysFree as r2, pin as r3, unpin as r4, gc as r5, gcStep as r6, newHeapRef as r7, freeHeapRef as r8, storeHeapRef as r9 } from 'offheap';`];
    expect(await resolved([...unused, `function t() { return 1; }`])).toBe(plain);
    // A renamed addRoot that is called is resolved (and roots, as the flow's own resolution does): file.ts then
    // roots its pools' layout itself, so only its own called bindings are resolved (struct, access, root), no other file's.
    expect(await resolved([...unused, `import { addRoot as root } from 'offheap';`, `function t(p: Ptr<Node>) { root(p, Node); }`])).toBe(3);
  });

  it("reads no other file for a pool whose layout the file roots itself: no file walked, the never-rooted twin still walks and reports", async () => {
    const walked = async (lines: string[]) => {
      const before = { ...neverRootedCounters };
      const r = await lint(lines);
      return { files: neverRootedCounters.filesWalked - before.filesWalked, nodes: neverRootedCounters.nodesVisited - before.nodesVisited, never: r.messages.filter((m) => m.message.includes('nothing in the program passes them to `addRoot`')).length };
    };
    // Each lint is a new program (file.ts changes); the pools of Node are judged at the end of the file.
    const rooted = await walked([`const extra = new FixAlloc(Node);`, `function keep(p: Ptr<Node>) { addRoot(p, Node); }`]);
    expect(rooted).toEqual({ files: 0, nodes: 0, never: 0 });
    // Twin: nothing in file.ts roots Node; the program's files are read (file.ts among them) and the pool is reported
    // (the head's pools are on a line with its reports disabled).
    const never = await walked([`const extra = new FixAlloc(Node);`, `function keep(p: Ptr<Node>) { N.count.set(p, 1); }`]);
    expect(never.files).toBeGreaterThanOrEqual(1);
    expect(never.nodes).toBeGreaterThan(0);
    expect(never.never).toBe(1);
  });

  it('enters no type: annotations, however large, add no visit', async () => {
    const visits = async (fn: string): Promise<number> => {
      const before = neverRootedCounters.nodesVisited;
      await lint([fn]);
      return neverRootedCounters.nodesVisited - before;
    };
    const plain = await visits(`function t0(x: { a: number }) { return x; }`);
    const typed = await visits(`function t0(x: { a: Array<Map<string, number>>; b: [number, string] | undefined; c: (y: number) => void }) { return x; }`);
    expect(plain).toBeGreaterThan(0);
    expect(typed).toBe(plain);
  });
});

describe('no crash on any construct', () => {
  it('classes, static blocks, accessors, generators, async, labels, for-in, optional chains, destructuring, closures', async () => {
    const r = await lint([
      `class Holder {`,
      `  static p = junk.alloc();`,
      `  static { memclrNoHeapPointers(Holder.p, Node.size); }`,
      `  #q = pool.alloc();`,
      `  get q() { return this.#q; }`,
      `  set q(v) { addRoot(v, Node); this.#q = v; }`,
      `  *gen() { const p = junk.alloc(); yield p; addRoot(p as Ptr<Node>, Node); }`,
      `  async run(o?: { p?: Ptr<Node> }) { await Promise.resolve(); const { p } = o ?? {}; if (p) typedmemclr(Node, p); }`,
      `}`,
      `function g(xs: Record<string, number>) {`,
      `  let p = junk.alloc();`,
      `  outer: for (const k in xs) { for (;;) { if (xs[k]) continue outer; p = junk.alloc(); break; } }`,
      `  const f = () => addRoot(p as Ptr<Node>, Node);`,
      `  const [a = p] = [p];`,
      `  p ??= junk.alloc();`,
      `  memclrNoHeapPointers(a, Node.size);`,
      `  return f;`,
      `}`,
    ]);
    expect(r.messages.filter((m) => m.ruleId === null)).toEqual([]);
    // The generator roots garbage after a yield; the closure roots whatever p is when it runs (typed MaybeGarbage).
    expect(r.messages.map((m) => `${m.ruleId}:${m.line}`)).toEqual(['offheap/zero-before-root:12', 'offheap/zero-before-root:18']);
  });
});

describe('messages name the path, the alias and the partial byte count', () => {
  const root = async (body: string[]): Promise<string[]> =>
    (await lint([`function f(k: number, xs: number[]) {`, ...body, `}`])).messages.filter((m) => m.ruleId === 'offheap/zero-before-root').map((m) => m.message);
  const p = `  const p = junk.alloc();`;
  const r = `  addRoot(p as Ptr<Node>, Node);`;

  it('the skipped if, the else branch, the case, the catch', async () => {
    expect(await root([p, `  if (c) memclrNoHeapPointers(p, Node.size);`, r])).toEqual([expect.stringContaining('on the path where the condition of the `if` at line 8 is false')]);
    expect(await root([p, `  if (c) memclrNoHeapPointers(p, Node.size);`, `  else work();`, r])).toEqual([expect.stringContaining('on the `else` branch at line 9')]);
    expect(await root([p, `  switch (k) {`, `    case 0: memclrNoHeapPointers(p, Node.size);`, `    case 1: addRoot(p as Ptr<Node>, Node);`, `  }`])).toEqual([
      expect.stringContaining('on the `case` at line 10'),
    ]);
    expect(await root([p, `  try { memclrNoHeapPointers(p, Node.size); } catch {`, `  ${r}`, `  }`])).toEqual([expect.stringContaining('on the `catch` at line 8')]);
  });

  it('an exception from the middle of a try block, and a finally reached from the catch', async () => {
    const l = `  let p: MaybeGarbage<Node> = pool.alloc();`;
    expect(await root([l, `  try {`, `    work();`, `    p = junk.alloc();`, `    work();`, `    memclrNoHeapPointers(p, Node.size);`, `  } catch {`, `  ${r}`, `  }`])).toEqual([
      expect.stringContaining('from `junk.alloc()` at line 10, on an exception thrown inside the `try` at line 8'),
    ]);
    expect(await root([l, `  try {`, `    work();`, `  } catch {`, `    p = junk.alloc();`, `  } finally {`, `  ${r}`, `  }`])).toEqual([
      expect.stringContaining('from `junk.alloc()` at line 11, on the `finally` at line 12'),
    ]);
  });

  it('loops: zero iterations and the next iteration', async () => {
    expect(await root([p, `  for (const x of xs) memclrNoHeapPointers(p, Node.size);`, r])).toEqual([expect.stringContaining('on the path where the loop at line 8 runs zero more times')]);
    expect(
      await root([`  let p = junk.alloc();`, `  memclrNoHeapPointers(p, Node.size);`, `  while (c) {`, `    addRoot(p as Ptr<Node>, Node);`, `    p = junk.alloc();`, `  }`]),
    ).toEqual([expect.stringContaining('from `junk.alloc()` at line 11, on a later iteration of the loop at line 9')]);
  });

  it('a partial clear says how many bytes it cleared and which slots it left', async () => {
    expect(await root([p, `  memclrNoHeapPointers(p, 4);`, r])).toEqual([expect.stringContaining('`memclrNoHeapPointers` at line 8 clears only 4 of its 8 bytes, leaving owner')]);
  });

  it('a missed barrier through an alias names the alias', async () => {
    const res = await lint([`function f(p: Ptr<Node>) {`, `  const q = p;`, `  memclrNoHeapPointers(q, Node.size);`, `}`]);
    expect(res.messages.map((m) => m.message)).toEqual([expect.stringContaining('an alias of `p`')]);
  });

  it('an unrooted store names the path that returns', async () => {
    const res = await lint([`function f() {`, `  const p = persistentalloc<Node>(Node.size);`, `  N.owner.set(p, ref);`, `  if (c) return;`, `  addRoot(p, Node);`, `}`]);
    expect(res.messages.map((m) => m.message)).toEqual([expect.stringContaining('on the `if` branch at line 9 the function returns')]);
  });
});

describe('never silently wrong', () => {
  /** `n` same-file helpers, each passing the object to the next; the last one roots it. */
  const helpers = (n: number): string[] => [
    `function h0(x: Ptr<Node>) { addRoot(x, Node); }`,
    ...Array.from({ length: n - 1 }, (_, i) => `function h${i + 1}(x: Ptr<Node>) { h${i}(x); }`),
    `function top() {`,
    `  const p = junk.alloc();`,
    `  h${n - 1}(p as Ptr<Node>);`,
    `}`,
  ];

  it('a chain of 500 same-file helpers is summarised without recursion: the finding stays, and work grows linearly', async () => {
    const a = await lint(helpers(250));
    const b = await lint(helpers(500));
    for (const [r, n] of [[a, 250], [b, 500]] as const) {
      expect(r.messages.filter((m) => m.ruleId === null)).toEqual([]);
      // The garbage object is rooted through the whole chain: reported at the outermost call.
      const found = r.messages.filter((m) => m.ruleId === 'offheap/zero-before-root');
      expect(found.map((m) => m.line)).toEqual([head.length + n + 3]);
      expect(found[0].message).toContain(`through \`h${n - 1}\``);
    }
    for (const key of ['segments', 'transfers', 'functions'] as const) {
      const ratio = b.work[key] / a.work[key];
      expect(ratio, `${key}: ${a.work[key]} → ${b.work[key]}`).toBeLessThan(2.3);
    }
  });

  it('n accessor loads and stores (the "accesses memory" effect) then a use after free: 250 → 500 calls, work about doubles, the finding stays', async () => {
    const accesses = (n: number): string[] => [
      `import { removeRoot } from 'offheap';`,
      `function many() {`,
      `  const p = pool.alloc();`,
      `  addRoot(p, Node);`,
      ...Array.from({ length: n / 2 }, (_, k) => `  N.count.set(p, N.count.get(p) + ${k});`),
      `  typedmemclr(Node, p);`,
      `  removeRoot(p);`,
      `  pool.free(p);`,
      `  N.count.set(p, 0);`,
      `}`,
    ];
    const a = await lint(accesses(250));
    const b = await lint(accesses(500));
    for (const [r, n] of [[a, 250], [b, 500]] as const) {
      const found = r.messages.filter((m) => m.ruleId === 'offheap/no-unrooted-heap-refs');
      expect(found.map((m) => m.line)).toEqual([head.length + n / 2 + 8]);
      expect(found[0].message).toContain('may already be freed');
    }
    for (const key of ['segments', 'transfers', 'stateOps'] as const) {
      const ratio = b.work[key] / a.work[key];
      expect(ratio, `${key}: ${a.work[key]} → ${b.work[key]}`).toBeLessThan(2.3);
    }
    expect(b.work.transfers).toBeGreaterThanOrEqual(500);
  });

  it('a function the flow gives up on is reported as "cannot prove", once, naming it (the twin: solved normally, nothing said)', async () => {
    // retireAll is also called, so it is summarised and solved: both give up, one report.
    const body = [`function retireAll() {`, `  const p = pool.alloc();`, `  addRoot(p, Node);`, `}`, `function ordinary(a: number) { return a + 1; }`, `retireAll();`];
    const cannot = (r: Awaited<ReturnType<typeof lint>>) => r.messages.filter((m) => m.message.startsWith('Cannot prove'));
    const normal = await lint(body);
    expect(cannot(normal)).toEqual([]);
    const saved = { ...flowLimits };
    // A budget below zero: the solver's hard stop throws at once, as a transfer bug would.
    Object.assign(flowLimits, { runsPerSegment: -1e6, baseRuns: -1e6 });
    try {
      const failed = await lint(body);
      expect(failed.messages.filter((m) => m.ruleId === null)).toEqual([]);
      // The module's top level (it makes pools) and retireAll; `ordinary` holds no memory state and is not solved.
      const found = cannot(failed);
      expect(found.map((m) => m.line)).toEqual([1, head.length + 1]);
      for (const m of found) expect(['offheap/zeroing-variant', 'offheap/zero-before-root', 'offheap/no-unrooted-heap-refs']).toContain(m.ruleId);
      expect(found[0].message).toContain('Cannot prove `the module top level` safe');
      expect(found[1].message).toContain('Cannot prove `retireAll` safe: the flow analysis gave up on it (the flow did not settle within its budget');
    } finally {
      Object.assign(flowLimits, saved);
    }
  });

  it('a message names at most a handful of slot paths, then how many more', async () => {
    const r = await lint([
      `const Big = struct('Big', { ${Array.from({ length: 60 }, (_, i) => `r${i}: heapRef<Owner>()`).join(', ')} }); type Big = LayoutType<typeof Big>;`,
      `const bigJunk = new FixAlloc(Big, { zero: false }); // eslint-disable-line`,
      `function f() {`,
      `  const p = bigJunk.alloc();`,
      `  addRoot(p as Ptr<Big>, Big);`,
      `}`,
    ]);
    const msg = r.messages.find((m) => m.ruleId === 'offheap/zero-before-root')?.message ?? '';
    expect(msg).toContain('HeapRef slots (r0, r1, r2, r3 and 56 more)');
    expect(msg.length).toBeLessThan(700);
  });
});

describe('correlated conditions stay linear', () => {
  /** `n` blocks, each testing its own const flag twice around a reuse: every block is Go's case 48 as two ifs. */
  const flags = (n: number): string[] => [
    ...Array.from({ length: n }, (_, k) => `declare const f${k}: boolean;`),
    `function many() {`,
    ...Array.from({ length: n }, (_, k) => [
      `  {`,
      `    let p: MaybeGarbage<Node> = persistentalloc<Node>(Node.size);`,
      `    if (f${k}) p = junk.alloc();`,
      `    if (f${k}) memclrNoHeapPointers(p, Node.size);`,
      `    addRoot(p as Ptr<Node>, Node);`,
      `  }`,
    ]).flat(),
    `}`,
  ];

  it('n blocks of correlated tests: clean, and work at 2n is about twice the work at n (at most 3 predicates per path)', async () => {
    const a = await lint(flags(60));
    const b = await lint(flags(120));
    for (const r of [a, b]) expect(r.messages.filter((m) => m.ruleId !== 'offheap/no-unrooted-heap-refs')).toEqual([]);
    for (const key of ['segments', 'transfers', 'stateOps'] as const) {
      const ratio = b.work[key] / a.work[key];
      expect(ratio, `${key}: ${a.work[key]} → ${b.work[key]}`).toBeLessThan(2.3);
    }
  });
});

describe('a spent budget widens instead of dropping findings', () => {
  it('with the budget at zero, the function is solved at the top of the lattice and its finding stays', async () => {
    const body = [`function f() {`, `  let p = junk.alloc();`, `  while (c) {`, `    memclrNoHeapPointers(p, Node.size);`, `    p = junk.alloc();`, `  }`, `  addRoot(p as Ptr<Node>, Node);`, `}`];
    const normal = await lint(body);
    const saved = { ...flowLimits };
    Object.assign(flowLimits, { runsPerSegment: 0, baseRuns: 0 });
    try {
      const widened = await lint(body);
      expect(widened.work.widened).toBeGreaterThan(0);
      expect(widened.messages.filter((m) => m.ruleId === null)).toEqual([]);
      const rootFindings = (r: typeof normal) => r.messages.filter((m) => m.ruleId === 'offheap/zero-before-root').map((m) => m.line);
      expect(rootFindings(normal)).toEqual([head.length + 7]);
      expect(rootFindings(widened)).toEqual(rootFindings(normal));
    } finally {
      Object.assign(flowLimits, saved);
    }
    expect(normal.work.widened).toBe(0);
  });
});
