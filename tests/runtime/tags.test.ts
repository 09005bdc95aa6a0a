// Pins the declaration-tag contract the lint rules rely on: each public
// runtime API resolves, through the `offheap` entry, to a declaration tagged
// `@offheap <id>`, and the barriered ones also carry `@writebarrier`.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { declarationId, offheapIdOf } from '../../src/analysis/declarations.js';
import { effectCatalogue, effectOf } from '../../src/analysis/effects.js';
import { checker, exported, hasWriteBarrierTag, member } from './runtime-program.js';

const functions: Record<string, string> = {
  notInHeap: 'notInHeap',
  sysAlloc: 'sysAlloc',
  sysFree: 'sysFree',
  persistentalloc: 'persistentalloc',
  FixAlloc: 'FixAlloc',
  memclrNoHeapPointers: 'memclrNoHeapPointers',
  typedmemclr: 'typedmemclr',
  memclrHasPointers: 'memclrHasPointers',
  storeHeapRef: 'storeHeapRef',
  storeHeapRefNoWB: 'storeHeapRefNoWB',
  struct: 'struct',
  u8: 'field:u8',
  u16: 'field:u16',
  u32: 'field:u32',
  i8: 'field:i8',
  i16: 'field:i16',
  i32: 'field:i32',
  f32: 'field:f32',
  f64: 'field:f64',
  bool: 'field:bool',
  ptr: 'field:ptr',
  heapRef: 'field:heapRef',
  array: 'field:array',
  Ptr: 'Ptr',
  Garbage: 'Garbage',
  MaybeGarbage: 'MaybeGarbage',
  HeapRef: 'HeapRef',
  NotInHeap: 'NotInHeap',
  FixedArray: 'FixedArray',
  access: 'access',
};

const barriered = new Set(['typedmemclr', 'memclrHasPointers', 'storeHeapRef']);

