import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  access,
  createRuntime,
  defaultRuntime,
  FixAlloc,
  MisuseError,
  OptionError,
  pageSize,
  persistentalloc,
  Runtime,
  setDefaultRuntime,
  struct,
  sysAlloc,
  sysFree,
  u32,
  type LayoutType,
} from '../../src/runtime/index.js';
import { stateOf } from '../../src/runtime/runtime.js';

const Cell = struct('Cell', { value: u32, count: u32 });
type CellRec = LayoutType<typeof Cell>;

describe('the default runtime', () => {
  it('backs the module-level functions and pools made without a runtime', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
    setDefaultRuntime(rt);
    expect(defaultRuntime()).toBe(rt);
    const p = sysAlloc<CellRec>(100, 'mod');
    expect(p).toBe(pageSize);
    expect(rt.stats().byOwner).toEqual({ mod: pageSize });
    const q = persistentalloc<CellRec>(8, 8, 'modp');
    expect(rt.stats().persistent).toEqual({ modp: 8 });
    const pool = new FixAlloc(Cell);
    const r = pool.alloc();
    expect(stateOf(rt).persistent.contains(r)).toBe(true);
    access(Cell).value.set(q, 5);
    expect(rt.access(Cell).value.get(q)).toBe(5);
    sysFree(p, 100);
    expect(rt.stats().byOwner.mod).toBeUndefined();
    expect(() => setDefaultRuntime({} as Runtime)).toThrow(MisuseError);
    expect(() => createRuntime(null as never)).toThrow(OptionError);
  });
});

describe('a shared space', () => {
  it('is visible to a worker, which reads and writes records through the same offsets', async () => {
    const rt = createRuntime({ maxBytes: 1 << 20, shared: true });
    const C = rt.access(Cell);
    const p = new FixAlloc(Cell, { runtime: rt }).alloc();
    C.value.set(p, 41);
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const u32 = new Uint32Array(workerData.buffer);
       const i = workerData.p >>> 2;
       u32[i + workerData.count / 4] = u32[i + workerData.value / 4] + 1;
       parentPort.postMessage('done');`,
      { eval: true, workerData: { buffer: rt.buffer, p, value: Cell.offsets.value, count: Cell.offsets.count } },
    );
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(C.count.get(p)).toBe(42);
  });
});
