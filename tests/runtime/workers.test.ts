// Workers and a shared space. Allocator state lives in the owning runtime's
// JS objects, so only the owner allocates. A worker attaches to the space
// (`createRuntime({ attach: buffer })`) and makes that its default runtime:
// it reads and writes records through accessors, and every allocation or
// free, module-level or method, is refused with NotOwnerError instead of
// handing out the owner's pages a second time. The worker imports the real
// runtime source (through jiti), as an application's worker would import it.
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createRuntime, FixAlloc, NotOwnerError, pageSize, struct, u32 } from '../../src/runtime/index.js';
import { rejects, snapshot } from './helpers.js';

const Cell = struct('Cell', { value: u32, count: u32 });
const entry = path.resolve(import.meta.dirname, '../../src/runtime/index.ts');
const jiti = createRequire(import.meta.url).resolve('jiti');

interface Attempt {
  readonly what: string;
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly result?: unknown;
}

/** Runs `body` (an async function body over `off`, the runtime module, and `data`) in a worker; returns what it posts. */
async function inWorker(body: string, data: unknown): Promise<{ attempts: Attempt[]; read: number }> {
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const { createJiti } = require(workerData.jiti);
     const attempts = [];
     const attempt = (what, fn) => {
       try { attempts.push({ what, result: fn() }); }
       catch (e) { attempts.push({ what, name: e.constructor.name, code: e.code, message: e.message }); }
     };
     (async () => {
       const off = await createJiti(workerData.entry).import(workerData.entry);
       const data = workerData.data;
       const read = await (async () => { ${body} })();
       parentPort.postMessage({ attempts, read });
     })().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));`,
    { eval: true, workerData: { jiti, entry, data } },
  );
  try {
    const msg = await new Promise<{ attempts: Attempt[]; read: number; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (msg.error !== undefined) throw new Error(msg.error);
    return msg;
  } finally {
    await worker.terminate();
  }
}

describe('a worker attached to a shared space', () => {
  it('reads and writes records, and every allocation and free is refused with NotOwnerError', async () => {
    const rt = createRuntime({ maxBytes: 1 << 20, shared: true, debug: true });
    const pool = new FixAlloc(Cell, { runtime: rt });
    const p = pool.alloc();
    const page = rt.sysAlloc(pageSize);
    const C = rt.access(Cell);
    C.value.set(p, 41);
    const before = snapshot(rt, pool as FixAlloc<unknown, boolean>);
    const { attempts, read } = await inWorker(
      `const rt = off.createRuntime({ attach: data.buffer, debug: true });
       off.setDefaultRuntime(rt); // the one safe pattern: the worker's module-level functions use the attached space
       const Cell = off.struct('Cell', { value: off.u32, count: off.u32 });
       attempt('sysAlloc', () => off.sysAlloc(8192));
       attempt('rt.sysAlloc', () => rt.sysAlloc(8192));
       attempt('sysFree', () => off.sysFree(data.page, 8192));
       attempt('persistentalloc', () => off.persistentalloc(8));
       attempt('new FixAlloc', () => new off.FixAlloc(Cell));
       attempt('new FixAlloc with runtime', () => new off.FixAlloc(16, { runtime: rt }));
       const C = off.access(Cell);
       C.count.set(data.p, C.value.get(data.p) + 1);
       return C.value.get(data.p);`,
      { buffer: rt.buffer, p, page },
    );
    expect(read).toBe(41);
    expect(C.count.get(p)).toBe(42);
    expect(attempts.map((a) => a.what)).toEqual(['sysAlloc', 'rt.sysAlloc', 'sysFree', 'persistentalloc', 'new FixAlloc', 'new FixAlloc with runtime']);
    for (const a of attempts) {
      expect(a, a.what).toMatchObject({ name: 'NotOwnerError', code: 'ERR_NOT_OWNER' });
      expect(a.message).toMatch(/does not own the shared space's allocators \(a runtime on another thread does\)/);
    }
    // The owner's allocators are untouched and still work.
    expect(snapshot(rt, pool as FixAlloc<unknown, boolean>)).toBe(before);
    expect(pool.alloc()).toBe(p + pool.size);
    rt.sysFree(page, pageSize);
  }, 30_000);

  it('a second runtime attached on the owner thread is refused too, naming this thread', () => {
    const owner = createRuntime({ maxBytes: 1 << 20, shared: true });
    const pool = new FixAlloc(Cell, { runtime: owner });
    const p = pool.alloc();
    const view = createRuntime({ attach: owner.buffer as SharedArrayBuffer });
    const before = snapshot(owner, pool as FixAlloc<unknown, boolean>);
    for (const fn of [() => view.sysAlloc(1), () => view.persistentalloc(8), () => new FixAlloc(Cell, { runtime: view }), () => view.sysFree(pageSize, pageSize)]) {
      rejects(view, [], fn, NotOwnerError, 'ERR_NOT_OWNER', /another runtime on this thread/);
    }
    view.access(Cell).value.set(p, 7);
    expect(owner.access(Cell).value.get(p)).toBe(7);
    expect(snapshot(owner, pool as FixAlloc<unknown, boolean>)).toBe(before);
    expect(view.stats()).toMatchObject({ reserved: 1 << 20, inUse: 0, mapped: 0 });
  });

  it('without attaching, a worker gets its own private default runtime: a separate buffer, not the owner space', async () => {
    const rt = createRuntime({ maxBytes: 1 << 20, shared: true });
    const p = rt.sysAlloc(pageSize);
    new Uint32Array(rt.buffer)[p >>> 2] = 99;
    const { attempts } = await inWorker(
      `attempt('private sysAlloc', () => off.sysAlloc(8192));
       attempt('shares the buffer', () => off.defaultRuntime().buffer === data.buffer);
       attempt('sees the owner page', () => new Uint32Array(off.defaultRuntime().buffer)[data.p >>> 2]);
       return 0;`,
      { buffer: rt.buffer, p },
    );
    // The same numbers, another memory: why the docs name attach + setDefaultRuntime as the one safe pattern.
    expect(attempts.map((a) => a.result)).toEqual([pageSize, false, 0]);
    expect(new Uint32Array(rt.buffer)[p >>> 2]).toBe(99);
  }, 30_000);
});
