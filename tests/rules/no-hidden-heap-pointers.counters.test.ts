// Work the rule skips on ordinary arithmetic (counters, never timing): an
// operand whose value is told from syntax (a literal, the result of an
// operator) is never typed, so a statement costs a type query per name it
// reads, not per node.
import { describe, expect, it } from 'vitest';
import { statementGateCounters } from '../../src/analysis/context.js';
import { hiddenCounters } from '../../src/rules/no-hidden-heap-pointers.js';
import { lintFile, runtimeIndex } from '../analysis/nih-lint.js';
import { virtualProgram } from '../virtual-program.js';

/** n steps of arithmetic in a function that names the handle `ref` (so its statement can hold one) unless `plain`. */
function steps(n: number, plain = false, num?: string): string {
  // `num`: a name for number (`type Num = number`) written where the default writes `number`, and `acc` declared with
  // it: the same types, which the syntax no longer shows.
  const t = num ?? 'number';
  const head = plain ? `export function run(s: ${t}): number {` : `export function run(s: ${t}, _r: typeof ref = ref): number {`;
  const lines = [`import type { HeapRef } from '${runtimeIndex}';`, `export declare const ref: HeapRef<object>;`, ...(num ? [`type ${num} = number;`] : []), head, num ? `  let acc: ${num} = 0;` : `  let acc = 0;`];
  for (let i = 0; i < n; i++) lines.push(`  acc += ((s + ${i}) % 3) * 2 - 1;`, `  if ((s + ${i}) % 2 === 0) acc ^= Math.max(1, 2, ${i});`);
  lines.push(`  return acc;`, `}`);
  return lines.join('\n');
}

