// Linting whole corpora with the plugin and ESLint's stats: shared by
// `npm run corpus` (no crash, no noise) and the lint benchmarks (L1–L3).
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import offheap from '../dist/eslint-plugin.js';
import { generateCorpus } from './gen-corpus.mjs';

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
export function prepareThirdParty(quick) {
  const dir = path.join(root, '.corpus', quick ? 'quick' : 'full');
  rmSync(dir, { recursive: true, force: true });
  let lines = 0;
  let files = 0;
  for (const { pkg, dir: sub, quickFiles } of sources) {
    const from = path.join(root, 'node_modules', pkg, sub);
    const all = walk(from);
    for (const file of quick ? all.slice(0, quickFiles) : all) {
      const to = path.join(dir, pkg, path.relative(from, file));
      mkdirSync(path.dirname(to), { recursive: true });
      cpSync(file, to);
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

/**
 * Lints every TS file of `dir` (one program from its tsconfig.json) with the
 * strict offheap config, plus typescript-eslint's recommendedTypeChecked when
 * `withTypescriptEslint`. Returns the reports and the rule times from stats.
 */
export async function lintCorpus(dir, { withTypescriptEslint = false } = {}) {
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    stats: true,
    overrideConfig: [
      {
        files: ['**/*.{ts,tsx,mts,cts}'],
        languageOptions: {
          parser: tseslint.parser,
          parserOptions: { project: path.join(dir, 'tsconfig.json'), tsconfigRootDir: dir },
        },
        // Third-party inline directives name rules this run does not load.
        linterOptions: { noInlineConfig: true, reportUnusedDisableDirectives: 'off' },
      },
      ...(withTypescriptEslint
        ? tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['**/*.{ts,tsx,mts,cts}'] }))
        : []),
      offheap.configs.strict,
    ],
  });
  const started = performance.now();
  // An exception inside a rule rejects lintFiles and fails the run with its stack.
  const results = await eslint.lintFiles(['.']);
  const wallMs = performance.now() - started;

  let offheapMs = 0;
  let otherRulesMs = 0;
  let passMs = 0;
  const perFile = [];
  const problems = [];
  for (const result of results) {
    const file = path.relative(dir, result.filePath);
    // Only fatal errors and offheap reports count: the other messages say that
    // third-party inline directives were not applied, or come from typescript-eslint.
    for (const message of result.messages.filter((m) => m.fatal || m.ruleId?.startsWith('offheap/')))
      problems.push(`${file}:${message.line}: ${message.ruleId ?? 'fatal'}: ${message.message}`);
    let fileMs = 0;
    for (const pass of result.stats?.times.passes ?? []) {
      passMs += pass.total;
      for (const [id, timing] of Object.entries(pass.rules ?? {})) {
        if (id.startsWith('offheap/')) fileMs += timing.total;
        else otherRulesMs += timing.total;
      }
    }
    offheapMs += fileMs;
    perFile.push({ file, ms: fileMs });
  }
  perFile.sort((a, b) => b.ms - a.ms);
  return { wallMs, passMs, offheapMs, otherRulesMs, perFile, problems, files: results.length };
}
