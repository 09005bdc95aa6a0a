// Linting whole corpora with the plugin and ESLint's stats: shared by
// `npm run corpus` (no crash, no noise) and the lint benchmarks (L1–L5).
//
// A lint's cost has two parts that behave differently: one-time work per
// program (building it, the checker's lazy tables, every program-scoped
// cache of the rules) and per-file work. `lintCorpus` separates them by
// linting the same program again in the same process (the program, the
// checker and the program-scoped caches are reused; every file is parsed and
// every rule runs again), and `relintCorpus` measures what an editor pays:
// one small file edited and re-linted through the project service, which
// builds the next program from the previous one.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { clearCaches } from '@typescript-eslint/parser';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import offheap from '../dist/eslint-plugin.js';
import { editedFile, generateCorpus, generateSmallCorpus } from './gen-corpus.mjs';

export const root = path.resolve(import.meta.dirname, '..');

/** Package, folder of .ts sources inside it, and (quick mode) how many files to take. */
const sources = [
  { pkg: 'zod', dir: 'src', quickFiles: 60 },
  { pkg: 'rxjs', dir: 'src', quickFiles: 60 },
  { pkg: 'immer', dir: 'src', quickFiles: 20 },
];

const isSource = (f) => /\.(m|c)?tsx?$/.test(f) && !/\.d\.(m|c)?ts$/.test(f);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (isSource(name)) out.push(full);
  }
  return out;
}

/**
 * Copies the .ts sources of zod, rxjs and immer (dev dependencies that ship
 * them) to .corpus/, where ESLint does not skip them as it skips node_modules.
 */
export function prepareThirdParty(quick, { offheapImport = false } = {}) {
  const suffix = offheapImport === 'named' ? '-named' : offheapImport === 'marked' ? '-marked' : offheapImport ? '-import' : '';
  const dir = path.join(root, '.corpus', `${quick ? 'quick' : 'full'}${suffix}`);
  rmSync(dir, { recursive: true, force: true });
  let lines = 0;
  let files = 0;
  for (const { pkg, dir: sub, quickFiles } of sources) {
    const from = path.join(root, 'node_modules', pkg, sub);
    const all = walk(from);
    for (const file of quick ? all.slice(0, quickFiles) : all) {
      const to = path.join(dir, pkg, path.relative(from, file));
      mkdirSync(path.dirname(to), { recursive: true });
      // With `offheapImport`, every file imports the runtime for its side effects (`import 'offheap'`): each
      // reaches the runtime, so no rule bails out at the import graph (L1's test), but none names a runtime
      // binding, which the rules see before asking for any type (namesRuntime in src/analysis/offheap-files.ts).
      // With `offheapImport: 'named'`, every file names a runtime type (`import type { Ptr } from 'offheap'`),
      // so no file is answered from its imports alone; the rules must see that a file naming only numbers of the
      // runtime holds nothing of it (runtimeView in src/analysis/offheap-files.ts).
      // With `offheapImport: 'marked'`, every file uses the not-in-heap mark once (a local type alias of a
      // NotInHeap record) and nothing else of the runtime: no type rule may skip a file (an import that is never
      // used again would let them: usesRuntime in src/analysis/not-in-heap.ts), and the walk meets every type of
      // ordinary code, none of which holds a mark.
      if (offheapImport === 'named') writeFileSync(to, `import type { Ptr } from 'offheap';\n${readFileSync(file, 'utf8')}`);
      else if (offheapImport === 'marked') writeFileSync(to, `import type { NotInHeap } from 'offheap';\n${readFileSync(file, 'utf8')}\ntype OffheapCorpusMark = NotInHeap<{ readonly n: number }>;\n`);
      else if (offheapImport) writeFileSync(to, `import 'offheap';\n${readFileSync(file, 'utf8')}`);
      else cpSync(file, to);
      lines += readFileSync(file, 'utf8').split('\n').length;
      files++;
    }
  }
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        allowImportingTsExtensions: true,
        types: [],
        lib: ['ES2022', 'DOM'],
      },
      include: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'],
    }),
  );
  return { dir, files, lines };
}

/**
 * Generates `units` files of the offheap-heavy stress corpus under .corpus/.
 * They import 'offheap' by name, which resolves to this package (dist/)
 * because .corpus/ lies inside it.
 */
export function prepareStress(name, units) {
  const dir = path.join(root, '.corpus', name);
  rmSync(dir, { recursive: true, force: true });
  const lines = generateCorpus(dir, units);
  return { dir, files: units, lines };
}

