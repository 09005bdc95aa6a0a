// `npm run corpus`: the plugin over real third-party TypeScript, with every
// offheap rule on and type information. None of that code uses offheap, so
// the run must end with zero crashes, zero exceptions inside rules and zero
// reports, and the offheap rules must cost next to nothing (they bail out
// before asking the checker). Prints the lines linted and the rules' share of
// the lint time from ESLint's stats.
//
// The sources come from dev dependencies that ship their .ts files (zod,
// rxjs, immer), copied to .corpus/ so ESLint does not skip node_modules.
//
// Then a generated stress corpus that does use offheap (scripts/gen-corpus.mjs:
// deep generic and recursive not-in-heap types, a 120-member union, long
// deeply nested functions, @nowritebarrierrec chains across every file). It
// is correct code, so it must lint clean too, with no file's offheap rule
// time above a bound.
//
// `--quick` lints a reduced set of both (what CI runs); the default is the full set.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import offheap from '../dist/eslint-plugin.js';
import { generateCorpus } from './gen-corpus.mjs';

const root = path.resolve(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
const corpus = path.join(root, '.corpus', quick ? 'quick' : 'full');

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

rmSync(corpus, { recursive: true, force: true });
let lines = 0;
let files = 0;
for (const { pkg, dir, quickFiles } of sources) {
  const from = path.join(root, 'node_modules', pkg, dir);
  const all = walk(from);
  const picked = quick ? all.slice(0, quickFiles) : all;
  for (const file of picked) {
    const to = path.join(corpus, pkg, path.relative(from, file));
    mkdirSync(path.dirname(to), { recursive: true });
    cpSync(file, to);
    lines += readFileSync(file, 'utf8').split('\n').length;
    files++;
  }
}
writeFileSync(
  path.join(corpus, 'tsconfig.json'),
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

/** Lints `dir` with the strict config and ESLint's stats; fails the run on any report or fatal error. */
async function lint(label, dir, tsconfig, { perFileBoundMs }) {
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    stats: true,
    overrideConfig: [
      {
        files: ['**/*.{ts,tsx,mts,cts}'],
        languageOptions: {
          parser: tseslint.parser,
          parserOptions: { project: tsconfig, tsconfigRootDir: dir },
        },
        // Third-party inline directives name rules this run does not load.
        linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
      },
      offheap.configs.strict,
    ],
  });
  const started = performance.now();
  // An exception inside a rule rejects lintFiles and fails the run with its stack.
  const results = await eslint.lintFiles(['.']);
  const wall = performance.now() - started;

  let offheapMs = 0;
  let totalMs = 0;
  let slowest = { file: '', ms: 0 };
  const problems = [];
  for (const result of results) {
    // Only fatal errors (parse failures) and offheap reports count: the other
    // messages say that third-party inline directives were not applied.
    for (const message of result.messages.filter((m) => m.fatal || m.ruleId?.startsWith('offheap/')))
      problems.push(`${path.relative(dir, result.filePath)}:${message.line}: ${message.ruleId ?? 'fatal'}: ${message.message}`);
    let fileMs = 0;
    for (const pass of result.stats?.times.passes ?? []) {
      totalMs += pass.total;
      for (const [id, timing] of Object.entries(pass.rules ?? {})) if (id.startsWith('offheap/')) fileMs += timing.total;
    }
    offheapMs += fileMs;
    if (fileMs > slowest.ms) slowest = { file: path.relative(dir, result.filePath), ms: fileMs };
  }
  console.log(
    `${label}: lint ${(wall / 1000).toFixed(1)} s wall, ${totalMs.toFixed(0)} ms in passes; offheap rules ${offheapMs.toFixed(1)} ms ` +
      `(${((100 * offheapMs) / totalMs).toFixed(2)}% of pass time); slowest file ${slowest.file || '-'} ${slowest.ms.toFixed(1)} ms`,
  );
  if (problems.length > 0) {
    console.error(`${label}: expected no reports and no crashes; got ${problems.length}:`);
    for (const p of problems.slice(0, 30)) console.error(`  ${p}`);
    process.exitCode = 1;
  }
  if (slowest.ms > perFileBoundMs) {
    console.error(`${label}: ${slowest.file} spent ${slowest.ms.toFixed(1)} ms in offheap rules (bound ${perFileBoundMs} ms)`);
    process.exitCode = 1;
  }
}

console.log(`third-party corpus${quick ? ' (quick)' : ''}: ${files} files, ${lines} lines of zod, rxjs and immer`);
await lint('third-party', corpus, path.join(corpus, 'tsconfig.json'), { perFileBoundMs: 1000 });

// The stress corpus imports 'offheap' by name, which resolves to this package
// (dist/) because .corpus/ lies inside it.
const stress = path.join(root, '.corpus', quick ? 'stress-quick' : 'stress');
rmSync(stress, { recursive: true, force: true });
const units = quick ? 6 : 60;
const stressLines = generateCorpus(stress, units);
console.log(`stress corpus${quick ? ' (quick)' : ''}: ${units} files, ${stressLines} lines using offheap`);
await lint('stress', stress, path.join(stress, 'tsconfig.json'), { perFileBoundMs: 1000 });
