// Pins the declaration-tag contract the lint rules rely on: each public
// runtime API resolves, through the `offheap` entry, to a declaration tagged
// `@offheap <id>`, and the barriered ones also carry `@writebarrier`.
import { describe, expect, it } from 'vitest';
import { offheapIdOf } from '../../src/analysis/declarations.js';
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

  it('tags FixAlloc methods', () => {
    expect(offheapIdOf(checker, member('FixAlloc', 'alloc'))).toBe('FixAlloc.alloc');
    expect(offheapIdOf(checker, member('FixAlloc', 'free'))).toBe('FixAlloc.free');
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
});
