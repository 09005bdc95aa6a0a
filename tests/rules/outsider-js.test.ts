// Outsider round 3 (issue 12): JavaScript files with JSDoc types, linted the way the README's JavaScript section says
// (allowJs + checkJs, the offheap config's `files` widened to .js/.mjs/.cjs). A user who writes JS gets the same
// findings as in TypeScript wherever the types come from JSDoc: `@param {Ptr<EntryT>} p`, `@typedef`, a JSDoc cast,
// `@nowritebarrier` on a function, a `require('offheap')` destructuring in a CommonJS file. Every broken program has
// its correct twin, in each module flavour.
import path from 'node:path';
import { RuleTester, type InvalidTestCase, type ValidTestCase } from '@typescript-eslint/rule-tester';
import noHeapAllocation, { type Options as NhaOptions } from '../../src/rules/no-heap-allocation.js';
import noHeapPointers, { type Options as NhpOptions } from '../../src/rules/no-heap-pointers.js';
import noHiddenHeapPointers, { type Options as NhhpOptions } from '../../src/rules/no-hidden-heap-pointers.js';
import noUnrooted from '../../src/rules/no-unrooted-heap-refs.js';
import nowritebarrier from '../../src/rules/nowritebarrier.js';
import zeroBeforeRoot from '../../src/rules/zero-before-root.js';
import zeroingVariant, { type MessageIds as ZvIds } from '../../src/rules/zeroing-variant.js';
import { fixturesDir } from '../rule-tester.js';

/** The fixture project: allowJs, checkJs, `offheap` mapped to the sources. */
const jsDir = path.join(fixturesDir, 'outsider-js');
const ruleTester = new RuleTester({ languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: jsDir } } });

type Flavour = 'js' | 'mjs' | 'cjs';
const flavours: Flavour[] = ['js', 'mjs', 'cjs'];
const filename = (f: Flavour): string => path.join(jsDir, `file.${f}`);

const names = 'struct, u32, heapRef, FixAlloc, addRoot, memclrNoHeapPointers, memclrHasPointers, typedmemclr, notInHeap, createRuntime';
/** Lines 1-9 of every case: the runtime's names imported (or required), the JSDoc typedefs a JS user writes. */
const head = (f: Flavour): string[] => [
  `// @ts-check`,
  f === 'cjs' ? `const { ${names} } = require('offheap');` : `import { ${names} } from 'offheap';`,
  `/** @template T @typedef {import('offheap').Ptr<T>} Ptr */`,
  `/** @template T @typedef {import('offheap').HeapRef<T>} HeapRef */`,
  `/** @typedef {{ id: number }} Session */`,
  `const Entry = struct('Entry', { key: u32, session: heapRef() });`,
  `/** @typedef {import('offheap').LayoutType<typeof Entry>} EntryT */`,
  `/** @type {import('offheap').Runtime} */ const rt = createRuntime({ maxBytes: 1 << 20 });`,
  `const E = rt.access(Entry);`,
];
const headLines = 9;
const code = (f: Flavour, lines: string[]): string => [...head(f), ...lines, f === 'cjs' ? `module.exports = {};` : `export {};`].join('\n');

/** One rule's twins: `ok` lints clean, `broken` gives `errors` (lines relative to the end of the head). */
function tables<M extends string, O extends readonly unknown[] = []>(cases: {
  ok: string[];
  broken: string[];
  errors: { messageId: M; line: number; column?: number; data?: Record<string, string>; suggestions?: { messageId: M; output: (src: string) => string }[] }[];
  only?: Flavour[];
}[]) {
  const valid: ValidTestCase<O>[] = [];
  const invalid: InvalidTestCase<M, O>[] = [];
  for (const c of cases) {
    for (const f of c.only ?? flavours) {
      valid.push({ name: `${f} twin: ${c.ok.join(' ').slice(0, 120)}`, code: code(f, c.ok), filename: filename(f) });
      const src = code(f, c.broken);
      invalid.push({
        name: `${f} broken: ${c.broken.join(' ').slice(0, 120)}`,
        code: src,
        filename: filename(f),
        errors: c.errors.map((e) => ({
          messageId: e.messageId,
          line: headLines + e.line,
          ...(e.column !== undefined ? { column: e.column } : {}),
          ...(e.data ? { data: e.data } : {}),
          ...(e.suggestions ? { suggestions: e.suggestions.map((s) => ({ messageId: s.messageId, output: s.output(src) })) } : {}),
        })),
      });
    }
  }
  return { valid, invalid };
}