/** Generates the many-file program of the re-lint benchmark (L5) under .corpus/. */
export function prepareRelint(name, units) {
  const dir = path.join(root, '.corpus', name);
  rmSync(dir, { recursive: true, force: true });
  const lines = generateSmallCorpus(dir, units);
  return { dir, files: units + 1, lines, edited: path.join(dir, 'edited.ts'), editedText: (version) => editedFile(units, version) };
}

/**
 * The program of the lint in progress, seen by a rule of the benchmark's own
 * that reads it once per file (`Program` listener, no type asked): after a
 * lint, its checker's counters say how much type work the lint did, which
 * paired lints with and without the offheap config compare without noise.
 */
let lintedProgram;
const captureId = 'offheap-bench/program';
const capture = {
  meta: { name: 'offheap-bench' },
  rules: {
    program: {
      meta: { type: 'suggestion', schema: [] },
      create(context) {
        lintedProgram = context.sourceCode.parserServices?.program ?? lintedProgram;
        return {};
      },
    },
  },
};

/** What the checker of `program` built: types, instantiations, symbols (TypeScript's own counters). */
function checkerWork(program) {
  if (!program) return undefined;
  return { types: program.getTypeCount(), instantiations: program.getInstantiationCount(), symbols: program.getSymbolCount() };
}

function config(dir, { withTypescriptEslint = false, withOffheap = true, projectService = false } = {}) {
  return [
    {
      files: ['**/*.{ts,tsx,mts,cts}'],
      languageOptions: {
        parser: tseslint.parser,
        // Never typescript-eslint's single-run mode (which it infers from CI=true or
        // an eslint bin in argv): that mode assumes every file is linted once, and a
        // warm run that lints the program again crashes inside TypeScript resolving
        // the corpus's imports. The runs must measure the same thing on CI and here.
        parserOptions: {
          ...(projectService ? { projectService: true } : { project: path.join(dir, 'tsconfig.json') }),
          tsconfigRootDir: dir,
          disallowAutomaticSingleRunInference: true,
        },
      },
      // Third-party inline directives name rules this run does not load.
      linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
      plugins: { 'offheap-bench': capture },
      rules: { [captureId]: 'error' },
    },
    ...(withTypescriptEslint ? tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['**/*.{ts,tsx,mts,cts}'] })) : []),
    ...(withOffheap ? [offheap.configs.strict] : []),
  ];
}

// ESLint's stats time each rule's listeners, not its create(): what a rule does when it is set up for a file
// (offheap's rules find the file's program and imports there) is timed here, per plugin and per offheap file,
// and added to the rule times (summarise), so "offheap rules" counts all of their code, and the typescript-eslint
// rules they are compared with count theirs the same way.
const creates = { offheap: 0, other: 0, byFile: new Map() };
function timeCreate(rules, key) {
  for (const rule of Object.values(rules)) {
    const create = rule.create;
    rule.create = function (context) {
      const started = performance.now();
      try {
        return create.call(this, context);
      } finally {
        const ms = performance.now() - started;
        creates[key] += ms;
        if (key === 'offheap') creates.byFile.set(context.filename, (creates.byFile.get(context.filename) ?? 0) + ms);
      }
    };
  }
}
timeCreate(offheap.rules, 'offheap');
timeCreate(tseslint.plugin.rules, 'other');

/** The create() times from here on, for summarise. */
function createsFrom() {
  const offheapMs = creates.offheap;
  const otherMs = creates.other;
  creates.byFile.clear();
  return () => ({ offheapMs: creates.offheap - offheapMs, otherMs: creates.other - otherMs, byFile: new Map(creates.byFile) });
}

/** Rule and parse times of one lint from ESLint's stats, plus the rules' create() times (`created`, from createsFrom). */
function summarise(dir, results, wallMs, created) {
  let offheapMs = 0;
  let otherRulesMs = 0;
  let passMs = 0;
  let parseMs = 0;
  const perFile = [];
  const perRule = {};
  const problems = [];
  for (const result of results) {
    const file = path.relative(dir, result.filePath);
    // Only fatal errors and offheap reports count: the other messages say that
    // third-party inline directives were not applied, or come from typescript-eslint.
    for (const message of result.messages.filter((m) => m.fatal || m.ruleId?.startsWith('offheap/')))
      problems.push(`${file}:${message.line}: ${message.ruleId ?? 'fatal'}: ${message.message}`);
    let fileMs = created.byFile.get(result.filePath) ?? 0;
    parseMs += result.stats?.times.passes.reduce((t, pass) => t + (pass.parse?.total ?? 0), 0) ?? 0;
    for (const pass of result.stats?.times.passes ?? []) {
      passMs += pass.total;
      for (const [id, timing] of Object.entries(pass.rules ?? {})) {
        if (id === captureId) continue;
        perRule[id] = (perRule[id] ?? 0) + timing.total;
        if (id.startsWith('offheap/')) fileMs += timing.total;
        else otherRulesMs += timing.total;
      }
    }
    offheapMs += fileMs;
    perFile.push({ file, ms: fileMs });
  }
  perFile.sort((a, b) => b.ms - a.ms);
  otherRulesMs += created.otherMs;
  return { wallMs, passMs, parseMs, offheapMs, otherRulesMs, offheapCreateMs: created.offheapMs, otherCreateMs: created.otherMs, perFile, perRule, problems, files: results.length };
}

