import { readFileSync } from 'node:fs';
import path from 'node:path';
import rule from '../../src/rules/nowritebarrier.js';
import { createRuleTester, fixturesDir } from '../rule-tester.js';

const ruleTester = createRuleTester();

/**
 * A generated 2,000-function call graph: f0 is the root, fi calls its
 * children f(2i+1), f(2i+2) and its parent (cycles), and the last function
 * has the barrier, eleven calls deep.
 */
function generatedGraph(n: number): string {
  const lines = [`import { storeHeapRef, type HeapRef } from 'offheap';`, `declare const y: HeapRef<object>;`, `/** @nowritebarrierrec */`];
  for (let i = 0; i < n; i++) {
    const calls = [2 * i + 1, 2 * i + 2, Math.floor((i - 1) / 2)].filter((j) => j >= 0 && j < n && j !== i);
    lines.push(`function f${i}(): void { ${calls.map((j) => `f${j}();`).join(' ')}${i === n - 1 ? ' storeHeapRef(0, y);' : ''} }`);
  }
  return lines.join('\n');
}

/** `f{n-1}`'s chain back to f0 through its tree ancestors. */
function generatedChain(n: number): string {
  const path = [n - 1];
  while (path.at(-1)! > 0) path.push(Math.floor((path.at(-1)! - 1) / 2));
  return [`f${n - 1}`, ...path.slice(0, -1).map((i, k) => `f${i}: called by f${path[k + 1]}`)].join('\n\t');
}

/** The data of a `prohibitedByCaller` report: the chain, the barrier reached, and the function holding it. */
const byCaller = (chain: string, barrier = 'storeHeapRef'): Record<string, string> => ({ chain, barrier, fn: chain.split('\n')[0] });

const onlyFunctions = 'it applies only to a function, method, accessor, constructor, or a function expression given a name';

const fixture = (name: string): string => readFileSync(path.join(fixturesDir, name), 'utf8');