const reset = (clear: string): string[] => [`/** @param {Ptr<EntryT>} p */`, `function reset(p) { ${clear} }`];
const swap = (from: string, to: string) => (src: string) => src.replace(from, to);

// zeroing-variant: a JSDoc-typed Ptr is type-safe memory, as `p: Ptr<EntryT>` is in TypeScript.
const zv = tables<ZvIds>([
  {
    ok: reset(`typedmemclr(Entry, p);`),
    broken: reset(`memclrNoHeapPointers(p, Entry.size);`),
    errors: [
      {
        messageId: 'missedBarrier',
        line: 2,
        suggestions: [
          { messageId: 'useTypedmemclr', output: swap('memclrNoHeapPointers(p, Entry.size)', 'typedmemclr(Entry, p)') },
          { messageId: 'useHasPointers', output: swap('memclrNoHeapPointers(p, Entry.size)', 'memclrHasPointers(p, Entry.size)') },
        ],
      },
    ],
  },
  {
    ok: reset(`rt.typedmemclr(Entry, p);`),
    broken: reset(`rt.memclrNoHeapPointers(p, Entry.size);`),
    errors: [
      {
        messageId: 'missedBarrier',
        line: 2,
        suggestions: [
          { messageId: 'useTypedmemclr', output: swap('rt.memclrNoHeapPointers(p, Entry.size)', 'rt.typedmemclr(Entry, p)') },
          { messageId: 'useHasPointers', output: swap('rt.memclrNoHeapPointers(p, Entry.size)', 'rt.memclrHasPointers(p, Entry.size)') },
        ],
      },
    ],
  },
  // A JSDoc cast launders garbage as `as` does: the barriered clear of a zero: false pool's object. The suggestion
  // drops the cast (ESTree has no node for it, and memclrNoHeapPointers takes MaybeGarbage).
  {
    ok: [`const junk = new FixAlloc(Entry, { runtime: rt, zero: false });`, `function take() { const q = junk.alloc(); rt.memclrNoHeapPointers(q, Entry.size); return q; }`],
    broken: [`const junk = new FixAlloc(Entry, { runtime: rt, zero: false });`, `function take() { const q = junk.alloc(); rt.typedmemclr(Entry, /** @type {Ptr<EntryT>} */ (q)); return q; }`],
    errors: [
      {
        messageId: 'barrierOnGarbage',
        line: 2,
        suggestions: [{ messageId: 'useNoHeapPointers', output: swap('rt.typedmemclr(Entry, /** @type {Ptr<EntryT>} */ (q))', 'rt.memclrNoHeapPointers(q, Entry.size)') }],
      },
    ],
  },
  // A raw view of the space, written in JS.
  {
    ok: [`/** @param {Ptr<EntryT>} p */`, `function wipe(p) { rt.space.u8.fill(0, p + Entry.size, p + 2 * Entry.size); }`],
    broken: [`/** @param {Ptr<EntryT>} p */`, `function wipe(p) { rt.space.u8.fill(0, p, p + Entry.size); }`],
    errors: [{ messageId: 'missedBarrier', line: 2, suggestions: [] }],
  },
]);
ruleTester.run('outsider-js zeroing-variant', zeroingVariant, zv);

// zero-before-root and no-unrooted-heap-refs: the flow reads JS as it reads TS.
const zbr = tables<'notZeroed' | 'nonZeroingPool' | 'useZeroingPool'>([
  {
    ok: [`const pool = new FixAlloc(Entry, { runtime: rt });`, `function take() { const p = pool.alloc(); rt.addRoot(p, Entry); return p; }`],
    broken: [`const pool = new FixAlloc(Entry, { runtime: rt, zero: false });`, `function take() { const p = pool.alloc(); rt.addRoot(p, Entry); return p; }`],
    errors: [
      { messageId: 'nonZeroingPool', line: 1, suggestions: [{ messageId: 'useZeroingPool', output: swap('{ runtime: rt, zero: false }', '{ runtime: rt }') }] },
      { messageId: 'notZeroed', line: 2 },
    ],
  },
]);
ruleTester.run('outsider-js zero-before-root', zeroBeforeRoot, zbr);

const nur = tables<'unrootedStore'>([
  {
    ok: [`const pool = new FixAlloc(Entry, { runtime: rt });`, `/** @param {HeapRef<Session>} h */`, `function put(h) { const p = pool.alloc(); rt.addRoot(p, Entry); E.session.set(p, h); }`],
    broken: [
      `const pool = new FixAlloc(Entry, { runtime: rt });`,
      `/** @param {HeapRef<Session>} h */`,
      `function put(h) { const p = pool.alloc(); E.session.set(p, h); }`,
      `function keep() { const q = pool.alloc(); rt.addRoot(q, Entry); return q; }`,
    ],
    errors: [{ messageId: 'unrootedStore', line: 3 }],
  },
]);
ruleTester.run('outsider-js no-unrooted-heap-refs', noUnrooted, nur);

