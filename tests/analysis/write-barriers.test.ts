import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { functionName } from '../../src/analysis/call-graph/names.js';
import type { GraphNode } from '../../src/analysis/call-graph/graph.js';
import { barrierDirectives, directedFunctions, directiveCounters, directiveNear, directiveProblems, directiveScanCounters, isFunctionLikeWithBody } from '../../src/analysis/directives.js';
import { barrierSites, firstBarrier, hasGraphNodes, isWriteBarrierDeclaration } from '../../src/analysis/write-barriers.js';
import { virtualProgram } from '../virtual-program.js';

const rt = `
/**
 * @offheap storeHeapRef
 * @writebarrier
 */
export function wb(): void {}
/** @offheap test:plain */
export function plain(): void {}
/**
 * @offheap typedmemclr
 * @writebarrier
 */
export const wbArrow = (): void => {};
export class Slot {
  /**
   * @offheap HeapRefAccessor.set
   * @writebarrier
   */
  set ref(_v: number) {}
  get ref(): number { return 0; }
  n = 0;
}
/**
 * @offheap typedmemclr
 * @writebarrier
 */
export class Box {}
export interface Accessor {
  /**
   * @offheap HeapRefAccessor.set
   * @writebarrier
   */
  set(p: number, v: number): void;
  get(p: number): number;
}
/**
 * @offheap memclrHasPointers
 * @writebarrier
 */
export function over(p: number): void;
export function over(p: string): void;
export function over(_p: number | string): void {}
`;

function setup(main: string): { program: ts.Program; fn: (name: string) => GraphNode } {
  const program = virtualProgram({ '/p/rt.ts': rt, '/p/main.ts': main });
  const source = program.getSourceFile('/p/main.ts')!;
  const fn = (name: string): GraphNode => {
    let found: GraphNode | undefined;
    const visit = (n: ts.Node): void => {
      if (!found && (isFunctionLikeWithBody(n) || ts.isClassLike(n)) && functionName(n) === name) found = n;
      ts.forEachChild(n, visit);
    };
    visit(source);
    if (!found) throw new Error(`no function ${name}`);
    return found;
  };
  return { program, fn };
}

const texts = (nodes: readonly ts.Node[]): string[] => nodes.map((n) => n.getText());

describe('barrier sites', () => {
  it('recognises every tagged declaration kind, by declaration not name', () => {
    const { program, fn } = setup(`
import { Box, Slot, over, wb as renamed, wbArrow, type Accessor } from './rt.ts';
export function f(slot: Slot, acc: Accessor, xs: number[]): void {
  renamed();
  wbArrow();
  slot.ref = 1;
  new Box();
  acc.set(0, 1);
  over('a');
  xs.forEach(renamed);
}
`);
    expect(texts(barrierSites(program, fn('f'), { closures: false }))).toEqual([
      'renamed()',
      'wbArrow()',
      'slot.ref',
      'new Box()',
      'acc.set(0, 1)',
      "over('a')",
      'renamed',
    ]);
  });

  it('does not count Ptr, number and local stores, untagged calls, or tagged-setter reads', () => {
    const { program, fn } = setup(`
import { Slot, plain, type Accessor } from './rt.ts';
declare function wb(): void; // a look-alike by name only
interface Rec { next: number; n: number }
export function f(slot: Slot, acc: Accessor, r: Rec, p: number): number {
  let local = slot;
  local = new Slot();
  r.next = p;
  r.n = 1;
  slot.n = 2;
  plain();
  wb();
  return acc.get(0) + slot.ref + local.n;
}
`);
    expect(barrierSites(program, fn('f'), { closures: true })).toEqual([]);
  });

  it('a setter written through a cast (`(s.ref as number) = v`, `s.ref! = v`) is a write; reading through one is not', () => {
    const { program, fn } = setup(`
import { Slot } from './rt.ts';
export function w(slot: Slot): void {
  (slot.ref as number) = 1;
  (slot.ref satisfies number) = 2;
  slot.ref! += 3;
}
export function r(slot: Slot): number {
  return (slot.ref as number) + (<number>slot.ref) + slot.ref!;
}
`);
    expect(texts(barrierSites(program, fn('w'), { closures: false }))).toEqual(['slot.ref', 'slot.ref', 'slot.ref']);
    expect(barrierSites(program, fn('r'), { closures: false })).toEqual([]);
  });

  it('counts closures defined inside as own code only when asked', () => {
    const { program, fn } = setup(`
import { wb } from './rt.ts';
export function f(): () => void {
  const inner = (): void => wb();
  class Local { m(): void { wb(); } x = wb(); }
  void Local;
  wb();
  return function () { wb(); };
}
`);
    expect(texts(barrierSites(program, fn('f'), { closures: false }))).toEqual(['wb()']);
    expect(barrierSites(program, fn('f'), { closures: true })).toHaveLength(5);
    expect(firstBarrier(program, fn('f'))?.getText()).toBe('wb()');
    expect(firstBarrier(program, fn('inner'))?.getText()).toBe('wb()');
  });

  it('finds barriers in parameter defaults and in an implicit constructor', () => {
    const { program, fn } = setup(`
import { wb } from './rt.ts';
export function f(x = wb()): void { void x; }
export class K { y = wb(); }
`);
    expect(texts(barrierSites(program, fn('f'), { closures: false }))).toEqual(['wb()']);
    expect(texts(barrierSites(program, fn('new K'), { closures: false }))).toEqual(['wb()']);
  });
});

