// The flow's gate by names (src/analysis/flow/mentions.ts): a top-level
// statement that mentions no name carrying the runtime is answered without a
// type query, and every way a name can carry (imports of every form,
// re-exports, local declarations, merged declarations, `import()` types,
// augmentations, globals) keeps the statement analysed. Twins: the same
// finding reached through each carrying spelling, and the clean version.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { flowStats } from '../../src/analysis/flow/index.js';
import { mayCarryRuntime, mentionCounters } from '../../src/analysis/flow/mentions.js';
import { reachCounters } from '../../src/analysis/flow/reach.js';
import { programAnalysis } from '../../src/analysis/program-analysis.js';
import { virtualProgram } from '../virtual-program.js';
import { lintFile, runtimeIndex } from './nih-lint.js';

const flowRules = ['zeroing-variant', 'zero-before-root', 'no-unrooted-heap-refs'];

/** The top-level statement's answer for the function or variable named `name` in `file`. */
function carries(program: ts.Program, file: string, name: string): boolean {
  const source = program.getSourceFile(file)!;
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if ((ts.isFunctionDeclaration(n) || ts.isVariableDeclaration(n) || ts.isClassDeclaration(n) || ts.isMethodDeclaration(n)) && n.name && ts.isIdentifier(n.name) && n.name.text === name) found = n;
    else ts.forEachChild(n, visit);
  };
  visit(source);
  if (!found) throw new Error(`${name} not found in ${file}`);
  return mayCarryRuntime(programAnalysis(program), found);
}