// nowritebarrier: the directives are JSDoc already; a JS class's methods and arrow fields are callees.
const nwb = tables<'prohibited' | 'prohibitedByCaller', [{ reportUnresolvedCalls: boolean }]>([
  {
    ok: [`/** @nowritebarrier @param {Ptr<EntryT>} p */`, `function sweep(p) { E.key.set(p, 0); }`],
    broken: [`/** @nowritebarrier @param {Ptr<EntryT>} p */`, `function sweep(p) { rt.typedmemclr(Entry, p); }`],
    errors: [{ messageId: 'prohibited', line: 2 }],
  },
  {
    ok: [
      `class Store {`,
      `  /** @param {Ptr<EntryT>} p */`,
      `  clear(p) { E.key.set(p, 0); }`,
      `}`,
      `/** @nowritebarrierrec @param {Store} s @param {Ptr<EntryT>} p */`,
      `function sweep(s, p) { s.clear(p); }`,
    ],
    broken: [
      `class Store {`,
      `  /** @param {Ptr<EntryT>} p */`,
      `  clear(p) { rt.typedmemclr(Entry, p); }`,
      `}`,
      `/** @nowritebarrierrec @param {Store} s @param {Ptr<EntryT>} p */`,
      `function sweep(s, p) { s.clear(p); }`,
    ],
    errors: [{ messageId: 'prohibitedByCaller', line: 3 }],
  },
  // A method assigned in the constructor (`this.put = …`), JS's way to declare a field.
  {
    ok: [
      `class Store {`,
      `  constructor() { this.put = (/** @type {Ptr<EntryT>} */ p) => { E.key.set(p, 0); }; }`,
      `}`,
      `/** @nowritebarrierrec @param {Store} s @param {Ptr<EntryT>} p */`,
      `function sweep(s, p) { s.put(p); }`,
    ],
    broken: [
      `class Store {`,
      `  constructor() { this.put = (/** @type {Ptr<EntryT>} */ p) => { rt.typedmemclr(Entry, p); }; }`,
      `}`,
      `/** @nowritebarrierrec @param {Store} s @param {Ptr<EntryT>} p */`,
      `function sweep(s, p) { s.put(p); }`,
    ],
    errors: [{ messageId: 'prohibitedByCaller', line: 2 }],
  },
]);
ruleTester.run('outsider-js nowritebarrier', nowritebarrier, nwb);

// no-hidden-heap-pointers: a JSDoc-typed HeapRef written into a number slot.
const nhhp = tables<'rawWrite', NhhpOptions>([
  {
    ok: [`/** @param {Ptr<EntryT>} p @param {HeapRef<Session>} h */`, `function put(p, h) { E.session.set(p, h); }`],
    broken: [`/** @param {Ptr<EntryT>} p @param {HeapRef<Session>} h */`, `function put(p, h) { E.key.set(p, h); }`],
    errors: [{ messageId: 'rawWrite', line: 2 }],
  },
]);
ruleTester.run('outsider-js no-hidden-heap-pointers', noHiddenHeapPointers, nhhp);

// A name initialised with a number literal is taken as a number without asking its type, unless JSDoc types it:
// in a JS file `@type` decides the declared type, so `n++` there converts a HeapRef.
const nhhpCounter = tables<'conversion', NhhpOptions>([
  {
    ok: [`let n = 0;`, `n++;`, `n += 2;`],
    broken: [`/** @type {HeapRef<Session>} */ let n = 0;`, `n++;`],
    errors: [{ messageId: 'conversion', line: 2 }],
  },
]);
ruleTester.run('outsider-js no-hidden-heap-pointers, number-literal names', noHiddenHeapPointers, nhhpCounter);

