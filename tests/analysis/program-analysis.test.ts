// One analysis state per program: program-scoped caches, per-file facts that
// follow the SourceFile object into the next program (as the language server
// builds it), and import reachability that costs one visit per file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { ESLint, Linter, type Rule } from 'eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { contextCounters, offheapContext } from '../../src/analysis/context.js';
import { namesRuntime, runtimeView, usesOffheap, viewCounters } from '../../src/analysis/offheap-files.js';
import { mayCarryRuntime, mentionCounters } from '../../src/analysis/flow/mentions.js';
import { rules } from '../../src/rules/index.js';
import { analysisCounters, cacheOf, programAnalysis, symbolAt, syntaxCache, walkSpecifiers } from '../../src/analysis/program-analysis.js';
import { calleeId, offheapIdAt } from '../../src/analysis/declarations.js';
import { createRule } from '../../src/util/create-rule.js';
import { editableProject as project, virtualProgram } from '../virtual-program.js';

const runtime = `/** @offheap sysAlloc */ export function sysAlloc(n: number): number { return n; }`;

describe('ProgramAnalysis', () => {
  it('is one state per program, and program-scoped caches do not outlive it', () => {
    const p = project({ '/p/a.ts': 'export const a = 1;' });
    const first = p.build();
    const pa = programAnalysis(first);
    expect(programAnalysis(first)).toBe(pa);
    expect(pa.checker).toBe(first.getTypeChecker());
    pa.cache<string, number>('test').set('k', 1);
    expect(cacheOf<string, number>(pa.checker, 'test').get('k')).toBe(1);
    p.edit('/p/a.ts', 'export const a = 2;');
    const second = p.build();
    expect(programAnalysis(second)).not.toBe(pa);
    expect(programAnalysis(second).cache<string, number>('test').get('k')).toBeUndefined();
  });

  it("carries a file's own facts into the next program while its SourceFile is the same object", () => {
    const p = project({
      '/p/runtime.ts': runtime,
      '/p/a.ts': `import { b } from './b.ts'; export const a = b;`,
      '/p/b.ts': `import { sysAlloc } from './runtime.ts'; export const b = sysAlloc(1);`,
      '/p/c.ts': `export const c = 3;`,
    });
    const first = p.build();
    const names = ['/p/runtime.ts', '/p/a.ts', '/p/b.ts', '/p/c.ts'];
    const uses = (program: ts.Program) => names.map((n) => usesOffheap(program, program.getSourceFile(n)!));
    const scans = analysisCounters.specifierScans;
    expect(uses(first)).toEqual([true, true, true, false]);
    // a, b and c; the runtime file answers for itself.
    expect(analysisCounters.specifierScans - scans).toBe(3);
    const aFacts = programAnalysis(first).fileCache<string, number>('test', first.getSourceFile('/p/a.ts')!);
    aFacts.set('k', 7);

    // Edit b so it no longer imports the runtime: only b is scanned again, and the answers follow.
    p.edit('/p/b.ts', `export const b = 2;`);
    const second = p.build();
    expect(second.getSourceFile('/p/a.ts')).toBe(first.getSourceFile('/p/a.ts'));
    expect(second.getSourceFile('/p/b.ts')).not.toBe(first.getSourceFile('/p/b.ts'));
    const before = analysisCounters.specifierScans;
    expect(uses(second)).toEqual([true, false, false, false]);
    expect(analysisCounters.specifierScans - before).toBe(1);
    expect(programAnalysis(second).fileCache<string, number>('test', second.getSourceFile('/p/a.ts')!).get('k')).toBe(7);
    expect(programAnalysis(second).fileCache<string, number>('test', second.getSourceFile('/p/b.ts')!).get('k')).toBeUndefined();
  });

  it('drops a dependent fact when a file it read changes, and keeps the others', () => {
    const p = project({
      '/p/a.ts': `import { b } from './b.ts'; import { c } from './c.ts'; export const a = b + c;`,
      '/p/b.ts': `export const b = 1;`,
      '/p/c.ts': `export const c = 1;`,
      '/p/d.ts': `export const d = 1;`,
    });
    const file = (pr: ts.Program, n: string) => pr.getSourceFile(n)!;
    const facts = (pr: ts.Program) => programAnalysis(pr).dependentCache<string, number>('test', file(pr, '/p/a.ts'));
    const first = p.build();
    expect(programAnalysis(first).importsOf(file(first, '/p/a.ts'))).toEqual([file(first, '/p/b.ts'), file(first, '/p/c.ts')]);
    facts(first).set('via b', 1, [file(first, '/p/b.ts')]);
    facts(first).set('via c', 2, [file(first, '/p/c.ts'), file(first, '/p/a.ts')]);
    facts(first).set('own', 3, []);

    // Unrelated edit: every fact survives.
    p.edit('/p/d.ts', `export const d = 2;`);
    const second = p.build();
    expect(['via b', 'via c', 'own'].map((k) => facts(second).get(k))).toEqual([1, 2, 3]);

    // b changes: a is the same object, only the fact read from b is gone.
    p.edit('/p/b.ts', `export const b = 2;`);
    const third = p.build();
    expect(file(third, '/p/a.ts')).toBe(file(first, '/p/a.ts'));
    const dropped = analysisCounters.dependentFactsDropped;
    expect(['via b', 'via c', 'own'].map((k) => facts(third).get(k))).toEqual([undefined, 2, 3]);
    expect(analysisCounters.dependentFactsDropped - dropped).toBe(1);

    // a itself changes: nothing of it carries over.
    p.edit('/p/a.ts', `import { c } from './c.ts'; export const a = c;`);
    const fourth = p.build();
    expect(['via b', 'via c', 'own'].map((k) => facts(fourth).get(k))).toEqual([undefined, undefined, undefined]);
  });

  it('validates a dependency list shared by many facts once per program', () => {
    const p = project({
      '/p/a.ts': `import { b } from './b.ts'; import { c } from './c.ts'; export const a = b + c;`,
      '/p/b.ts': `export const b = 1;`,
      '/p/c.ts': `export const c = 1;`,
    });
    const file = (pr: ts.Program, n: string) => pr.getSourceFile(n)!;
    const first = p.build();
    const shared = programAnalysis(first).dependentCache<number, number>('shared', file(first, '/p/a.ts'));
    const apart = programAnalysis(first).dependentCache<number, number>('apart', file(first, '/p/a.ts'));
    const list = [file(first, '/p/b.ts'), file(first, '/p/c.ts')];
    for (let i = 0; i < 50; i++) {
      shared.set(i, i, list);
      apart.set(i, i, [...list]);
    }
    p.edit('/p/c.ts', `export const c = 2;`);
    const second = p.build();
    const read = (name: string) => {
      const facts = programAnalysis(second).dependentCache<number, number>(name, file(second, '/p/a.ts'));
      const before = analysisCounters.dependencyChecks;
      const values = Array.from({ length: 50 }, (_, i) => facts.get(i));
      return { values, checks: analysisCounters.dependencyChecks - before };
    };
    // c changed: every fact is dropped either way; the shared list is looked at once, the copies 50 times.
    const one = read('shared');
    const many = read('apart');
    expect(one.values.every((v) => v === undefined)).toBe(true);
    expect(many.values.every((v) => v === undefined)).toBe(true);
    expect(one.checks).toBe(2);
    expect(many.checks).toBe(100);
  });

  it('keeps syntax facts by SourceFile object, without a program', () => {
    const a = ts.createSourceFile('/p/a.ts', 'let x = 1;', ts.ScriptTarget.ES2022, true);
    const a2 = ts.createSourceFile('/p/a.ts', 'let x = 1;', ts.ScriptTarget.ES2022, true);
    syntaxCache<string, number>('s', a).set('k', 1);
    expect(syntaxCache<string, number>('s', a).get('k')).toBe(1);
    expect(syntaxCache<string, number>('s', a2).get('k')).toBeUndefined();
    expect(syntaxCache<string, number>('other', a).get('k')).toBeUndefined();
  });

  it('maps ESTree nodes to TypeScript nodes and types for the file being linted', () => {
    const p = project({
      '/p/runtime.ts': runtime,
      '/p/user.ts': `import { sysAlloc } from './runtime.ts';\nconst p = sysAlloc(8);\nexport const q = [p];\n`,
    });
    const program = p.build();
    const seen: string[] = [];
    const rule: Rule.RuleModule = {
      create(context) {
        const ctx = offheapContext(context as never);
        if (!ctx) return {};
        return {
          VariableDeclarator(node) {
            const id = ctx.analysis.tsOf<ts.Identifier>(node.id as never);
            seen.push(`${id.text}: ${ctx.checker.typeToString(ctx.analysis.typeOf(node.init as never))}`);
          },
        };
      },
    };
    const linter = new Linter({ configType: 'flat', cwd: '/p' });
    const messages = linter.verify(
      program.getSourceFile('/p/user.ts')!.text,
      [
        {
          files: ['**/*.ts'],
          languageOptions: { parser: tsParser, parserOptions: { programs: [program] } },
          plugins: { t: { rules: { r: rule } } },
          rules: { 't/r': 'error' },
        },
      ],
      { filename: path.join('/p', 'user.ts') },
    );
    expect(messages).toEqual([]);
    expect(seen).toEqual(['p: number', 'q: number[]']);
  });

  it('resolves each linted file once, however many rules ask, and finds its SourceFile from the ESTree', () => {
    const p = project({
      '/p/runtime.ts': runtime,
      '/p/user.ts': `import { sysAlloc } from './runtime.ts';\nexport const p = sysAlloc(8);\n`,
      '/p/plain.ts': `export const n: number[] = [1, 2];\n`,
    });
    const program = p.build();
    const files: string[] = [];
    /** A rule that records what offheapContext answers for each file it runs on. */
    const probe: Rule.RuleModule = {
      create(context) {
        const ctx = offheapContext(context as never);
        files.push(`${path.basename(context.filename)}: ${ctx ? String(ctx.sourceFile === program.getSourceFile(context.filename)) : '-'}`);
        return {};
      },
    };
    /** `k` probes and every offheap rule on both files; resolutions counted. */
    const lint = (k: number): number => {
      const before = contextCounters.resolved;
      const linter = new Linter({ configType: 'flat', cwd: '/p' });
      const probes = Object.fromEntries(Array.from({ length: k }, (_, i) => [`p${i}`, probe]));
      for (const file of ['/p/user.ts', '/p/plain.ts']) {
        const messages = linter.verify(
          program.getSourceFile(file)!.text,
          [
            {
              files: ['**/*.ts'],
              languageOptions: { parser: tsParser, parserOptions: { programs: [program] } },
              plugins: { t: { rules: probes }, offheap: { rules: rules as never } },
              rules: {
                ...Object.fromEntries(Object.keys(probes).map((id) => [`t/${id}`, 'error'])),
                ...Object.fromEntries(Object.keys(rules).map((id) => [`offheap/${id}`, 'error'])),
              },
            },
          ],
          { filename: file },
        );
        expect(messages.filter((m) => m.fatal)).toEqual([]);
      }
      return contextCounters.resolved - before;
    };
    // Two files: 2 resolutions with 1 probe or 10 (plus the 7 offheap rules each time); per rule, 16 and 34.
    expect([lint(1), lint(10)]).toEqual([2, 2]);
    expect([...new Set(files)]).toEqual(['user.ts: true', 'plain.ts: -']);
  });

  it("answers a file that cannot see offheap before a rule's own create runs (no default options applied)", () => {
    const p = project({
      '/p/runtime.ts': runtime,
      '/p/user.ts': `import { sysAlloc } from './runtime.ts';\nexport const p = sysAlloc(8);\n`,
      '/p/plain.ts': `export const n: number[] = [1, 2];\n`,
    });
    const program = p.build();
    const created: string[] = [];
    const probe = createRule<[{ limit: number }], 'never'>({
      name: 'probe',
      meta: { type: 'problem', docs: { description: 'probe' }, messages: { never: 'never' }, schema: [{ type: 'object', properties: { limit: { type: 'number' } }, additionalProperties: false }], defaultOptions: [{ limit: 1 }] },
      create(context, [options]) {
        created.push(`${path.basename(context.filename)} ${options.limit}`);
        return {};
      },
    });
    const linter = new Linter({ configType: 'flat', cwd: '/p' });
    for (const file of ['/p/user.ts', '/p/plain.ts', '/p/runtime.ts']) {
      linter.verify(
        program.getSourceFile(file)!.text,
        [{ files: ['**/*.ts'], languageOptions: { parser: tsParser, parserOptions: { programs: [program] } }, plugins: { t: { rules: { probe: probe as never } } }, rules: { 't/probe': 'error' } }],
        { filename: file },
      );
    }
    // The runtime's own file sees offheap (the rules decide about it themselves); the plain file never reaches the create.
    expect(created).toEqual(['user.ts 1', 'runtime.ts 1']);
  });
});

