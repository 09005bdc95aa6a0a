import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { callGraphOf, callGraphStats, typeQueries } from '../../src/analysis/call-graph/graph.js';
import { functionName } from '../../src/analysis/call-graph/names.js';
import { barrierCounters, hasGraphNodes, nowritebarrierrecFlood, recRoots } from '../../src/analysis/write-barriers.js';
import type { GraphNode } from '../../src/analysis/call-graph/graph.js';
import { isFunctionLikeWithBody } from '../../src/analysis/directives.js';
import { analysisCounters } from '../../src/analysis/program-analysis.js';
import { virtualProgram } from '../virtual-program.js';

/** A stand-in runtime file: `@offheap` tags make it one, `@writebarrier` makes `wb` a barrier. */
const rt = `
/**
 * @offheap storeHeapRef
 * @writebarrier
 */
export function wb(): void {}
/** @offheap test:plain */
export function plain(): void {}
`;

function program(main: string, extra: Record<string, string> = {}): ts.Program {
  return virtualProgram({ '/p/rt.ts': rt, '/p/main.ts': main, ...extra });
}

/** The function (or implicit-constructor class) of the main file that messages call `name`. */
function fn(p: ts.Program, name: string, file = '/p/main.ts'): GraphNode {
  const source = p.getSourceFile(file)!;
  let found: GraphNode | undefined;
  const visit = (n: ts.Node): void => {
    if (!found && (isFunctionLikeWithBody(n) || ts.isClassLike(n)) && functionName(n) === name) found = n;
    ts.forEachChild(n, visit);
  };
  visit(source);
  if (!found) throw new Error(`no function ${name} in ${file}`);
  return found;
}

function callees(p: ts.Program, name: string): string[] {
  return callGraphOf(p)
    .facts(fn(p, name))
    .callees.map((e) => functionName(e.target));
}

/**
 * Successive programs over `files` (edit it between calls), each built from
 * the last as a language server does: an unchanged file keeps its SourceFile
 * object, lib files included.
 */
function editablePrograms(files: Record<string, string>): () => ts.Program {
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, allowImportingTsExtensions: true, types: [] };
  const host = ts.createCompilerHost(options, true);
  const made = new Map<string, ts.SourceFile>();
  const fallback = host.getSourceFile.bind(host);
  // As a language server's document registry does: an unchanged file keeps its SourceFile object.
  host.getSourceFile = (name, version, onError, create) => {
    let sf = made.get(name);
    if (!(name in files)) {
      if (!sf) {
        sf = fallback(name, version, onError, create);
        if (sf) made.set(name, sf);
      }
      return sf;
    }
    if (!sf || sf.text !== files[name]) made.set(name, (sf = ts.createSourceFile(name, files[name], version, true)));
    return sf;
  };
  host.readFile = (name) => files[name] ?? ts.sys.readFile(name);
  host.fileExists = (name) => name in files || ts.sys.fileExists(name);
  host.directoryExists = (dir) => dir === '/p' || ts.sys.directoryExists(dir);
  let last: ts.Program | undefined;
  return () => (last = ts.createProgram(Object.keys(files), options, host, last));
}

