// Workers and a shared space. A runtime created with `shared: true` keeps its
// allocators' state inside its SharedArrayBuffer, so a worker that attaches
// (`attachRuntime(rt.share())`) allocates and frees from the same page map
// and the same pools as the owner, and never hands out an address twice. A
// worker that does not attach gets its own private default runtime. The
// worker imports the real runtime source (through jiti), as an
// application's worker would import it.
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, pageSize, sharedPool, struct, u32 } from '../../src/runtime/index.js';
import { Remote } from './threads-helpers.js';
import { stateOf } from '../../src/runtime/runtime.js';

const Cell = struct('Cell', { value: u32, count: u32 });

let remotes: Remote[] = [];
afterEach(async () => {
  await Promise.all(remotes.map((r) => r.stop()));
  remotes = [];
});

async function worker(data: unknown): Promise<Remote> {
  const r = await Remote.start(data);
  remotes.push(r);
  return r;
}

describe('a worker attached to a shared space', () => {
  it('allocates pages and pool objects from the same space, and owner and worker free each other’s', async () => {
    const rt = createRuntime({ maxBytes: 4 << 20, shared: true, debug: true });
    const pool = sharedPool(rt, 'cells', Cell);
    const p = pool.alloc();
    const page = rt.sysAlloc(pageSize, 'owner');
    rt.access(Cell).value.set(p, 41);
    const w = await worker(rt.share());
    const got = await w.run<{ page: number; q: ReturnType<typeof pool.alloc>; read: number; persistent: number }>(
      `const rt = off.attachRuntime(data);
       off.setDefaultRuntime(rt); // the worker's module-level functions use the attached space too
       const Cell = off.struct('Cell', { value: off.u32, count: off.u32 });
       const pool = off.sharedPool(rt, 'cells', Cell);
       const q = pool.alloc();
       const C = rt.access(Cell);
       C.value.set(q, 7);
       C.count.set(${p}, C.value.get(${p}) + 1);
       state.rt = rt;
       return { page: off.sysAlloc(8192, 'worker'), q, read: C.value.get(${p}), persistent: rt.persistentalloc(16) };`,
    );
    expect(got.read).toBe(41);
    expect(rt.access(Cell).count.get(p)).toBe(42);
    expect(rt.access(Cell).value.get(got.q)).toBe(7);
    // Distinct memory: the worker's page, object and persistentalloc bytes are not the owner's.
    expect(got.page).not.toBe(page);
    expect(got.q).not.toBe(p);
    expect(stateOf(rt).space.isLive(got.page, pageSize)).toBe(true);
    expect(stateOf(rt).space.isLive(got.persistent, 16)).toBe(true);
    expect(rt.stats().byOwner).toMatchObject({ owner: pageSize, worker: pageSize });
    // Any thread frees any thread's block or object; the pool reuses the worker's object here.
    rt.sysFree(got.page, pageSize);
    expect(await w.run(`state.rt.sysFree(${page}, 8192); return state.rt.stats().byOwner;`)).not.toHaveProperty('owner');
    pool.free(got.q);
    expect(pool.alloc()).toBe(got.q);
    expect(rt.stats().inUse).toBe(rt.stats().byOwner.persistentalloc);
  }, 30_000);

  it('without attaching, a worker gets its own private default runtime: a separate buffer, not the owner space', async () => {
    const rt = createRuntime({ maxBytes: 1 << 20, shared: true });
    const p = rt.sysAlloc(pageSize);
    new Uint32Array(rt.buffer)[p >>> 2] = 99;
    const w = await worker({ buffer: rt.buffer, p });
    const seen = await w.run(
      `return [off.sysAlloc(8192), off.defaultRuntime().buffer === data.buffer, new Uint32Array(off.defaultRuntime().buffer)[data.p >>> 2]];`,
    );
    // The same kind of numbers, another memory: why a worker attaches with attachRuntime.
    expect(seen).toEqual([pageSize, false, 0]);
    expect(new Uint32Array(rt.buffer)[p >>> 2]).toBe(99);
  }, 30_000);
});