describe('import reachability', () => {
  /** n modules behind one barrel that re-exports them all; each imports the barrel, and only the last imports the runtime. */
  function barrel(n: number): Record<string, string> {
    const files: Record<string, string> = { '/p/runtime.ts': runtime };
    files['/p/barrel.ts'] = Array.from({ length: n }, (_, i) => `export * from './m${i}.ts';`).join('\n');
    for (let i = 0; i < n; i++) {
      files[`/p/m${i}.ts`] =
        i === n - 1
          ? `import { sysAlloc } from './runtime.ts'; export const v${i} = sysAlloc(${i});`
          : `import { v${n - 1} } from './barrel.ts'; export const v${i} = v${n - 1} + ${i};`;
    }
    return files;
  }

  /** A chain m0 -> m1 -> ... -> runtime, asked from every link. */
  function chain(n: number): Record<string, string> {
    const files: Record<string, string> = { '/p/runtime.ts': runtime };
    for (let i = 0; i < n; i++) {
      files[`/p/m${i}.ts`] = `import './${i === n - 1 ? 'runtime' : `m${i + 1}`}.ts'; export const v${i} = ${i};`;
    }
    return files;
  }

  function cost(files: Record<string, string>) {
    const program = project(files).build();
    const visits = analysisCounters.reachVisits;
    const scans = analysisCounters.specifierScans;
    const answers = Object.keys(files).map((f) => usesOffheap(program, program.getSourceFile(f)!));
    return { answers, visits: analysisCounters.reachVisits - visits, scans: analysisCounters.specifierScans - scans };
  }

  it('proves every module behind a barrel with one visit per file (n -> 2n doubles the work)', () => {
    const small = cost(barrel(200));
    const large = cost(barrel(400));
    expect(small.answers.every(Boolean)).toBe(true);
    expect(large.answers.every(Boolean)).toBe(true);
    // The barrel and its modules, once each; the runtime file answers for itself.
    expect(small.visits).toBe(201);
    expect(large.visits).toBe(401);
    expect(large.scans).toBe(401);
  });

  it('walks a long import chain iteratively, each link once (asked from every link)', () => {
    const small = cost(chain(600));
    const large = cost(chain(1200));
    expect(small.answers.every(Boolean)).toBe(true);
    expect(large.answers.every(Boolean)).toBe(true);
    expect(small.visits).toBe(600);
    expect(large.visits).toBe(1200);
  });

  it('resolves import edges the same with and without the program\'s own module lookup', () => {
    const files = {
      '/p/runtime.ts': runtime,
      '/p/a.ts': `import './b.ts'; export * from './runtime.ts'; let t: typeof import('./c.ts').c; import './missing.ts';`,
      '/p/b.ts': `export const b = 1;`,
      '/p/c.ts': `export const c = 1;`,
    };
    const program = project(files).build();
    const names = (pr: ts.Program) => programAnalysis(pr).importsOf(pr.getSourceFile('/p/a.ts')!).map((f) => f.fileName);
    const withoutLookup = new Proxy(program, {
      get: (target, key) => (key === 'getResolvedModuleFromModuleSpecifier' ? undefined : (Reflect.get(target, key) as unknown)),
    });
    expect(names(program)).toEqual(['/p/b.ts', '/p/runtime.ts', '/p/c.ts']);
    expect(names(withoutLookup)).toEqual(names(program));
  });

  it('finds by a walk of the syntax the specifiers program creation collects', () => {
    const program = project({
      '/p/b.ts': `export const b = 1;`,
      '/p/c.ts': `export const c = 1;`,
      '/p/a.ts': [
        `import { b } from './b.ts';`,
        `export * from './c.ts';`,
        `import fs = require('node:fs');`,
        `type T = typeof import('./c.ts');`,
        `async function f() { if (b) { return import('./b.ts'); } }`,
        `declare module './b.ts' { interface Extra { x: number } }`,
        `export { f, fs, type T };`,
      ].join('\n'),
    }).build();
    const a = program.getSourceFile('/p/a.ts')!;
    const collected = (a as { imports?: readonly ts.StringLiteralLike[] }).imports;
    expect(collected?.length).toBe(5);
    const texts = (xs: readonly ts.StringLiteralLike[]) => xs.map((x) => x.text).sort();
    expect(texts(walkSpecifiers(a))).toEqual([...texts(collected!), './b.ts'].sort());
  });

  it('answers a file that imports the runtime without walking the rest of the program', () => {
    const files = chain(300);
    files['/p/direct.ts'] = `import './m0.ts'; import './runtime.ts';`;
    const program = project(files).build();
    const visits = analysisCounters.reachVisits;
    expect(usesOffheap(program, program.getSourceFile('/p/direct.ts')!)).toBe(true);
    // Edges are followed in source order: the chain first, which meets the runtime at its end.
    expect(analysisCounters.reachVisits - visits).toBe(301);
    // With the runtime import first, the chain is never walked.
    const other = project({ ...files, '/p/direct.ts': `import './runtime.ts'; import './m0.ts';` }).build();
    const again = analysisCounters.reachVisits;
    expect(usesOffheap(other, other.getSourceFile('/p/direct.ts')!)).toBe(true);
    expect(analysisCounters.reachVisits - again).toBe(1);
  });

  it('answers false for a cycle that never reaches the runtime, and true for one that does', () => {
    const { answers } = cost({
      '/p/runtime.ts': runtime,
      '/p/a.ts': `import './b.ts'; export const a = 1;`,
      '/p/b.ts': `import './c.ts'; export const b = 1;`,
      '/p/c.ts': `import './a.ts'; export const c = 1;`,
      '/p/x.ts': `import './y.ts'; import './a.ts'; export const x = 1;`,
      '/p/y.ts': `import './x.ts'; import { sysAlloc } from './runtime.ts'; sysAlloc(1);`,
      '/p/z.ts': `import './x.ts';`,
    });
    expect(answers).toEqual([true, false, false, false, true, true, true]);
  });
});

