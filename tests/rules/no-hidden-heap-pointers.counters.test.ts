// Work the rule skips on ordinary arithmetic (counters, never timing): an
// operand whose value is told from syntax (a literal, the result of an
// operator) is never typed, so a statement costs a type query per name it
// reads, not per node.
import { describe, expect, it } from 'vitest';
import { statementGateCounters } from '../../src/analysis/context.js';
import { narrowingCounters } from '../../src/analysis/narrowing.js';
import { hiddenCounters } from '../../src/rules/no-hidden-heap-pointers.js';
import { lintFile, runtimeIndex } from '../analysis/nih-lint.js';
import { virtualProgram } from '../virtual-program.js';

/** n steps of arithmetic in a function that names the handle `ref` (so its statement can hold one) unless `plain`. */
function steps(n: number, plain = false): string {
  const head = plain ? `export function run(s: number): number {` : `export function run(s: number, _r: typeof ref = ref): number {`;
  const lines = [`import type { HeapRef } from '${runtimeIndex}';`, `export declare const ref: HeapRef<object>;`, head, `  let acc = 0;`];
  for (let i = 0; i < n; i++) lines.push(`  acc += ((s + ${i}) % 3) * 2 - 1;`, `  if ((s + ${i}) % 2 === 0) acc ^= Math.max(1, 2, ${i});`);
  lines.push(`  return acc;`, `}`);
  return lines.join('\n');
}