describe('directives', () => {
  function directivesOf(code: string): Record<string, string> {
    const source = ts.createSourceFile('/d.ts.ts', code, ts.ScriptTarget.ES2022, true);
    const found: Record<string, string> = {};
    const visit = (n: ts.Node): void => {
      if (isFunctionLikeWithBody(n)) {
        const d = barrierDirectives(n);
        const on = Object.entries(d)
          .filter(([, v]) => v)
          .map(([k]) => k);
        if (on.length > 0) found[functionName(n)] = on.join(' ');
      }
      ts.forEachChild(n, visit);
    };
    visit(source);
    return found;
  }

  it('reads the tags on every function form, and rec implies nowritebarrier', () => {
    expect(
      directivesOf(`
/** @nowritebarrier */
function a(): void {}
/** @nowritebarrierrec */
function b(): void {}
/** @yeswritebarrierrec */
function c(): void {}
/** @nowritebarrier */
const d = (): void => {};
/** @nowritebarrier */
export default function (): void {}
class K {
  /** @nowritebarrier */
  constructor() {}
  /** @nowritebarrierrec */
  m(): void {}
  /** @nowritebarrier */
  get g(): number { return 1; }
  /** @nowritebarrier */
  set s(_v: number) {}
  /** @nowritebarrier */
  f = function (): void {};
}
const o = {
  /** @nowritebarrier */
  p: (): void => {},
};
declare const target: { h: () => void };
/** @nowritebarrier */
target.h = function (): void {};
`),
    ).toEqual({
      a: 'nowritebarrier',
      b: 'nowritebarrier nowritebarrierrec',
      c: 'yeswritebarrierrec',
      d: 'nowritebarrier',
      default: 'nowritebarrier',
      'new K': 'nowritebarrier',
      'K.m': 'nowritebarrier nowritebarrierrec',
      'get K.g': 'nowritebarrier',
      'set K.s': 'nowritebarrier',
      'K.f': 'nowritebarrier',
      'o.p': 'nowritebarrier',
      'target.h': 'nowritebarrier',
    });
  });

  it('ignores tags on statements that only contain a function, and untagged functions', () => {
    expect(
      directivesOf(`
/** @nowritebarrier */
run(() => {});
/** @nowritebarrier */
const x = [function (): void {}];
function plain(): void {}
declare function run(f: () => void): void;
`),
    ).toEqual({});
  });

  it('classifies barrier declarations by their @offheap id in the effect catalogue, including the variable of a tagged arrow', () => {
    const source = ts.createSourceFile('/w.ts', rt, ts.ScriptTarget.ES2022, true);
    const names: string[] = [];
    const visit = (n: ts.Node): void => {
      const declaration = ts.isFunctionLike(n) || ts.isClassLike(n) || ts.isVariableDeclaration(n);
      if (declaration && isWriteBarrierDeclaration(n)) names.push(ts.SyntaxKind[n.kind]);
      ts.forEachChild(n, visit);
    };
    visit(source);
    expect(names).toEqual(['FunctionDeclaration', 'VariableDeclaration', 'ArrowFunction', 'SetAccessor', 'ClassDeclaration', 'MethodSignature', 'FunctionDeclaration']);
  });

  it('reads the catalogue, not the @writebarrier tag: a tag without a barrier id is none, a barrier id without the tag is one', () => {
    const source = ts.createSourceFile(
      '/w.ts',
      `
/**
 * @offheap storeHeapRefNoWB
 * @writebarrier
 */
export function taggedOnly(): void {}
/** @offheap memclrHasPointers */
export function idOnly(): void {}
/** @offheap no-such-api */
export function unknownId(): void {}
`,
      ts.ScriptTarget.ES2022,
      true,
    );
    const verdicts = source.statements.filter(ts.isFunctionDeclaration).map((f) => [f.name!.text, isWriteBarrierDeclaration(f)]);
    expect(verdicts).toEqual([
      ['taggedOnly', false],
      ['idOnly', true],
      ['unknownId', false],
    ]);
  });
});