describe('per-program passes across programs', () => {
  const rt = `/** @offheap sysAlloc */ export function sysAlloc(n: number): number { return n; }\n/** @offheap addRoot */ export function addRoot(p: number): void { void p; }`;
  /** A runtime, a barrel re-exporting it, `n` units in a chain naming it through the barrel, and a leaf file. */
  const chain = (n: number): Record<string, string> => {
    const files: Record<string, string> = { '/p/runtime.ts': rt, '/p/barrel.ts': `export { sysAlloc } from './runtime.ts';` };
    for (let i = 0; i < n; i++) files[`/p/u${i}.ts`] = `import { sysAlloc } from './barrel.ts';\n${i > 0 ? `import { f${i - 1} } from './u${i - 1}.ts';\n` : ''}export function f${i}() { return sysAlloc(${i}); }`;
    files['/p/leaf.ts'] = `import { sysAlloc } from './barrel.ts';\nexport const x = sysAlloc(0);`;
    return files;
  };
  /** Runs namesRuntime, runtimeView and the mentions solve over every file; the work counters they add. */
  const passes = (program: ts.Program) => {
    const before = [analysisCounters.targetScans, viewCounters.bindingsResolved, mentionCounters.filesRead];
    const pa = programAnalysis(program);
    const views = new Map<string, string[]>();
    for (const f of program.getSourceFiles()) {
      if (!f.fileName.startsWith('/p/')) continue;
      namesRuntime(pa, f);
      views.set(f.fileName, [...runtimeView(pa, f).symbols].map((s) => s.name).sort());
      if (f.statements[0]) mayCarryRuntime(pa, f.statements[0]);
    }
    const [targets, bindings, read] = [analysisCounters.targetScans, viewCounters.bindingsResolved, mentionCounters.filesRead].map((c, i) => c - before[i]);
    return { work: { targets, bindings, read }, views };
  };

  it('re-reads only the edited file after an edit that keeps its imports, however many files (O(1), not O(files))', () => {
    const work: unknown[] = [];
    for (const n of [5, 20]) {
      const p = project(chain(n));
      const first = passes(p.build());
      expect(first.work.targets).toBeGreaterThanOrEqual(n + 2);
      expect(first.views.get(`/p/u${n - 1}.ts`)).toEqual(['sysAlloc']);
      p.edit('/p/leaf.ts', `import { sysAlloc } from './barrel.ts';\nexport const x = sysAlloc(1);`);
      const second = passes(p.build());
      expect(second.views).toEqual(first.views);
      work.push(second.work);
    }
    expect(work).toEqual([
      { targets: 1, bindings: 1, read: 1 },
      { targets: 1, bindings: 1, read: 1 },
    ]);
  });

  it('twin: an edit of a barrel re-resolves every binding read through it, and the views follow', () => {
    const n = 5;
    const p = project(chain(n));
    passes(p.build());
    p.edit('/p/barrel.ts', `export { addRoot as sysAlloc } from './runtime.ts';`);
    const second = passes(p.build());
    expect(second.views.get(`/p/u${n - 1}.ts`)).toEqual(['addRoot']);
    expect(second.views.get('/p/leaf.ts')).toEqual(['addRoot']);
    // Every unit and the leaf named sysAlloc through the barrel (one resolution for all of them: the same module
    // and name), and the barrel's own re-export is read again.
    expect(second.work.bindings).toBe(2);
  });

  it('twin: an edit that changes imports makes a new module resolution, and every file is resolved again', () => {
    const n = 5;
    const p = project(chain(n));
    passes(p.build());
    p.edit('/p/leaf.ts', `import { sysAlloc } from './barrel.ts';\nimport { f0 } from './u0.ts';\nexport const x = sysAlloc(f0());`);
    const second = passes(p.build());
    expect(second.work.targets).toBeGreaterThanOrEqual(n + 2);
    expect(second.views.get('/p/leaf.ts')).toEqual(['sysAlloc']);
  });
});

