// Static layouts of huge arrays are computed in closed form: the work grows
// with the HeapRef slots a layout has, never with the array's length.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { layoutCounters, staticLayoutOf } from '../../src/analysis/record-layout.js';
import { array, f64, struct, u8 } from '../../src/runtime/index.js';
import { virtualProgram } from '../virtual-program.js';
import { runtimeIndex } from './nih-lint.js';

function layoutOf(decl: string) {
  const program = virtualProgram({
    '/p/a.ts': `import { struct, f64, u8, heapRef, array } from '${runtimeIndex}';\nclass Owner { name = ''; }\n${decl}\n`,
  });
  const file = program.getSourceFile('/p/a.ts')!;
  const last = file.statements[file.statements.length - 1];
  if (!ts.isVariableStatement(last)) throw new Error('the last statement must declare the layout');
  const before = layoutCounters.arrayElements;
  const layout = staticLayoutOf(program.getTypeChecker(), last.declarationList.declarations[0].name as ts.Identifier);
  return { layout, elements: layoutCounters.arrayElements - before };
}

describe('static layouts of arrays', () => {
  it('lay out the largest array of f64 the runtime accepts without visiting its elements', () => {
    const { layout, elements } = layoutOf(`export const Big = struct('Big', { tag: u8, xs: array(f64, 16777216) });`);
    expect(layout).toMatchObject({ name: 'Big', align: 8, slots: [] });
    expect(layout?.size).toBe(8 + 8 * 2 ** 24);
    expect(elements).toBe(0);
  });

  it('prove no layout for array(f64, 1e10), which the runtime rejects, and do not walk it', () => {
    const { layout, elements } = layoutOf(`export const Big = struct('Big', { tag: u8, xs: array(f64, 1e10) });`);
    expect(layout).toBeUndefined();
    expect(elements).toBe(0);
    expect(() => struct('Big', { tag: u8, xs: array(f64, 1e10) })).toThrow(/array: length/);
  });

  it('visit each element that holds HeapRef slots once: n -> 2n doubles the work', () => {
    const small = layoutOf(`export const S = struct('S', { refs: array(heapRef<Owner>(), 100) });`);
    const large = layoutOf(`export const L = struct('L', { refs: array(heapRef<Owner>(), 200) });`);
    expect(small.elements).toBe(100);
    expect(large.elements).toBe(200);
    expect(large.layout?.slots.length).toBe(200);
    expect(large.layout?.slots[199]).toEqual({ offset: 199 * 4, path: 'refs.[199]' });
  });

  it('do not grow with the length of a huge array of HeapRefs, and say the slot list is cut', () => {
    const { layout, elements } = layoutOf(`export const H = struct('H', { refs: array(heapRef<Owner>(), 16777216) });`);
    expect(layout?.size).toBe(4 * 2 ** 24);
    expect(elements).toBeLessThanOrEqual(4096);
    expect(layout?.truncated).toBe(true);
    // The twin: every slot listed, nothing cut.
    expect(layoutOf(`export const S = struct('S', { refs: array(heapRef<Owner>(), 4096) });`).layout?.truncated).toBeUndefined();
  });

  it('prove no layout for a struct above the runtime limit (2^30 bytes), whose size a 32-bit mask would wrap', () => {
    const fields = (k: number) => Array.from({ length: k }, (_, i) => `x${i}: array(f64, 16777216)`).join(', ');
    // 8 arrays of 2^27 bytes: exactly the limit.
    expect(layoutOf(`export const A = struct('A', { ${fields(8)} });`).layout?.size).toBe(2 ** 30);
    // 17: past 2^31, where \`(size + a - 1) & ~(a - 1)\` turns negative; the runtime throws.
    expect(layoutOf(`export const B = struct('B', { tag: u8, ${fields(16)} });`).layout).toBeUndefined();
    expect(layoutOf(`export const C = struct('C', { ${fields(9)} });`).layout).toBeUndefined();
    expect(() => struct('C', Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`x${i}`, array(f64, 2 ** 24)])))).toThrow(/above the limit/);
  });
});
