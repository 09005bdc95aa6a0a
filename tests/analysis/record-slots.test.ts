// heapRefSlotsOf: the HeapRef slot paths a record type has, as the flow rules' messages list them.
// Each embedding of a record is listed (a seen-set per type used to drop the second), in declaration
// order, and a doubling chain of records costs one visit per record type, not per path.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { heapRefSlotsOf, layoutCounters, pointeeOf } from '../../src/analysis/record-layout.js';
import { virtualProgram } from '../virtual-program.js';
import { runtimeIndex } from './nih-lint.js';

/** The slot paths of `T`, where the source declares `declare const p: Ptr<T>` last; and the record types visited. */
function slotsOf(decls: string): { slots: readonly string[]; visited: number } {
  const program = virtualProgram({
    '/p/a.ts': `import { struct, u32, heapRef, array, type Ptr, type LayoutType } from '${runtimeIndex}';\nclass Owner { n = 0; }\n${decls}\n`,
  });
  const file = program.getSourceFile('/p/a.ts')!;
  const last = file.statements[file.statements.length - 1] as ts.VariableStatement;
  const checker = program.getTypeChecker();
  const rec = pointeeOf(checker, checker.getTypeAtLocation(last.declarationList.declarations[0].name));
  if (!rec) throw new Error('the last statement must declare p: Ptr<T>');
  const before = layoutCounters.slotRecords;
  const slots = heapRefSlotsOf(checker, rec);
  return { slots, visited: layoutCounters.slotRecords - before };
}

const pair = `const Pair = struct('Pair', { k: u32, v: heapRef<Owner>() });`;

describe('heapRefSlotsOf', () => {
  it('lists a record embedded under two fields under each of them', () => {
    const { slots } = slotsOf(`${pair}\nconst Twin = struct('Twin', { left: Pair, right: Pair, s10: heapRef<Owner>(), s2: heapRef<Owner>() });\ndeclare const p: Ptr<LayoutType<typeof Twin>>;`);
    expect(slots).toEqual(['left.v', 'right.v', 's10', 's2']);
  });

  it('twin: a record embedded once is listed once, and a pointer-free embedding adds nothing', () => {
    const { slots } = slotsOf(`${pair}\nconst Plain = struct('Plain', { a: u32 });\nconst One = struct('One', { left: Pair, right: Plain });\ndeclare const p: Ptr<LayoutType<typeof One>>;`);
    expect(slots).toEqual(['left.v']);
  });

  it('keeps declaration order, not string order', () => {
    const { slots } = slotsOf(`const R = struct('R', { z: heapRef<Owner>(), a10: heapRef<Owner>(), a2: heapRef<Owner>() });\ndeclare const p: Ptr<LayoutType<typeof R>>;`);
    expect(slots).toEqual(['z', 'a10', 'a2']);
  });

  it('lists arrays of records by element', () => {
    const { slots } = slotsOf(`${pair}\nconst A = struct('A', { xs: array(Pair, 8), refs: array(heapRef<Owner>(), 4) });\ndeclare const p: Ptr<LayoutType<typeof A>>;`);
    expect(slots).toEqual(['xs[i].v', 'refs[i]']);
  });

  // D0 has one slot; Dk embeds D(k-1) twice, so Dk has 2^k slot paths but k + 1 record types.
  const doubling = (k: number): string => {
    const lines = [`const D0 = struct('D0', { v: heapRef<Owner>() });`];
    for (let i = 1; i <= k; i++) lines.push(`const D${i} = struct('D${i}', { l: D${i - 1}, r: D${i - 1} });`);
    return `${lines.join('\n')}\ndeclare const p: Ptr<LayoutType<typeof D${k}>>;`;
  };

  it('visits each record type of a doubling chain once: k -> 2k doubles the visits, not squares the paths', () => {
    const six = slotsOf(doubling(6));
    const twelve = slotsOf(doubling(12));
    expect(six.slots).toHaveLength(64);
    expect(six.slots[0]).toBe('l.l.l.l.l.l.v');
    expect(six.slots[63]).toBe('r.r.r.r.r.r.v');
    expect(six.visited).toBe(7);
    expect(twelve.slots).toHaveLength(4096);
    expect(twelve.visited).toBe(13);
  });

  it('ends a list past 4,096 paths with "…" instead of growing without bound', () => {
    const { slots, visited } = slotsOf(doubling(14));
    expect(slots).toHaveLength(4097);
    expect(slots[4096]).toBe('…');
    expect(visited).toBe(15);
  });
});