// no-heap-allocation: a JSDoc cast of a literal to a not-in-heap type is a literal on the JS heap.
const chunk = `/** @typedef {import('offheap').NotInHeap<{ n: number }>} Chunk */`;
const nha = tables<'literal' | 'container' | 'typeArgument', NhaOptions>([
  {
    ok: [chunk, `const c = /** @type {{ n: number }} */ ({ n: 1 });`, `void c;`],
    broken: [chunk, `const c = /** @type {Chunk} */ ({ n: 1 });`, `void c;`],
    errors: [{ messageId: 'literal', line: 2 }],
  },
  // Types written in JSDoc are checked as TypeScript annotations are (they were not: ESTree has no nodes for them),
  // reported at their text in the comment, without the Ptr rewrite. Twins: the same JSDoc holding `Ptr<Chunk>`.
  // `const list = []` under a JSDoc type is reported once, at the type (not also as an evolving array).
  {
    ok: [chunk, `/** @type {Ptr<Chunk>[]} */ const list = [];`, `/** @type {Map<string, Ptr<Chunk>>} */ let byName;`, `void list, byName;`],
    broken: [chunk, `/** @type {Chunk[]} */ const list = [];`, `/** @type {Map<string, Chunk>} */ let byName;`, `void list, byName;`],
    errors: [
      { messageId: 'container', line: 2, column: 12, data: { container: 'Chunk[]', type: 'Chunk', ptr: 'Ptr<Chunk>', why: 'Chunk is marked NotInHeap' } },
      { messageId: 'container', line: 3, column: 24, data: { container: 'Map', type: 'Chunk', ptr: 'Ptr<Chunk>', why: 'Chunk is marked NotInHeap' } },
    ],
  },
  // Messages name a record by its @typedef (`EntryT`), as by a TS alias; it was spelled `RecordOf<{ readonly key: … }>`,
  // cut at 60 characters, three times.
  {
    ok: [`/** @type {Map<string, Ptr<EntryT>>} */ let byName;`, `void byName;`],
    broken: [`/** @type {Map<string, EntryT>} */ let byName;`, `void byName;`],
    errors: [{ messageId: 'container', line: 1, data: { container: 'Map', type: 'EntryT', ptr: 'Ptr<EntryT>', why: 'EntryT is marked NotInHeap' } }],
  },
  // Parameters, rest parameters (`...Chunk` is an array of them), JSDoc's `Object.<K, V>` index signature, tuples,
  // and a generic that keeps its argument by value (Promise).
  {
    ok: [
      chunk,
      `/** @param {Ptr<Chunk>[]} xs @param {...Ptr<Chunk>} ys */`,
      `function f(xs, ...ys) { return [xs, ys]; }`,
      `/** @type {Object.<string, Ptr<Chunk>>} */ let index;`,
      `/** @type {[Ptr<Chunk>, number]} */ let pair;`,
      `/** @type {Promise<Ptr<Chunk>>} */ let later;`,
      `void f, index, pair, later;`,
    ],
    broken: [
      chunk,
      `/** @param {Chunk[]} xs @param {...Chunk} ys */`,
      `function f(xs, ...ys) { return [xs, ys]; }`,
      `/** @type {Object.<string, Chunk>} */ let index;`,
      `/** @type {[Chunk, number]} */ let pair;`,
      `/** @type {Promise<Chunk>} */ let later;`,
      `void f, index, pair, later;`,
    ],
    errors: [
      { messageId: 'container', line: 2 },
      { messageId: 'container', line: 2 },
      { messageId: 'container', line: 4 },
      { messageId: 'container', line: 5 },
      { messageId: 'typeArgument', line: 6 },
    ],
  },
  // JSDoc's index signature is named as written (it was named `Object`, which holds nothing), with or without the dot.
  {
    ok: [chunk, `/** @type {Object.<string, Ptr<Chunk>>} */ let index;`, `/** @type {Object<number, Ptr<Chunk>>} */ let byId;`, `void index, byId;`],
    broken: [chunk, `/** @type {Object.<string, Chunk>} */ let index;`, `/** @type {Object<number, Chunk>} */ let byId;`, `void index, byId;`],
    errors: [
      { messageId: 'container', line: 2, data: { container: 'Object.<string, Chunk>', type: 'Chunk', ptr: 'Ptr<Chunk>', why: 'Chunk is marked NotInHeap' } },
      { messageId: 'container', line: 3, data: { container: 'Object<number, Chunk>', type: 'Chunk', ptr: 'Ptr<Chunk>', why: 'Chunk is marked NotInHeap' } },
    ],
  },
  // A JS generic (`@template T`) is judged by its JSDoc, as a TS generic by its declaration: one that keeps `T` only
  // under `Ptr` holds no record (its JSDoc was not read, so every JS generic was taken to keep `T`: a false report);
  // one that returns a `T` keeps it by value.
  {
    ok: [chunk, `/** @template T @param {Ptr<T>} x @returns {Ptr<T>} */`, `function keep(x) { return x; }`, `/** @type {Ptr<Chunk>} */ const c = /** @type {any} */ (0);`, `void keep(c);`],
    broken: [chunk, `/** @template T @param {T} x @returns {T} */`, `function keep(x) { return x; }`, `/** @type {Chunk} */ const c = /** @type {any} */ (0);`, `void keep(c);`],
    errors: [{ messageId: 'typeArgument', line: 5 }],
  },
  // A generic named through an import type (`import('./file.js').Getter<Chunk>`, JS's way to name another module's
  // type) is checked as one named by a typedef (it was not). Twin: the same holding `Ptr<Chunk>`.
  {
    ok: [chunk, `/** @template T @typedef {{ get: () => T }} Getter */`, `/** @type {import('./file.js').Getter<Ptr<Chunk>>} */ export let g;`],
    broken: [chunk, `/** @template T @typedef {{ get: () => T }} Getter */`, `/** @type {import('./file.js').Getter<Chunk>} */ export let g;`],
    errors: [{ messageId: 'typeArgument', line: 3, data: { generic: "import('./file.js').Getter", type: 'Chunk', ptr: 'Ptr<Chunk>', why: 'Chunk is marked NotInHeap' } }],
    only: ['js'],
  },
]);
ruleTester.run('outsider-js no-heap-allocation', noHeapAllocation, nha);