describe('call graph edges', () => {
  it('resolves calls through renamed imports, re-exports and namespaces across files', () => {
    const p = program(
      `
import { helper as h } from './re.ts';
import * as ns from './re.ts';
export function root(): void { h(); ns.other(); }
`,
      {
        '/p/lib.ts': `export function helper(): void {}\nexport function other(): void {}\n`,
        '/p/re.ts': `export { helper } from './lib.ts';\nexport * from './lib.ts';\n`,
      },
    );
    expect(callees(p, 'root')).toEqual(['helper', 'other']);
    const target = callGraphOf(p).facts(fn(p, 'root')).callees[0].target;
    expect(target.getSourceFile().fileName).toBe('/p/lib.ts');
  });

  it('follows new, super, getters, setters and compound assignments', () => {
    const p = program(`
class Base { constructor() {} }
class Derived extends Base { x = make(); }
class Cell {
  get v(): number { return 1; }
  set v(_n: number) {}
  plain = 0;
}
class Explicit extends Base { constructor() { super(); } }
function make(): number { return 1; }
export function root(c: Cell): void {
  new Derived();
  new Explicit();
  c.v = 1;
  void c.v;
  c.v += 1;
  c.plain = 2;
}
`);
    expect(callees(p, 'root')).toEqual(['new Derived', 'new Explicit', 'set Cell.v', 'get Cell.v', 'get Cell.v', 'set Cell.v']);
    expect(callees(p, 'new Derived')).toEqual(['make', 'new Base']);
    expect(callees(p, 'new Explicit')).toEqual(['new Base']);
  });

  it('follows getters read by destructuring and setters written by destructuring assignment', () => {
    const p = program(`
class Cell { get v(): number { return 1; } set v(_n: number) {} get w(): number { return 2; } plain = 0; }
export function root(c: Cell, d: Cell, xs: number[]): void {
  const { v, plain } = c;
  const { w: renamed } = c;
  let a = 0;
  ({ v: a } = c);
  [d.v] = xs;
  ({ k: d.v } = { k: 1 });
  for (d.v of xs) {}
  void [v, plain, renamed, a];
}
export function param({ w }: Cell): number { return w; }
`);
    expect(callees(p, 'root')).toEqual(['get Cell.v', 'get Cell.w', 'get Cell.v', 'set Cell.v', 'set Cell.v', 'set Cell.v']);
    expect(callees(p, 'param')).toEqual(['get Cell.w']);
  });

  it('follows interface and abstract properties to the accessors that implement them', () => {
    const p = program(`
interface Gauge { level: number; readonly name: string }
abstract class Meter { abstract value: number }
class Tank implements Gauge {
  get level(): number { return 1; }
  set level(_v: number) {}
  name = 'tank';
}
class Clock extends Meter { get value(): number { return 0; } set value(_v: number) {} }
const literal: Gauge = { get level() { return 2; }, set level(_v: number) {}, name: 'lit' };
export function root(g: Gauge, m: Meter, xs: number[]): void {
  g.level = g.name.length + xs.length;
  void m.value;
}
void Tank; void Clock; void literal;
`);
    expect(callees(p, 'root')).toEqual(['set Tank.level', 'set literal.level', 'get Clock.value']);
  });

  it('treats function values passed as arguments as callees (the systemstack edge)', () => {
    const p = program(`
function systemstack(f: () => void): void { f(); }
function named(): void {}
const arrow = (): void => {};
export function root(xs: number[]): void {
  systemstack(named);
  systemstack(arrow);
  systemstack(() => {});
  xs.forEach(function each() {});
}
`);
    expect(callees(p, 'root')).toEqual(['systemstack', 'named', 'systemstack', 'arrow', 'systemstack', 'root.func1', 'each']);
  });

  it('dispatches interface, abstract and overridable members to every implementation', () => {
    const p = program(`
interface Shape { area(): number }
interface Solid extends Shape { volume(): number }
class Cube implements Solid { area(): number { return 6; } volume(): number { return 1; } }
class Square implements Shape { area(): number { return 1; } }
abstract class Task { abstract run(): void; step(): void {} }
class Sweep extends Task { run(): void {} override step(): void { super.step(); } }
class Lazy extends Sweep {}
export function shapes(s: Shape): number { return s.area(); }
export function tasks(t: Task): void { t.run(); t.step(); }
`);
    expect(callees(p, 'shapes').sort()).toEqual(['Cube.area', 'Square.area']);
    expect(callees(p, 'tasks')).toEqual(['Sweep.run', 'Task.step', 'Sweep.step']);
    // `super.step()` is exactly the base method, not a dispatch.
    expect(callees(p, 'Sweep.step')).toEqual(['Task.step']);
  });

  it('dispatches to object literals typed by the interface or type alias', () => {
    const p = program(`
interface Hook { fire(): void }
type Sink = { drain(): void };
function register(_h: Hook | undefined): void {}
function drainFn(): void {}
register({ fire() {} });
const hook: Hook = { fire: () => {} };
const sink: Sink = { drain: drainFn };
const other = { fire() {} };
export function root(h: Hook, s: Sink): void { h.fire(); s.drain(); }
void hook; void sink; void other;
`);
    expect(callees(p, 'root')).toEqual(['fire', 'hook.fire', 'drainFn']);
  });

  it('records calls it cannot resolve, with the reason', () => {
    const p = program(`
interface Hook { fire(): void }
let mutable = (): void => {};
const fixed = (): void => {};
export function root(cb: () => void, anything: any, hook: Hook, xs: number[]): void {
  cb();
  anything();
  hook.fire();
  xs.push(1);
  Math.max(1, 2);
  mutable();
  fixed();
}
mutable = () => {};
`);
    const facts = callGraphOf(p).facts(fn(p, 'root'));
    expect(facts.unresolved.map((u) => [u.site.getText(), u.reason])).toEqual([
      ['cb()', 'function-value'],
      ['anything()', 'any'],
      ['hook.fire()', 'no-implementation'],
      ['mutable()', 'function-value'],
    ]);
    expect(facts.callees.map((e) => functionName(e.target))).toEqual(['fixed']);
  });

  it('counts a getter once when the function it returns is called, and that call as unresolved', () => {
    const p = program(`
class Box { get run(): () => void { return () => {}; } }
export function root(b: Box): void { b.run(); }
`);
    const facts = callGraphOf(p).facts(fn(p, 'root'));
    expect(facts.callees.map((e) => functionName(e.target))).toEqual(['get Box.run']);
    expect(facts.unresolved.map((u) => u.reason)).toEqual(['function-value']);
  });

  it('does not enter the runtime from user code; its tagged declarations are barriers', () => {
    const p = program(`
import { plain, wb } from './rt.ts';
export function root(): void { plain(); wb(); }
`);
    const facts = callGraphOf(p).facts(fn(p, 'root'));
    expect(facts.callees).toEqual([]);
    expect(facts.barriers.map((b) => b.getText())).toEqual(['wb()']);
  });

  it('follows every member of a union-typed receiver, for methods and accessors', () => {
    const p = program(`
class A { m(): void {} get v(): number { return 1; } }
class B { m(): void {} get v(): number { return 2; } }
interface C { m(): void; v: number }
class D implements C { m(): void {} get v(): number { return 3; } }
export function root(x: A | B, y: A | C | undefined): number {
  x.m();
  y?.m();
  return x.v + (y?.v ?? 0);
}
void D;
`);
    // Through C: D implements it by name, B structurally.
    expect(callees(p, 'root')).toEqual(['A.m', 'B.m', 'A.m', 'D.m', 'B.m', 'get A.v', 'get B.v', 'get A.v', 'get D.v', 'get B.v']);
    // The twin: a receiver of one class type follows that class's method only.
    const q = program(`
class A { m(): void {} }
class B { m(): void {} }
export function root(x: A): void { x.m(); }
void B;
`);
    expect(callees(q, 'root')).toEqual(['A.m']);
  });

  it('takes f.call, f.apply and f.bind as calls of f: barrier calls, edges, or unresolved', () => {
    const p = program(`
import { wb } from './rt.ts';
function user(_n: number): void {}
class K { m(): void {} }
export function root(k: K, cb: () => void, anything: any): void {
  wb.call(undefined);
  wb.apply(undefined, []);
  const bound = wb.bind(undefined);
  user.call(undefined, 1);
  user.apply(undefined, [1]);
  k.m.bind(k);
  (function inline(): void {}).call(undefined);
  cb.call(undefined);
  anything.call(undefined);
  void bound;
}
`);
    const facts = callGraphOf(p).facts(fn(p, 'root'));
    expect(facts.barriers.map((b) => b.getText())).toEqual(['wb.call(undefined)', 'wb.apply(undefined, [])', 'wb.bind(undefined)']);
    expect(facts.callees.map((e) => functionName(e.target))).toEqual(['user', 'user', 'K.m', 'inline']);
    expect(facts.unresolved.map((u) => [u.site.getText(), u.reason])).toEqual([
      ['cb.call(undefined)', 'function-value'],
      ['anything.call(undefined)', 'any'],
    ]);
  });

  it('keeps a method named call on a user type an ordinary method', () => {
    const p = program(`
import { wb } from './rt.ts';
class Phone { call(_n: number): void {} }
export function root(phone: Phone): void { phone.call(1); void wb; }
`);
    const facts = callGraphOf(p).facts(fn(p, 'root'));
    expect(facts.callees.map((e) => functionName(e.target))).toEqual(['Phone.call']);
    expect(facts.barriers).toEqual([]);
  });

  it('records a call through a computed member of any as unresolved', () => {
    const p = program(`
export function root(x: object, k: string, table: Record<string, () => void>): void {
  (x as any)[k]();
  table[k]();
}
`);
    const facts = callGraphOf(p).facts(fn(p, 'root'));
    expect(facts.unresolved.map((u) => [u.site.getText(), u.reason])).toEqual([
      ['(x as any)[k]()', 'any'],
      ['table[k]()', 'function-value'],
    ]);
  });

  it('records ambient declarations as having no body, apart from function values', () => {
    const p = program(`
declare function external(): void;
declare class Ext { m(): void }
declare namespace ns { function inner(): void }
export function root(e: Ext, cb: () => void): void {
  external();
  e.m();
  ns.inner();
  new Ext();
  cb();
}
`);
    const facts = callGraphOf(p).facts(fn(p, 'root'));
    expect(facts.unresolved.map((u) => [u.site.getText(), u.reason])).toEqual([
      ['external()', 'no-body'],
      ['e.m()', 'no-body'],
      ['ns.inner()', 'no-body'],
      ['new Ext()', 'no-body'],
      ['cb()', 'function-value'],
    ]);
  });

  it('finds classes that implement an interface structurally, without implements', () => {
    const p = program(`
interface Shape { area(): number }
type Sink = { drain(): void };
class Square { area(): number { return 1; } }
class Named implements Shape { area(): number { return 2; } }
class Wrong { area(): string { return ''; } }
class Partial { drain(): void {} }
class Other { perimeter(): number { return 0; } }
export function shapes(s: Shape, k: Sink): number { k.drain(); return s.area(); }
void Square; void Wrong; void Partial; void Other;
`);
    expect(callees(p, 'shapes')).toEqual(['Partial.drain', 'Named.area', 'Square.area']);
  });

  it('finds classes that implement an instance of a generic interface structurally', () => {
    const p = program(`
interface Sink<T> { put(v: T): void; readonly size: number }
type Source<T> = { take(): T };
class NumSink { size = 0; put(v: number): void { void v; } }
class NoSize { put(v: number): void { void v; } }
class TwoArgs { size = 0; put(v: number, w: number): void { void v; void w; } }
class Taker { take(): string { return ''; } }
class Giver { give(): string { return ''; } }
export function use(s: Sink<number>, r: Source<string>): void { s.put(1); r.take(); }
void NumSink; void NoSize; void TwoArgs; void Taker; void Giver;
`);
    // Not NoSize (no size), TwoArgs (needs an argument put never passes), nor Giver (no take).
    expect(callees(p, 'use')).toEqual(['NumSink.put', 'Taker.take']);
  });

  it('names closures after their encloser, as Go does', () => {
    const p = program(`
export function e1(run: (f: () => void) => void): void {
  run(() => {});
  run(function () {});
}
export const o = { m(): void {} };
export class C { f = (): void => {}; static s(): void {} }
`);
    expect(callees(p, 'e1')).toEqual(['e1.func1', 'e1.func2']);
    expect(() => fn(p, 'o.m')).not.toThrow();
    expect(() => fn(p, 'C.f')).not.toThrow();
    expect(() => fn(p, 'C.s')).not.toThrow();
  });
});