describe('no-hidden-heap-pointers on arithmetic', () => {
  it('types only the names an operator reads (five per step), and skips literal operands and calls of literals', () => {
    const queried: number[] = [];
    const typed: number[] = [];
    for (const n of [10, 40]) {
      const program = virtualProgram({ '/p/arith.ts': steps(n) });
      const before = { ...hiddenCounters };
      expect(lintFile(program, '/p/arith.ts', ['no-hidden-heap-pointers'])).toEqual([]);
      queried.push(hiddenCounters.operandTypeQueries - before.operandTypeQueries);
      typed.push(hiddenCounters.operandsTyped - before.operandsTyped);
      expect(hiddenCounters.operandsSkipped - before.operandsSkipped).toBeGreaterThanOrEqual(6 * n);
    }
    // Per step: the call on the right of `^=`. The nested operators and the literals are skipped, so are the
    // arguments of `Math.max`, and so are `acc` (declared `let acc = 0`) and `s` (a parameter `s: number`): the
    // declared type `number` is their type at every reference.
    expect(queried).toEqual([1 * 10, 1 * 40]);
    // Types asked of the checker: the call, and the two literals of the `s + i` whose `+` asks whether a side is a
    // string (was 9 per step with each `s` typed twice, then 7, then 5 with `acc` told from its declaration).
    expect(typed).toEqual([3 * 10, 3 * 40]);
  });

  it('a JSDoc type on `let acc = 0` in a TypeScript file changes nothing (the checker ignores it there): acc is not asked', () => {
    // In a JavaScript file the same comment declares acc a HeapRef, and acc is asked and reported (outsider-js.test.ts).
    const queried: number[] = [];
    for (const n of [10, 40]) {
      const program = virtualProgram({ '/p/arith.ts': steps(n).replace('  let acc = 0;', '  /** @type {HeapRef<object>} */ let acc = 0;') });
      const before = { ...hiddenCounters };
      expect(lintFile(program, '/p/arith.ts', ['no-hidden-heap-pointers'])).toEqual([]);
      queried.push(hiddenCounters.operandTypeQueries - before.operandTypeQueries);
    }
    expect(queried).toEqual([1 * 10, 1 * 40]);
  });

  it('the twin: `s` and `acc` declared with a name for number are asked, on both sides of their operators and where returned', () => {
    const queried: number[] = [];
    for (const n of [10, 40]) {
      const program = virtualProgram({ '/p/arith.ts': steps(n, false, 'Num') });
      const before = { ...hiddenCounters };
      expect(lintFile(program, '/p/arith.ts', ['no-hidden-heap-pointers'])).toEqual([]);
      queried.push(hiddenCounters.operandTypeQueries - before.operandTypeQueries);
    }
    expect(queried).toEqual([5 * 10 + 1, 5 * 40 + 1]);
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

  it('a conditional or logical expression whose every result is told from syntax is not typed; one with a handle among its results is (the twin)', () => {
    const returns = (n: number, result: string): string =>
      [`import type { HeapRef } from '${runtimeIndex}';`, `export declare const ref: HeapRef<object>;`, `declare function cond(i: number): boolean;`, `export function run(_r: typeof ref = ref): number {`, ...Array.from({ length: n }, (_, i) => `  if (cond(${i})) return ${result.replaceAll('I', String(i))};`), `  return 0;`, `}`].join('\n');
    const queried: number[] = [];
    for (const n of [10, 40]) {
      const program = virtualProgram({ '/p/cond.ts': returns(n, 'cond(I) ? I : (I > 2 && I + 1) || -1') });
      const before = { ...hiddenCounters };
      expect(lintFile(program, '/p/cond.ts', ['no-hidden-heap-pointers'])).toEqual([]);
      queried.push(hiddenCounters.operandTypeQueries - before.operandTypeQueries);
    }
    // Before, each return typed its conditional, and the checker checked the condition's call to answer.
    expect(queried).toEqual([0, 0]);
    const twin = virtualProgram({ '/p/cond.ts': returns(2, 'cond(I) ? I : (I > 2 && ref) || -1') });
    expect(lintFile(twin, '/p/cond.ts', ['no-hidden-heap-pointers']).map((r) => [r.messageId, r.line])).toEqual([
      ['conversion', 5],
      ['conversion', 6],
    ]);
  });

  it('a handle stored as a member of a function (an expando member) is found where another statement reads it', () => {
    const program = virtualProgram({
      '/p/expando.ts': `import type { HeapRef } from '${runtimeIndex}';\nexport declare const ref: HeapRef<object>;\nexport function f() {}\nf.h = ref;\nexport const n = f.h + 1;\n`,
    });
    expect(lintFile(program, '/p/expando.ts', ['no-hidden-heap-pointers']).map((r) => [r.messageId, r.line])).toEqual([['conversion', 5]]);
  });

  it('a call whose arguments are all told from syntax (literals, operators, names declared as numbers) asks no signature', () => {
    const calls = (n: number, arg: string): string =>
      [`import type { HeapRef } from '${runtimeIndex}';`, `export declare const ref: HeapRef<object>;`, `declare function use(x: number): void;`, `export function run(s: number, _r: typeof ref = ref): void {`, `  let k = 0;`, ...Array.from({ length: n }, (_, i) => `  use(${arg.replace('I', String(i))});`), `}`].join('\n');
    for (const arg of ['k', 's', 'k + I', 'I']) {
      const before = { ...hiddenCounters };
      expect(lintFile(virtualProgram({ '/p/calls.ts': calls(20, arg) }), '/p/calls.ts', ['no-hidden-heap-pointers'])).toEqual([]);
      expect(hiddenCounters.signaturesAsked - before.signaturesAsked).toBe(0);
      // Nor whether `use` has a type predicate: its declaration's return type says it has none.
      expect(hiddenCounters.predicatesAsked - before.predicatesAsked).toBe(0);
    }
    // The twin: `use` declared without a return type may have one (TypeScript infers predicates); its 20 calls are asked.
    const unannotated = calls(20, 'k').replace('declare function use(x: number): void;', 'function use(x: number) { return x > 0; }');
    const asked = { ...hiddenCounters };
    expect(lintFile(virtualProgram({ '/p/calls.ts': unannotated }), '/p/calls.ts', ['no-hidden-heap-pointers'])).toEqual([]);
    expect(hiddenCounters.predicatesAsked - asked.predicatesAsked).toBe(20);
    // The twin: a handle passed as a number needs the signature, and is reported at each call.
    const before = { ...hiddenCounters };
    const reports = lintFile(virtualProgram({ '/p/calls.ts': calls(20, 'ref') }), '/p/calls.ts', ['no-hidden-heap-pointers']);
    expect(reports.map((r) => r.messageId)).toEqual(Array(20).fill('conversion'));
    expect(hiddenCounters.signaturesAsked - before.signaturesAsked).toBe(20);
  });

  it('the twin: the same steps reading a handle are reported at each read', () => {
    const program = virtualProgram({ '/p/arith.ts': steps(3).replace(/\(s \+/g, '(ref +') });
    const reports = lintFile(program, '/p/arith.ts', ['no-hidden-heap-pointers']);
    expect(reports.map((r) => r.messageId)).toEqual(Array(6).fill('conversion'));
  });
});
