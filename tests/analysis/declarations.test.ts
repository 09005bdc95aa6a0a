import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { calleeId, offheapIdAt } from '../../src/analysis/declarations.js';
import { virtualProgram } from '../virtual-program.js';

const runtime = `
/** @offheap sysAlloc */
export function sysAlloc(n: number): number { return n; }
/** @offheap FixAlloc */
export class FixAlloc {
  /** @offheap FixAlloc.alloc */
  alloc(): number { return 0; }
}
/** Looks like one, but carries no tag. */
export function sysFree(p: number): void { void p; }
`;

function callsIn(program: ts.Program, file: string): ts.CallExpression[] {
  const calls: ts.CallExpression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) calls.push(node);
    ts.forEachChild(node, visit);
  };
  visit(program.getSourceFile(file)!);
  return calls;
}

describe('declaration ids', () => {
  it('resolve through renamed imports, re-exports and namespace imports, never by name', () => {
    const program = virtualProgram({
      '/p/runtime.ts': runtime,
      '/p/reexport.ts': `export { sysAlloc as grab, FixAlloc as Pool } from './runtime.ts';`,
      '/p/user.ts': `
        import { grab, Pool } from './reexport.ts';
        import * as rt from './runtime.ts';
        import { sysFree } from './runtime.ts';
        function sysAlloc(n: number) { return n; }
        const pool = new Pool();
        grab(1); rt.sysAlloc(2); pool.alloc(); sysFree(3); sysAlloc(4);
        const { alloc } = pool; alloc.call(pool);
      `,
    });
    const checker = program.getTypeChecker();
    const ids = callsIn(program, '/p/user.ts').map((call) => calleeId(checker, call));
    expect(ids).toEqual(['sysAlloc', 'sysAlloc', 'FixAlloc.alloc', undefined, undefined, undefined]);
  });

  it('read the tag of a type reference through an alias', () => {
    const program = virtualProgram({
      '/p/runtime.ts': `/** @offheap Ptr */ export type Ptr<T> = number & { __t?: T };`,
      '/p/user.ts': `import type { Ptr as P } from './runtime.ts'; export type Q = P<string>; let x: P<number>;`,
    });
    const checker = program.getTypeChecker();
    const refs: ts.TypeReferenceNode[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isTypeReferenceNode(node)) refs.push(node);
      ts.forEachChild(node, visit);
    };
    visit(program.getSourceFile('/p/user.ts')!);
    expect(refs.map((r) => offheapIdAt(checker, r.typeName))).toEqual(['Ptr', 'Ptr']);
  });
});
