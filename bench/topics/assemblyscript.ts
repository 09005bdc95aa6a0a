// The AssemblyScript anchor: what a user gets by writing the hot part in
// AssemblyScript instead. bench/assemblyscript/anchor.as is compiled here, at
// bench time, with asc's JS API (-O3, the incremental runtime: TLSF
// allocator, ITCMS collector, the `__link` barrier on managed stores), and
// every AssemblyScript variant gets its own instance (its own heap). The
// variants run interleaved with offheap's in this process.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRuntime, heapRef, struct, type HeapRef, type LayoutType, type Ptr, type Runtime } from '../../src/runtime/index.js';
import { fresh, measure, quick, type Measurement, type Variant } from '../lib/harness.js';
import { vs, explain, type Table, type TargetRow, type Topic, type TopicReport } from '../lib/report.js';
import { fixallocPair, fixallocRecord, newClass, order, Rec64, recordName } from './fixalloc.js';
import { handlePairLoop, pool1024, type Obj } from './heap.js';

// Runs compiled from .bench-build/bench/topics/; the AssemblyScript source stays in the repository.
const root = path.resolve(import.meta.dirname, '..', '..', import.meta.dirname.includes('.bench-build') ? '..' : '');

// The project's lib has no DOM types: the few WebAssembly calls used here, typed locally.
interface Wasm {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

interface AnchorExports {
  readonly memory: { readonly buffer: ArrayBuffer };
  rawAlloc(size: number): number;
  rawFree(p: number): void;
  tlsfSetup(live: number, size: number): void;
  slot(i: number): number;
  tlsfPairs(n: number, order: number, len: number, k: number, size: number): number;
  tlsfRecords(n: number, order: number, len: number, k: number): number;
  managedSetup(live: number): void;
  managedRecords(n: number, order: number, len: number, k: number): number;
  objectsSetup(n: number): void;
  object(i: number): number;
  __pin(p: number): number;
  __unpin(p: number): void;
  __collect(): void;
}

let compiled: { module: object; ms: number; bytes: number } | undefined;

/**
 * Each instance starts with this many 64 KiB pages (512 MiB, reserved and
 * touched lazily), more than the largest live set here needs (1M managed
 * records with their garbage), so no instance grows during the topic.
 * memory.grow detaches the old ArrayBuffer, and the first detach in a
 * process invalidates V8's process-wide "no detached buffers" assumption:
 * from then on every typed-array access in the process (offheap's side
 * included) checks for detachment, about 1.5 ns more per FixAlloc or
 * HeapRef pair. That cost is the anchor's side effect, not the question.
 */
const initialPages = 8192;
/** The instances of the table being measured; `table` checks them for growth and lets them go when it is done. */
const instances: AnchorExports[] = [];
/** The instances of this run's finished tables, and how many of them grew their memory (grownNote). */
const made = { count: 0, grown: 0 };

/**
 * Measures one table, then lets its instances go: each reserves initialPages of memory and V8 counts the pages a
 * variant touched as external memory, so instances kept to the end of the topic (10 of 512 MiB) ran the later tables
 * under "external memory pressure" scavenges.
 */
async function table(variants: Variant[]): Promise<Measurement> {
  const m = await measure(variants);
  for (const ex of instances) {
    made.count++;
    if (ex.memory.buffer.byteLength !== initialPages * 65536) made.grown++;
  }
  instances.length = 0;
  return m;
}

/**
 * Compiles the module with asc's command line in a child process, so the
 * compiler's own heap (tens of MB of JS) never sits in the process that
 * measures, where every full GC would have to trace it.
 */
function compile(): NonNullable<typeof compiled> {
  const t0 = performance.now();
  const outDir = path.join(root, '.bench-build', 'assemblyscript');
  mkdirSync(outDir, { recursive: true });
  const entry = path.join(outDir, 'anchor.ts');
  const out = path.join(outDir, 'anchor.wasm');
  copyFileSync(path.join(root, 'bench', 'assemblyscript', 'anchor.as'), entry);
  const asc = path.join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  const r = spawnSync(process.execPath, [asc, entry, '-O3', '--runtime', 'incremental', '--exportRuntime', '--initialMemory', String(initialPages), '-o', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`asc failed (exit ${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
  const binary = readFileSync(out);
  return { module: new wasm.Module(binary), ms: performance.now() - t0, bytes: binary.length };
}

function instance(): AnchorExports {
  const inst = new wasm.Instance(compiled!.module, {
    env: {
      abort() {
        throw new Error('AssemblyScript abort');
      },
    },
  });
  const ex = inst.exports as AnchorExports;
  instances.push(ex);
  return ex;
}

/** The live set's slot order, copied into the instance's memory (TLSF memory, never moved or collected). */
function orderIn(ex: AnchorExports, live: number): { at: number; len: number } {
  const o = order(live);
  const at = ex.rawAlloc(o.length * 4);
  new Int32Array(ex.memory.buffer, at, o.length).set(o);
  return { at, len: o.length };
}

// ---- variants whose loop runs inside wasm: the JS side is one call per timed call ----
function wasmPairs(live: number, size: number): Variant {
  return {
    name: `AssemblyScript TLSF ${size} B pair inside wasm`,
    setup() {
      const ex = instance();
      ex.tlsfSetup(live, size);
      const { at, len } = orderIn(ex, live);
      let k = 0;
      return (n) => {
        k = ex.tlsfPairs(n, at, len, k, size);
      };
    },
  };
}

function tlsfFromJsLoop(ex: AnchorExports, slots: Int32Array, order: Int32Array, size: number) {
  let k = 0;
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const j = order[k];
      if (++k === order.length) k = 0;
      ex.rawFree(slots[j]);
      slots[j] = ex.rawAlloc(size);
    }
  };
}

function jsPairs(live: number, size: number): Variant {
  return {
    name: `AssemblyScript TLSF ${size} B pair called from JS`,
    setup() {
      const ex = instance();
      ex.tlsfSetup(live, size);
      const slots = new Int32Array(live);
      for (let i = 0; i < live; i++) slots[i] = ex.slot(i);
      return fresh(tlsfFromJsLoop)(ex, slots, order(live), size);
    },
  };
}

function managedRecords(live: number): Variant {
  return {
    name: `AssemblyScript managed new + barriered store, ${live} live`,
    setup() {
      const ex = instance();
      ex.managedSetup(live);
      const { at, len } = orderIn(ex, live);
      let k = 0;
      return (n) => {
        k = ex.managedRecords(n, at, len, k);
      };
    },
  };
}

function tlsfRecords(live: number): Variant {
  return {
    name: `AssemblyScript TLSF 32 B record + 4 f64 stores, ${live} live`,
    setup() {
      const ex = instance();
      ex.tlsfSetup(live, 32);
      const { at, len } = orderIn(ex, live);
      let k = 0;
      return (n) => {
        k = ex.tlsfRecords(n, at, len, k);
      };
    },
  };
}

// ---- handles against pins (the HeapRef pair loop is the heap topic's H1 loop) ----
function handlePairs(live: number): Variant {
  return {
    name: `offheap HeapRef free+new pair, ${live} live`,
    setup() {
      const rt = createRuntime({ maxBytes: 1 << 20 });
      const hs: HeapRef<Obj>[] = [];
      // eslint-disable-next-line offheap/no-unrooted-heap-refs -- measures the handle table alone: no collection runs while these handles are held
      for (let i = 0; i < live; i++) hs.push(rt.newHeapRef(pool1024[i & 1023]));
      return fresh(handlePairLoop)(rt, hs, pool1024, order(live));
    },
  };
}

function pinLoop(ex: AnchorExports, ptrs: Int32Array, order: Int32Array) {
  let k = 0;
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const p = ptrs[order[k]];
      if (++k === order.length) k = 0;
      ex.__unpin(p);
      ex.__pin(p);
    }
  };
}

function pinPairs(live: number): Variant {
  return {
    name: `AssemblyScript __unpin+__pin from JS, ${live} live`,
    setup() {
      const ex = instance();
      ex.objectsSetup(live);
      const ptrs = new Int32Array(live);
      for (let i = 0; i < live; i++) ex.__pin((ptrs[i] = ex.object(i)));
      return fresh(pinLoop)(ex, ptrs, order(live));
    },
  };
}

// ---- a full collection over N live objects ----
const Ref = struct('ASRef', { a: heapRef<Obj>() });
type RefT = LayoutType<typeof Ref>;

function gcLoop(rt: Runtime) {
  return (n: number) => {
    for (let i = 0; i < n; i++) rt.gc();
  };
}

function offheapGc(N: number): Variant {
  return {
    name: `offheap gc(), ${N} live handles`,
    setup() {
      const rt = createRuntime({ maxBytes: 64 << 20 });
      const block = rt.sysAlloc<RefT>(N * 4);
      const a = rt.access(Ref).a;
      for (let i = 0; i < N; i++) a.set((block + i * 4) as Ptr<RefT>, rt.newHeapRef(pool1024[i & 1023]));
      rt.addRoot(block, Ref, N);
      return fresh(gcLoop)(rt);
    },
  };
}

function collectLoop(ex: AnchorExports) {
  return (n: number) => {
    for (let i = 0; i < n; i++) ex.__collect();
  };
}

function asCollect(N: number): Variant {
  return {
    name: `AssemblyScript __collect(), ${N} live objects`,
    setup() {
      const ex = instance();
      ex.objectsSetup(N);
      return fresh(collectLoop)(ex);
    },
  };
}

export const assemblyscript: Topic = {
  id: 'assemblyscript',
  title: 'Against AssemblyScript',
  async run(): Promise<TopicReport> {
    compiled = compile();
    instances.length = 0;
    made.count = made.grown = 0;
    const small = 10_000;
    const large = quick ? 50_000 : 1_000_000;
    const pairName = 'offheap FixAlloc 64 B pair (zero: false)';
    const pairs = await table([fixallocPair(pairName, small, Rec64, false), wasmPairs(small, 64), jsPairs(small, 64)]);
    const recs = (live: number): Variant[] => [fixallocRecord(live, false), managedRecords(live), tlsfRecords(live), newClass(live)];
    const rec10k = await table(recs(small));
    const rec1m = await table(recs(large));
    const pins10k = await table([handlePairs(small), pinPairs(small)]);
    const pins1m = await table([handlePairs(large), pinPairs(large)]);
    const gc10k = await table([offheapGc(small), asCollect(small)]);
    const gc1m = await table([offheapGc(large), asCollect(large)]);
    const tables: Table[] = [
      { caption: `alloc+free pairs, 64 B, ${small} live`, measurement: pairs },
      { caption: `32-byte record + 4 f64 writes, ${small} live`, measurement: rec10k },
      { caption: `32-byte record + 4 f64 writes, ${large} live`, measurement: rec1m },
      { caption: `HeapRef pair against a pin pair, ${small} live`, measurement: pins10k },
      { caption: `HeapRef pair against a pin pair, ${large} live`, measurement: pins1m },
      { caption: `full collection, ${small} live (one op = one collection)`, measurement: gc10k },
      { caption: `full collection, ${large} live (one op = one collection)`, measurement: gc1m },
    ];
    const ns = (m: (typeof tables)[number]['measurement'], name: string): string => m.get(name).nsPerOp.toFixed(1);
    const rec = (live: number): string => recordName(live, false);
    const info = { info: true, target: NaN, better: 'higher' } as const;
    const targets: TargetRow[] = [
      explain(
        { id: 'AS1', measure: 'FixAlloc pair vs TLSF pair inside wasm, 64 B, 10k live', ...vs(pairs, pairName, wasmPairs(small, 64).name), unit: '×', target: 3.5, better: 'higher' },
        `FixAlloc's pair is ${ns(pairs, pairName)} ns (called from JS, checked) against TLSF's ${ns(pairs, wasmPairs(small, 64).name)} ns in a wasm loop.`,
      ),
      { id: 'AS1', measure: 'FixAlloc pair vs TLSF pair called from JS, 64 B, 10k live', ...vs(pairs, pairName, jsPairs(small, 64).name), unit: '×', ...info },
      explain(
        { id: 'AS2', measure: 'record (zero: false) + 4 writes vs AssemblyScript managed `new` + barriered store, 10k live', ...vs(rec10k, rec(small), managedRecords(small).name), unit: '×', target: 7, better: 'higher' },
        `The record path is ${ns(rec10k, rec(small))} ns against ${ns(rec10k, managedRecords(small).name)} ns for \`new\` in AssemblyScript (ITCMS allocation, incremental collection work and the \`__link\` barrier).`,
      ),
      { id: 'AS2', measure: `record (zero: false) + 4 writes vs AssemblyScript managed \`new\` + barriered store, ${large} live`, ...vs(rec1m, rec(large), managedRecords(large).name), unit: '×', ...info },
      { id: 'AS2', measure: 'record (zero: false) + 4 writes vs TLSF record + 4 f64 stores inside wasm, 10k live', ...vs(rec10k, rec(small), tlsfRecords(small).name), unit: '×', ...info },
      { id: 'AS2', measure: `record (zero: false) + 4 writes vs TLSF record + 4 f64 stores inside wasm, ${large} live`, ...vs(rec1m, rec(large), tlsfRecords(large).name), unit: '×', ...info },
      { id: 'AS2', measure: 'record (zero: false) + 4 writes vs JS `new`, 10k live (same as F2)', ...vs(rec10k, rec(small), `new of a 4-field class, ${small} live`), unit: '×', ...info },
      explain(
        { id: 'AS3', measure: 'HeapRef free+new pair vs AssemblyScript `__unpin`+`__pin` from JS, 10k live', ...vs(pins10k, handlePairs(small).name, pinPairs(small).name), unit: '×', target: 1.5, better: 'higher' },
        `The handle pair is ${ns(pins10k, handlePairs(small).name)} ns against ${ns(pins10k, pinPairs(small).name)} ns for two calls into wasm that move an object between ITCMS lists.`,
      ),
      { id: 'AS3', measure: `HeapRef free+new pair vs AssemblyScript \`__unpin\`+\`__pin\` from JS, ${large} live`, ...vs(pins1m, handlePairs(large).name, pinPairs(large).name), unit: '×', ...info },
      explain(
        { id: 'AS4', measure: '`gc()` per live handle vs `__collect()` per live object, 10k live', ...vs(gc10k, offheapGc(small).name, asCollect(small).name), unit: '×', target: 2, better: 'higher' },
        `A gc() over ${small} rooted handles takes ${(gc10k.get(offheapGc(small).name).nsPerOp / 1000).toFixed(1)} µs against ${(gc10k.get(asCollect(small).name).nsPerOp / 1000).toFixed(1)} µs for __collect().`,
      ),
      { id: 'AS4', measure: `\`gc()\` per live handle vs \`__collect()\` per live object, ${large} live`, ...vs(gc1m, offheapGc(large).name, asCollect(large).name), unit: '×', ...info },
    ];
    return {
      id: this.id,
      title: this.title,
      tables,
      targets,
      anchors: [
        { anchor: 'TLSF inside wasm', why: "AssemblyScript's general-purpose allocator (`__alloc`/`__free`) in a loop compiled to wasm: the allocator's own cost with no JS boundary. It serves every size while FixAlloc serves one, which is FixAlloc's advantage by design." },
        { anchor: 'TLSF called from JS', why: 'what a JS caller pays to use the wasm allocator: the same pair with two calls across the boundary.' },
        { anchor: 'managed `new` + barriered store', why: 'the idiomatic AssemblyScript record: an ITCMS object, initialised by its constructor and stored into a live array through the `__link` barrier; garbage is reclaimed by the incremental collector, whose steps run inside the window.' },
        { anchor: '`__unpin`+`__pin` from JS', why: 'the nearest AssemblyScript operation to releasing one handle and taking another: JS keeps an AssemblyScript object alive by pinning it. Not the same thing (no new name is made), so this is the closest, not an identical, operation.' },
        { anchor: 'JS `new` of a 4-field class (information)', why: 'the ordinary JS record, as in F2: a garbage-collected object like AssemblyScript\'s managed one, collected by V8 instead of ITCMS.' },
        { anchor: '`__collect()`', why: 'a full ITCMS collection over the same number of live objects (reachable from a global array): the whole liveness cost in AssemblyScript. `gc()` marks and sweeps only the handle table; V8 still traces the JS objects behind the handles in its own collections, a cost that does not show in this row.' },
      ],
      notes: [
        `The module (${compiled.bytes} bytes of wasm) was compiled at the start of this run in ${(compiled.ms / 1000).toFixed(1)} s by asc ${readVersion()} (-O3, --runtime incremental, --exportRuntime, --initialMemory ${initialPages}, in a child process); each AssemblyScript variant has its own instance.`,
        grownNote(),
        'Ratios are offheap time ÷ AssemblyScript time inverted: above 1 means offheap is faster.',
        'AS4 counts the collectors\' own work only: `gc()` marks and sweeps the handle table, while the JS objects behind the handles are still traced by V8 in its own collections (not in these windows); `__collect()` traces AssemblyScript\'s whole heap.',
        ...(quick ? [`quick mode uses ${large} live objects for the "1M" rows`] : []),
      ],
    };
  },
};

/** Whether any instance grew its memory (which would tax every typed-array access after it; see initialPages). */
function grownNote(): string {
  const { count, grown } = made;
  return grown === 0
    ? `No instance grew its memory (${count} instances of ${initialPages * 64} KiB each), so no ArrayBuffer was detached in this process and offheap's typed-array accesses ran without V8's detach checks, as in a process without wasm.`
    : `${grown} of ${count} instances grew their memory past ${initialPages * 64} KiB: memory.grow detaches the old buffer, after which every typed-array access in the process (offheap's included) pays a detach check; raise initialPages.`;
}

function readVersion(): string {
  return (JSON.parse(readFileSync(path.join(root, 'node_modules', 'assemblyscript', 'package.json'), 'utf8')) as { version: string }).version;
}