/** The ❌ / ✅ examples of docs/rules/nowritebarrier.md, in order. */
const docExamples = [...readFileSync(path.join(import.meta.dirname, '../../docs/rules/nowritebarrier.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map(
  (m) => m[1],
);

/**
 * Go's test/nowritebarrier.go declares `x.f = y` stores; here the real
 * runtime's barriered HeapRef store does it: `X.f.set(x, y)` (a layout
 * accessor) or `storeHeapRef`. A body's first line (after its leading newline) is line 8.
 */
const runtime = (body: string): string => `
import { access, heapRef, memclrHasPointers, memclrNoHeapPointers, storeHeapRef, storeHeapRefNoWB, struct, typedmemclr, u32 } from 'offheap';
import type { HeapRef, LayoutType, Ptr, Runtime } from 'offheap';
const T = struct('T', { f: heapRef<object>(), n: u32 });
const X = access(T);
declare const x: Ptr<LayoutType<typeof T>>, y: HeapRef<object>, rt: Runtime;
${body}`;

ruleTester.run('nowritebarrier', rule, {
  valid: [
    docExamples[1],
    // Go a2: a plain callee of a @nowritebarrier function is not checked.
    runtime(`
function a2() { X.f.set(x, y); }
/** @nowritebarrier */
function a1() { a2(); }
`),
    // Go c1…c4: the flood stops at c2 (@yeswritebarrierrec), so c3's barrier is never reached.
    runtime(`
/** @nowritebarrierrec */
function c1() { c2(); }
/** @yeswritebarrierrec */
function c2() { c3(); }
function c3() { X.f.set(x, y); c4(); }
/** @nowritebarrierrec */
function c4() { c2(); }
`),
    // The runtime's unbarriered operations: HeapRef reads, scalar fields, the NoWB store, zero-initialization.
    {
      code: runtime(`
/** @nowritebarrierrec */
function quiet(p: Ptr<LayoutType<typeof T>>): HeapRef<object> {
  X.n.set(p, X.n.get(p) + 1);
  storeHeapRefNoWB(p, y);
  rt.storeHeapRefNoWB(p, y);
  memclrNoHeapPointers(p, T.size);
  return X.f.get(p);
}
`),
      options: [{ reportUnresolvedCalls: true }],
    },
    // Stores of numbers, Ptrs and locals, untagged runtime calls and getter reads are not barriers.
    `
import type { Ptr } from 'offheap';
import { Slot, plain } from './nowb-runtime.js';
interface Node { next: Ptr<Node>; n: number }
/** @nowritebarrierrec */
function stores(slot: Slot, node: Node, p: Ptr<Node>): number {
  let local = slot;
  local = new Slot();
  node.next = p;
  node.n = 4;
  slot.n = 5;
  slot.n += 1;
  plain();
  return local.ref + slot.ref;
}
`,
    // Unannotated code is never reported, barriers or not.
    `
import { wb } from './nowb-runtime.js';
function free() { wb(); }
free();
`,
    // Recursion and mutual recursion without barriers terminate and are clean.
    `
import { plain } from './nowb-runtime.js';
/** @nowritebarrierrec */
function r(n: number): void { if (n > 0) r(n - 1); m1(n); }
function m1(n: number): void { if (n > 0) m2(n - 1); }
function m2(n: number): void { plain(); m1(n); }
`,
    // Library calls are leaves; unresolved calls are quiet by default.
    `
import { plain } from './nowb-runtime.js';
/** @nowritebarrierrec */
function lib(xs: number[], cb: () => void, anything: any): number {
  xs.push(Math.max(1, 2));
  cb();
  anything.go();
  plain();
  return xs.length;
}
`,
    // Interface dispatch: no implementation has a barrier.
    `
import { plain } from './nowb-runtime.js';
interface Shape { area(): number }
class Square implements Shape { area(): number { plain(); return 1; } }
/** @nowritebarrierrec */
function total(s: Shape): number { return s.area(); }
void Square;
`,
    // A @yeswritebarrierrec function is not entered even when reached through a closure argument.
    `
import { wb } from './nowb-runtime.js';
function systemstack(fn: () => void): void { fn(); }
/** @yeswritebarrierrec */
function reacquire(): void { wb(); }
/** @nowritebarrierrec */
function e0(): void { systemstack(reacquire); }
`,
    // Under the option, library calls and resolved calls are still not "unresolved".
    {
      code: `
import { plain } from './nowb-runtime.js';
const named = (): void => plain();
/** @nowritebarrierrec */
function resolved(xs: number[]): void { xs.push(1); named(); plain(); }
`,
      options: [{ reportUnresolvedCalls: true }],
    },
    // A file that reaches no offheap runtime file is not analysed at all.
    `
/** @nowritebarrier */
function alone(): void { alone2(); }
function alone2(): void {}
`,
    // The callee file of a cross-file root, linted itself: its clean function is not reported.
    {
      code: `
export function libClean(): number { return 1; }
export function libBarrier(): void {}
export class LibWidget {}
`,
      filename: 'nowb-lib.ts',
    },
    // Twin of the union case: a receiver of one class type reaches only that class's method.
    `
import { wb } from './nowb-runtime.js';
class A { m(): void {} }
class B { m(): void { wb(); } }
/** @nowritebarrierrec */
function viaA(x: A): void { x.m(); }
void B;
`,
    // Twins of call/apply/bind: a method of a user type named `call` is that method; a clean function's call is clean.
    `
import { wb } from './nowb-runtime.js';
class Phone { call(_n: number): void {} }
function clean(): void {}
/** @nowritebarrierrec */
function dial(p: Phone): void { p.call(1); clean.call(undefined); clean.bind(undefined); }
void wb;
`,
    // Twin of the structural case: a class whose method has another type does not implement the interface.
    `
import { wb } from './nowb-runtime.js';
interface Shape { area(): number }
class Label { area(): string { wb(); return ''; } }
/** @nowritebarrierrec */
function total(s: Shape): number { return s.area(); }
void Label;
`,
    // Ambient and computed-any calls are quiet without the option.
    `
import { plain } from './nowb-runtime.js';
declare function external(): void;
/** @nowritebarrierrec */
function callsOut(x: object, k: string): void { external(); (x as any)[k](); plain(); }
`,
    // Not directives: prose about write barriers, a //go: mention inside a sentence, a backticked tag, the runtime's
    // own @writebarrier, directive text in strings and templates, and correctly placed tags.
    `
import { wb } from './nowb-runtime.js';
// This function runs no write barrier: the store below is to a Ptr.
// Go marks such functions //go:nowritebarrier; here the JSDoc tag does.
/*
 * No write-barrier here either.
 */
/**
 * Runs while the heap is consistent; see \`@nowritebarrierrec\` for the other case.
 * Unlike the @writebarrier APIs, this one stores nothing.
 * @nowritebarrier
 */
function quiet(): string {
  const note = '// @nowritebarrier and @noWriteBarrier in a string';
  return \`/** @nowritebarier */ \${note} //go:nowritebarrier\`;
}
/** @yeswritebarrierrec */
function loud(): void { wb(); }
class K {
  /** @nowritebarrier */
  m(): void {}
}
void quiet; void loud; void K;
`,
  ],
  invalid: [
    {
      code: docExamples[0],
      errors: [
        { messageId: 'prohibited', line: 8 },
        {
          messageId: 'prohibitedByCaller',
          line: 17,
          data: byCaller('reset\n\treset: called by sweepOne.func1\n\tsweepOne.func1: called by sweepOne', 'HeapRefAccessor.set'),
        },
      ],
    },
    // Go a1: a direct barrier in a @nowritebarrier function; its callee a2 is not checked.
    {
      code: runtime(`
/** @nowritebarrier */
function a1() { X.f.set(x, y); a2(); }
function a2() { X.f.set(x, y); }
`),
      errors: [{ messageId: 'prohibited', line: 9, column: 17 }],
    },
    // Go b1/b2: the callee of a @nowritebarrierrec function has a barrier.
    {
      code: runtime(`
/** @nowritebarrierrec */
function b1() { b2(); }
function b2() { X.f.set(x, y); }
`),
      errors: [{ messageId: 'prohibitedByCaller', line: 10, data: byCaller('b2\n\tb2: called by b1', 'HeapRefAccessor.set') }],
    },
    // Go d1…d4: d3 is reachable from d1 without passing the @yeswritebarrierrec d4.
    {
      code: runtime(`
/** @nowritebarrierrec */
function d1() { d2(); }
function d2() { d3(); }
function d3() { X.f.set(x, y); d4(); }
/** @yeswritebarrierrec */
function d4() { d2(); }
`),
      errors: [
        { messageId: 'prohibitedByCaller', line: 11, data: byCaller('d3\n\td3: called by d2\n\td2: called by d1', 'HeapRefAccessor.set') },
      ],
    },
    // Go e1: systemstack with a named function and with a closure; both are followed, each reported once.
    {
      code: runtime(`
function systemstack(fn: () => void): void { fn(); }
/** @nowritebarrierrec */
function e1() {
  systemstack(e2);
  systemstack(() => {
    X.f.set(x, y);
  });
}
function e2() { X.f.set(x, y); }
`),
      errors: [
        { messageId: 'prohibitedByCaller', line: 13, data: byCaller('e1.func1\n\te1.func1: called by e1', 'HeapRefAccessor.set') },
        { messageId: 'prohibitedByCaller', line: 16, data: byCaller('e2\n\te2: called by e1', 'HeapRefAccessor.set') },
      ],
    },
    // Every barriered runtime API: module functions, Runtime methods, and the HeapRef accessor.
    {
      code: runtime(`
/** @nowritebarrier */
function clears(p: Ptr<LayoutType<typeof T>>): void {
  typedmemclr(T, p);
  memclrHasPointers(p, T.size);
  storeHeapRef(p, y);
  rt.typedmemclr(T, p);
  rt.memclrHasPointers(p, T.size);
  rt.storeHeapRef(p, y);
  X.f.set(p, y);
}
`),
      errors: [10, 11, 12, 13, 14, 15, 16].map((line) => ({ messageId: 'prohibited' as const, line })),
    },
    // The runtime is a black box: a barrier through a runtime-taking helper is found in the user's helper.
    {
      code: runtime(`
const clear = (r: Runtime, p: Ptr<LayoutType<typeof T>>): void => r.typedmemclr(T, p);
/** @nowritebarrierrec */
function reset(): void { clear(rt, x); }
`),
      errors: [{ messageId: 'prohibitedByCaller', line: 8, data: byCaller('clear\n\tclear: called by reset', 'typedmemclr') }],
    },
    // @nowritebarrier: every barrier of the body, closures defined inside included.
    {
      code: `
import { wb, wbArrow } from './nowb-runtime.js';
/** @nowritebarrier */
function many(): () => void {
  wb();
  wbArrow();
  return () => wb();
}
`,
      errors: [
        { messageId: 'prohibited', line: 5 },
        { messageId: 'prohibited', line: 6 },
        { messageId: 'prohibited', line: 7 },
      ],
    },
    // A @nowritebarrierrec root's own barrier gets the plain message (rec implies nowritebarrier).
    {
      code: `
import { wb } from './nowb-runtime.js';
/** @nowritebarrierrec */
function root(): void { wb(); helper(); }
function helper(): void { wb(); }
`,
      errors: [{ messageId: 'prohibited', line: 4 }],
    },
    // A closure a @nowritebarrierrec root only stores is its own code (reported plainly); the flood still
    // continues into its callees, and a @nowritebarrier callee reached by the flood keeps the chain on its first
    // barrier and the plain message on the rest.
    {
      code: `
import { wb } from './nowb-runtime.js';
/** @nowritebarrierrec */
function root(o: { cb?: () => void }): void {
  o.cb = () => wb();
  Util.helper();
}
class Util {
  /** @nowritebarrier */
  static helper(): void { wb(); wb(); }
}
`,
      errors: [
        { messageId: 'prohibited', line: 5 },
        { messageId: 'prohibitedByCaller', line: 10, column: 27, data: byCaller('Util.helper\n\tUtil.helper: called by root') },
        { messageId: 'prohibited', line: 10, column: 33 },
      ],
    },
    // Tagged setter (also by compound and destructuring assignment), tagged constructor, tagged overload set,
    // and a barrier passed as a function value.
    {
      code: `
import { BarrierBox, Slot, wb, wbOverload } from './nowb-runtime.js';
/** @nowritebarrier */
function tagged(slot: Slot, xs: number[]): void {
  slot.ref = 1;
  new BarrierBox(2);
  wbOverload('x');
  xs.forEach(wb);
  slot.ref += 1;
  [slot.ref] = xs;
}
`,
      errors: [5, 6, 7, 8, 9, 10].map((line) => ({ messageId: 'prohibited' as const, line })),
    },
    // Directives on methods, accessors, constructors, class fields, object properties and named arrows.
    {
      code: `
import { wb } from './nowb-runtime.js';
class K {
  /** @nowritebarrier */
  constructor() { wb(); }
  /** @nowritebarrier */
  method(): void { wb(); }
  /** @nowritebarrier */
  get g(): number { wb(); return 1; }
  /** @nowritebarrier */
  set s(_v: number) { wb(); }
  /** @nowritebarrier */
  field = (): void => { wb(); };
}
const o = {
  /** @nowritebarrier */
  prop: function (): void { wb(); },
};
/** @nowritebarrier */
const arrow = (): void => { wb(); };
void K; void o; void arrow;
`,
      errors: [5, 7, 9, 11, 13, 17, 20].map((line) => ({ messageId: 'prohibited' as const, line })),
    },
    // Setters and getters written by the user are callees.
    {
      code: `
import { wb } from './nowb-runtime.js';
class Cell {
  set value(_v: number) { wb(); }
  get value(): number { return 0; }
  get barriered(): number { wb(); return 1; }
}
/** @nowritebarrierrec */
function writeCell(c: Cell): void { c.value = 1; }
/** @nowritebarrierrec */
function readCell(c: Cell): number { return c.barriered; }
`,
      errors: [
        { messageId: 'prohibitedByCaller', line: 4, data: byCaller('set Cell.value\n\tset Cell.value: called by writeCell') },
        { messageId: 'prohibitedByCaller', line: 6, data: byCaller('get Cell.barriered\n\tget Cell.barriered: called by readCell') },
      ],
    },
    // Constructors: explicit, field initializers of an implicit one, and the base constructor through super.
    {
      code: `
import { wb } from './nowb-runtime.js';
class Base {
  constructor() { wb(); }
}
class Derived extends Base {}
class Fields {
  x = wb();
}
/** @nowritebarrierrec */
function make(): void { new Derived(); }
/** @nowritebarrierrec */
function makeFields(): void { new Fields(); }
`,
      errors: [
        { messageId: 'prohibitedByCaller', line: 4, data: byCaller('new Base\n\tnew Base: called by new Derived\n\tnew Derived: called by make') },
        { messageId: 'prohibitedByCaller', line: 8, data: byCaller('new Fields\n\tnew Fields: called by makeFields') },
      ],
    },
    // Interface dispatch: every implementation in the program is a callee.
    {
      code: `
import { wb } from './nowb-runtime.js';
interface Shape { area(): number }
class Square implements Shape { area(): number { wb(); return 1; } }
class Circle implements Shape { area(): number { return 3; } }
/** @nowritebarrierrec */
function total(s: Shape): number { return s.area(); }
void Square; void Circle;
`,
      errors: [{ messageId: 'prohibitedByCaller', line: 4, data: byCaller('Square.area\n\tSquare.area: called by total') }],
    },
    // Abstract methods, overrides of concrete methods, and interfaces extending interfaces.
    {
      code: `
import { wb } from './nowb-runtime.js';
abstract class Task { abstract run(): void; step(): void {} }
class Sweep extends Task {
  run(): void { wb(); }
  override step(): void { wb(); }
}
interface Named { name(): string }
interface Labeled extends Named { label(): string }
class Tag implements Labeled {
  name(): string { wb(); return ''; }
  label(): string { return ''; }
}
/** @nowritebarrierrec */
function runAll(t: Task): void { t.run(); }
/** @nowritebarrierrec */
function stepAll(t: Task): void { t.step(); }
/** @nowritebarrierrec */
function nameOf(n: Named): string { return n.name(); }
void Sweep; void Tag;
`,
      errors: [
        { messageId: 'prohibitedByCaller', line: 5, data: byCaller('Sweep.run\n\tSweep.run: called by runAll') },
        { messageId: 'prohibitedByCaller', line: 6, data: byCaller('Sweep.step\n\tSweep.step: called by stepAll') },
        { messageId: 'prohibitedByCaller', line: 11, data: byCaller('Tag.name\n\tTag.name: called by nameOf') },
      ],
    },
    // Recursion and mutual recursion: the barrier function is reported once, on the shortest path.
    {
      code: `
import { wb } from './nowb-runtime.js';
/** @nowritebarrierrec */
function rec(n: number): void { if (n > 0) rec(n - 1); m1(n); }
function m1(n: number): void { if (n > 0) m2(n - 1); }
function m2(n: number): void { m1(n); m3(); }
function m3(): void { wb(); m1(0); }
`,
      errors: [
        { messageId: 'prohibitedByCaller', line: 7, data: byCaller('m3\n\tm3: called by m2\n\tm2: called by m1\n\tm1: called by rec') },
      ],
    },
    // The flood does not continue past a reported function (Go), and two roots report a function once.
    {
      code: `
import { wb } from './nowb-runtime.js';
/** @nowritebarrierrec */
function r1(): void { f(); }
/** @nowritebarrierrec */
function r2(): void { f(); }
function f(): void { wb(); g(); }
function g(): void { wb(); }
`,
      errors: [{ messageId: 'prohibitedByCaller', line: 7, data: byCaller('f\n\tf: called by r1') }],
    },
    // Overloaded user functions, const arrows, and named function values are resolved to their bodies.
    {
      code: `
import { wb } from './nowb-runtime.js';
function over(x: number): void;
function over(x: string): void;
function over(_x: number | string): void { wb(); }
const arrow = (): void => { wb(); };
function apply(fn: () => void): void { fn(); }
/** @nowritebarrierrec */
function r1(): void { over(1); }
/** @nowritebarrierrec */
function r2(): void { arrow(); }
/** @nowritebarrierrec */
function r3(): void { apply(function named() { wb(); }); }
`,
      errors: [
        { messageId: 'prohibitedByCaller', line: 5, data: byCaller('over\n\tover: called by r1') },
        { messageId: 'prohibitedByCaller', line: 6, data: byCaller('arrow\n\tarrow: called by r2') },
        { messageId: 'prohibitedByCaller', line: 13, data: byCaller('named\n\tnamed: called by r3') },
      ],
    },
    // Re-exports across files: a barrier re-exported under another name is still recognised.
    {
      code: `
import { reexportedWb } from './nowb-reexport.js';
/** @nowritebarrier */
function viaReexport(): void { reexportedWb(); }
`,
      errors: [{ messageId: 'prohibited', line: 4 }],
    },
    // Re-exports across files: the callee's file reports the chain back to roots in nowb-callers.ts.
    {
      code: fixture('nowb-lib.ts'),
      filename: 'nowb-lib.ts',
      errors: [
        {
          messageId: 'prohibitedByCaller',
          line: 6,
          data: byCaller('libBarrier\n\tlibBarrier: called by viaRenamedReexport'),
        },
        { messageId: 'prohibitedByCaller', line: 15, data: byCaller('new LibWidget\n\tnew LibWidget: called by viaNamespace') },
      ],
    },
    // The generated 2,000-function graph: one report, on the shortest chain.
    {
      code: generatedGraph(2000),
      errors: [{ messageId: 'prohibitedByCaller', line: 2003, data: byCaller(generatedChain(2000)) }],
    },
    // Object literals typed by an interface or a type alias implement it.
    {
      code: runtime(`
interface Hook { fire(): void }
type Sink = { drain: () => void };
function register(_h: Hook): void {}
register({ fire() { X.f.set(x, y); } });
const sink: Sink = { drain: () => { storeHeapRef(x, y); } };
/** @nowritebarrierrec */
function fireAll(h: Hook, s: Sink): void { h.fire(); s.drain(); }
void sink;
`),
      errors: [
        { messageId: 'prohibitedByCaller', line: 11, data: byCaller('fire\n\tfire: called by fireAll', 'HeapRefAccessor.set') },
        { messageId: 'prohibitedByCaller', line: 12, data: byCaller('sink.drain\n\tsink.drain: called by fireAll') },
      ],
    },
    // A directive that applies to no function is reported instead of silently ignored.
    {
      code: `
import { wb } from './nowb-runtime.js';
/** @nowritebarrierrec */
run(() => wb());
/** @nowritebarrier */
const list = [function (): void {}];
interface I {
  /** @yeswritebarrierrec */
  m(): void;
}
/** @nowritebarrier */
function over(x: number): void;
function over(_x: number): void {}
declare function run(f: () => void): void;
void list; void over;
`,
      errors: [
        { messageId: 'misplacedDirective', line: 3, data: { tag: 'nowritebarrierrec', fix: onlyFunctions } },
        { messageId: 'misplacedDirective', line: 5, data: { tag: 'nowritebarrier', fix: onlyFunctions } },
        { messageId: 'misplacedDirective', line: 8, data: { tag: 'yeswritebarrierrec', fix: onlyFunctions } },
        { messageId: 'misplacedDirective', line: 11, data: { tag: 'nowritebarrier', fix: 'put it on the implementation of over, the signature with the body' } },
      ],
    },
    // reportUnresolvedCalls: any, function-typed values, and interface members nothing implements.
    {
      code: `
import { plain } from './nowb-runtime.js';
interface Hook { fire(): void }
/** @nowritebarrierrec */
function unknowns(cb: () => void, anything: any, hook: Hook): void {
  cb();
  anything.go();
  hook.fire();
  plain();
}
`,
      options: [{ reportUnresolvedCalls: true }],
      errors: [
        { messageId: 'unresolvedCall', line: 6, data: { reason: 'the callee is a function value, not a declaration', chain: 'unknowns' } },
        { messageId: 'unresolvedCall', line: 7, data: { reason: 'the callee is typed any', chain: 'unknowns' } },
        { messageId: 'unresolvedCall', line: 8, data: { reason: 'no implementation of this member exists in the program', chain: 'unknowns' } },
      ],
    },
    // reportUnresolvedCalls: a function reported for a barrier is not continued past, unresolved calls included.
    {
      code: `
import { wb } from './nowb-runtime.js';
/** @nowritebarrierrec */
function root(cb: () => void): void { wb(); cb(); helper(cb); }
function helper(cb: () => void): void { wb(); cb(); }
`,
      options: [{ reportUnresolvedCalls: true }],
      errors: [{ messageId: 'prohibited', line: 4 }],
    },
    // reportUnresolvedCalls: Go's systemstack calls its argument through a function value.
    {
      code: `
function systemstack(fn: () => void): void { fn(); }
/** @nowritebarrierrec */
function e1(): void { systemstack(e2); }
function e2(): void {}
import type {} from './nowb-runtime.js';
`,
      options: [{ reportUnresolvedCalls: true }],
      errors: [
        {
          messageId: 'unresolvedCall',
          line: 2,
          data: { reason: 'the callee is a function value, not a declaration', chain: 'systemstack\n\tsystemstack: called by e1' },
        },
      ],
    },
    // A union-typed receiver follows every member's method: B.m is reached through A | B.
    {
      code: `
import { wb } from './nowb-runtime.js';
class A { m(): void {} }
class B { m(): void { wb(); } }
/** @nowritebarrierrec */
function viaUnion(x: A | B): void { x.m(); }
`,
      errors: [{ messageId: 'prohibitedByCaller', line: 4, data: byCaller('B.m\n\tB.m: called by viaUnion') }],
    },
    // f.call, f.apply and f.bind of a barrier function are barriers; of a user function, edges.
    {
      code: `
import { wb } from './nowb-runtime.js';
function helper(): void { wb(); }
/** @nowritebarrier */
function direct(): void {
  wb.call(undefined);
  wb.apply(undefined, []);
  const later = wb.bind(undefined);
  void later;
}
/** @nowritebarrierrec */
function indirect(): void { helper.call(undefined); }
`,
      errors: [
        { messageId: 'prohibitedByCaller', line: 3, data: byCaller('helper\n\thelper: called by indirect') },
        ...[6, 7, 8].map((line) => ({ messageId: 'prohibited' as const, line, data: { barrier: 'storeHeapRef', fn: 'direct' } })),
      ],
    },
    // A class that implements an interface structurally, without `implements`, is dispatched to.
    {
      code: `
import { wb } from './nowb-runtime.js';
interface Shape { area(): number }
class Square { area(): number { wb(); return 1; } }
/** @nowritebarrierrec */
function total(s: Shape): number { return s.area(); }
void Square;
`,
      errors: [{ messageId: 'prohibitedByCaller', line: 4, data: byCaller('Square.area\n\tSquare.area: called by total') }],
    },
    // reportUnresolvedCalls: a computed member of any, and an ambient declaration (its own wording).
    {
      code: `
import { plain } from './nowb-runtime.js';
declare function external(): void;
/** @nowritebarrierrec */
function callsOut(x: object, k: string): void { external(); (x as any)[k](); plain(); }
`,
      options: [{ reportUnresolvedCalls: true }],
      errors: [
        {
          messageId: 'unresolvedCall',
          line: 5,
          column: 49,
          data: { reason: 'the callee is declared without a body (declare): there is no body to analyse', chain: 'callsOut' },
        },
        { messageId: 'unresolvedCall', line: 5, column: 61, data: { reason: 'the callee is typed any', chain: 'callsOut' } },
      ],
    },
    // A long chain keeps its first six and last four steps.
    {
      code: `
import { wb } from './nowb-runtime.js';
/** @nowritebarrierrec */
${Array.from({ length: 15 }, (_, i) => `function c${i}(): void { ${i < 14 ? `c${i + 1}();` : 'wb();'} }`).join('\n')}
`,
      errors: [
        {
          messageId: 'prohibitedByCaller',
          line: 18,
          data: byCaller(
            [
              'c14',
              ...[14, 13, 12, 11, 10, 9].map((i) => `c${i}: called by c${i - 1}`),
              '… 4 more calls',
              ...[4, 3, 2, 1].map((i) => `c${i}: called by c${i - 1}`),
            ].join('\n\t'),
          ),
        },
      ],
    },
    // Directive near-misses: Go's form, a line or block comment, the wrong case, a typo.
    {
      code: `
import { wb } from './nowb-runtime.js';
//go:nowritebarrier
function a(): void { wb(); }
// @nowritebarrierrec
function b(): void { wb(); }
/* @yeswritebarrierrec */
function c(): void { wb(); }
/** @noWriteBarrier */
function d(): void { wb(); }
/**
 * Frees a span.
 * @nowritebarier
 */
function e(): void { wb(); }
void [a, b, c, d, e];
`,
      errors: [
        {
          messageId: 'misspelledDirective',
          line: 3,
          column: 1,
          data: { found: '//go:nowritebarrier', why: "Go's //go: form", correct: '/** @nowritebarrier */ in the JSDoc of the function' },
        },
        {
          messageId: 'misspelledDirective',
          line: 5,
          column: 1,
          data: { found: '// @nowritebarrierrec', why: 'not a JSDoc comment', correct: '/** @nowritebarrierrec */ in the JSDoc of the function' },
        },
        {
          messageId: 'misspelledDirective',
          line: 7,
          column: 4,
          data: { found: '@yeswritebarrierrec', why: 'not a JSDoc comment', correct: '/** @yeswritebarrierrec */ in the JSDoc of the function' },
        },
        {
          messageId: 'misspelledDirective',
          line: 9,
          column: 5,
          data: { found: '@noWriteBarrier', why: 'directives are lower case', correct: '@nowritebarrier' },
          suggestions: [
            {
              messageId: 'useDirective',
              data: { tag: 'nowritebarrier' },
              output: `
import { wb } from './nowb-runtime.js';
//go:nowritebarrier
function a(): void { wb(); }
// @nowritebarrierrec
function b(): void { wb(); }
/* @yeswritebarrierrec */
function c(): void { wb(); }
/** @nowritebarrier */
function d(): void { wb(); }
/**
 * Frees a span.
 * @nowritebarier
 */
function e(): void { wb(); }
void [a, b, c, d, e];
`,
            },
          ],
        },
        {
          messageId: 'misspelledDirective',
          line: 13,
          column: 4,
          data: { found: '@nowritebarier', why: 'misspelled', correct: '@nowritebarrier' },
          suggestions: [
            {
              messageId: 'useDirective',
              data: { tag: 'nowritebarrier' },
              output: `
import { wb } from './nowb-runtime.js';
//go:nowritebarrier
function a(): void { wb(); }
// @nowritebarrierrec
function b(): void { wb(); }
/* @yeswritebarrierrec */
function c(): void { wb(); }
/** @noWriteBarrier */
function d(): void { wb(); }
/**
 * Frees a span.
 * @nowritebarrier
 */
function e(): void { wb(); }
void [a, b, c, d, e];
`,
            },
          ],
        },
      ],
    },
    // The directive on a statement inside the function, on one line (TypeScript attaches that JSDoc to nothing)
    // or on its own: each says which function it was meant for.
    {
      code: `
import { wb } from './nowb-runtime.js';
function f(): void { /** @nowritebarrier */ wb(); }
function g(): void {
  /** @nowritebarrierrec */
  wb();
}
void [f, g];
`,
      errors: [
        { messageId: 'misplacedDirective', line: 3, column: 26, data: { tag: 'nowritebarrier', fix: 'write it in the JSDoc above f, on its own line' } },
        { messageId: 'misplacedDirective', line: 5, data: { tag: 'nowritebarrierrec', fix: 'write it in the JSDoc above g, on its own line' } },
      ],
    },
    // Any spelling of a barriered runtime call: element access, call/apply, a const alias, a comma callee.
    {
      code: runtime(`
/** @nowritebarrier */
function spelled(p: Ptr<LayoutType<typeof T>>): void {
  rt['storeHeapRef'](p, y);
  rt.storeHeapRef.call(rt, p, y);
  typedmemclr.apply(undefined, [T, p]);
  const clear = rt.typedmemclr;
  clear(T, p);
  (0, rt.memclrHasPointers)(p, T.size);
}
`),
      errors: [
        { messageId: 'prohibited', line: 10, data: { barrier: 'storeHeapRef', fn: 'spelled' } },
        { messageId: 'prohibited', line: 11, data: { barrier: 'storeHeapRef', fn: 'spelled' } },
        { messageId: 'prohibited', line: 12, data: { barrier: 'typedmemclr', fn: 'spelled' } },
        { messageId: 'prohibited', line: 14, data: { barrier: 'typedmemclr', fn: 'spelled' } },
        { messageId: 'prohibited', line: 15, data: { barrier: 'memclrHasPointers', fn: 'spelled' } },
      ],
    },
    // A class whose implicit constructor runs a barriered base constructor: the report names the barrier.
    {
      code: `
import { BarrierBox } from './nowb-runtime.js';
class Derived extends BarrierBox {}
/** @nowritebarrierrec */
function make(): void { new Derived(1); }
`,
      errors: [{ messageId: 'prohibitedByCaller', line: 3, data: byCaller('new Derived\n\tnew Derived: called by make', 'typedmemclr') }],
    },
  ],
});
