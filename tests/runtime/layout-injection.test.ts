// Layout injection: accessor code is generated with `new Function`, so no
// caller value may reach its source. Every property of a field description
// and of a layout is tried with a JSON-parsed or hand-made look-alike
// carrying code (`"1 + (globalThis.PWNED = 1)"`); each is refused with
// MisuseError (or the range error of a checked integer) at the first API that
// sees it, no code runs, and the allocators are unchanged. Field names are
// shown never to appear in generated source, and huge arrays to be refused
// or sized in closed form.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  array,
  createRuntime,
  f64,
  FixAlloc,
  heapRef,
  maxArrayLength,
  maxPointerSlots,
  maxStructSize,
  MisuseError,
  OffheapRangeError,
  ptr,
  struct,
  u32,
  u8,
} from '../../src/runtime/index.js';
import { rejects } from './helpers.js';
import { stateOf } from '../../src/runtime/runtime.js';

const pwned = (): unknown => (globalThis as { PWNED?: unknown }).PWNED;
const code = '1 + (globalThis.PWNED = 1)';

const Good = struct('Good', { a: u32, b: f64, c: array(u8, 4), r: heapRef<object>(), p: ptr() });

/** Every property a description or layout has, each set to code (a string) in a JSON copy of a real one. */
function forgeries(): [string, unknown][] {
  const out: [string, unknown][] = [];
  const bases: [string, unknown][] = [
    ['u32', u32],
    ['ptr()', ptr()],
    ['heapRef()', heapRef()],
    ['array(u8, 4)', array(u8, 4)],
    ['a struct layout', Good],
  ];
  for (const [name, base] of bases) {
    const json = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
    out.push([`${name} as parsed JSON`, json]);
    out.push([`${name} spread into a plain object`, { ...(base as object) }]);
    for (const key of [...Object.keys(json), 'kind', 'size', 'align', 'elem', 'length', 'name', 'offsets', 'fields', 'ptrSlots', 'target']) {
      out.push([`${name} with ${key} = code`, { ...json, [key]: code }]);
      out.push([`${name} with ${key} = { valueOf: code }`, { ...json, [key]: { valueOf: () => ((globalThis as { PWNED?: unknown }).PWNED = 1) } }]);
    }
  }
  out.push(['an array field whose length is code', { kind: 'array', size: 4, align: 1, elem: JSON.parse(JSON.stringify(u8)) as unknown, length: code }]);
  out.push(['a struct with code offsets', { ...JSON.parse(JSON.stringify(Good)), offsets: { a: code } } as unknown]);
  out.push(['align 0', { kind: 'u32', size: 4, align: 0 }]);
  out.push(['size 2^40', { kind: 'u32', size: 2 ** 40, align: 4 }]);
  out.push(['a negative size', { kind: 'u32', size: -4, align: 4 }]);
  out.push(['an array with no elem', { kind: 'array', size: 8, align: 4, length: 2 }]);
  out.push(['a Proxy of u32', new Proxy(u32, {})]);
  out.push(['an object inheriting from u32', Object.create(u32) as unknown]);
  return out;
}

