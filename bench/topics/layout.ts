// S3: field access through layout accessors against raw typed arrays on a
// plain ArrayBuffer: 16-byte records (u32 at +0, f64 at +8), 64 Ki records
// (1 MiB), visited in a random order.
import { createRuntime, f64, struct, u32, type LayoutType, type Ptr, type Runtime } from '../../src/runtime/index.js';
import { measure, type Variant } from '../lib/harness.js';
import { vs, type Topic, type TopicReport } from '../lib/report.js';

const records = 1 << 16;
const Rec = struct('Rec', { tag: u32, value: f64 });
const order = new Int32Array(records);
{
  for (let i = 0; i < records; i++) order[i] = i;
  let x = 0x1234567;
  for (let i = records - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

const variants: Variant[] = [
  {
    name: 'offheap layout accessors',
    setup() {
      const rt: Runtime = createRuntime({ maxBytes: 8 << 20 });
      const R = rt.access(Rec);
      const base = rt.sysAlloc<unknown>(records * Rec.size);
      const addrs = new Int32Array(records);
      for (let i = 0; i < records; i++) addrs[i] = base + order[i] * Rec.size;
      let k = 0;
      return (n) => {
        for (let i = 0; i < n; i++) {
          const p = addrs[k++ & (records - 1)] as Ptr<LayoutType<typeof Rec>>;
          R.value.set(p, R.value.get(p) + 1);
          R.tag.set(p, R.tag.get(p) ^ 1);
        }
      };
    },
  },
  {
    // The raw loop plus the accessors' pointer check, in the form buildAccessor generates it
    // (accessor.ts): what the boundary costs by itself, measured beside the two loops.
    name: 'raw typed arrays + the accessors’ pointer check',
    setup() {
      const base = 8192;
      const buffer = new ArrayBuffer(base + records * 16);
      const u32v = new Uint32Array(buffer);
      const f64v = new Float64Array(buffer);
      const addrs = new Int32Array(records);
      for (let i = 0; i < records; i++) addrs[i] = base + order[i] * 16;
      const room = buffer.byteLength - 16 - base;
      const bad = (p: unknown): never => {
        throw new RangeError(`bad pointer ${String(p)}`);
      };
      let k = 0;
      return (n) => {
        for (let i = 0; i < n; i++) {
          const p = addrs[k++ & (records - 1)];
          if (typeof p !== 'number' || (p & ~7) !== p || ((p - base) >>> 0) > room) bad(p);
          f64v[(p + 8) >> 3] += 1;
          u32v[p >> 2] ^= 1;
        }
      };
    },
  },
  {
    name: 'raw typed arrays on a plain ArrayBuffer',
    setup() {
      const buffer = new ArrayBuffer(records * 16 + 16);
      const u32v = new Uint32Array(buffer);
      const f64v = new Float64Array(buffer);
      const addrs = new Int32Array(records);
      for (let i = 0; i < records; i++) addrs[i] = 16 + order[i] * 16;
      let k = 0;
      return (n) => {
        for (let i = 0; i < n; i++) {
          const p = addrs[k++ & (records - 1)];
          f64v[(p + 8) >> 3] += 1;
          u32v[p >> 2] ^= 1;
        }
      };
    },
  },
];

export const layout: Topic = {
  id: 'layout',
  title: 'Layout field access',
  async run(): Promise<TopicReport> {
    const m = await measure(variants);
    return {
      id: this.id,
      title: this.title,
      tables: [{ caption: '16-byte records, read+write of a f64 and a u32, random order over 1 MiB', measurement: m }],
      targets: [
        { id: 'S3', measure: 'layout accessors vs raw typed arrays', ...vs(m, 'offheap layout accessors', 'raw typed arrays on a plain ArrayBuffer'), unit: '×', target: 0.9, better: 'higher' },
        {
          id: 'S3',
          measure: 'the pointer check alone: raw typed arrays + the check vs raw typed arrays',
          ...vs(m, 'raw typed arrays + the accessors’ pointer check', 'raw typed arrays on a plain ArrayBuffer'),
          unit: '×',
          target: Number.NaN,
          better: 'higher',
          info: true,
          note: 'The price of the boundary: `typeof`, one masked compare (an int32 multiple of the alignment) and one unsigned range compare per record, nothing else.',
        },
        {
          id: 'S3',
          measure: 'layout accessors vs raw typed arrays + the same check',
          ...vs(m, 'offheap layout accessors', 'raw typed arrays + the accessors’ pointer check'),
          unit: '×',
          target: Number.NaN,
          better: 'higher',
          info: true,
          note: 'What the accessors cost beyond their check (calls, generated code): about 1× means the S3 gap is the check.',
        },
      ],
      anchors: [
        { anchor: 'raw typed arrays + the accessors’ pointer check', why: 'the raw loop with exactly the check each accessor call makes (four calls on one record share one in compiled code): separates the price of the check from the rest of the accessors.' },
        { anchor: 'raw typed arrays on a plain ArrayBuffer', why: 'the same reads and writes at the same addresses, hand-indexed: the fastest field access JS has, so the ratio is what the accessors cost.' },
      ],
    };
  },
};