describe('an edit in the editor', () => {
  it('re-analyses the edited file only, through the project service', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'offheap-relint-'));
    try {
      const n = 40;
      writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', noEmit: true, types: [] }, include: ['*.ts'] }));
      writeFileSync(path.join(dir, 'runtime.ts'), runtime);
      for (let i = 0; i < n; i++) {
        writeFileSync(path.join(dir, `m${i}.ts`), `import { sysAlloc } from './runtime.js';\n${i > 0 ? `import { v${i - 1} } from './m${i - 1}.js';\n` : ''}export const v${i} = sysAlloc(${i});\n`);
      }
      const edited = path.join(dir, 'edited.ts');
      const text = (v: number) => `import { v${n - 1} } from './m${n - 1}.js';\nimport { sysAlloc } from './runtime.js';\nexport const e = v${n - 1} + sysAlloc(${v});\n`;
      writeFileSync(edited, text(0));
      const eslint = new ESLint({
        cwd: dir,
        overrideConfigFile: true,
        overrideConfig: [
          {
            files: ['**/*.ts'],
            // An editor session: never typescript-eslint's single-run mode, which CI=true would make it infer.
            languageOptions: { parser: tsParser, parserOptions: { projectService: true, tsconfigRootDir: dir, disallowAutomaticSingleRunInference: true } },
            plugins: { offheap: { rules: rules as never } },
            // A type rule (runtimeView, namesRuntime) and a flow rule (the mentions solve).
            rules: { 'offheap/no-heap-allocation': 'error', 'offheap/no-unrooted-heap-refs': 'error' },
          },
        ],
      });
      const all = await eslint.lintFiles(['.']);
      expect(all.flatMap((r) => r.messages)).toEqual([]);
      // Every per-program pass has read every file once.
      expect(analysisCounters.targetScans).toBeGreaterThanOrEqual(n);
      for (let v = 1; v <= 3; v++) {
        const scans = analysisCounters.specifierScans;
        const visits = analysisCounters.reachVisits;
        const targets = analysisCounters.targetScans;
        const bindings = viewCounters.bindingsResolved;
        const read = mentionCounters.filesRead;
        const [result] = await eslint.lintText(text(v), { filePath: edited });
        expect(result.messages).toEqual([]);
        // A new program each time: the edited file is scanned again, its unchanged imports are not.
        expect(analysisCounters.specifierScans - scans).toBe(1);
        // edited.ts -> m39: m39 imports the runtime first, so the walk stops there.
        expect(analysisCounters.reachVisits - visits).toBe(2);
        // The per-program passes (namesRuntime, runtimeView, the flow's mentions) resolve the edited file's
        // specifiers and bindings and read its syntax; the other 41 files' facts carry over.
        expect(analysisCounters.targetScans - targets).toBe(1);
        expect(viewCounters.bindingsResolved - bindings).toBe(1);
        expect(mentionCounters.filesRead - read).toBe(1);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('symbolAt', () => {
  const rt = `/** @offheap sysAlloc */ export function sysAlloc(n: number): number { return n; }\nexport function helper(n: number): number { return n; }`;
  const asked = (calls: number) => {
    const body = Array.from({ length: calls }, (_, i) => `${i % 2 ? 'sysAlloc' : 'helper'}(${i});`).join('\n');
    const program = virtualProgram({ '/p/runtime.ts': rt, '/p/user.ts': `import { sysAlloc, helper } from './runtime.ts';\n${body}` });
    const checker = program.getTypeChecker();
    programAnalysis(program);
    const found: ts.CallExpression[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n)) found.push(n);
      ts.forEachChild(n, visit);
    };
    visit(program.getSourceFile('/p/user.ts')!);
    const before = analysisCounters.symbolLookups;
    // As the rules ask: the callee's id (calleeId), the callee name's tag (offheapIdAt), the symbol itself, twice over.
    const ids: (string | undefined)[] = [];
    for (let round = 0; round < 2; round++) {
      for (const call of found) {
        ids.push(calleeId(checker, call), offheapIdAt(checker, call.expression));
        expect(symbolAt(checker, call.expression)?.name).toBe(call.expression.getText());
      }
    }
    return { ids: [...new Set(ids)], lookups: analysisCounters.symbolLookups - before };
  };

  it('asks the checker once per node and program, however many analyses ask about it', () => {
    const small = asked(10);
    const large = asked(40);
    expect(small.ids).toEqual([undefined, 'sysAlloc']);
    expect(large.ids).toEqual(small.ids);
    // One lookup per callee name: 10 and 40 (calleeId and offheapIdAt each walked the scopes again before).
    expect([small.lookups, large.lookups]).toEqual([10, 40]);
  });
});
