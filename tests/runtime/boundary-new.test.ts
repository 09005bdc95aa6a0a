// Classes called without `new`, and the frozen objects the runtime hands out (issue 14).
// - FixAlloc(L) is a MisuseError (ERR_MISUSE, value the first argument, limit 'new') that makes no pool; the package
//   exports FixAlloc behind a constructor function that throws when called without new (requireNew), so `new`,
//   `extends`, `instanceof` and an instance's `constructor` are the class's, and no method call passes through it.
// - The wrapper builds instances with the class's own map: a Proxy there gave every FixAlloc slow properties
//   (dictionary mode) and a 24x slower free+alloc pair, which the test below sees through V8's %HasFastProperties.
// - Runtime() the same: runtime.ts assigns the guarded class to its own class binding, so the declarations still
//   name a class.
// - Assignments to frozen plain objects (rt.space, layouts, field descriptions) keep the engine's TypeError, as
//   docs/runtime.md says: a frozen object's properties are data properties that TurboFan folds, where a setter that
//   throws would make each read a getter call. These tests pin that documented behaviour and that nothing changes.
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { createRuntime, defaultRuntime, FixAlloc, MisuseError, Runtime, struct, u32, type LayoutType } from '../../src/runtime/index.js';
import { FixAlloc as FixAllocClass } from '../../src/runtime/fixalloc.js';
import { stateOf } from '../../src/runtime/runtime.js';
import { snapshot } from './helpers.js';

const Rec = struct('Rec', { n: u32 });

describe('Runtime called without new', () => {
  it.each([[[]], [[{ maxBytes: 1 << 20 }]], [[{ debug: true }, 'x']]] as const)('with %j: MisuseError ERR_MISUSE, value the first argument, limit new; no runtime made', (args) => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const before = [snapshot(rt), snapshot(defaultRuntime())];
    let caught: unknown;
    try {
      Reflect.apply(Runtime as unknown as (...x: unknown[]) => unknown, undefined, [...args]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MisuseError);
    const e = caught as MisuseError;
    expect(e.code).toBe('ERR_MISUSE');
    expect(e.value).toBe(args[0]);
    expect(e.limit).toBe('new');
    expect(e.message).toBe('Runtime: a class, called without new; write new Runtime(…)');
    expect([snapshot(rt), snapshot(defaultRuntime())]).toEqual(before);
  });

  it('the twin: new Runtime works, and extends, instanceof, constructor and name are the class’s', () => {
    const rt = new Runtime({ maxBytes: 1 << 20 });
    expect(rt.deref(rt.newHeapRef({ a: 1 }))).toEqual({ a: 1 });
    expect(rt).toBeInstanceOf(Runtime);
    expect(rt.constructor).toBe(Runtime);
    expect(createRuntime().constructor).toBe(Runtime);
    expect(Runtime.name).toBe('Runtime');
    class Tenant extends Runtime {
      readonly tenant = 7;
    }
    const t = new Tenant({ maxBytes: 1 << 20 });
    expect(t.tenant).toBe(7);
    t.gc();
    expect(t.closed).toBe(false);
  });
});

describe('FixAlloc called without new', () => {
  it.each([
    ['a layout and options', (rt: Runtime) => [Rec, { runtime: rt }]],
    ['a raw size', () => [16]],
    ['nothing', () => []],
  ] as const)('with %s: MisuseError ERR_MISUSE, value the first argument, limit new; no pool made', (_, args) => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const a = args(rt);
    const pools = [stateOf(rt).pools.length, stateOf(defaultRuntime()).pools.length];
    const before = [snapshot(rt), snapshot(defaultRuntime())];
    let caught: unknown;
    try {
      Reflect.apply(FixAlloc as unknown as (...x: unknown[]) => unknown, undefined, [...a]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MisuseError);
    const e = caught as MisuseError;
    expect(e.code).toBe('ERR_MISUSE');
    expect(e.value).toBe(a[0]);
    expect(e.limit).toBe('new');
    expect(e.message).toBe('FixAlloc: a class, called without new; write new FixAlloc(…)');
    expect([stateOf(rt).pools.length, stateOf(defaultRuntime()).pools.length]).toEqual(pools);
    expect([snapshot(rt), snapshot(defaultRuntime())]).toEqual(before);
  });

  it('the twin: new FixAlloc works, and new, extends, instanceof, constructor and name are the class’s', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const pool = new FixAlloc(Rec, { runtime: rt });
    const p = pool.alloc();
    pool.free(p);
    expect(pool).toBeInstanceOf(FixAlloc);
    expect(pool).toBeInstanceOf(FixAllocClass);
    expect(pool.constructor).toBe(FixAlloc);
    expect(FixAlloc.name).toBe('FixAlloc');
    expect(FixAlloc.prototype).toBe(FixAllocClass.prototype);
    class Jobs extends FixAlloc<LayoutType<typeof Rec>, true> {
      count = 0;
    }
    const jobs = new Jobs(Rec, { runtime: rt });
    expect(jobs).toBeInstanceOf(FixAlloc);
    expect(jobs.count).toBe(0);
    expect(jobs.alloc()).toBeGreaterThan(0);
    // eslint-disable-next-line @typescript-eslint/unbound-method -- taken off its object on purpose
    expect(() => Reflect.apply(FixAlloc.prototype.alloc, {}, [])).toThrow(expect.objectContaining({ code: 'ERR_RECEIVER' }) as Error);
  });
});

describe('documented: frozen objects keep the engine’s TypeError, and change nothing', () => {
  it('rt.space views, a layout and its field description are frozen: an assignment throws TypeError (strict mode), nothing changes', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const views = rt.space;
    const u8 = views.u8;
    expect(() => {
      (views as { u8: unknown }).u8 = new Uint8Array(8);
    }).toThrow(TypeError);
    expect(rt.space.u8).toBe(u8);
    expect(() => {
      (Rec as { size: number }).size = 1;
    }).toThrow(TypeError);
    expect(Rec.size).toBe(4);
    expect(Object.isFrozen(views) && Object.isFrozen(Rec)).toBe(true);
    expect(() => {
      (rt as { space: unknown }).space = views; // a getter-only property of the Runtime: the runtime's own typed error
    }).toThrow(expect.objectContaining({ name: 'MisuseError', code: 'ERR_READ_ONLY' }) as Error);
  });
});

describe('requireNew keeps the instances V8 builds', () => {
  // A structural check, no timing: %HasFastProperties is V8's own answer (natives syntax, compiled after the flag is set).
  v8.setFlagsFromString('--allow-natives-syntax');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- natives syntax exists only in code compiled after the flag
  const fastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;
  it('a FixAlloc, a subclass of it and a Runtime made through the exports have fast properties, as the bare class has', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    class Pool extends FixAlloc<LayoutType<typeof Rec>, true> {
      constructor() {
        super(Rec, { runtime: rt });
      }
    }
    expect(fastProperties(new FixAllocClass(Rec, { runtime: rt }))).toBe(true); // the twin: the class itself
    expect(fastProperties(new FixAlloc(Rec, { runtime: rt }))).toBe(true);
    expect(fastProperties(new Pool())).toBe(true);
    expect(fastProperties(rt)).toBe(true);
    expect(fastProperties(new Runtime({ maxBytes: 1 << 20 }))).toBe(true);
  });
  it('the broken twin: the same class behind a Proxy (the first requireNew) gives a FixAlloc slow properties', () => {
    const rt = createRuntime({ maxBytes: 1 << 20 });
    const proxied = new Proxy(FixAllocClass, {});
    expect(fastProperties(new proxied(Rec, { runtime: rt }))).toBe(false);
  });
});