// no-heap-pointers: a @notInHeap class's field initialised with a JS object (decorators are ES syntax, not CommonJS).
const nhp = tables<'heapPointer', NhpOptions>([
  {
    ok: [`@notInHeap`, `class Arena { used = 0; owner = 0; }`, `void Arena;`],
    broken: [`class Owner { name = 'x'; }`, `@notInHeap`, `class Arena { used = 0; owner = new Owner(); }`, `void Arena;`],
    errors: [{ messageId: 'heapPointer', line: 3 }],
    only: ['js', 'mjs'],
  },
  // A not-in-heap @typedef is checked as `type Chunk = NotInHeap<{…}>` is (it was not: ESTree has no nodes for JSDoc),
  // reported at the slot in the comment. Twin: the slot holds a HeapRef.
  {
    ok: [`/** @typedef {import('offheap').NotInHeap<{ n: number, owner: HeapRef<Session> }>} Chunk */`, `export const none = 0;`],
    broken: [`/** @typedef {import('offheap').NotInHeap<{ n: number, owner: Session }>} Chunk */`, `export const none = 0;`],
    errors: [{ messageId: 'heapPointer', line: 1 }],
    only: ['js', 'mjs'],
  },
  // An object type written inline in JSDoc is checked as a TS inline type is (`{…}` in the message). Twin: the slot
  // holds a HeapRef; an ordinary inline type holds what it likes.
  {
    ok: [chunk, `/** @type {{ c: Chunk, s: HeapRef<Session> }} */ export let v;`, `/** @param {{ n: number, s: string }} x */ export function f(x) { return x; }`],
    broken: [chunk, `/** @type {{ c: Chunk, s: string }} */ export let v;`, `/** @param {{ n: number, s: string }} x */ export function f(x) { return x; }`],
    errors: [{ messageId: 'heapPointer', line: 2, data: { path: '{…}.s', held: 'string', why: 'this object type is not-in-heap by containment ({…}.c; Chunk is marked NotInHeap)' } }],
    only: ['js', 'mjs'],
  },
  // An object @typedef with @property tags that holds a not-in-heap value is not-in-heap by containment: its other
  // @property slots hold no heap reference. Twin: the label is a number.
  {
    ok: [
      `/** @typedef {import('offheap').NotInHeap<{ n: number }>} Chunk */`,
      `/**`,
      ` * @typedef {Object} Holder`,
      ` * @property {Chunk} c`,
      ` * @property {number} label`,
      ` */`,
      `export const none = 0;`,
    ],
    broken: [
      `/** @typedef {import('offheap').NotInHeap<{ n: number }>} Chunk */`,
      `/**`,
      ` * @typedef {Object} Holder`,
      ` * @property {Chunk} c`,
      ` * @property {string} label`,
      ` */`,
      `export const none = 0;`,
    ],
    errors: [{ messageId: 'heapPointer', line: 5 }],
    only: ['js', 'mjs'],
  },
  // A not-in-heap type written through an import type in a @type (not a @typedef) is checked as an inline
  // `NotInHeap<{…}>` is (it was not). Twin: the slot holds a HeapRef.
  {
    ok: [`/** @type {import('offheap').NotInHeap<{ n: number, owner: HeapRef<Session> }>} */ export let v;`],
    broken: [`/** @type {import('offheap').NotInHeap<{ n: number, owner: Session }>} */ export let v;`],
    errors: [{ messageId: 'heapPointer', line: 1 }],
    only: ['js', 'mjs'],
  },
]);
ruleTester.run('outsider-js no-heap-pointers', noHeapPointers, nhp);