describe('layout injection', () => {
  let rt = createRuntime({ maxBytes: 1 << 20 });
  beforeEach(() => {
    delete (globalThis as { PWNED?: unknown }).PWNED;
    rt = createRuntime({ maxBytes: 1 << 20 });
  });
  afterEach(() => {
    expect(pwned()).toBeUndefined();
  });

  it.each(forgeries())('refuses %s everywhere a description or layout is taken', (_, forged) => {
    const p = rt.sysAlloc<never>(8192);
    const pools: FixAlloc<unknown, boolean>[] = [];
    rejects(rt, pools, () => struct('S', { f: forged as typeof u32 }), MisuseError, 'ERR_MISUSE', /field f must be a field description made by the runtime/);
    rejects(rt, pools, () => array(forged as typeof u32, 2), MisuseError, 'ERR_MISUSE', /array: elem must be a field description made by the runtime/);
    rejects(rt, pools, () => rt.access(forged as typeof Good), MisuseError, 'ERR_MISUSE', /access: layout must be a struct layout made by struct\(\)/);
    rejects(rt, pools, () => new FixAlloc(forged as typeof Good, { runtime: rt }), MisuseError, 'ERR_MISUSE', /type must be a layout made by struct\(\)/);
    rejects(rt, pools, () => rt.addRoot(p, forged as never), MisuseError, 'ERR_MISUSE', /layout/);
    expect(stateOf(rt).pools).toHaveLength(0);
  });

  it('refuses code, prototype keys and odd keys as names', () => {
    const names = ['a; globalThis.PWNED = 1; //', 'a\nb', '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '', '1a', 'a'.repeat(129), 'a b', '${x}'];
    for (const n of names) {
      expect(() => struct(n, { a: u32 }), n).toThrow(MisuseError);
      // JSON.parse makes `__proto__` an own key, as a field map from a file would have it.
      const fields = JSON.parse(`{${JSON.stringify(n)}: 0}`) as Record<string, unknown>;
      fields[n] = u32;
      expect(() => struct('S', fields as { a: typeof u32 }), n).toThrow(/field name must be an identifier/);
    }
    expect(() => struct('S', { [Symbol('s')]: u32 } as never)).toThrow(/got a symbol/);
    const getter = Object.defineProperty({}, 'a', { get: () => u32, enumerable: true });
    expect(() => struct('S', getter as { a: typeof u32 })).toThrow(/data property \(no getters\)/);
    expect(() => struct('S', [u32] as never)).toThrow(/plain object/);
    expect(() => struct('S', Good as never)).toThrow(/plain object/);
  });

  it('never puts a field name into generated source', () => {
    const sources: string[] = [];
    const RealFunction = globalThis.Function;
    globalThis.Function = new Proxy(RealFunction, {
      construct(target, args: string[]) {
        sources.push(args.join('\n'));
        return Reflect.construct(target, args);
      },
    });
    try {
      const L = struct('Marker_struct_name', {
        marker_scalar_x: u32,
        $marker_dollar: f64,
        marker_inner: struct('Marker_inner', { marker_deep: heapRef<object>() }),
        marker_array: array(ptr(), 3),
      });
      const A = rt.access(L);
      const p = rt.sysAlloc<never>(8192);
      A.marker_scalar_x.set(p, 5);
      expect(A.marker_scalar_x.get(p)).toBe(5);
      expect(A.marker_inner.marker_deep.offset).toBe(L.offsets.marker_inner);
    } finally {
      globalThis.Function = RealFunction;
    }
    expect(sources.length).toBeGreaterThanOrEqual(4);
    for (const src of sources) {
      expect(src).not.toMatch(/marker|Marker/i);
      // What remains: fixed identifiers, digits and punctuation.
      const words = new Set(src.match(/[A-Za-z_$][A-Za-z0-9_$]*/g));
      const allowed = new Set([
        ...['$args', 'const', 'return', 'Object', 'freeze', 'offset', 'length', 'function', 'get', 'set', 'at', 'if', 'typeof', 'number', 'boolean', 'accessor', 'p', 'i', 'x'],
        ...['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'f64', 'rt', 'store', 'chk', 'bad', 'badIndex', 'badRef', 'badValue', 'ptr', 'heapRef'],
      ]);
      expect([...words].filter((w) => !allowed.has(w))).toEqual([]);
    }
  });

  it('keeps descriptions and layouts frozen', () => {
    for (const d of [u32, ptr(), heapRef(), array(u8, 2), Good, Good.fields, Good.offsets]) expect(Object.isFrozen(d)).toBe(true);
    expect(() => {
      (Good as { size: number }).size = 1;
    }).toThrow(TypeError);
    expect(Good.size).toBe(32);
  });

  it('refuses huge arrays and layouts before building anything (closed form)', () => {
    expect(() => array(f64, 1e10)).toThrow(OffheapRangeError);
    expect(() => array(f64, maxArrayLength + 1)).toThrow(/above the limit/);
    expect(() => array(array(f64, maxArrayLength), maxArrayLength)).toThrow(/array: size \(elem.size × length\)/);
    expect(() => array(array(heapRef(), 1 << 12), 1 << 12)).toThrow(/HeapRef slots/);
    expect(() => array(heapRef(), maxPointerSlots + 1)).toThrow(/HeapRef slots/);
    const big = array(f64, maxArrayLength); // 128 MiB: accepted, sized by one multiplication
    expect(big.size).toBe(8 * maxArrayLength);
    expect(() => struct('S', { a: big, b: big, c: big, d: big, e: big, f: big, g: big, h: big, i: u8 })).toThrow(/size is above the limit/);
    expect(struct('S', { a: big }).ptrSlots).toHaveLength(0);
    expect(maxStructSize).toBe(2 ** 30);
  });
});
