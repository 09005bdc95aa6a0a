// The package as a user gets it: `npm pack`, install the tarball into a
// scratch TypeScript project with a flat config that uses
// `offheap/eslint-plugin` and `projectService: true`, then
//   - `tsc --noEmit` type-checks the project, its `eslint.config.ts` against
//     ESLint's `defineConfig` and typescript-eslint's `tseslint.config`, and
//     a program that uses the runtime;
//   - `eslint` runs the plugin's rules: the mistake in `src/bad.ts` is found,
//     `src/good.ts` and a plain `.js` file stay quiet;
//   - the runtime runs from the installed package;
//   - `publint` finds nothing wrong with the package.
// Dependencies come from npm's cache when it has them (`npm ci` filled it).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const scratch = mkdtempSync(path.join(tmpdir(), 'offheap-pack-'));
const keep = process.env.OFFHEAP_KEEP_SCRATCH === '1';

function run(cmd, args, cwd, { allowFail = false } = {}) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if (allowFail && typeof error.stdout === 'string' && error.stdout.trim()) return error.stdout;
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
  }
}

function write(rel, text) {
  const file = path.join(scratch, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const version = (name) => pkg.devDependencies[name];

try {
  // 1. The tarball (prepack builds dist/).
  run('npm', ['pack', '--silent', '--pack-destination', scratch], root);
  const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack produced no tarball');

  // 2. A consumer project.
  write(
    'package.json',
    JSON.stringify(
      {
        name: 'offheap-consumer',
        private: true,
        type: 'module',
        devDependencies: {
          offheap: `file:./${tarball}`,
          eslint: version('eslint'),
          'typescript-eslint': version('typescript-eslint'),
          typescript: version('typescript'),
          jiti: version('jiti'),
          '@types/node': version('@types/node'),
        },
      },
      null,
      2,
    ),
  );
  write(
    'tsconfig.json',
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ['node'],
        },
        include: ['src', 'eslint.config.ts', 'tseslint.config.ts'],
      },
      null,
      2,
    ),
  );
  write(
    'eslint.config.ts',
    `import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import offheap from 'offheap/eslint-plugin';

export default defineConfig([
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  offheap.configs.strict,
  { files: ['src/**/*.ts'], plugins: { offheap }, extends: ['offheap/recommended'] },
]);
`,
  );
  // Not used by eslint; proves the plugin also fits typescript-eslint's helper.
  write(
    'tseslint.config.ts',
    `import tseslint from 'typescript-eslint';
import offheap from 'offheap/eslint-plugin';

export default tseslint.config(offheap.configs.recommended, {
  files: ['**/*.ts'],
  plugins: { offheap },
  rules: { 'offheap/no-heap-pointers': 'error' },
});
`,
  );
  write(
    'src/good.ts',
    `import { createRuntime, FixAlloc, struct, f64, u32 } from 'offheap';

const Point = struct('Point', { x: f64, y: f64, id: u32 });
const rt = createRuntime({ debug: true });
const pool = new FixAlloc(Point, { runtime: rt });
const p = pool.alloc();
pool.free(p);
console.log('consumer ok', Point.size, rt.stats().mapped > 0);
`,
  );
  write(
    'src/bad.ts',
    `import { notInHeap } from 'offheap';

@notInHeap
export class Span {
  declare start: number;
  declare owner: string; // a heap reference inside a not-in-heap type
}
`,
  );
  write('src/plain.js', 'export const answer = 42;\n');

  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], scratch);

  // 3. Types: the configs type-check against defineConfig and tseslint.config.
  run(path.join(scratch, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', '.'], scratch);

  // 4. Lint: the plugin's rules run with type information.
  const out = run(
    path.join(scratch, 'node_modules', '.bin', 'eslint'),
    ['--format', 'json', 'src', 'eslint.config.ts'],
    scratch,
    { allowFail: true },
  );
  const results = JSON.parse(out);
  const byFile = Object.fromEntries(results.map((r) => [path.relative(scratch, r.filePath), r.messages]));
  const fatal = results.flatMap((r) => r.messages.filter((m) => m.fatal || !m.ruleId));
  assert.deepEqual(fatal, [], 'eslint reported fatal errors');
  const badRules = (byFile['src/bad.ts'] ?? []).map((m) => m.ruleId);
  assert.ok(
    badRules.some((id) => id?.startsWith('offheap/')),
    `expected an offheap diagnostic in src/bad.ts, got ${JSON.stringify(byFile['src/bad.ts'])}`,
  );
  assert.deepEqual(byFile['src/good.ts'] ?? [], [], 'src/good.ts should lint clean');
  assert.deepEqual(byFile['src/plain.js'] ?? [], [], 'src/plain.js should lint clean');

  // 5. The runtime runs from the installed package (the entry imports no eslint).
  const ran = run(process.execPath, ['--input-type=module', '-e', "import('offheap').then((m) => console.log(typeof m.FixAlloc))"], scratch);
  assert.equal(ran.trim(), 'function');
  const runtimeJs = readdirSync(path.join(scratch, 'node_modules', 'offheap', 'dist', 'runtime'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(path.join(scratch, 'node_modules', 'offheap', 'dist', 'runtime', f), 'utf8'));
  assert.ok(
    runtimeJs.every((text) => !/from ['"](eslint|typescript|@typescript-eslint\/[^'"]+)['"]/.test(text)),
    'the runtime entry must not import eslint, typescript or typescript-eslint',
  );

  // 6. publint on the package as packed.
  const lintOut = run(path.join(root, 'node_modules', '.bin', 'publint'), ['--strict', path.join(scratch, tarball)], root);
  console.log(lintOut.trim());

  console.log(`pack test passed: ${tarball} installs, type-checks, lints (${badRules.join(', ')}) and runs.`);
} finally {
  if (keep) console.log(`scratch project kept at ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}
