// nowritebarrier and its call graph, tried on spellings nobody on the team wrote for it (issue 12, item 4's call-graph
// class, as an outsider writes code): each case has its twin, the same code with or without the barrier (or with the
// callee the graph cannot see). A silent miss would be the worst answer: an unresolved call under
// `reportUnresolvedCalls` must say so.
import type { InvalidTestCase, ValidTestCase } from '@typescript-eslint/rule-tester';
import rule from '../../src/rules/nowritebarrier.js';
import { createRuleTester } from '../rule-tester.js';

const ruleTester = createRuleTester();

type Options = [{ reportUnresolvedCalls: boolean }];
type MessageId = 'prohibited' | 'prohibitedByCaller' | 'unresolvedCall' | 'misplacedDirective';

/** Lines 1-5 of every case: the runtime, a record with a HeapRef slot `f` and a scalar `n`. */
const head = [
  `import { access, heapRef, storeHeapRef, storeHeapRefNoWB, struct, u32, type HeapRef, type LayoutType, type Ptr, type Runtime } from 'offheap';`,
  `const T = struct('T', { f: heapRef<object>(), n: u32 }); type T = LayoutType<typeof T>;`,
  `const X = access(T);`,
  `declare const x: Ptr<T>, y: HeapRef<object>, rt: Runtime, maybeRt: Runtime | undefined, xs: Ptr<T>[], c: boolean;`,
  `declare function work(): void;`,
];
const code = (...lines: string[]): string => [...head, ...lines].join('\n');
const L = (n: number): number => head.length + n;
const unresolved: Options = [{ reportUnresolvedCalls: true }];

const valid: ValidTestCase<Options>[] = [];
const invalid: InvalidTestCase<MessageId, Options>[] = [];

/** `ok` lints clean; `broken` is reported once with `messageId` at its relative `line`. */
function twin(ok: string[], broken: string[], line: number, messageId: MessageId = 'prohibitedByCaller', options?: Options): void {
  valid.push({ code: code(...ok), ...(options ? { options } : {}) });
  invalid.push({ code: code(...broken), errors: [{ messageId, line: L(line) }], ...(options ? { options } : {}) });
}

// The barrier as a statement of a callee, and the same callee without it.
const put = (barrier: boolean): string => `function put(p: Ptr<T>): number { ${barrier ? 'X.f.set(p, y);' : 'X.n.set(p, 1);'} return 1; }`;
const rec = `/** @nowritebarrierrec */`;