/**
 * Lints every TS file of `dir` (one program from its tsconfig.json) with the
 * strict offheap config (unless `withOffheap: false`), plus typescript-eslint's
 * recommendedTypeChecked when `withTypescriptEslint`. Starts cold (parser
 * caches cleared, so the program is built anew) and returns that run; with
 * `warmRuns`, lints the same program that many times more in the same process
 * and returns them as `warm` (per-file work only).
 */
export async function lintCorpus(dir, { withTypescriptEslint = false, withOffheap = true, warmRuns = 0 } = {}) {
  clearCaches();
  const eslint = new ESLint({ cwd: dir, overrideConfigFile: true, stats: true, overrideConfig: config(dir, { withTypescriptEslint, withOffheap }) });
  const runs = [];
  try {
    for (let i = 0; i <= warmRuns; i++) {
      lintedProgram = undefined;
      const created = createsFrom();
      const started = performance.now();
      // An exception inside a rule rejects lintFiles and fails the run with its stack.
      const results = await eslint.lintFiles(['.']);
      runs.push({ ...summarise(dir, results, performance.now() - started, created()), checker: checkerWork(lintedProgram) });
    }
  } finally {
    lintedProgram = undefined;
    // The program is garbage from here: a caller that collects before its next lint (the paired L4 runs)
    // frees it then, instead of the next lint paying to collect it (typescript-eslint keeps it cached).
    clearCaches();
  }
  return { ...runs[0], warm: runs.slice(1) };
}

/**
 * lintCorpus in a process of its own (this script, `--lint-child`), with this
 * process's node flags (less an `-e`/`-p` script); its result comes back as
 * JSON after a marker line, so anything a plugin or TypeScript prints to
 * stdout (a version warning) does not break it. Paired lints (L4 (d)) run
 * this way, so neither lint inherits the other's heap: in one process the
 * same lint's main-thread CPU time varied by 30 % from lint to lint.
 */
export function lintCorpusInChild(dir, options = {}) {
  const script = new Set(['-e', '--eval', '-p', '--print', '--input-type']);
  const flags = process.execArgv.filter((a, i, all) => !script.has(a) && !script.has(all[i - 1]) && !a.startsWith('--input-type='));
  const out = execFileSync(process.execPath, [...flags, import.meta.filename, '--lint-child', JSON.stringify({ dir, options })], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const at = out.lastIndexOf(childResult);
  if (at < 0) throw new Error(`lintCorpusInChild: the child printed no result; its stdout was:\n${out.slice(0, 2000)}`);
  return JSON.parse(out.slice(at + childResult.length));
}

/** The line before a child's result on its stdout. */
const childResult = '\n--lint-child result--\n';

/**
 * The editor's loop through the project service, in one process: lint every
 * file of `corpus` (from prepareRelint), then `edits` times replace the small
 * `edited.ts` with a new version and re-lint only it, as the language server
 * does on a keystroke (each edit makes the project service build the next
 * program from the previous one). Returns the full lint and each re-lint.
 */
export async function relintCorpus(corpus, { edits = 3 } = {}) {
  clearCaches();
  const eslint = new ESLint({ cwd: corpus.dir, overrideConfigFile: true, stats: true, overrideConfig: config(corpus.dir, { projectService: true }) });
  let created = createsFrom();
  let started = performance.now();
  const full = summarise(corpus.dir, await eslint.lintFiles(['.']), performance.now() - started, created());
  const relints = [];
  for (let version = 1; version <= edits; version++) {
    created = createsFrom();
    started = performance.now();
    const results = await eslint.lintText(corpus.editedText(version), { filePath: corpus.edited });
    relints.push(summarise(corpus.dir, results, performance.now() - started, created()));
  }
  lintedProgram = undefined;
  return { full, relints };
}

if (process.argv[2] === '--lint-child' && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { dir, options } = JSON.parse(process.argv[3]);
  const result = JSON.stringify(await lintCorpus(dir, options));
  process.stdout.write(childResult + result);
}