/** A checker that counts type queries at nodes (the type rules' per-binding view asks a symbol's type once per program). */
function countingProgram(files: Record<string, string>): { program: ts.Program; typeQueries: () => number } {
  const program = virtualProgram(files);
  const checker = program.getTypeChecker();
  let n = 0;
  const counted = new Set(['getTypeAtLocation', 'getTypeOfSymbolAtLocation', 'getResolvedSignature', 'getContextualType']);
  const proxy = new Proxy(checker, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function' || typeof key !== 'string' || !counted.has(key)) return value;
      return (...args: unknown[]) => {
        n++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  program.getTypeChecker = () => proxy;
  return { program, typeQueries: () => n };
}

/** A module of the runtime's wrappers: every export carries. */
const wrappers = `import { struct, u32, heapRef, FixAlloc, addRoot, memclrNoHeapPointers, type Ptr } from '${runtimeIndex}';
class Owner { name = ''; }
export const Node = struct('Node', { count: u32, owner: heapRef<Owner>() });
const junk = new FixAlloc(Node, { zero: false });
export function fresh() { return junk.alloc(); }
export const rootIt = addRoot;
export const clear = memclrNoHeapPointers;
export type P = Ptr<unknown>;
export const plain = 1;
`;

/**
 * `k` functions of ordinary code in a file that imports runtime bindings and
 * uses one only in a type alias no function names (a layout maker among the
 * imports, so the file's view of the runtime is more than numbers, and a use,
 * so the file is not skipped whole as one that uses no runtime binding).
 */
function ordinary(k: number, imports = '', use = 'export type Cell = Ptr<number>;\n'): string {
  const fns = Array.from({ length: k }, (_, i) => `export function f${i}(xs: number[]): number {\n  let t = 0;\n  for (const x of xs) t += Math.max(x, ${i});\n  return [t].map((v) => v + 1)[0] ?? 0;\n}`);
  return `import { struct, type Ptr } from '${runtimeIndex}';\n${imports}${use}${fns.join('\n')}\n`;
}

describe('which statements carry the runtime (names only)', () => {
  it('a file that names Ptr but never mentions it carries nothing; one that mentions it does', () => {
    const program = virtualProgram({
      '/p/a.ts': `import type { Ptr } from '${runtimeIndex}';\nexport function plainFn(x: number) { return x + 1; }\nexport function typed(p: Ptr<number>) { return p; }\nexport const usesTyped = (n: number) => typed(n as never);\nconst string = 'Ptr'; export function quoted() { return string; }`,
    });
    expect(carries(program, '/p/a.ts', 'plainFn')).toBe(false);
    expect(carries(program, '/p/a.ts', 'typed')).toBe(true);
    // Through a local declaration that carries.
    expect(carries(program, '/p/a.ts', 'usesTyped')).toBe(true);
    // The text search is conservative: the word inside a string counts, and `string`'s users carry too.
    expect(carries(program, '/p/a.ts', 'quoted')).toBe(true);
  });

  it('imports of every form carry exactly what the other file exports as carrying', () => {
    const program = virtualProgram({
      '/p/w.ts': wrappers,
      '/p/barrel.ts': `export * from './w.ts';\nexport { rootIt as root2, plain as plain2 } from './w.ts';\nexport * as all from './w.ts';`,
      '/p/def.ts': `import { fresh } from './w.ts';\nexport default function () { return fresh(); }\nexport const unrelated = 2;`,
      '/p/u.ts': [
        `import { fresh, plain } from './w.ts';`,
        `import * as W from './w.ts';`,
        `import { root2, plain2, all } from './barrel.ts';`,
        `import { clear as c2 } from './barrel.ts';`,
        `import mk, { unrelated } from './def.ts';`,
        `import type { P } from './w.ts';`,
        `export function named() { return fresh(); }`,
        `export function usesPlain() { return plain + 1; }`,
        `export function ns() { return W.plain; }`,
        `export function renamed() { return root2; }`,
        `export function renamedPlain() { return plain2; }`,
        `export function star() { return c2; }`,
        `export function nsExport() { return all.plain; }`,
        `export function viaDefault() { return mk(); }`,
        `export function viaUnrelated() { return unrelated; }`,
        `export function typeOnly(x: P) { return x; }`,
        `export function importType(x: import('./w.ts').P) { return x; }`,
      ].join('\n'),
    });
    const yes = ['named', 'ns', 'renamed', 'star', 'nsExport', 'viaDefault', 'typeOnly', 'importType'];
    // `plain` is declared by a statement that mentions nothing of the runtime: it carries nothing, re-exported or not.
    const no = ['usesPlain', 'renamedPlain', 'viaUnrelated'];
    for (const name of yes) expect([name, carries(program, '/p/u.ts', name)]).toEqual([name, true]);
    for (const name of no) expect([name, carries(program, '/p/u.ts', name)]).toEqual([name, false]);
  });

  it('merged declarations: a class whose interface half names a runtime type carries', () => {
    const program = virtualProgram({
      '/p/m.ts': `import type { Ptr } from '${runtimeIndex}';\ninterface Box { p: Ptr<number> }\nclass Box { get() { return this.p; } }\nexport function other() { return 1; }\nexport { Box };`,
    });
    expect(carries(program, '/p/m.ts', 'get')).toBe(true);
    expect(carries(program, '/p/m.ts', 'other')).toBe(false);
  });

  it('an auto-typed variable carries once a statement assigning it carries, in one pass over a chain of them', () => {
    // `let v1; v1 = v0;` … the checker types each use by the assignments, so the last one holds a Ptr.
    const chain = (k: number) => {
      const lines = [`import type { Ptr } from '${runtimeIndex}';`, `declare function mk(): Ptr<number>;`, `let v0;`, `v0 = mk();`];
      // Declared in reverse order of the chain, so a pass per growth would take k passes.
      for (let i = k; i >= 1; i--) lines.push(`let v${i};`);
      for (let i = 1; i <= k; i++) lines.push(`v${i} = v${i - 1};`);
      lines.push(`export const last = { v: v${k} };`, `let w;`, `w = 1;`, `export const plain = { w };`);
      return virtualProgram({ '/p/c.ts': lines.join('\n') });
    };
    const searched = (k: number) => {
      const program = chain(k);
      const before = mentionCounters.namesSearched + mentionCounters.evolvingLinks;
      expect(carries(program, '/p/c.ts', 'last')).toBe(true);
      expect(carries(program, '/p/c.ts', 'plain')).toBe(false);
      return mentionCounters.namesSearched + mentionCounters.evolvingLinks - before;
    };
    const small = searched(50);
    // Each name is searched for once and each (variable, statement naming it) link read once:
    // twice the chain, twice the work (plus the same constant).
    expect(searched(100) - small).toBe(small - searched(0));
  });

  it('an evolving array (`const xs = []`) carries once a statement pushing into it carries, in one pass over a chain of them', () => {
    // `xs.push(mk())` types `xs` as Ptr<number>[] at every later use, though its declaration names nothing of the runtime.
    const chain = (k: number) => {
      const lines = [`import type { Ptr } from '${runtimeIndex}';`, `declare function mk(): Ptr<number>;`];
      for (let i = k; i >= 0; i--) lines.push(`const a${i} = [];`);
      lines.push(`a0.push(mk());`);
      for (let i = 1; i <= k; i++) lines.push(`a${i}.push(...a${i - 1});`);
      lines.push(`export const last = { xs: a${k} };`, `export { a${k} };`, `const ys = [];`, `ys.push(1);`, `export const plain = { ys };`);
      // Exported (`export { ak }`), it carries into a file that imports it.
      return virtualProgram({ '/p/e.ts': lines.join('\n'), '/p/user.ts': `import { a${k} } from './e';\nexport const seen = { xs: a${k} };\nexport const other = { n: 1 };` });
    };
    const statementOf = (program: ts.Program, text: string): boolean => {
      const st = program.getSourceFile('/p/e.ts')!.statements.find((x) => x.getText() === text);
      if (!st) throw new Error(`no statement ${text}`);
      return mayCarryRuntime(programAnalysis(program), st);
    };
    const searched = (k: number) => {
      const program = chain(k);
      const before = mentionCounters.namesSearched + mentionCounters.evolvingLinks;
      expect(carries(program, '/p/e.ts', 'last')).toBe(true);
      expect(carries(program, '/p/e.ts', `a${k}`)).toBe(true);
      expect(carries(program, '/p/user.ts', 'seen')).toBe(true);
      expect(carries(program, '/p/user.ts', 'other')).toBe(false);
      expect(statementOf(program, 'a0.push(mk());')).toBe(true);
      // Twin: pushing numbers carries nothing.
      expect(carries(program, '/p/e.ts', 'plain')).toBe(false);
      expect(statementOf(program, 'ys.push(1);')).toBe(false);
      return mentionCounters.namesSearched + mentionCounters.evolvingLinks - before;
    };
    const small = searched(50);
    expect(searched(100) - small).toBe(small - searched(0));
  });

  it("reads a file's text once, however many names are searched in it; a name is found as a whole word only", () => {
    // A chain f0 <- f1 <- … <- fk of carrying functions, each name searched once, and look-alike words.
    const chain = (k: number) => {
      const lines = [`import type { Ptr } from '${runtimeIndex}';`, `export function f0(p: Ptr<number>) { return p; }`];
      for (let i = 1; i <= k; i++) lines.push(`export function f${i}(n: number) { return f${i - 1}(n as never); }`);
      lines.push(`export function near() { return 'f0x xf0 $f0 f0_ \u{1D465}f0'; }`, `export function 𝑥f0() { return 1; }`, `export function plainFn() { return near(); }`);
      const program = virtualProgram({ '/p/w.ts': lines.join('\n') });
      const before = { ...mentionCounters };
      expect(carries(program, '/p/w.ts', `f${k}`)).toBe(true);
      // Words that contain f0 but are not it (an astral identifier character included): nothing carries.
      expect([carries(program, '/p/w.ts', 'near'), carries(program, '/p/w.ts', '𝑥f0'), carries(program, '/p/w.ts', 'plainFn')]).toEqual([false, false, false]);
      const text = program.getSourceFile('/p/w.ts')!.text;
      return { searched: mentionCounters.namesSearched - before.namesSearched, scans: mentionCounters.wordScans - before.wordScans, chars: mentionCounters.charsScanned - before.charsScanned - text.length };
    };
    const small = chain(10);
    const large = chain(40);
    // The runtime's own modules that name it are scanned too, the same at both sizes: past them, w.ts's text is
    // read exactly once at both sizes (a search per name read it 12 and 42 times), however many more names.
    expect(small.scans).toBeGreaterThan(0);
    expect(large.scans).toBe(small.scans);
    expect(large.chars).toBe(small.chars);
    expect(large.searched - small.searched).toBe(30);
  });

  it('an identifier written with unicode escapes is found by its name', () => {
    const program = virtualProgram({
      '/p/e.ts': `import type { Ptr } from '${runtimeIndex}';\nexport function esc(p: \\u0050tr<number>) { return p; }\nexport function plainFn() { return '\\u0050'; }`,
    });
    expect(carries(program, '/p/e.ts', 'esc')).toBe(true);
    expect(carries(program, '/p/e.ts', 'plainFn')).toBe(false);
  });

  it('a `declare global` block that extends globals with globals only carries nothing, as namesRuntime decides; its twins carry', () => {
    const symbolOnly = `import type { Ptr } from '${runtimeIndex}';\ndeclare global {\n  interface SymbolConstructor {\n    readonly observable: symbol;\n  }\n}\nexport declare const p: Ptr<number>;`;
    const other = `import type { Ptr } from '${runtimeIndex}';\nexport function plainFn(x: number) { return x + 1; }`;
    expect(carries(virtualProgram({ '/p/g.ts': symbolOnly, '/p/h.ts': other }), '/p/h.ts', 'plainFn')).toBe(false);
    // Twins: the block names a declaration of its file, or an import() type: every statement carries.
    const local = symbolOnly.replace('readonly observable: symbol;', 'readonly observable: Cell;') + '\ntype Cell = Ptr<number>;';
    expect(carries(virtualProgram({ '/p/g.ts': local, '/p/h.ts': other }), '/p/h.ts', 'plainFn')).toBe(true);
    const imported = symbolOnly.replace('readonly observable: symbol;', `readonly observable: import('${runtimeIndex}').Ptr<number>;`);
    expect(carries(virtualProgram({ '/p/g.ts': imported, '/p/h.ts': other }), '/p/h.ts', 'plainFn')).toBe(true);
  });

  it('carrying globals (declare global) or a module augmentation leave nothing to answer from names', () => {
    const globalDecl = virtualProgram({
      '/p/g.ts': `import type { Ptr } from '${runtimeIndex}';\ndeclare global { var gp: Ptr<number>; }\nexport {};`,
      '/p/h.ts': `import type { Ptr } from '${runtimeIndex}';\nexport function useGlobal() { return gp; }`,
    });
    expect(carries(globalDecl, '/p/h.ts', 'useGlobal')).toBe(true);
    const augmented = virtualProgram({
      '/p/base.ts': `import type { Ptr } from '${runtimeIndex}';\nexport interface Box { n: number }\nexport const dummy = 0;`,
      '/p/aug.ts': `import type { Ptr } from '${runtimeIndex}';\ndeclare module './base.ts' { interface Box { p: Ptr<number> } }\nexport {};`,
      '/p/user.ts': `import type { Box } from './base.ts';\nimport type { Ptr } from '${runtimeIndex}';\nexport function read(b: Box) { return b.n; }`,
    });
    expect(carries(augmented, '/p/user.ts', 'read')).toBe(true);
    // Twin: without the augmentation, Box carries nothing.
    const plain = virtualProgram({
      '/p/base.ts': `import type { Ptr } from '${runtimeIndex}';\nexport interface Box { n: number }\nexport const dummy = 0;`,
      '/p/user.ts': `import type { Box } from './base.ts';\nimport type { Ptr } from '${runtimeIndex}';\nexport function read(b: Box) { return b.n; }`,
    });
    expect(carries(plain, '/p/user.ts', 'read')).toBe(false);
  });
});

describe('the flow rules through carrying names (twins)', () => {
  // The caller's file names nothing of the runtime itself: every runtime value and call reaches it through w.ts.
  const caller = (body: string, imports: string): string => `${imports}\nimport type { Ptr } from '${runtimeIndex}';\nexport function f() {\n${body}\n}\n`;
  const spellings: [string, string, string][] = [
    ['named imports', `import { fresh, rootIt, clear, Node } from './w.ts';`, ''],
    ['a namespace import', `import * as W from './w.ts';`, 'W.'],
    ['a barrel (export *)', `import { fresh, rootIt, clear, Node } from './barrel.ts';`, ''],
  ];
  for (const [what, imports, q] of spellings) {
    it(`${what}: rooting memory that may be garbage is reported; clearing it first is clean`, () => {
      const files = (body: string) => ({ '/p/w.ts': wrappers, '/p/barrel.ts': `export * from './w.ts';`, '/p/c.ts': caller(body, imports) });
      const broken = virtualProgram(files(`  const p = ${q}fresh();\n  ${q}rootIt(p, ${q}Node);`));
      expect(lintFile(broken, '/p/c.ts', flowRules).map((r) => [r.messageId, r.line])).toEqual([['notZeroed', 5]]);
      const fixed = virtualProgram(files(`  const p = ${q}fresh();\n  ${q}clear(p, ${q}Node.size);\n  ${q}rootIt(p, ${q}Node);`));
      expect(lintFile(fixed, '/p/c.ts', flowRules)).toEqual([]);
    });
  }

  it('through a local alias declared in another statement', () => {
    const files = (body: string) => ({
      '/p/w.ts': wrappers,
      '/p/c.ts': `import { fresh as mk, rootIt, Node } from './w.ts';\nconst r = rootIt;\nconst make = () => mk();\nexport function f() {\n${body}\n}\n`,
    });
    expect(lintFile(virtualProgram(files(`  const p = make();\n  r(p, Node);`)), '/p/c.ts', flowRules).map((r) => [r.messageId, r.line])).toEqual([['notZeroed', 6]]);
    expect(lintFile(virtualProgram(files(`  const p = make();\n  void p;`)), '/p/c.ts', flowRules)).toEqual([]);
  });
});

describe('cost: ordinary code in files that name the runtime', () => {
  const work = (files: number, fns: number) => {
    const sources: Record<string, string> = {};
    for (let i = 0; i < files; i++) sources[`/p/o${i}.ts`] = ordinary(fns, i > 0 ? `import { f0 as g${i} } from './o${i - 1}.ts';\nexport const h${i} = g${i};\n` : '');
    const { program, typeQueries } = countingProgram(sources);
    for (const k of Object.keys(flowStats) as (keyof typeof flowStats)[]) flowStats[k] = 0;
    mentionCounters.filesRead = 0;
    mentionCounters.namesSearched = 0;
    const before = typeQueries();
    for (let i = 0; i < files; i++) expect(lintFile(program, `/p/o${i}.ts`, flowRules)).toEqual([]);
    return { typeQueries: typeQueries() - before, gated: flowStats.gated, solved: flowStats.functions, filesRead: mentionCounters.filesRead, namesSearched: mentionCounters.namesSearched };
  };

  it('asks no type and solves nothing; the names read grow linearly with the files', () => {
    const [a, b, c] = [work(4, 10), work(8, 10), work(12, 10)];
    // Every function (and its arrow callback) answered from names: no type query, no solve.
    expect(a).toMatchObject({ typeQueries: 0, solved: 0, gated: 4 * 10 * 2 });
    expect(b).toMatchObject({ typeQueries: 0, solved: 0, gated: 8 * 10 * 2 });
    expect(c).toMatchObject({ typeQueries: 0, solved: 0, gated: 12 * 10 * 2 });
    // Each file's top-level bindings read once per program (the runtime's untagged modules too), and a
    // constant number of names searched per added file (struct, Ptr, and the re-exported g/h chain).
    expect([b.filesRead - a.filesRead, c.filesRead - b.filesRead]).toEqual([4, 4]);
    expect(c.namesSearched - b.namesSearched).toBe(b.namesSearched - a.namesSearched);
  });

  it('a file that imports runtime bindings and never uses them is skipped whole: no name search, no type query, no recording', () => {
    const unused = (k: number) => ordinary(k, '', '');
    const { program, typeQueries } = countingProgram({ '/p/u0.ts': unused(5), '/p/u1.ts': `import { f0 } from './u0.ts';\n${unused(5)}export const g = f0;\n` });
    const before = { ...reachCounters };
    for (const k of Object.keys(flowStats) as (keyof typeof flowStats)[]) flowStats[k] = 0;
    mentionCounters.namesSearched = 0;
    for (const f of ['/p/u0.ts', '/p/u1.ts']) expect(lintFile(program, f, flowRules)).toEqual([]);
    expect(reachCounters.filesNotUsing - before.filesNotUsing).toBe(2);
    expect(reachCounters.filesSeeingNumbersOnly - before.filesSeeingNumbersOnly).toBe(0);
    // Not even recorded: no function solved or skipped one by one.
    expect([typeQueries(), mentionCounters.namesSearched, flowStats.functions, flowStats.skipped, flowStats.gated]).toEqual([0, 0, 0, 0, 0]);
    // Twins: the same file with one use of `struct` is analysed, and a mistake in it is reported; so is the file that
    // uses a binding of it, even when it names nothing of the runtime itself.
    const wrong = `export function bad() {\n  const p = fresh();\n  addRoot(p, Node);\n}\n`;
    const twin = virtualProgram({
      '/p/u0.ts': `${unused(2).replace('import { struct, type Ptr }', 'import { struct, u32, heapRef, FixAlloc, addRoot, type Ptr }')}class Owner { name = ''; }\nexport const Node = struct('Node', { count: u32, owner: heapRef<Owner>() });\nconst junk = new FixAlloc(Node, { zero: false });\nexport const fresh = () => junk.alloc();\n${wrong}`,
      '/p/u1.ts': `import { fresh, Node } from './u0.ts';\nimport { addRoot } from '${runtimeIndex}';\n${wrong}`,
    });
    const counted = reachCounters.filesNotUsing;
    for (const f of ['/p/u0.ts', '/p/u1.ts']) expect(lintFile(twin, f, flowRules).filter((r) => r.messageId === 'notZeroed').map((r) => r.line), f).toEqual([f === '/p/u0.ts' ? 18 : 5]);
    expect(reachCounters.filesNotUsing).toBe(counted);
  });

  it('a file that sees only the numbers of the runtime (Ptr, Garbage) is skipped whole: no name search, no type query', () => {
    const numbersOnly = (k: number) => ordinary(k).replace('import { struct, type Ptr }', 'import type { Ptr, Garbage }');
    const { program, typeQueries } = countingProgram({ '/p/n0.ts': numbersOnly(5), '/p/n1.ts': `import { f0 } from './n0.ts';\n${numbersOnly(5)}export const g = f0;\n` });
    const before = { ...reachCounters };
    mentionCounters.namesSearched = 0;
    for (const f of ['/p/n0.ts', '/p/n1.ts']) expect(lintFile(program, f, flowRules)).toEqual([]);
    expect(reachCounters.filesSeeingNumbersOnly - before.filesSeeingNumbersOnly).toBe(2);
    expect([typeQueries(), mentionCounters.namesSearched]).toEqual([0, 0]);
    // Twin: one file of the chain takes a runtime function, and the file naming its export sees it too.
    const twin = countingProgram({
      '/p/n0.ts': `import { FixAlloc } from '${runtimeIndex}';\nexport const Pool = FixAlloc;\n${numbersOnly(5)}`,
      '/p/n1.ts': `import { f0 } from './n0.ts';\n${numbersOnly(5)}export const g = f0;\n`,
    });
    const seen = reachCounters.filesSeeingNumbersOnly;
    expect(lintFile(twin.program, '/p/n1.ts', flowRules)).toEqual([]);
    expect(reachCounters.filesSeeingNumbersOnly).toBe(seen);
  });

  it('control: the same files with a global that carries are analysed (type queries)', () => {
    const sources = { '/p/o0.ts': ordinary(3), '/p/g.ts': `import type { Ptr } from '${runtimeIndex}';\ndeclare global { var gp: Ptr<number>; }\nexport {};` };
    const { program, typeQueries } = countingProgram(sources);
    flowStats.gated = 0;
    expect(lintFile(program, '/p/o0.ts', flowRules)).toEqual([]);
    expect(flowStats.gated).toBe(0);
    expect(typeQueries()).toBeGreaterThan(0);
  });
});
