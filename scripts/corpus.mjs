// `npm run corpus`: the plugin over real third-party TypeScript, with every
// offheap rule on and type information. None of that code uses offheap, so
// the run must end with zero crashes, zero exceptions inside rules and zero
// reports, and the offheap rules must cost next to nothing (they bail out
// before asking the checker). Prints the lines linted and the rules' share of
// the lint time from ESLint's stats.
//
// The sources come from dev dependencies that ship their .ts files (zod,
// rxjs, immer), copied to .corpus/ so ESLint does not skip node_modules.
// `--quick` lints a reduced set (what CI runs); the default is the full set.
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import offheap from '../dist/eslint-plugin.js';

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

const eslint = new ESLint({
  cwd: corpus,
  overrideConfigFile: true,
  stats: true,
  overrideConfig: [
    {
      files: ['**/*.{ts,tsx,mts,cts}'],
      languageOptions: {
        parser: tseslint.parser,
        parserOptions: { project: path.join(corpus, 'tsconfig.json'), tsconfigRootDir: corpus },
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
const problems = [];
for (const result of results) {
  // Only fatal errors (parse failures) and offheap reports count: the other
  // messages say that third-party inline directives were not applied.
  for (const message of result.messages.filter((m) => m.fatal || m.ruleId?.startsWith('offheap/')))
    problems.push(`${path.relative(corpus, result.filePath)}:${message.line}: ${message.ruleId ?? 'fatal'}: ${message.message}`);
  for (const pass of result.stats?.times.passes ?? []) {
    totalMs += pass.total;
    for (const [id, timing] of Object.entries(pass.rules ?? {})) if (id.startsWith('offheap/')) offheapMs += timing.total;
  }
}

console.log(
  `corpus${quick ? ' (quick)' : ''}: ${files} files, ${lines} lines of zod, rxjs and immer; lint ${(wall / 1000).toFixed(1)} s wall, ` +
    `${totalMs.toFixed(0)} ms in passes; offheap rules ${offheapMs.toFixed(1)} ms (${((100 * offheapMs) / totalMs).toFixed(2)}% of pass time)`,
);
if (problems.length > 0) {
  console.error(`expected no reports and no crashes on code that does not use offheap; got ${problems.length}:`);
  for (const p of problems.slice(0, 30)) console.error(`  ${p}`);
  process.exitCode = 1;
}
