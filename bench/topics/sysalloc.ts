// S1: sysAlloc/sysFree page allocation against growing a resizable
// ArrayBuffer by the same 64 KiB (the cost Go's reserve-then-map design
// avoids per allocation). The offheap variant churns a live set of 64-KiB
// blocks (free one, allocate one), so the free-run list is exercised, not
// just the bump of the unmapped tail; pages are never touched, so both sides
// measure bookkeeping, not first-touch page faults.
import { createRuntime, type Ptr } from '../../src/runtime/index.js';
import { defaultOptions, measure, type Variant } from '../lib/harness.js';
import { vs, type Topic, type TopicReport } from '../lib/report.js';

const step = 64 * 1024;
const live = 64;

/** Churns a live set of `bytes`-sized blocks: free a random one, allocate its replacement. */
function churn(name: string, bytes: number): Variant {
  return {
    name,
    setup() {
      const rt = createRuntime({ maxBytes: 256 * 1024 * 1024 });
      const blocks: Ptr<unknown>[] = [];
      for (let i = 0; i < live; i++) blocks.push(rt.sysAlloc(bytes));
      const seed = 12345;
      // A fresh function per variant: closures of one literal would share type feedback.
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      const make = new Function('rt', 'blocks', 'live', 'bytes', `// ${name}: a unique source, or V8's cache of new Function would share one compiled copy
        let x = ${seed};
        return (n) => {
          for (let i = 0; i < n; i++) {
            x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
            const k = (x >>> 0) % live;
            rt.sysFree(blocks[k], bytes);
            blocks[k] = rt.sysAlloc(bytes);
          }
        };`) as (...args: unknown[]) => (n: number) => void;
      return make(rt, blocks, live, bytes);
    },
  };
}

const variants: Variant[] = [
  churn('offheap sysFree+sysAlloc 64 KiB', step),
  churn('offheap sysFree+sysAlloc 8 KiB', 8 * 1024),
  {
    name: 'ArrayBuffer.resize +64 KiB',
    setup() {
      const max = 64 * 1024 * 1024;
      // ES2024 API (Node 20 has it); the project's lib is ES2022.
      const Resizable = ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => { resize(n: number): void; readonly byteLength: number };
      let rab = new Resizable(0, { maxByteLength: max });
      return (n) => {
        for (let i = 0; i < n; i++) {
          if (rab.byteLength + step > max) rab = new Resizable(0, { maxByteLength: max });
          rab.resize(rab.byteLength + step);
        }
      };
    },
  },
];

export const sysalloc: Topic = {
  id: 'sysalloc',
  title: 'sysAlloc / sysFree',
  async run(): Promise<TopicReport> {
    const m = await measure(variants, { ...defaultOptions, maxOps: 1 << 18 });
    const onePage = m.get('offheap sysFree+sysAlloc 8 KiB');
    return {
      id: this.id,
      title: this.title,
      tables: [{ caption: '64 KiB page allocations', measurement: m }],
      targets: [
        { id: 'S1', measure: 'sysFree+sysAlloc pair vs one RAB resize by 64 KiB', ...vs(m, 'offheap sysFree+sysAlloc 64 KiB', 'ArrayBuffer.resize +64 KiB'), unit: '×', target: 1, better: 'higher' },
        { id: 'S1', measure: 'sysFree+sysAlloc pair of one page: bookkeeping + re-zeroing 8 KiB', value: onePage.nsPerOp, unit: 'ns', target: 500, better: 'lower', note: 'two operations; re-zeroing a reused page is about 100 ns of it' },
      ],
    };
  },
};
