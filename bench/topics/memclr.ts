// M1, M2: memclrNoHeapPointers against Uint8Array.prototype.fill(0), the
// bandwidth limit. Small clears pay for fill's call; large
// ones must reach fill's bandwidth. M3: the same clear in a shared space
// (SharedArrayBuffer), where V8's fill stores one element at a time.
import { createRuntime, type Ptr, type Runtime } from '../../src/runtime/index.js';
import { fresh, measure, type Variant } from '../lib/harness.js';
import { vs, type Topic, type TopicReport } from '../lib/report.js';

/** Clears `n` bytes at each of 64 addresses in turn, so no single line stays hot. */
function setup(size: number, shared = false): { rt: Runtime; addrs: Int32Array; u8: Uint8Array } {
  const rt: Runtime = createRuntime({ maxBytes: 64 * 1024 * 1024, shared });
  const addrs = new Int32Array(64);
  for (let i = 0; i < addrs.length; i++) addrs[i] = rt.persistentalloc(size, 8);
  return { rt, addrs, u8: new Uint8Array(rt.buffer) };
}

function clearLoop(rt: Runtime, addrs: Int32Array, size: number) {
  return (n: number) => {
    for (let i = 0; i < n; i++) rt.memclrNoHeapPointers(addrs[i & 63] as Ptr<unknown>, size);
  };
}

function fillLoop(u8: Uint8Array, addrs: Int32Array, size: number) {
  return (n: number) => {
    for (let i = 0; i < n; i++) {
      const p = addrs[i & 63];
      u8.fill(0, p, p + size);
    }
  };
}

/** The offheap clear and its `fill` anchor at one size, each loop compiled for this size alone. */
function clears(size: number): Variant[] {
  const label = size < 1024 ? `${size} B` : `${size / 1024} KiB`;
  return [
    {
      name: `offheap memclrNoHeapPointers ${label}`,
      setup() {
        const { rt, addrs } = setup(size);
        return fresh(clearLoop)(rt, addrs, size);
      },
    },
    {
      name: `Uint8Array.fill(0) ${label}`,
      setup() {
        const { addrs, u8 } = setup(size);
        return fresh(fillLoop)(u8, addrs, size);
      },
    },
  ];
}

/** A shared space's clear against the same clear unshared and against `fill` on the shared buffer (what clears above 64 B did before). */
function sharedClears(size: number): Variant[] {
  const label = `${size / 1024} KiB`;
  return [
    {
      name: `offheap memclrNoHeapPointers ${label}, shared space`,
      setup() {
        const { rt, addrs } = setup(size, true);
        return fresh(clearLoop)(rt, addrs, size);
      },
    },
    {
      name: `offheap memclrNoHeapPointers ${label}, unshared space`,
      setup() {
        const { rt, addrs } = setup(size);
        return fresh(clearLoop)(rt, addrs, size);
      },
    },
    {
      name: `Uint8Array.fill(0) ${label} on the shared buffer`,
      setup() {
        const { addrs, u8 } = setup(size, true);
        return fresh(fillLoop)(u8, addrs, size);
      },
    },
  ];
}

export const memclr: Topic = {
  id: 'memclr',
  title: 'memclrNoHeapPointers',
  async run(): Promise<TopicReport> {
    const b16 = await measure(clears(16));
    const b64 = await measure(clears(64));
    const k4 = await measure(clears(4096));
    const k64 = await measure(clears(65536));
    const s4 = await measure(sharedClears(4096));
    const s64 = await measure(sharedClears(65536));
    return {
      id: this.id,
      title: this.title,
      tables: [
        { caption: '16 B clears', measurement: b16 },
        { caption: '64 B clears', measurement: b64 },
        { caption: '4 KiB clears', measurement: k4 },
        { caption: '64 KiB clears', measurement: k64 },
        { caption: '4 KiB clears, shared space', measurement: s4 },
        { caption: '64 KiB clears, shared space', measurement: s64 },
      ],
      targets: [
        { id: 'M1', measure: 'memclrNoHeapPointers 4 KiB ÷ fill(0) bandwidth', ...vs(k4, 'offheap memclrNoHeapPointers 4 KiB', 'Uint8Array.fill(0) 4 KiB'), unit: '×', target: 0.9, better: 'higher' },
        { id: 'M1', measure: 'memclrNoHeapPointers 64 KiB ÷ fill(0) bandwidth', ...vs(k64, 'offheap memclrNoHeapPointers 64 KiB', 'Uint8Array.fill(0) 64 KiB'), unit: '×', target: 0.9, better: 'higher' },
        { id: 'M2', measure: 'memclrNoHeapPointers 64 B vs a fill call', ...vs(b64, 'offheap memclrNoHeapPointers 64 B', 'Uint8Array.fill(0) 64 B'), unit: '×', target: 2, better: 'higher' },
        { id: 'M2', measure: 'memclrNoHeapPointers 16 B vs a fill call', ...vs(b16, 'offheap memclrNoHeapPointers 16 B', 'Uint8Array.fill(0) 16 B'), unit: '×', target: 2, better: 'higher' },
        ...[s4, s64].flatMap((m, i) => {
          const label = i === 0 ? '4 KiB' : '64 KiB';
          return [
            {
              id: 'M3',
              measure: `shared-space memclrNoHeapPointers ${label} vs fill(0) on the shared buffer`,
              ...vs(m, `offheap memclrNoHeapPointers ${label}, shared space`, `Uint8Array.fill(0) ${label} on the shared buffer`),
              unit: '×' as const,
              target: 5,
              better: 'higher' as const,
            },
            {
              id: 'M3',
              measure: `shared-space memclrNoHeapPointers ${label} vs the same clear unshared`,
              ...vs(m, `offheap memclrNoHeapPointers ${label}, shared space`, `offheap memclrNoHeapPointers ${label}, unshared space`),
              unit: '×' as const,
              target: Number.NaN,
              better: 'higher' as const,
              info: true,
              note: "V8 has no memset for shared memory: the shared clear stores 8-byte words (BigInt64Array.fill), the unshared one is fill's memset.",
            },
          ];
        }),
      ],
      anchors: [
        { anchor: 'Uint8Array.fill(0) on the shared buffer', why: 'what JS code calls to zero a range of a SharedArrayBuffer (and what a shared-space clear above 64 B used before): V8 stores one byte at a time there, so the row shows what word stores save.' },
        { anchor: 'Uint8Array.fill(0)', why: "V8's own memset, the fastest way JS has to zero bytes: the bandwidth limit for large clears and the call-overhead baseline for small ones." },
      ],
    };
  },
};