describe('directive problems', () => {
  function problems(code: string): string[] {
    const source = ts.createSourceFile('/d.ts', code, ts.ScriptTarget.ES2022, true);
    return directiveProblems(source).map((p) => {
      const line = source.getLineAndCharacterOfPosition(p.pos).line + 1;
      return p.kind === 'misplaced' ? `${line} misplaced @${p.tag}` : `${line} ${p.why} ${p.found} -> @${p.tag}`;
    });
  }

  it('knows each directive in any case, with separators, and up to three edits, but not the runtime tag', () => {
    expect(['noWriteBarrier', 'no-write-barrier', 'nowritebarier', 'NoWriteBarrierRec', 'yeswritebarrier', 'nowritebarriers'].map(directiveNear)).toEqual([
      'nowritebarrier',
      'nowritebarrier',
      'nowritebarrier',
      'nowritebarrierrec',
      'yeswritebarrierrec',
      'nowritebarrier',
    ]);
    expect(['writebarrier', 'writebarriers', 'WriteBarrier', 'barrier', 'nowb', 'override', 'deprecated'].map(directiveNear)).toEqual(
      Array(7).fill(undefined),
    );
  });

  it('reports each near-miss once, where it is written', () => {
    expect(
      problems(`
//go:nowritebarrierrec
function a(): void {}
// go:yeswritebarrierrec
function b(): void {}
/** @Nowritebarrier */
function c(): void {}
function d(): void { /** @nowritebarrier */ void 0; }
/** @nowritebarrier */
export {};
`),
    ).toEqual([
      '2 go //go:nowritebarrierrec -> @nowritebarrierrec',
      '4 go // go:yeswritebarrierrec -> @yeswritebarrierrec',
      '6 case @Nowritebarrier -> @nowritebarrier',
      '8 misplaced @nowritebarrier',
      '9 misplaced @nowritebarrier',
    ]);
  });

  it('leaves prose, strings, templates and placed tags alone, and costs nothing without a candidate', () => {
    expect(
      problems(`
// The write barrier is off here; Go says //go:nowritebarrier for this.
/** Like \`@nowritebarrier\`, but for the runtime's @writebarrier APIs. */
const s = '@nowritebarrier', t = \`//go:nowritebarrier \${s}\`;
/** @nowritebarrierrec */
function placed(): void { void [s, t]; }
`),
    ).toEqual([]);
    // Counted: a file without a directive-like word is never scanned; a scanned file is scanned once.
    const before = directiveCounters.commentScans;
    expect(problems('/** @param x the write barrier word, @override */\nconst ordinary = 1; // a plain file\n')).toEqual([]);
    expect(directiveCounters.commentScans).toBe(before);
    const file = ts.createSourceFile('/e.ts', '// @nowritebarrier\nfunction f(): void {}\n', ts.ScriptTarget.ES2022, true);
    expect(directiveProblems(file)).toHaveLength(1);
    expect(directiveProblems(file)).toHaveLength(1);
    expect(directiveCounters.commentScans).toBe(before + 1);
  });

  it('reads only the comments that hold a candidate, whatever the size of the file, and walks a file for its directed functions once', () => {
    // The same misspelled directive after n ordinary functions: the comment is found by descending to its token.
    const levels = (n: number): number => {
      const fns = Array.from({ length: n }, (_, i) => `function f${i}(x: number): number { /* a comment */ return [x].map((y) => y + ${i})[0]; }`);
      const source = ts.createSourceFile('/g.ts', `${fns.join('\n')}\nclass K {\n  // @nowritebarrier\n  m(): void {}\n}\n`, ts.ScriptTarget.ES2022, true);
      const before = directiveCounters.commentLevels;
      expect(directiveProblems(source).map((p) => (p.kind === 'misspelled' ? p.why : p.kind))).toEqual(['comment']);
      return directiveCounters.commentLevels - before;
    };
    expect(levels(400)).toBe(levels(25));
    // Functions are collected by one walk per file that writes a tag, never for one that does not.
    const tagged = ts.createSourceFile('/h.ts', '/** @nowritebarrierrec */\nfunction a(): void {}\nfunction b(): void {}\n', ts.ScriptTarget.ES2022, true);
    const plain = ts.createSourceFile('/i.ts', 'function a(): void {}\n', ts.ScriptTarget.ES2022, true);
    const walks = directiveScanCounters.walks;
    expect([directedFunctions(tagged).map((f) => functionName(f)), directedFunctions(tagged).length, directedFunctions(plain)]).toEqual([['a'], 1, []]);
    expect(directiveScanCounters.walks).toBe(walks + 1);
  });

  it('enters only the statements and members whose text holds a directive: the walk does not grow with the ordinary code around one', () => {
    const ordinary = (n: number): string => Array.from({ length: n }, (_, i) => `function f${i}(x: number): number { return [x].map((y) => y + ${i})[0]; }`).join('\n');
    // Every host a directive can be written on, each between ordinary functions.
    const hosts = [
      '/** @nowritebarrierrec */\nexport const arrow = (): void => {};',
      'let assigned: () => void;\n/** @nowritebarrier */\nassigned = function (): void {};',
      'const obj = {\n  /** @yeswritebarrierrec */\n  prop: (): void => {},\n};',
      'class K {\n  plain(): void {}\n  /** @nowritebarrierrec */\n  m(): void {}\n  field = 1;\n}',
      'namespace N {\n  /** @nowritebarrier */\n  export function inner(): void {}\n}',
    ];
    const visits = (n: number) => {
      const source = ts.createSourceFile(`/m${n}.ts`, hosts.map((h) => `${ordinary(n)}\n${h}`).join('\n'), ts.ScriptTarget.ES2022, true);
      const before = directiveScanCounters.nodesVisited;
      const found = directedFunctions(source).map((f) => functionName(f));
      return { found, visited: directiveScanCounters.nodesVisited - before };
    };
    const small = visits(3);
    const large = visits(60);
    // Twin of the skip: each directive is still found, wherever it is written.
    expect(small.found).toEqual(['arrow', 'assigned', 'obj.prop', 'K.m', 'inner']);
    expect(large.found).toEqual(small.found);
    // Each ordinary function costs one visit (the statement itself), never a walk of its body.
    expect(large.visited - small.visited).toBe(5 * 57);
  });

  it('finds directed functions in expressions inside types of the syntax (a heritage clause), never inside types', () => {
    const source = ts.createSourceFile(
      '/j.ts',
      [
        'declare function mixin<T>(c: T): T;',
        'type Fn = (x: number) => number;',
        'class A extends mixin(class {',
        '  /** @nowritebarrierrec */',
        '  m(): void {}',
        '}) {}',
        'const B = class {',
        '  /** @nowritebarrier */',
        '  n(): void {}',
        '};',
      ].join('\n'),
      ts.ScriptTarget.ES2022,
      true,
    );
    expect(directedFunctions(source).map((f) => [functionName(f), barrierDirectives(f).nowritebarrierrec])).toEqual([
      ['(class).m', true],
      ['B.n', false],
    ]);
    expect(hasGraphNodes(ts.createSourceFile('/k.ts', 'declare function mixin<T>(c: T): T;\nexport type F = (x: number) => number;\nexport const K = 1 as unknown as { new (): object } & ReturnType<typeof mixin>;\n', ts.ScriptTarget.ES2022, true))).toBe(false);
    expect(hasGraphNodes(ts.createSourceFile('/l.ts', 'declare function mixin<T>(c: T): T;\nexport interface I extends Object {}\nexport class C extends mixin(Object) {}\n', ts.ScriptTarget.ES2022, true))).toBe(true);
  });
});
