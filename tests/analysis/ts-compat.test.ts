// The fallback for TypeScript < 5.8 gives the same type arguments as
// `getTypeArgumentsForResolvedSignature` on every kind of generic call.
// (The pack test lints with the oldest supported TypeScript, where only the fallback exists.)
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { typeArgumentsFromMapper, typeArgumentsOfSignature } from '../../src/analysis/ts-compat.js';
import { virtualProgram } from '../virtual-program.js';

const source = `
declare function identity<T>(x: T): T;
declare function pair<A, B = string>(a: A, b?: B): [A, B];
declare function plain(x: number): number;
declare function over<T>(x: T): T;
declare function over<T, U>(x: T, y: U): U;
class Box<T> {
  constructor(readonly value: T) {}
  map<U>(f: (v: T) => U): Box<U> { return new Box(f(this.value)); }
  static of<V>(v: V): Box<V> { return new Box(v); }
}
interface Chunk { readonly base: number }
declare const chunk: Chunk;
export const calls = [
  identity(1),
  identity<Chunk>(chunk),
  pair(chunk),
  pair<Chunk, boolean>(chunk, true),
  plain(1),
  over('a'),
  over(1, chunk),
  new Box(chunk),
  new Box<string>('s').map((s) => s.length),
  Box.of(chunk).map(() => chunk),
  [chunk].map((c) => c.base),
  Promise.resolve(chunk),
  new Map<string, Chunk>(),
];
`;

function calls(): { checker: ts.TypeChecker; signatures: [string, ts.Signature][] } {
  const program = virtualProgram({ '/p/calls.ts': source });
  const checker = program.getTypeChecker();
  const sf = program.getSourceFile('/p/calls.ts')!;
  const signatures: [string, ts.Signature][] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const signature = checker.getResolvedSignature(node);
      if (signature) signatures.push([node.getText(sf), signature]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { checker, signatures };
}

describe('typeArgumentsOfSignature', () => {
  const { checker, signatures } = calls();
  const show = (types: readonly ts.Type[] | undefined): string[] | undefined => types?.map((t) => checker.typeToString(t));

  it('uses the public API when TypeScript has it', () => {
    expect(typeof (checker as { getTypeArgumentsForResolvedSignature?: unknown }).getTypeArgumentsForResolvedSignature).toBe('function');
    const [, signature] = signatures.find(([text]) => text === 'identity<Chunk>(chunk)')!;
    expect(show(typeArgumentsOfSignature(checker, signature))).toEqual(['Chunk']);
  });

  it('falls back to the same answer on every generic call, and to undefined on a plain one', () => {
    expect(signatures.length).toBeGreaterThanOrEqual(13);
    const native = (s: ts.Signature) => checker.getTypeArgumentsForResolvedSignature(s);
    const table = signatures.map(([text, s]) => [text, show(typeArgumentsFromMapper(s))]);
    expect(table).toEqual(signatures.map(([text, s]) => [text, show(native(s))]));
    // The table is not vacuous: inferred, explicit and defaulted arguments are all there.
    expect(Object.fromEntries(table)).toMatchObject({
      'identity(1)': ['1'],
      'pair(chunk)': ['Chunk', 'string'],
      'pair<Chunk, boolean>(chunk, true)': ['Chunk', 'boolean'],
      'plain(1)': undefined,
      'over(1, chunk)': ['number', 'Chunk'],
      'new Box(chunk)': ['Chunk'],
      'new Map<string, Chunk>()': ['string', 'Chunk'],
    });
  });
});
