// The static side of the flow rules: layouts evaluated like `struct()` does
// at run time (checked against the runtime itself), HeapRef slots from record
// types, the struct call behind a record type, and the memory-state join.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { joinState, memGarbage, memSafe, memZero, rootNo, rootYes, sameState, viaEdge, type ObjState } from '../../src/analysis/memory-state.js';
import { heapRefSlotsOf, pointeeOf, staticLayoutOf, structCallOfRecord } from '../../src/analysis/record-layout.js';
import { array, bool, f32, f64, heapRef, i16, ptr, struct, u16, u32, u8 } from '../../src/runtime/index.js';
import { virtualProgram } from '../virtual-program.js';
import { runtimeIndex } from './nih-lint.js';

const code = `import { struct, u8, u16, u32, i16, f32, f64, bool, ptr, heapRef, array, type LayoutType, type Ptr } from '${runtimeIndex}';
class Owner { name = ''; }
export const Vec = struct('Vec', { x: f64, y: f64, tag: u8 });
export const Mixed = struct('Mixed', { a: u8, b: u32, owner: heapRef<Owner>(), v: Vec, c: u16, refs: array(heapRef<Owner>(), 3), d: bool, e: i16, f: f32, p: ptr() });
const Alias = Mixed;
export const Plain = struct('Plain', { x: f64 });
declare const fields: { [k: string]: typeof u32 };
export const Dynamic = struct('Dynamic', fields);
type Mixed = LayoutType<typeof Mixed>;
declare const pm: Ptr<Mixed>;
export { Alias };
`;

function setup() {
  const program = virtualProgram({ '/p/a.ts': code });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile('/p/a.ts')!;
  const init = (name: string): ts.Expression => {
    let found: ts.Expression | undefined;
    const visit = (n: ts.Node): void => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name) found = n.name;
      ts.forEachChild(n, visit);
    };
    visit(file);
    if (!found) throw new Error(name);
    return found;
  };
  return { checker, init };
}

describe('staticLayoutOf', () => {
  const { checker, init } = setup();

  it('matches the runtime layout: size, alignment and HeapRef offsets', () => {
    const Vec = struct('Vec', { x: f64, y: f64, tag: u8 });
    const Mixed = struct('Mixed', { a: u8, b: u32, owner: heapRef(), v: Vec, c: u16, refs: array(heapRef(), 3), d: bool, e: i16, f: f32, p: ptr() });
    const got = staticLayoutOf(checker, init('Mixed'))!;
    expect(got).toBeDefined();
    expect({ size: got.size, align: got.align, slots: got.slots.map((s) => s.offset) }).toEqual({
      size: Mixed.size,
      align: Mixed.align,
      slots: [...Mixed.ptrSlots],
    });
    expect(got.slots.map((s) => s.path)).toEqual(['owner', 'refs.[0]', 'refs.[1]', 'refs.[2]']);
    expect(got.name).toBe('Mixed');
  });

  it('follows const aliases; a computed field table is not provable', () => {
    expect(staticLayoutOf(checker, init('Alias'))?.size).toBe(staticLayoutOf(checker, init('Mixed'))?.size);
    expect(staticLayoutOf(checker, init('Plain'))).toMatchObject({ size: 8, slots: [] });
    expect(staticLayoutOf(checker, init('Dynamic'))).toBeUndefined();
  });
});

describe('record types', () => {
  const { checker, init } = setup();
  const pm = () => checker.getTypeAtLocation(init('pm'));

  it('HeapRef slot paths of the record a pointer addresses, nested arrays included', () => {
    const rec = pointeeOf(checker, pm())!;
    expect(rec).toBeDefined();
    expect(heapRefSlotsOf(checker, rec)).toEqual(['owner', 'refs[i]']);
  });

  it('the struct call behind LayoutType<typeof L>', () => {
    const call = structCallOfRecord(checker, pointeeOf(checker, pm())!);
    expect(call && staticLayoutOf(checker, call)?.name).toBe('Mixed');
  });
});

describe('memory-state join', () => {
  const node = { type: 'Identifier', range: [0, 1] } as never;
  const st = (mem: number, root: number, group = 'g'): ObjState => ({
    mem,
    memWhy: mem & memGarbage ? { node, via: undefined } : undefined,
    root,
    pending: undefined,
    local: true,
    layout: undefined,
    group,
  });

  it('is a union of the possible states: commutative, idempotent, bounded', () => {
    const all = [memGarbage, memZero, memSafe, memGarbage | memZero, memZero | memSafe, memGarbage | memZero | memSafe];
    for (const a of all) {
      for (const b of all) {
        const ab = joinState(st(a, rootYes), st(b, rootNo), 'k');
        const ba = joinState(st(b, rootNo), st(a, rootYes), 'k');
        expect(sameState(ab, ba)).toBe(true);
        expect(ab.mem).toBe(a | b);
        expect(ab.root).toBe(rootYes | rootNo);
        expect(sameState(joinState(ab, ab, 'k'), ab)).toBe(true);
      }
    }
  });

  it('keeps a garbage witness from the side that has one; different objects lose the alias', () => {
    const j = joinState(st(memZero, rootNo), viaEdge(st(memGarbage, rootNo), 'the else branch'), 'k');
    expect(j.memWhy?.via).toBe('the else branch');
    expect(joinState(st(memZero, rootNo, 'a'), st(memZero, rootNo, 'b'), 'k').group).toBe('join:k');
    expect(joinState(st(memZero, rootNo, 'a'), st(memZero, rootNo, 'a'), 'k').group).toBe('a');
  });
});