// Callbacks handed to Array.prototype methods (library code): the function passed is an edge.
twin([put(false), rec, `function sweep() { xs.forEach(put); }`], [put(true), rec, `function sweep() { xs.forEach(put); }`], 1);
twin([rec, `function sweep() { xs.forEach((p) => X.n.set(p, 1)); }`], [rec, `function sweep() { xs.forEach((p) => X.f.set(p, y)); }`], 2);
twin([put(false), rec, `function sweep() { return Array.from(xs, put); }`], [put(true), rec, `function sweep() { return Array.from(xs, put); }`], 1);
twin([put(false), rec, `function sweep() { void Promise.resolve(x).then(put); }`], [put(true), rec, `function sweep() { void Promise.resolve(x).then(put); }`], 1);
// A method passed with its `this`, or bound.
twin(
  [`class S { put(p: Ptr<T>) { X.n.set(p, 1); }`, rec, `sweep() { xs.forEach(this.put, this); } }`],
  [`class S { put(p: Ptr<T>) { X.f.set(p, y); }`, rec, `sweep() { xs.forEach(this.put, this); } }`],
  1,
);
twin(
  [`class S { put(p: Ptr<T>) { X.n.set(p, 1); return 1; }`, rec, `sweep() { return xs.map(this.put.bind(this)); } }`],
  [`class S { put(p: Ptr<T>) { X.f.set(p, y); return 1; }`, rec, `sweep() { return xs.map(this.put.bind(this)); } }`],
  1,
);
// A handler table: `{ put }` and `{ put: put }` name the function (both were silently clean).
twin([put(false), `const handlers = { put };`, rec, `function sweep() { xs.forEach(handlers.put); }`], [put(true), `const handlers = { put };`, rec, `function sweep() { xs.forEach(handlers.put); }`], 1);
twin([put(false), `const handlers = { run: put };`, rec, `function sweep() { xs.forEach(handlers.run); }`], [put(true), `const handlers = { run: put };`, rec, `function sweep() { xs.forEach(handlers.run); }`], 1);
// A callback the graph cannot name (a parameter) handed to library code: "cannot prove" under the option (was silently
// clean); the same sweep over a function it can name is clean.
twin(
  [put(false), rec, `function sweep(cb: (p: Ptr<T>) => number) { void cb; xs.forEach(put); }`],
  [put(false), rec, `function sweep(cb: (p: Ptr<T>) => number) { xs.forEach(cb); }`],
  3,
  'unresolvedCall',
  unresolved,
);
// A function-typed field handed to library code, and a `let` (it may be reassigned).
twin(
  [put(false), `class S { cb: (p: Ptr<T>) => number = put;`, rec, `sweep() { xs.forEach(put); } }`],
  [put(false), `class S { cb!: (p: Ptr<T>) => number;`, rec, `sweep() { xs.forEach(this.cb); } }`],
  4,
  'unresolvedCall',
  unresolved,
);
twin(
  [put(false), rec, `function sweep() { const cb = put; xs.forEach(cb); }`],
  [put(false), rec, `function sweep() { let cb = put; if (c) cb = (p) => 2; xs.forEach(cb); }`],
  3,
  'unresolvedCall',
  unresolved,
);
// Passing a parameter to a callee with a body is not reported at the call: the callee's own `f()` is.
twin(
  [`function run(f: () => void) { X.n.set(x, 1); return f; }`, rec, `function sweep(cb: () => void) { run(cb); }`],
  [`function run(f: () => void) { f(); }`, rec, `function sweep(cb: () => void) { run(cb); }`],
  1,
  'unresolvedCall',
  unresolved,
);
// Spellings of the runtime's barrier itself in a @nowritebarrier function.
const nowb = `/** @nowritebarrier */`;
twin([nowb, `function g() { maybeRt?.storeHeapRefNoWB(x, y); }`], [nowb, `function g() { maybeRt?.storeHeapRef(x, y); }`], 2, 'prohibited');
twin([nowb, `function g() { rt.storeHeapRefNoWB?.(x, y); }`], [nowb, `function g() { rt.storeHeapRef?.(x, y); }`], 2, 'prohibited');
twin([nowb, `function g() { rt.storeHeapRefNoWB.call(rt, x, y); }`], [nowb, `function g() { rt.storeHeapRef.call(rt, x, y); }`], 2, 'prohibited');
twin([nowb, `function g() { const { storeHeapRefNoWB: st } = rt; st(x, y); }`], [nowb, `function g() { const { storeHeapRef: st } = rt; st(x, y); }`], 2, 'prohibited');
twin([nowb, `function g() { Reflect.apply(storeHeapRefNoWB, undefined, [x, y]); }`], [nowb, `function g() { Reflect.apply(storeHeapRef, undefined, [x, y]); }`], 2, 'prohibited');
// Getters, setters (a compound assignment runs both), super, static, overloads, generics.
twin(
  [`class B { get v() { X.f.set(x, y); return 1; } n = 1; }`, rec, `function g(b: B) { return b.n; }`],
  [`class B { get v() { X.f.set(x, y); return 1; } n = 1; }`, rec, `function g(b: B) { return b.v; }`],
  1,
);
twin(
  [`class B { set v(n: number) { X.n.set(x, n); } get v() { return 1; } }`, rec, `function g(b: B) { b.v += 1; }`],
  [`class B { set v(n: number) { X.f.set(x, y); } get v() { return 1; } }`, rec, `function g(b: B) { b.v += 1; }`],
  1,
);
twin(
  [`class A { put() { X.n.set(x, 1); } }`, `class B extends A {`, rec, `put() { super.put(); } }`],
  [`class A { put() { X.f.set(x, y); } }`, `class B extends A {`, rec, `put() { super.put(); } }`],
  1,
);
twin([`class A { static put() { X.n.set(x, 1); } }`, rec, `function g() { A.put(); }`], [`class A { static put() { X.f.set(x, y); } }`, rec, `function g() { A.put(); }`], 1);
twin(
  [`function put(p: Ptr<T>): void; function put(p: Ptr<T>, n: number): void; function put(p: Ptr<T>, n?: number) { X.n.set(p, n ?? 0); }`, rec, `function g() { put(x); }`],
  [`function put(p: Ptr<T>): void; function put(p: Ptr<T>, n: number): void; function put(p: Ptr<T>, n?: number) { X.f.set(p, y); }`, rec, `function g() { put(x); }`],
  1,
);
twin(
  [`function put<P extends Ptr<T>>(p: P) { X.n.set(p, 1); }`, rec, `function g() { put(x); }`],
  [`function put<P extends Ptr<T>>(p: P) { X.f.set(p, y); }`, rec, `function g() { put(x); }`],
  1,
);
// async/await, generators delegating with yield*, tagged templates, a call inside a template literal's ternary.
twin([`async function put() { await 0; X.n.set(x, 1); }`, rec, `async function g() { await put(); }`], [`async function put() { await 0; X.f.set(x, y); }`, rec, `async function g() { await put(); }`], 1);
twin([`function* put() { X.n.set(x, 1); yield 1; }`, rec, `function* g() { yield* put(); }`], [`function* put() { X.f.set(x, y); yield 1; }`, rec, `function* g() { yield* put(); }`], 1);
twin(
  [`function tag(s: TemplateStringsArray) { X.n.set(x, 1); return s[0]; }`, rec, 'function g() { return tag`a`; }'],
  [`function tag(s: TemplateStringsArray) { X.f.set(x, y); return s[0]; }`, rec, 'function g() { return tag`a`; }'],
  1,
);
twin([put(false), rec, 'function g() { return `${c ? put(x) : 0}`; }'], [put(true), rec, 'function g() { return `${c ? put(x) : 0}`; }'], 1);
// An object literal checked with `satisfies` implements the interface called; a class field arrow; optional chaining.
twin(
  [`interface Sink { put(p: Ptr<T>): void }`, `const sink = { put(p: Ptr<T>) { X.n.set(p, 1); } } satisfies Sink;`, rec, `function g(s: Sink) { s.put(x); }`],
  [`interface Sink { put(p: Ptr<T>): void }`, `const sink = { put(p: Ptr<T>) { X.f.set(p, y); } } satisfies Sink;`, rec, `function g(s: Sink) { s.put(x); }`],
  2,
);
twin([`class S { put = (p: Ptr<T>) => X.n.set(p, 1);`, rec, `run() { this.put(x); } }`], [`class S { put = (p: Ptr<T>) => X.f.set(p, y);`, rec, `run() { this.put(x); } }`], 1);
twin([`class S { put(p: Ptr<T>) { X.n.set(p, 1); } }`, rec, `function g(s?: S) { s?.put(x); }`], [`class S { put(p: Ptr<T>) { X.f.set(p, y); } }`, rec, `function g(s?: S) { s?.put(x); }`], 1);
// A constructor's parameter property and body run at `new`.
twin([`class S { constructor(public p: Ptr<T>) { X.n.set(p, 1); } }`, rec, `function g() { return new S(x); }`], [`class S { constructor(public p: Ptr<T>) { X.f.set(p, y); } }`, rec, `function g() { return new S(x); }`], 1);
// `(o as any)[k](…)` is unresolved under the option; a typed table of named functions is followed.
twin(
  [put(false), `const table: Record<string, typeof put> = { put };`, rec, `function g(k: string) { return table[k](x); }`],
  [put(false), rec, `function g(k: string) { return (globalThis as any)[k](x); }`],
  3,
  'unresolvedCall',
  unresolved,
);