describe('declaration tags', () => {
  it.each(Object.entries(functions))('%s is tagged @offheap %s', (name, id) => {
    expect(offheapIdOf(checker, exported(name))).toBe(id);
    expect(hasWriteBarrierTag(exported(name))).toBe(barriered.has(name));
  });

  it('tags FixAlloc methods (read through the pool type the entry exports, as a rule reads pool.alloc())', () => {
    const pool = checker.getDeclaredTypeOfSymbol(exported('FixAlloc'));
    expect(offheapIdOf(checker, pool.getProperty('alloc'))).toBe('FixAlloc.alloc');
    expect(offheapIdOf(checker, pool.getProperty('free'))).toBe('FixAlloc.free');
  });

  it('tags every construct signature of FixAlloc (new FixAlloc(...) resolves to one of them)', () => {
    const ctor = checker.getTypeOfSymbol(exported('FixAlloc'));
    const sigs = ctor.getConstructSignatures();
    expect(sigs.length).toBe(3);
    for (const sig of sigs) expect(declarationId(sig.declaration as ts.Declaration)).toBe('FixAlloc');
  });

  it('tags Runtime methods with the same ids as the module-level functions', () => {
    for (const name of ['sysAlloc', 'sysFree', 'persistentalloc', 'memclrNoHeapPointers', 'typedmemclr', 'memclrHasPointers', 'storeHeapRef', 'storeHeapRefNoWB', 'access']) {
      expect(offheapIdOf(checker, member('Runtime', name)), name).toBe(name);
      expect(hasWriteBarrierTag(member('Runtime', name)), name).toBe(barriered.has(name));
    }
  });

  it('tags the barriered HeapRef accessor methods', () => {
    for (const iface of ['HeapRefAccessor', 'HeapRefArrayAccessor']) {
      expect(offheapIdOf(checker, member(iface, 'set'))).toBe('HeapRefAccessor.set');
      expect(hasWriteBarrierTag(member(iface, 'set'))).toBe(true);
      expect(offheapIdOf(checker, member(iface, 'get'))).toBe('HeapRefAccessor.get');
    }
  });

  it('tags the scalar accessor methods, without a barrier', () => {
    for (const iface of ['ScalarAccessor', 'ScalarArrayAccessor']) {
      expect(offheapIdOf(checker, member(iface, 'get')), iface).toBe('ScalarAccessor.get');
      expect(offheapIdOf(checker, member(iface, 'set')), iface).toBe('ScalarAccessor.set');
      expect(hasWriteBarrierTag(member(iface, 'set')), iface).toBe(false);
    }
    // An element address is computed, not read: `at` stays untagged.
    expect(offheapIdOf(checker, member('ScalarArrayAccessor', 'at'))).toBeUndefined();
  });

  it('tags every member of SpaceViews as a view of the space (raw-views.ts knows a view by its member, whatever object holds it)', () => {
    const views = checker.getDeclaredTypeOfSymbol(checker.getAliasedSymbol(exported('SpaceViews')));
    const names = views.getProperties().map((p) => p.name);
    expect(names).toEqual(['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'f64']);
    for (const name of names) {
      expect(offheapIdOf(checker, member('SpaceViews', name)), name).toBe(`SpaceViews.${name}`);
      expect(effectOf(`SpaceViews.${name}`), name).toMatchObject({ kind: 'memory', rawMemory: 'view', writeBarrier: false });
    }
    // The object of views is no view itself; the buffers are the buffer.
    expect(offheapIdOf(checker, member('Runtime', 'space'))).toBe('Runtime.space');
    expect(effectOf('Runtime.space')?.rawMemory).toBeUndefined();
    expect(effectOf('Runtime.buffer')?.rawMemory).toBe('buffer');
    expect(effectOf('SharedRuntime.buffer')?.rawMemory).toBe('buffer');
  });
});

/** Every `@offheap <id>` tag written in src/runtime, with whether each declaration also carries `@writebarrier`. */
function runtimeTags(): Map<string, Set<boolean>> {
  const dir = path.resolve(import.meta.dirname, '../../src/runtime');
  const tags = new Map<string, Set<boolean>>();
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const file = path.join(dir, name);
    const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (n: ts.Node): void => {
      if ((n as { jsDoc?: unknown[] }).jsDoc?.length) {
        const id = declarationId(n);
        if (id) {
          const wb = ts.getJSDocTags(n).some((t) => t.tagName.text === 'writebarrier');
          let set = tags.get(id);
          if (!set) tags.set(id, (set = new Set()));
          set.add(wb);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return tags;
}

describe('the effect catalogue', () => {
  const tags = runtimeTags();

  it('finds the runtime tags it checks', () => {
    expect(tags.size).toBeGreaterThan(40);
    expect(tags.has('addRoot')).toBe(true);
  });

  it('has an entry for every tag in the runtime', () => {
    const missing = [...tags.keys()].filter((id) => !effectCatalogue.has(id));
    expect(missing).toEqual([]);
  });

  it('has a tag in the runtime for every entry', () => {
    const stale = [...effectCatalogue.keys()].filter((id) => !tags.has(id));
    expect(stale).toEqual([]);
  });

  it('says writeBarrier exactly where the runtime says @writebarrier', () => {
    for (const [id, wb] of tags) {
      expect(wb.size, `${id}: every declaration tagged alike`).toBe(1);
      expect(effectOf(id)?.writeBarrier, id).toBe([...wb][0]);
    }
  });

  it('describes each memory operation by its arguments', () => {
    expect(effectOf('addRoot')?.roots).toEqual({ ptrArg: 0, layoutArg: 1, countArg: 2 });
    expect(effectOf('typedmemclr')?.clears).toMatchObject({ barrier: true, ptrArg: 1, layoutArg: 0 });
    expect(effectOf('memclrNoHeapPointers')?.clears).toMatchObject({ barrier: false, ptrArg: 0, sizeArg: 1 });
    expect(effectOf('FixAlloc.alloc')?.allocates?.zero).toBe('poolOption');
    expect(effectOf('sysAlloc')?.allocates?.zero).toBe('zeroed');
    expect(effectOf('HeapRefAccessor.set')?.storesHeapRef).toMatchObject({ slot: 'accessor', valueArg: -1, element: { arity: 3, indexArg: 1 } });
    expect(effectOf('freeHeapRef')?.frees?.what).toBe('heapRef');
    // Every accessor get/set and every store or clear touches the memory its pointer argument addresses.
    expect(effectOf('ScalarAccessor.get')?.accesses).toEqual({ ptrArg: 0, write: false });
    expect(effectOf('ScalarAccessor.set')?.accesses).toEqual({ ptrArg: 0, write: true });
    expect(effectOf('HeapRefAccessor.get')?.accesses).toEqual({ ptrArg: 0, write: false });
    expect(effectOf('HeapRefAccessor.set')?.accesses).toEqual({ ptrArg: 0, write: true });
    expect(effectOf('typedmemclr')?.accesses).toEqual({ ptrArg: effectOf('typedmemclr')?.clears?.ptrArg, write: true });
    for (const e of effectCatalogue.values()) {
      if (e.storesHeapRef || e.clears) expect(e.accesses?.ptrArg, e.id).toBe((e.storesHeapRef ?? e.clears)!.ptrArg);
    }
    expect(effectOf('addRoot')?.accesses).toBeUndefined();
    expect(['gc', 'gcStep', 'gcFinish'].every((id) => effectOf(id)?.collector)).toBe(true);
    expect(effectOf('storeHeapRef')?.collector).toBe(false);
    expect(effectOf('no such id')).toBeUndefined();
    expect(effectOf(undefined)).toBeUndefined();
  });
});
