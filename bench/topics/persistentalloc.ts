// P1: persistentalloc's bump allocation against a bump pointer into a
// preallocated Float64Array (the fair competitor: the same work, no checks)
// and against the JS ways to get 32 fresh bytes. persistentalloc never frees,
// so a call may take a fresh runtime when the current one is nearly full (a
// rare, amortised cost). None of the bump variants touches the bytes it hands
// out; `new Float64Array(4)` and `new ArrayBuffer(32)` zero theirs.
import { createRuntime, type Runtime } from '../../src/runtime/index.js';
import { defaultOptions, fresh, measure, sink, type Variant } from '../lib/harness.js';
import { vs, type Topic, type TopicReport } from '../lib/report.js';

const maxOps = 1 << 20;
const space = 1 << 30;

function persistentLoop(createRuntime: (o: { maxBytes: number }) => Runtime, space: number, sink: Float64Array) {
  let rt = createRuntime({ maxBytes: space });
  let used = 0;
  return (n: number) => {
    if (used + n * 32 > space - (1 << 24)) {
      rt = createRuntime({ maxBytes: space });
      used = 0;
    }
    let s = 0;
    for (let i = 0; i < n; i++) s ^= rt.persistentalloc(32);
    used += n * 32;
    sink[0] = s;
  };
}

function bumpLoop(f: Float64Array, sink: Float64Array) {
  let top = 0;
  return (n: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (top + 4 > f.length) top = 0; // a fresh region, as persistentalloc takes a new chunk
      s ^= top;
      top += 4;
    }
    sink[0] = s;
  };
}

function float64ArrayLoop(keep: Float64Array[]) {
  return (n: number) => {
    for (let i = 0; i < n; i++) keep[i & 1023] = new Float64Array(4);
  };
}

function arrayBufferLoop(keep: ArrayBuffer[]) {
  return (n: number) => {
    for (let i = 0; i < n; i++) keep[i & 1023] = new ArrayBuffer(32);
  };
}

const variants: Variant[] = [
  { name: 'offheap persistentalloc(32)', setup: () => fresh(persistentLoop)(createRuntime, space, sink) },
  { name: 'bump pointer into a preallocated Float64Array', setup: () => fresh(bumpLoop)(new Float64Array(1 << 22), sink) },
  { name: 'new Float64Array(4)', allocates: true, setup: () => fresh(float64ArrayLoop)(new Array<Float64Array>(1024)) },
  { name: 'new ArrayBuffer(32)', allocates: true, setup: () => fresh(arrayBufferLoop)(new Array<ArrayBuffer>(1024)) },
];

export const persistentalloc: Topic = {
  id: 'persistentalloc',
  title: 'persistentalloc',
  async run(): Promise<TopicReport> {
    const m = await measure(variants, { ...defaultOptions, maxOps });
    return {
      id: this.id,
      title: this.title,
      tables: [{ caption: '32-byte allocations', measurement: m }],
      targets: [
        {
          id: 'P1',
          measure: 'persistentalloc(32) vs a bump pointer into a preallocated Float64Array',
          ...vs(m, 'offheap persistentalloc(32)', 'bump pointer into a preallocated Float64Array'),
          unit: '×',
          target: 0.5,
          better: 'higher',
          note: 'persistentalloc also aligns, validates its arguments, keeps per-category stats and checks the chunk end.',
        },
        { id: 'P1', measure: 'persistentalloc(32) vs `new Float64Array(4)`', ...vs(m, 'offheap persistentalloc(32)', 'new Float64Array(4)'), unit: '×', target: 5, better: 'higher' },
        { id: 'P1', measure: 'persistentalloc(32) vs `new ArrayBuffer(32)`', ...vs(m, 'offheap persistentalloc(32)', 'new ArrayBuffer(32)'), unit: '×', target: 20, better: 'higher' },
      ],
      anchors: [
        { anchor: 'bump pointer into a preallocated Float64Array', why: 'the same operation (advance an offset in memory that is already there, touch nothing) written inline with no checks: the limit for a bump allocator, so "≥ 0.5×" bounds what checks and stats may cost.' },
        { anchor: '`new Float64Array(4)`, `new ArrayBuffer(32)`', why: 'what JS code does to get 32 fresh bytes; they also zero the bytes and create a GC object each time, which is the cost persistentalloc avoids, so these ratios show the saving, not the allocator\'s quality.' },
      ],
    };
  },
};