// Outsider round 3: a directive written on the same line as the code before it (`class B { /** … */ run() {} }`, or
// after another member) is not attached by TypeScript, so it is not read: the message said the tag was on no function;
// it now says why and what to do. The twin on its own line is read (and reports the barrier it forbids).
const sharedLine = (fn: string) =>
  `misplaced directive @nowritebarrier: TypeScript attaches a JSDoc only where no code comes before it on its line, so ${fn} does not carry it: put the comment on its own line above`;
invalid.push(
  {
    code: code(`class B { /** @nowritebarrier */ run(p: Ptr<T>) { X.f.set(p, y); } }`),
    errors: [{ messageId: 'misplacedDirective', line: L(1), data: { tag: 'nowritebarrier', fix: sharedLine('B.run').replace('misplaced directive @nowritebarrier: ', '') } }],
  },
  {
    code: code(`class B { n = 1; /** @nowritebarrier */ put = (p: Ptr<T>) => { X.f.set(p, y); }; }`),
    errors: [{ messageId: 'misplacedDirective', line: L(1), data: { tag: 'nowritebarrier', fix: sharedLine('B.put').replace('misplaced directive @nowritebarrier: ', '') } }],
  },
  { code: code(`class B {`, `  /** @nowritebarrier */ run(p: Ptr<T>) { X.f.set(p, y); }`, `}`), errors: [{ messageId: 'prohibited', line: L(2) }] },
  // A tag on no function keeps its old wording.
  { code: code(`const k = 1; /** @nowritebarrier */ const n = k + 1; void n;`), errors: [{ messageId: 'misplacedDirective', line: L(1), data: { tag: 'nowritebarrier', fix: 'it applies only to a function, method, accessor, constructor, or a function expression given a name' } }] },
);

ruleTester.run('nowritebarrier (outsider spellings)', rule, { valid, invalid });