describe('no-hidden-heap-pointers on arithmetic', () => {
  it('types only the names an operator reads (five per step), and skips literal operands and calls of literals', () => {
    const queried: number[] = [];
    const typed: number[] = [];
    const declared: number[] = [];
    for (const n of [10, 40]) {
      const program = virtualProgram({ '/p/arith.ts': steps(n) });
      const before = { ...hiddenCounters, ...narrowingCounters };
      expect(lintFile(program, '/p/arith.ts', ['no-hidden-heap-pointers'])).toEqual([]);
      // `acc` and `s` are judged once each, however many times they are read.
      expect(narrowingCounters.variablesJudged - before.variablesJudged).toBe(2);
      queried.push(hiddenCounters.operandTypeQueries - before.operandTypeQueries);
      typed.push(hiddenCounters.operandsTyped - before.operandsTyped);
      declared.push(hiddenCounters.operandsDeclared - before.operandsDeclared);
      expect(hiddenCounters.operandsSkipped - before.operandsSkipped).toBeGreaterThanOrEqual(6 * n);
    }
    // Per step, five names an operator reads: `acc` on the left of `+=` and of `^=`, and the two `s`; plus the
    // returned `acc`. Each is a local of type `number` that no call takes, so its declared type answers
    // (src/analysis/narrowing.ts) and no flow-typed query is made.
    expect(declared).toEqual([4 * 10 + 1, 4 * 40 + 1]);
    // Asked of the checker: only the call on the right of `^=` (the nested operators and the literals are skipped,
    // and so are the arguments of `Math.max`). Was 5 per step plus the returned `acc`, each a flow-typed query.
    expect(queried).toEqual([10, 40]);
    // Typed: the same calls. A `+` whose sides are both known plain no longer asks whether one is a string (was 7
    // per step plus one: the two literals of each `s + i` were typed for that question).
    expect(typed).toEqual([10, 40]);
  });

  it('a name a callee with a type predicate takes is typed (the predicate can narrow it to a HeapRef), and is reported where it is one', () => {
    const program = virtualProgram({
      '/p/narrowed.ts': [
        `import type { HeapRef } from '${runtimeIndex}';`,
        `export declare const ref: HeapRef<object>;`,
        `declare function isRef(v: number): v is HeapRef<object>;`,
        `declare function use(v: number): void;`,
        `function check(v: number | string) { return typeof v === 'number' && isRef(v); }`,
        `export function bump(v: number, _r: typeof ref = ref) { return isRef(v) && v + 1; }`,
        `declare const guard: { is(v: number): v is HeapRef<object>; assert(v: number): asserts v is HeapRef<object>; put(v: number): void };`,
        `const box = { put(v: number): void { void v; } };`,
        `export function run(s: number, _r: typeof ref = ref): number {`,
        `  let n = s;`,
        `  if (isRef(n)) n++;`,
        `  let m = s;`,
        `  use(m);`,
        `  m++;`,
        `  let q: number | string = s;`,
        `  if (check(q)) return q + 1;`,
        `  let a = s;`,
        `  guard.assert(a);`,
        `  a++;`,
        `  let b = s;`,
        `  if (guard.is(b)) b++;`,
        `  let c = s;`,
        `  box.put(c);`,
        `  c++;`,
        `  let d = s;`,
        `  guard.put(d);`,
        `  d++;`,
        `  return n * m * box.put.length;`,
        `}`,
      ].join('\n'),
    });
    const before = { ...hiddenCounters };
    const reports = lintFile(program, '/p/narrowed.ts', ['no-hidden-heap-pointers']).map((r) => [r.messageId, r.line]);
    // At `v + 1` in bump (read after `isRef(v) &&`), `n++` (isRef's predicate), `q + 1` (check's, inferred from its
    // body: it writes no return type), `a++` (guard.assert's assertion, a call statement of a callee typed by its
    // declaration) and `b++` (guard.is's).
    expect(reports).toEqual([['conversion', 6], ['conversion', 11], ['conversion', 16], ['conversion', 19], ['conversion', 21]]);
    // Typed: `v` in check and bump (an operand of `&&`), `n` at `n++` and in `n * m`, `q`, `a`, `b` and `d` as
    // arguments and at their operator (`d`: guard is declared with a type, so its methods may assert, though put
    // does not), and `box.put.length`. From the declared type: `m` (use writes `void`: as its argument, at `m++`, in
    // `n * m`), `c` (box is declared without a type, so box.put(c) asserts nothing: 2), and `s` stored in `q`.
    expect(hiddenCounters.operandTypeQueries - before.operandTypeQueries).toBe(15);
    expect(hiddenCounters.operandsDeclared - before.operandsDeclared).toBe(6);
  });

  it('a file that imports HeapRef and never uses it holds no handle: nothing is typed (its twin above declares one)', () => {
    const program = virtualProgram({ '/p/arith.ts': steps(10).replace('export declare const ref: HeapRef<object>;', '') });
    const before = { ...hiddenCounters };
    expect(lintFile(program, '/p/arith.ts', ['no-hidden-heap-pointers'])).toEqual([]);
    expect(hiddenCounters.operandTypeQueries - before.operandTypeQueries).toBe(0);
  });

  it('a function that names nothing carrying the runtime, beside a handle declared in the file, is not asked about at all (counted)', () => {
    const asked: number[] = [];
    for (const n of [10, 40]) {
      const program = virtualProgram({ '/p/arith.ts': steps(n, true) });
      const before = { ...hiddenCounters, ...statementGateCounters };
      expect(lintFile(program, '/p/arith.ts', ['no-hidden-heap-pointers'])).toEqual([]);
      // Before, the operands were typed as in the first test: 5 per step.
      expect(hiddenCounters.operandTypeQueries - before.operandTypeQueries).toBe(0);
      expect(statementGateCounters.skipped - before.skipped).toBeGreaterThanOrEqual(4 * n);
      asked.push(statementGateCounters.asked - before.asked);
    }
    // Only the statement declaring `ref` is visited, at any length.
    expect(asked[1]).toBe(asked[0]);
  });

  it('a handle stored as a member of a function (an expando member) is found where another statement reads it', () => {
    const program = virtualProgram({
      '/p/expando.ts': `import type { HeapRef } from '${runtimeIndex}';\nexport declare const ref: HeapRef<object>;\nexport function f() {}\nf.h = ref;\nexport const n = f.h + 1;\n`,
    });
    expect(lintFile(program, '/p/expando.ts', ['no-hidden-heap-pointers']).map((r) => [r.messageId, r.line])).toEqual([['conversion', 5]]);
  });

  it('the twin: the same steps reading a handle are reported at each read', () => {
    const program = virtualProgram({ '/p/arith.ts': steps(3).replace(/\(s \+/g, '(ref +') });
    const reports = lintFile(program, '/p/arith.ts', ['no-hidden-heap-pointers']);
    expect(reports.map((r) => r.messageId)).toEqual(Array(6).fill('conversion'));
  });
});
