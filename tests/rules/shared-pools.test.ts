// no-heap-allocation (sharedPoolHeapRef): a pool that more than one thread
// allocates from cannot hold records with HeapRef slots. Every reported case
// has its quiet twin (the same code with a pointer-free layout, a raw size,
// or a pool private to the thread).
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import rule, { type MessageIds, type Options } from '../../src/rules/no-heap-allocation.js';
import { createRuleTester } from '../rule-tester.js';

/** Lines 1-8 of every case. */
const head = [
  `import * as off from 'offheap'; import { sharedPool as openPool } from 'offheap';`,
  `import { struct, u32, f64, ptr, heapRef, createRuntime, attachRuntime, sharedPool, FixAlloc, type Layout, type LayoutType, type SharedRuntime } from 'offheap';`,
  `class Owner { name = ''; }`,
  `const Node = struct('Node', { count: u32, owner: heapRef<Owner>() }); interface Node extends LayoutType<typeof Node> {}`,
  `const Plain = struct('Plain', { x: f64, y: f64, next: ptr<Plain>() }); interface Plain extends LayoutType<typeof Plain> {}`,
  `const Outer = struct('Outer', { n: u32, inner: Node, label: heapRef<string>() }); interface Outer extends LayoutType<typeof Outer> {}`,
  `const rt = createRuntime({ shared: true });`,
  `declare const desc: SharedRuntime;`,
];
const code = (...lines: string[]) => [...head, ...lines].join('\n');
const L = (n: number) => head.length + n;

const valid: ValidTestCase<Options>[] = [];
const invalid: InvalidTestCase<MessageIds, Options>[] = [];

/** `ok` must stay quiet; `bad`, its mutation, is reported once at relative line `line` naming `record` and `slots`. */
function twin(ok: string[], bad: string[], line: number, record: string, slots: string): void {
  valid.push({ code: code(...ok) });
  invalid.push({ code: code(...bad), errors: [{ messageId: 'sharedPoolHeapRef', line: L(line), data: { record, slots } }] });
}

// A pointer-free layout is shared freely; one with a HeapRef slot is not.
twin([`export const pool = sharedPool(rt, 'cells', Plain);`], [`export const pool = sharedPool(rt, 'cells', Node);`], 1, 'Node', 'owner');
// A raw size has no HeapRef slots.
twin([`export const pool = sharedPool(rt, 'bytes', 64, { zero: false });`], [`export const pool = sharedPool(rt, 'bytes', Node, { zero: false });`], 1, 'Node', 'owner');
// The fix the message names: a pool private to this thread's runtime.
twin([`export const pool = new FixAlloc(Node, { runtime: rt });`], [`export const pool = sharedPool(rt, 'nodes', Node);`], 1, 'Node', 'owner');
// Nested records: the slot inside the embedded struct is found too.
twin([`export const pool = sharedPool(rt, 'o', Plain);`], [`export const pool = sharedPool(rt, 'o', Outer);`], 1, 'Outer', 'inner.owner, label');
// From an attached runtime (a worker's), through a layout alias and a typed parameter.
twin([`export const pool = sharedPool(attachRuntime(desc), 'p', Plain);`], [`export const pool = sharedPool(attachRuntime(desc), 'p', Node);`], 1, 'Node', 'owner');
twin([`const L = Plain;`, `export const pool = sharedPool(rt, 'p', L);`], [`const L = Node;`, `export const pool = sharedPool(rt, 'p', L);`], 2, 'Node', 'owner');
twin(
  [`export function open(L: Layout<Plain>) {`, `  return sharedPool(rt, 'p', L);`, `}`],
  [`export function open(L: Layout<Node>) {`, `  return sharedPool(rt, 'p', L);`, `}`],
  2,
  'Node',
  'owner',
);
// Spelled as an element access or in parentheses: the tag decides, not the spelling.
twin([`export const pool = off['sharedPool'](rt, 'p', Plain);`], [`export const pool = off['sharedPool'](rt, 'p', Node);`], 1, 'Node', 'owner');
twin([`export const pool = (off.sharedPool)(rt, 'p', Plain);`], [`export const pool = (off.sharedPool)(rt, 'p', Node);`], 1, 'Node', 'owner');
twin([`export const pool = openPool(rt, 'p', Plain);`], [`export const pool = openPool(rt, 'p', Node);`], 1, 'Node', 'owner');
// A layout that is a type parameter: cannot prove (a constraint does not help: a subtype may add HeapRef fields).
valid.push({ code: code(`export function open(L: Layout<Plain>) {`, `  return new FixAlloc(L, { runtime: rt });`, `}`, `export function openShared<T>(L: Layout<T>) {`, `  return new FixAlloc(L, { runtime: rt });`, `}`) });
for (const param of ['T', 'T extends Plain']) {
  invalid.push({
    code: code(`export function openShared<${param}>(L: Layout<T>) {`, `  return sharedPool(rt, 'g', L);`, `}`),
    errors: [{ messageId: 'sharedPoolUnproven', line: L(2), data: { record: 'T' } }],
  });
}
// A user's method that happens to be called sharedPool is not the runtime's.
valid.push({ code: code(`const mine = { sharedPool: (name: string, L: unknown) => [name, L] };`, `export const x = mine.sharedPool('p', Node);`) });

createRuleTester().run('no-heap-allocation (shared pools)', rule, { valid, invalid });