describe('nowritebarrierrec flood', () => {
  it('finds the roots of the program, only in files that mention the directive', () => {
    const p = program(`
/** @nowritebarrierrec */
export function a(): void {}
/** @nowritebarrier */
export function b(): void {}
export class K {
  /** @nowritebarrierrec */
  m(): void {}
}
`);
    expect(recRoots(p).map(functionName)).toEqual(['a', 'K.m']);
  });

  it('is lazy: functions no root reaches are never analysed', () => {
    const unreached = Array.from({ length: 50 }, (_, i) => `export function u${i}(): void { u${(i + 1) % 50}(); }`).join('\n');
    const p = program(`
import { wb } from './rt.ts';
/** @nowritebarrierrec */
export function root(): void { a(); }
function a(): void { b(); }
function b(): void { wb(); }
${unreached}
`);
    const flood = nowritebarrierrecFlood(p);
    expect(flood.barriers.map((f) => f.path().map(functionName))).toEqual([['b', 'a', 'root']]);
    expect(callGraphStats(p)).toEqual({ functions: 3, edges: 2, declarations: 3, carried: 0, signatureResolutions: 0 });
    // Cached per program: asking again does no new work.
    expect(nowritebarrierrecFlood(p)).toBe(flood);
    expect(callGraphStats(p)).toEqual({ functions: 3, edges: 2, declarations: 3, carried: 0, signatureResolutions: 0 });
  });

  it('asks no type of a callee naming a function or method, nor of an argument declared as a number or Ptr', () => {
    // n calls of named functions and methods, each passing k primitive or branded-number names: no type query, at
    // any size. Twins: a function-typed parameter passed on, a union receiver and an `any` callee are still typed,
    // and a barrier passed as a function value is still found.
    const body = (n: number): string =>
      Array.from({ length: n }, (_, i) => `  put(p, n, s, h, b${i % 2 ? ', e' : ''}); box.take(p, n); Box.make(h);`).join('\n');
    const prelude = `
import { wb } from './rt.ts';
type Ptr<T> = number & { readonly brand: T };
enum E { A, B }
class Box { take(_p: Ptr<string>, _n: number): void {} static make(_h: Ptr<object>): Box { return new Box(); } }
function put(..._xs: unknown[]): void {}
declare const box: Box;
declare const h: Ptr<object>;`;
    const queriesFor = (n: number): { callees: number; values: number; functions: number } => {
      const p = program(`${prelude}
/** @nowritebarrierrec */
export function root(p: Ptr<string>, n: number, s: string, b: boolean | undefined, e: E): void {
${body(n)}
}
`);
      const before = { ...typeQueries };
      expect(nowritebarrierrecFlood(p).barriers).toEqual([]);
      return { callees: typeQueries.callees - before.callees, values: typeQueries.values - before.values, functions: callGraphStats(p).functions };
    };
    expect(queriesFor(10)).toEqual({ callees: 0, values: 0, functions: 5 });
    expect(queriesFor(40)).toEqual({ callees: 0, values: 0, functions: 5 });

    const p = program(`${prelude}
declare const anyFn: any;
/** @nowritebarrierrec */
export function root(cb: () => void, u: Box | { take(p: Ptr<string>, n: number): void }, p: Ptr<string>): void {
  put(cb); pass(); u.take(p, 1); anyFn(p);
}
function pass(): void { put(wb); }
`);
    const before = { ...typeQueries };
    const flood = nowritebarrierrecFlood(p);
    // `cb` is typed (a function value passed to a function with a body: no finding), `wb` is a barrier by its declaration.
    expect(flood.barriers.map((f) => functionName(f.fn))).toEqual(['pass']);
    // The union's type-literal member has no implementation to follow; `anyFn` is `any`.
    expect(flood.unresolved.map((u) => [functionName(u.fn), u.reason])).toEqual([['root', 'no-implementation'], ['root', 'any']]);
    expect(callees(p, 'root')).toEqual(['put', 'pass', 'Box.take']);
    expect(typeQueries.values - before.values).toBe(1);
    expect(typeQueries.callees - before.callees).toBe(2);
  });

  it('costs nothing on a program without roots', () => {
    const p = program(`import { wb } from './rt.ts';\nexport function f(): void { wb(); }\n`);
    expect(nowritebarrierrecFlood(p).barriers).toEqual([]);
    expect(callGraphStats(p)).toEqual({ functions: 0, edges: 0, declarations: 0, carried: 0, signatureResolutions: 0 });
  });

  it('never enters @yeswritebarrierrec and does not continue past a reported function', () => {
    const p = program(`
import { wb } from './rt.ts';
/** @nowritebarrierrec */
export function root(): void { yes(); bad(); }
/** @yeswritebarrierrec */
function yes(): void { wb(); }
function bad(): void { wb(); worse(); }
function worse(): void { wb(); }
`);
    const flood = nowritebarrierrecFlood(p);
    expect(flood.barriers.map((f) => functionName(f.fn))).toEqual(['bad']);
    expect(callGraphStats(p).functions).toBe(2);
  });

  it('floods a chain of 5,000 functions without recursion, in work linear in its length', () => {
    const chainOf = (n: number): ts.Program => {
      const lines = [`import { wb } from './rt.ts';`, `/** @nowritebarrierrec */`];
      for (let i = 0; i < n; i++) lines.push(`export function c${i}(): void { ${i + 1 < n ? `c${i + 1}();` : 'wb();'} }`);
      return program(lines.join('\n'));
    };
    const work = [2500, 5000].map((n) => {
      const p = chainOf(n);
      const flood = nowritebarrierrecFlood(p);
      expect(flood.barriers.map((f) => functionName(f.fn))).toEqual([`c${n - 1}`]);
      const path = flood.barriers[0].path();
      expect(path).toHaveLength(n);
      expect(functionName(path.at(-1)!)).toBe('c0');
      const stats = { ...callGraphStats(p) };
      expect(stats).toEqual({ functions: n, edges: n - 1, declarations: n, carried: 0, signatureResolutions: 0 });
      return stats;
    });
    expect(work[1].functions / work[0].functions).toBe(2);
    expect(work[1].edges / work[0].edges).toBeCloseTo(2, 2);
  });

  it('walks a body nested 20,000 deep without recursion and still finds its callee and the barrier beyond', () => {
    const terms = Array.from({ length: 20000 }, (_, i) => `n${i % 10}`).join(' + ');
    const p = program(`
import { wb } from './rt.ts';
declare const n0: number, n1: number, n2: number, n3: number, n4: number, n5: number, n6: number, n7: number, n8: number, n9: number;
/** @nowritebarrierrec */
export function deep(): number { return ${terms} + (helper(), 0); }
function helper(): void { wb(); }
`);
    const deep = p.getSourceFile('/p/main.ts')!.statements.find(ts.isFunctionDeclaration)!;
    const facts = callGraphOf(p).facts(deep);
    expect(facts.unresolved).toEqual([]);
    expect(facts.callees.map((e) => functionName(e.target))).toEqual(['helper']);
    // Finding the root and flooding from it walk the file without recursion too.
    expect(nowritebarrierrecFlood(p).barriers.map((f) => f.path().map(functionName))).toEqual([['helper', 'deep']]);
  });

  it('reports a function the checker fails on as unanalyzable, never as clean', () => {
    const p = program(`
import { wb } from './rt.ts';
/** @nowritebarrierrec */
export function root(): void { helper(); }
function helper(): void { wb(); }
`);
    // The callee's symbol is what the resolution asks first (a name of a function needs no type).
    const checker = p.getTypeChecker();
    const original = checker.getSymbolAtLocation.bind(checker);
    checker.getSymbolAtLocation = (node) => {
      if (node.getText() === 'wb' && ts.isCallExpression(node.parent)) throw new Error('checker failure');
      return original(node);
    };
    const flood = nowritebarrierrecFlood(p);
    expect(flood.barriers).toEqual([]);
    expect(flood.unresolved.map((u) => [functionName(u.fn), u.reason])).toEqual([['helper', 'unanalyzable']]);
  });

  it('finds roots and facts once per SourceFile: a new program after an edit redoes only what the edit can change', () => {
    const files: Record<string, string> = { '/p/rt.ts': rt };
    for (let i = 0; i < 20; i++) files[`/p/u${i}.ts`] = `import { wb } from './rt.ts';\n/** @nowritebarrierrec */\nexport function r${i}(): void { h${i}(); }\nfunction h${i}(): void { wb(); }\n`;
    files['/p/edited.ts'] = `export const x = 1;\n`;
    const next = editablePrograms(files);
    const first = next();
    const before = barrierCounters.rootScans;
    expect(nowritebarrierrecFlood(first).barriers).toHaveLength(20);
    expect(barrierCounters.rootScans - before).toBe(20);
    files['/p/edited.ts'] = `export const x = 2; // @nowritebarrierrec mentioned, no function\n`;
    const second = next();
    expect(nowritebarrierrecFlood(second).barriers).toHaveLength(20);
    expect(barrierCounters.rootScans - before).toBe(21);
    // The facts of every function carry over: no file they can see changed.
    expect(callGraphStats(first)).toMatchObject({ functions: 40, carried: 0 });
    expect(callGraphStats(second)).toMatchObject({ functions: 0, carried: 40 });
    // Editing a file a function can see (here the runtime stand-in) makes its facts be computed again.
    files['/p/rt.ts'] = rt + '\n// edited\n';
    const third = next();
    expect(nowritebarrierrecFlood(third).barriers).toHaveLength(20);
    expect(callGraphStats(third)).toMatchObject({ functions: 40, carried: 0 });
    expect(hasGraphNodes(second.getSourceFile('/p/edited.ts')!)).toBe(false);
    expect(hasGraphNodes(second.getSourceFile('/p/u0.ts')!)).toBe(true);
  });

  it('checks carried facts in time linear in the files: a chain of n files, each seeing all before it, costs no dependency list', () => {
    const checks: number[] = [];
    for (const n of [10, 40]) {
      const files: Record<string, string> = { '/p/rt.ts': rt };
      for (let i = 0; i < n; i++) {
        const callee = i === 0 ? 'base' : `c${i - 1}`;
        const head = i === 0 ? `import { wb } from './rt.ts';\nconst base = (): void => wb();` : `import { ${callee} } from './${callee}.ts';`;
        files[`/p/c${i}.ts`] = `${head}\n/** @nowritebarrierrec */\nexport function c${i}(): void { ${callee}(); }\n`;
      }
      files['/p/edited.ts'] = `export const x = 1;\n`;
      const next = editablePrograms(files);
      nowritebarrierrecFlood(next());
      files['/p/edited.ts'] = `export const x = 2;\n`;
      // The first program after the edit reads who imports whom, once for the module resolution.
      nowritebarrierrecFlood(next());
      files['/p/edited.ts'] = `export const x = 3;\n`;
      const second = next();
      const before = { ...analysisCounters };
      nowritebarrierrecFlood(second);
      // The n roots and `base`.
      expect(callGraphStats(second)).toMatchObject({ functions: 0, carried: n + 1 });
      // Each file's facts were checked against the files edited since (none it imports), not a list of the
      // files it can see: that cost 1 + 2 + … + n lookups a program, n² / 2.
      checks.push(analysisCounters.dependencyChecks - before.dependencyChecks);
    }
    expect(checks).toEqual([0, 0]);
  });

  it('computes again the facts of a function that dispatched, when any file changed', () => {
    const files: Record<string, string> = {
      '/p/rt.ts': rt,
      '/p/shape.ts': `export interface Shape { area(): number }\n/** @nowritebarrierrec */\nexport function total(s: Shape): number { return s.area(); }\n`,
      '/p/edited.ts': `export const x = 1;\n`,
    };
    const next = editablePrograms(files);
    expect(nowritebarrierrecFlood(next()).barriers).toEqual([]);
    files['/p/edited.ts'] = `import { wb } from './rt.ts';\nimport type { Shape } from './shape.ts';\nexport class Circle implements Shape { area(): number { wb(); return 1; } }\n`;
    const second = next();
    expect(nowritebarrierrecFlood(second).barriers.map((f) => f.path().map(functionName))).toEqual([['Circle.area', 'total']]);
    expect(callGraphStats(second).carried).toBe(0);
  });

  /**
   * n functions: f0 is the root; fi calls its two children f(2i+1), f(2i+2)
   * (a binary tree) and its parent (a cycle back), and the last one has a
   * barrier. Every function is reached once and every edge examined once.
   */
  function generated(n: number): ts.Program {
    const lines = [`import { wb } from './rt.ts';`, `/** @nowritebarrierrec */`];
    for (let i = 0; i < n; i++) {
      const calls = [2 * i + 1, 2 * i + 2, Math.floor((i - 1) / 2)].filter((j) => j >= 0 && j < n && j !== i);
      const body = calls.map((j) => `f${j}();`).join(' ') + (i === n - 1 ? ' wb();' : '');
      lines.push(`export function f${i}(): void { ${body} }`);
    }
    return program(lines.join('\n'));
  }

  /**
   * Edges the flood examines: all out-edges of every reached function but the
   * one with the barrier. Resolutions: those, plus that one's two calls.
   */
  function expectedEdges(n: number): number {
    let edges = 0;
    for (let i = 0; i < n - 1; i++) edges += [2 * i + 1, 2 * i + 2, Math.floor((i - 1) / 2)].filter((j) => j >= 0 && j < n && j !== i).length;
    return edges;
  }

  it('floods a generated 2,000-function call graph in work linear in its size', () => {
    const work = [1000, 2000].map((n) => {
      const p = generated(n);
      const flood = nowritebarrierrecFlood(p);
      expect(flood.barriers).toHaveLength(1);
      const path = flood.barriers[0].path().map(functionName);
      expect(path[0]).toBe(`f${n - 1}`);
      expect(path.at(-1)).toBe('f0');
      expect(path.length).toBe(Math.floor(Math.log2(n)) + 1);
      const stats = { ...callGraphStats(p) };
      expect(stats).toEqual({ functions: n, edges: expectedEdges(n), declarations: expectedEdges(n) + 2, carried: 0, signatureResolutions: 0 });
      return stats;
    });
    // Twice the functions, twice the work (± the tree's ragged last level).
    expect(work[1].functions / work[0].functions).toBe(2);
    expect(work[1].edges / work[0].edges).toBeCloseTo(2, 2);
    expect(work[1].declarations / work[0].declarations).toBeCloseTo(2, 2);
  });
});
