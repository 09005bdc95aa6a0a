// P1: persistentalloc's bump allocation against the JS ways to get 32 fresh
// bytes. persistentalloc never frees, so each call may take a fresh runtime
// when the current one is nearly full (a rare, amortised cost).
import { createRuntime, type Runtime } from '../../src/runtime/index.js';
import { defaultOptions, measure, type Variant } from '../lib/harness.js';
import { vs, type Topic, type TopicReport } from '../lib/report.js';

const maxOps = 1 << 20;
const space = 1 << 30;

const variants: Variant[] = [
  {
    name: 'offheap persistentalloc(32)',
    setup() {
      let rt: Runtime = createRuntime({ maxBytes: space });
      let used = 0;
      let sink = 0;
      return (n) => {
        if (used + n * 32 > space - (1 << 24)) {
          rt = createRuntime({ maxBytes: space });
          used = 0;
        }
        for (let i = 0; i < n; i++) sink ^= rt.persistentalloc(32);
        used += n * 32;
        if (sink === -1) console.log(sink);
      };
    },
  },
  {
    name: 'new Float64Array(4)',
    setup() {
      const keep: Float64Array[] = new Array<Float64Array>(1024);
      return (n) => {
        for (let i = 0; i < n; i++) keep[i & 1023] = new Float64Array(4);
      };
    },
  },
  {
    name: 'new ArrayBuffer(32)',
    setup() {
      const keep: ArrayBuffer[] = new Array<ArrayBuffer>(1024);
      return (n) => {
        for (let i = 0; i < n; i++) keep[i & 1023] = new ArrayBuffer(32);
      };
    },
  },
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
        { id: 'P1', measure: 'persistentalloc(32) vs `new Float64Array(4)`', ...vs(m, 'offheap persistentalloc(32)', 'new Float64Array(4)'), unit: '×', target: 5, better: 'higher' },
        { id: 'P1', measure: 'persistentalloc(32) vs `new ArrayBuffer(32)`', ...vs(m, 'offheap persistentalloc(32)', 'new ArrayBuffer(32)'), unit: '×', target: 20, better: 'higher' },
      ],
    };
  },
};
