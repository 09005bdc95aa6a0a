// no-hidden-heap-pointers tried on programs nobody on the team wrote for it (issue 12 items 4-5, outsider round 2):
// handles held by JS classes (private #fields, setters, static members), generic containers, caches keyed by handles,
// async functions and generators, overloads, namespaces, enums, `satisfies`, `as const`, optional chaining,
// destructuring defaults, class expressions, object spread and TSX. Each broken program has its correct twin: the same
// code keeping the HeapRef type (or only formatting it), which must lint clean.
import path from 'node:path';
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import rule, { type MessageIds, type Options } from '../../src/rules/no-hidden-heap-pointers.js';
import { createRuleTester, fixturesDir } from '../rule-tester.js';

const ruleTester = createRuleTester();
/** Lines 1-4 of every case. */
const head = [
  `import { struct, u32, heapRef, access, type HeapRef, type Ptr, type LayoutType } from 'offheap';`,
  `class Owner { name = ''; }`,
  `const Node = struct('Node', { count: u32, owner: heapRef<Owner>() });`,
  `declare const ref: HeapRef<Owner>; declare const refs: HeapRef<Owner>[]; declare const p: Ptr<LayoutType<typeof Node>>; declare const u32s: Uint32Array;`,
];
const code = (...lines: string[]) => [...head, ...lines].join('\n');
const L = (n: number) => head.length + n;
const valid: ValidTestCase<Options>[] = [];
const invalid: InvalidTestCase<MessageIds, Options>[] = [];
/** A broken program (one report of `messageId` on its line `line`) and its correct twin. */
function twin(broken: string[], messageId: MessageIds, line: number | number[], correct: string[], filename?: string): void {
  const errors = (Array.isArray(line) ? line : [line]).map((n) => ({ messageId, line: L(n) }));
  const name = broken.join(' ').slice(0, 120);
  invalid.push({ name: `broken: ${name}`, code: code(...broken), errors, ...(filename ? { filename } : {}) });
  valid.push({ name: `twin: ${name}`, code: code(...correct), ...(filename ? { filename } : {}) });
}

// A generic container that keeps handles as numbers.
twin(
  [`class Pool<T extends object> {`, `  ids: number[] = [];`, `  add(r: HeapRef<T>) { this.ids.push(r); }`, `}`],
  'conversion', 3,
  [`class Pool<T extends object> {`, `  ids: HeapRef<T>[] = [];`, `  add(r: HeapRef<T>) { this.ids.push(r); }`, `}`],
);
// A name declared `number` that a type predicate or an assertion function narrows to a handle: arithmetic on it
// then converts the handle (the name is asked, not taken as a number from its declaration). Twins: the same
// functions returning boolean and void.
twin(
  [`function isRef(n: number): n is HeapRef<Owner> { return n > 0; }`, `export function f(n: number): number { if (isRef(n)) return n + 1; return 0; }`],
  'conversion', 2,
  [`function isRef(n: number): boolean { return n > 0; }`, `export function f(n: number): number { if (isRef(n)) return n + 1; return 0; }`],
);
twin(
  [`function assertRef(n: number): asserts n is HeapRef<Owner> { if (n <= 0) throw new Error(); }`, `export function g(): number { let k = 0; assertRef(k!); return k * 2; }`],
  'conversion', 2,
  [`function assertRef(n: number): void { if (n <= 0) throw new Error(); }`, `export function g(): number { let k = 0; assertRef(k!); return k * 2; }`],
);
// A cache keyed by handles: a Map<number, …> key converts, a Map<HeapRef, …> key keeps the brand.
twin([`const names = new Map<number, string>();`, `names.set(ref, 'a');`], 'conversion', 2, [`const names = new Map<HeapRef<Owner>, string>();`, `names.set(ref, 'a');`]);
twin([`const byName = new Map<string, number>();`, `byName.set('a', ref);`], 'conversion', 2, [`const byName = new Map<string, HeapRef<Owner>>();`, `byName.set('a', ref);`]);
// Formatting a handle as a cache key is display, not a hidden pointer.
twin([`const seen = new Set<number>();`, `seen.add(ref);`], 'conversion', 2, [`const seen = new Set<string>();`, `seen.add(\`\${ref}\`);`]);
// A private #field.
twin(
  [`class Holder {`, `  #id = 0;`, `  keep(r: HeapRef<Owner>) { this.#id = r; }`, `}`],
  'conversion', 3,
  [`class Holder {`, `  #id: HeapRef<Owner> | undefined;`, `  keep(r: HeapRef<Owner>) { this.#id = r; }`, `}`],
);
// A setter typed number.
twin(
  [`class Holder {`, `  #n = 0;`, `  set id(v: number) { this.#n = v; }`, `  get id(): number { return this.#n; }`, `}`, `new Holder().id = ref;`],
  'conversion', 6,
  [`class Holder {`, `  #n: HeapRef<Owner> | undefined;`, `  set id(v: HeapRef<Owner> | undefined) { this.#n = v; }`, `  get id(): HeapRef<Owner> | undefined { return this.#n; }`, `}`, `new Holder().id = ref;`],
);
// A getter that returns a handle as a number.
twin(
  [`class Holder {`, `  constructor(readonly r: HeapRef<Owner>) {}`, `  get key(): number { return this.r; }`, `}`],
  'conversion', 3,
  [`class Holder {`, `  constructor(readonly r: HeapRef<Owner>) {}`, `  get key(): string { return String(this.r); }`, `}`],
);
// A static member.
twin([`class Registry { static last = 0; }`, `Registry.last = ref;`], 'conversion', 2, [`class Registry { static last: HeapRef<Owner> | undefined; }`, `Registry.last = ref;`]);
// An async function returning the handle as a number.
twin(
  [`async function idOf(r: HeapRef<Owner>): Promise<number> {`, `  await null;`, `  return r;`, `}`],
  'conversion', 3,
  [`async function idOf(r: HeapRef<Owner>): Promise<HeapRef<Owner>> {`, `  await null;`, `  return r;`, `}`],
);
// A generator yielding handles as numbers (silent before 2026-11-30, fixed by types-perf).
twin(
  [`function* ids(): Generator<number> {`, `  for (const r of refs) yield r;`, `}`],
  'conversion', 2,
  [`function* ids(): Generator<HeapRef<Owner>> {`, `  for (const r of refs) yield r;`, `}`],
);
// Overloads: the call resolves to the number overload.
twin(
  [`function key(x: number): string;`, `function key(x: string): string;`, `function key(x: number | string): string { return String(x); }`, `key(ref);`],
  'conversion', 4,
  [`function key(x: HeapRef<Owner>): string;`, `function key(x: string): string;`, `function key(x: HeapRef<Owner> | string): string { return String(x); }`, `key(ref);`],
);
// A namespace's exported variable.
twin([`namespace Ids { export let last = 0; }`, `Ids.last = ref;`], 'conversion', 2, [`namespace Ids { export let last: HeapRef<Owner> | undefined; }`, `Ids.last = ref;`]);
// An enum-indexed typed array slot.
twin([`enum Slot { Owner, Next }`, `u32s[Slot.Owner] = ref;`], 'rawWrite', 2, [`enum Slot { Owner, Next }`, `u32s[Slot.Owner] = Slot.Next;`, `access(Node).owner.set(p, ref);`]);
// `satisfies` a number-typed shape.
twin([`const row = { id: ref } satisfies { id: number };`], 'conversion', 1, [`const row = { id: ref } satisfies { id: HeapRef<Owner> };`]);
// `as const` on a cast.
twin([`const pair = [ref as number, 1] as const;`], 'conversion', 1, [`const pair = [ref, 1] as const;`]);
// Optional chaining.
twin(
  [`declare const slot: { r: HeapRef<Owner> } | undefined;`, `const n: number | undefined = slot?.r;`],
  'conversion', 2,
  [`declare const slot: { r: HeapRef<Owner> } | undefined;`, `const n: HeapRef<Owner> | undefined = slot?.r;`],
);
// Destructuring defaults into number bindings (silent before, fixed by types-perf).
twin([`function f({ id = ref }: { id?: number }) { return id; }`], 'conversion', 1, [`function f({ id = ref }: { id?: HeapRef<Owner> }) { return id; }`]);
twin([`const [first = ref]: number[] = [];`], 'conversion', 1, [`const [first = ref]: HeapRef<Owner>[] = [];`]);
// A shorthand property into a number field.
twin([`const row: { ref: number } = { ref };`], 'conversion', 1, [`const row: { ref: HeapRef<Owner> } = { ref };`]);
// A class expression's field.
twin([`const C = class { n = 0; };`, `new C().n = ref;`], 'conversion', 2, [`const C = class { n: HeapRef<Owner> | undefined; };`, `new C().n = ref;`]);
// Compound assignment on a number.
twin([`let total = 0;`, `total += ref;`], 'conversion', 2, [`let label = '';`, `label += ref;`]);
// Sorting handles by subtraction converts once, naming both operands; comparing does not.
twin([`refs.sort((a, b) => a - b);`], 'conversion', 1, [`refs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));`]);
// Math takes numbers.
twin([`const top = Math.max(ref, 1);`], 'conversion', 1, [`const top = ref > 1;`]);
// An arrow typed to return number.
twin([`const idOf = (r: HeapRef<Owner>): number => r;`], 'conversion', 1, [`const idOf = (r: HeapRef<Owner>): HeapRef<Owner> => r;`]);
// A static field initialiser typed number (silent before, fixed by types-perf).
twin([`class Registry { static last: number = ref; }`], 'conversion', 1, [`class Registry { static last: HeapRef<Owner> = ref; }`]);
// A private field initialiser typed number.
twin([`class Holder { #id: number = ref; }`], 'conversion', 1, [`class Holder { #id: HeapRef<Owner> = ref; }`]);
// Copying handles into a typed array.
// Object spread of a handle-holding object into a number-typed shape (silent before, fixed by types-perf).
twin(
  [`declare const src: { id: HeapRef<Owner> };`, `const dst: { id: number } = { ...src };`],
  'conversion', 2,
  [`declare const src: { id: HeapRef<Owner> };`, `const dst: { id: HeapRef<Owner> } = { ...src };`],
);
// Copying handles into a typed array (silent before, fixed by types-perf).
twin([`u32s.set(refs, 0);`], 'rawWrite', 1, [`const copy: HeapRef<Owner>[] = refs.slice();`]);
twin([`const table = new Uint32Array([ref]);`], 'conversion', 1, [`const table: HeapRef<Owner>[] = [ref];`]);
// The runtime's views passed to a helper (`v: SpaceViews`): a HeapRef written as a word is hidden, as in any typed array
// (this rule knows raw memory by the element type, so it was reported before too); the twin stores it in its slot.
twin(
  [`import type { SpaceViews } from 'offheap';`, `function put(v: SpaceViews) { v.u32[(p + Node.offsets.owner) >>> 2] = ref; }`],
  'rawWrite', 2,
  [`import type { SpaceViews } from 'offheap';`, `function put(v: SpaceViews) { v.u32[(p + Node.offsets.count) >>> 2] = 1; access(Node).owner.set(p, ref); }`],
);
// A TSX prop typed number, passed through an attribute spread.
const tsx = path.join(fixturesDir, 'view.tsx');
twin(
  [`declare function Row(props: { id: number }): unknown;`, `const row = <Row {...{ id: ref }} />;`],
  'conversion', 2,
  [`declare function Row(props: { id: HeapRef<Owner> }): unknown;`, `const row = <Row {...{ id: ref }} />;`],
  tsx,
);

ruleTester.run('no-hidden-heap-pointers (outsider programs)', rule, { valid, invalid });
