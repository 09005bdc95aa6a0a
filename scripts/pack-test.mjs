// The package as users get it. `npm pack` once, then two scratch projects
// install the tarball:
//
// - "readme": the README's Install section run as written (commands in order,
//   files as shown), with only `npm i offheap` pointed at the tarball. It
//   installs the newest versions the section allows, the top of every peer
//   range (TypeScript 6.0, ESLint 10, typescript-eslint 8 latest), and runs
//   the compiled program the section ends with.
//   After `npm i offheap`, before the lint side is installed, it is the
//   runtime-only install: no other package, a size bound, the runtime runs,
//   and `offheap/eslint-plugin` fails with a message naming the missing peers.
// - "floor": the same files with the bottom of every peer range (asserted to be
//   the bottom of package.json's ranges); the shipped
//   src is also type-checked against the floor TypeScript's API
//   (TypeScript 5.7.2, ESLint 9.22.0, typescript-eslint 8.40.0: the first whose parser type fits `defineConfig`).
//
// In both, the README's examples and a few mistakes are added under src/, then
//   - `tsc` type-checks the project with the README's tsconfig (the configs
//     against `defineConfig` and `tseslint.config`), then offheap's shipped
//     .d.ts (runtime and plugin entry) with `skipLibCheck: false`;
//   - `eslint` finds exactly the expected findings (a generic's type argument
//     goes through the TypeScript < 5.8 fallback at the floor) and leaves a
//     `.js` file alone;
//   - without type information the run stops with typescript-eslint's error,
//     also with the shortest config (\`[offheap.configs.recommended]\` alone:
//     the configs set typescript-eslint's parser, so no Parsing error);
//   - the editor's hover (quick info) names the records: `Ptr<Particle>`;
//   - the compiled examples run;
//   - `require('offheap/eslint-plugin')` fails as the README says, and the
//     README's CommonJS config (`import()`) lints.
// In the top project the README's "In CI" commands run as written: the plain
// run's exit code, every hash shard (together they report what one run
// reports), and a shard with N unset or outside a git checkout fails.
// Finally `publint` checks the package. Installs share npm's cache and prefer
// it (`--prefer-offline`); set OFFHEAP_KEEP_SCRATCH=1 to keep the projects.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const scratch = mkdtempSync(path.join(tmpdir(), 'offheap-pack-'));
const keep = process.env.OFFHEAP_KEEP_SCRATCH === '1';
const started = performance.now();

/** The bottom of each peer range; the top is whatever the README's install command resolves to. */
const floor = {
  typescript: '5.7.2',
  eslint: '9.22.0',
  'typescript-eslint': '8.40.0',
  jiti: pkg.devDependencies.jiti,
  '@types/node': pkg.devDependencies['@types/node'],
};

// The floor is the bottom of each declared range: lowering a range without lowering the floor here fails.
const rangeFloor = (range) => /(?:>=|\^)\s*(\d+\.\d+\.\d+)/.exec(range)?.[1];
assert.equal(floor.typescript, rangeFloor(pkg.peerDependencies.typescript), 'floor.typescript is not the peer range\'s bottom');
assert.equal(floor.eslint, rangeFloor(pkg.peerDependencies.eslint), 'floor.eslint is not the peer range\'s bottom');
assert.equal(floor['typescript-eslint'], rangeFloor(pkg.peerDependencies['@typescript-eslint/utils']), 'floor typescript-eslint is not the peer range\'s bottom');
assert.equal(floor['typescript-eslint'], rangeFloor(pkg.peerDependencies['@typescript-eslint/parser']), 'floor typescript-eslint is not the parser peer range\'s bottom');

/** Upper bounds on what a runtime-only user downloads and keeps. */
// (Now about 732 KiB and 3.2 MB: dist 1.9 MB of it with 0.85 MB of maps, src 0.93 MB for the maps, docs 0.67 MB;
// the runtime's own JS is about 0.3 MB. Raised from 768 KiB / 3 MiB when the analysis outgrew them: the bound
// catches bloat; what must not ship (the benchmarks' raw results, tests, bench) is checked by name below.)
const runtimeBudget = { tarballBytes: 896 * 1024, installedBytes: 3.5 * 1024 * 1024 };
/** Paths of the repository that must never be in the package. */
const neverShipped = ['docs/bench/results.json', 'tests', 'bench', '.bench-build', '.bench-quick', 'node_modules'];

const env = {
  ...process.env,
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  npm_config_loglevel: 'error',
  npm_config_yes: 'false',
};

function sh(command, cwd) {
  const r = spawnSync('bash', ['-c', command], { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(command, cwd) {
  const r = sh(command, cwd);
  if (r.status !== 0) throw new Error(`\`${command}\` exited ${r.status} in ${cwd}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function write(dir, rel, text) {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function step(label, since) {
  console.log(`  ${label} (${((performance.now() - since) / 1000).toFixed(1)} s)`);
}

/** A README section: its `sh` blocks (commands) and `title="…"` blocks (files), in order. */
function section(heading) {
  const at = readme.indexOf(`\n## ${heading}\n`);
  assert.ok(at >= 0, `README.md has no "## ${heading}" section`);
  const end = readme.indexOf('\n## ', at + 1);
  const text = readme.slice(at, end < 0 ? undefined : end);
  return [...text.matchAll(/```(\w+)(?: title="([^"]+)")?\n([\s\S]*?)```/g)].map(([, lang, title, body]) =>
    title ? { file: title, text: body } : { lang, commands: body.split('\n').filter((l) => l.trim() && !l.startsWith('#')) },
  );
}

/** The first ```ts block after `marker` in the README. */
function readmeCode(marker, lang = 'ts') {
  const at = readme.indexOf(marker);
  assert.ok(at >= 0, `README.md has no ${marker}`);
  const text = readme.slice(lang === 'ts' ? at : readme.lastIndexOf('```', at));
  return new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(text)[1];
}

function versionsIn(dir) {
  const v = (name) => JSON.parse(readFileSync(path.join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;
  return {
    typescript: v('typescript'),
    eslint: v('eslint'),
    'typescript-eslint': v('typescript-eslint'),
    '@typescript-eslint/utils': v('@typescript-eslint/utils'),
    '@typescript-eslint/parser': v('@typescript-eslint/parser'),
  };
}

function duBytes(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? duBytes(p) : statSync(p).size;
  }
  return total;
}

/** Packages under node_modules (scoped ones counted one by one), without npm's own files. */
function installedPackages(dir) {
  const nm = path.join(dir, 'node_modules');
  if (!existsSync(nm)) return [];
  return readdirSync(nm)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => (name.startsWith('@') ? readdirSync(path.join(nm, name)).map((n) => `${name}/${n}`) : [name]));
}

/** The runtime-only state: right after `npm i offheap`, before any lint-side package. */
function checkRuntimeOnly(dir, tarballPath) {
  const packages = installedPackages(dir);
  assert.deepEqual(packages, ['offheap'], `npm i offheap installed more than offheap: ${packages.join(', ')}`);
  const tarballBytes = statSync(tarballPath).size;
  const installedBytes = duBytes(path.join(dir, 'node_modules', 'offheap'));
  assert.ok(tarballBytes <= runtimeBudget.tarballBytes, `tarball ${tarballBytes} B > ${runtimeBudget.tarballBytes} B`);
  assert.ok(installedBytes <= runtimeBudget.installedBytes, `installed ${installedBytes} B > ${runtimeBudget.installedBytes} B`);
  const shipped = neverShipped.filter((rel) => existsSync(path.join(dir, 'node_modules', 'offheap', rel)));
  assert.deepEqual(shipped, [], `the package ships ${shipped.join(', ')}`);
  // No output of a deleted source ships (tsc never removes them; scripts/clean-dist.mjs does).
  const installed = path.join(dir, 'node_modules', 'offheap');
  const orphans = [];
  const walk = (rel) => {
    for (const entry of readdirSync(path.join(installed, 'dist', rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (child.endsWith('.js') && !existsSync(path.join(installed, 'src', child.replace(/\.js$/, '.ts')))) orphans.push(child);
    }
  };
  walk('.');
  assert.deepEqual(orphans, [], 'dist/ outputs without a source in the package');
  const ran = ok(`node --input-type=module -e "import('offheap').then((m) => console.log(typeof m.FixAlloc, typeof m.struct))"`, dir);
  assert.equal(ran.trim(), 'function function');
  const plugin = sh(`node --input-type=module -e "await import('offheap/eslint-plugin')"`, dir);
  assert.notEqual(plugin.status, 0, 'the plugin entry loaded without its peers');
  assert.match(plugin.stderr, /offheap\/eslint-plugin needs typescript \([^)]+\), @typescript-eslint\/utils \([^)]+\) and @typescript-eslint\/parser \([^)]+\), which are not installed/);
  console.log(`  runtime only: 0 dependencies, tarball ${(tarballBytes / 1024).toFixed(0)} KiB, installed ${(installedBytes / 1024).toFixed(0)} KiB; the plugin entry names its missing peers`);
}

/**
 * A newcomer's cache whose JS objects hold handles: an index of addresses (`Ptr`, never followed by the collector) and a
 * lease that pins what it holds are right; a handle kept in a Map unpinned, and a root removed before its HeapRef slot is
 * cleared, are the two mistakes (marked `✖ offheap/<rule>` on their lines, as the README's example marks its own).
 */
const cacheProgram = `import { createRuntime, FixAlloc, heapRef, struct, u32, type HeapRef, type LayoutType, type Ptr, type Runtime } from 'offheap';

const rt: Runtime = createRuntime({ maxBytes: 8 << 20, debug: true });
export class Session {
  constructor(readonly user: string) {}
}
const Entry = struct('Entry', { key: u32, session: heapRef<Session>() });
interface Entry extends LayoutType<typeof Entry> {}
const E = rt.access(Entry);
const pool = new FixAlloc<Entry>(Entry, { runtime: rt });

export class SessionCache {
  readonly #index = new Map<number, Ptr<Entry>>();
  readonly #recent = new Map<number, HeapRef<Session>>();
  put(key: number, s: Session): void {
    const p = pool.alloc();
    rt.addRoot(p, Entry);
    E.key.set(p, key);
    E.session.set(p, rt.newHeapRef(s));
    this.#index.set(key, p);
  }
  get(key: number): Session | undefined {
    const p = this.#index.get(key);
    return p === undefined ? undefined : rt.deref(E.session.get(p));
  }
  remember(key: number, s: Session): void {
    this.#recent.set(key, rt.newHeapRef(s)); // ✖ offheap/no-unrooted-heap-refs
  }
  drop(key: number): void {
    const p = this.#index.get(key);
    if (p === undefined) return;
    rt.typedmemclr(Entry, p);
    rt.removeRoot(p);
    pool.free(p);
    this.#index.delete(key);
  }
  dropFast(key: number): void {
    const p = this.#index.get(key);
    if (p === undefined) return;
    rt.removeRoot(p); // ✖ offheap/no-unrooted-heap-refs
    pool.free(p);
    this.#index.delete(key);
  }
}

export class Lease {
  readonly #h: HeapRef<Session>;
  constructor(s: Session) {
    const h = rt.newHeapRef(s);
    rt.pin(h);
    this.#h = h;
  }
  get session(): Session {
    return rt.deref(this.#h);
  }
  release(): void {
    rt.unpin(this.#h);
    rt.freeHeapRef(this.#h);
  }
}

const cache = new SessionCache();
cache.put(1, new Session('ada'));
const lease = new Lease(new Session('bob'));
rt.gc();
console.log(cache.get(1)?.user, lease.session.user);
lease.release();
cache.drop(1);
`;

/** JSDoc declarations a JavaScript user writes: a not-in-heap @typedef with a string field, a JS Map of records by value. */
const jsRecords = `// @ts-check
import { createRuntime, FixAlloc, heapRef, struct, u32 } from 'offheap';
/** @type {import('offheap').Runtime} */ const rt = createRuntime({ maxBytes: 1 << 20 });
/** @template T @typedef {import('offheap').Ptr<T>} Ptr */
/** @typedef {import('offheap').NotInHeap<{ id: number, name: string }>} Header */ // ✖ offheap/no-heap-pointers
const Entry = struct('Entry', { key: u32, session: heapRef() });
/** @typedef {import('offheap').LayoutType<typeof Entry>} EntryT */
const pool = new FixAlloc(Entry, { runtime: rt });
/** @type {Map<string, EntryT>} */ let byName; // ✖ offheap/no-heap-allocation
/** @type {Map<string, Ptr<EntryT>>} */ const byKey = new Map();

/** @param {string} key */
export function make(key) {
  const p = pool.alloc();
  rt.addRoot(p, Entry);
  byKey.set(key, p);
  return p;
}
export { byName };
`;

/** \`file:line rule\` for each \`✖ offheap/<rule>\` marker in a file's text. */
const marked = (rel, text) => text.split('\n').flatMap((line, i) => [...line.matchAll(/✖ (offheap\/[a-z-]+)/g)].map((m) => `${rel}:${i + 1} ${m[1]}`));

/** The files every project gets on top of the README's: the README's examples and one mistake per kind. */
function addSources(dir) {
  write(dir, 'src/example.ts', readmeCode('<!-- example:begin -->'));
  write(dir, 'src/usage.ts', readmeCode('## Using the runtime'));
  write(dir, 'src/cache.ts', cacheProgram);
  write(
    dir,
    'src/bad.ts',
    `import { notInHeap } from 'offheap';

@notInHeap
export class Span {
  declare start: number;
  declare owner: string; // a heap reference inside a not-in-heap type
}
`,
  );
  write(
    dir,
    'src/generic.ts',
    `import type { NotInHeap, Ptr } from 'offheap';

type Chunk = NotInHeap<{ n: number; next: Ptr<Chunk> }>;
function identity<T>(x: T): T {
  return x;
}
export const explicit = (c: Chunk): Chunk => identity<Chunk>(c);
export const inferred = (c: Chunk): Chunk => identity(c);
`,
  );
  write(dir, 'src/plain.js', 'export const answer = 42;\n');
  // Type-checked, not linted: the plugin also fits typescript-eslint's config helper.
  write(
    dir,
    'src/tseslint-config.ts',
    `import tseslint from 'typescript-eslint';
import offheap from 'offheap/eslint-plugin';

export default tseslint.config(offheap.configs.recommended, {
  files: ['**/*.ts'],
  plugins: { offheap },
  rules: { 'offheap/no-heap-pointers': 'error' },
});
`,
  );
  // The README's mistake without type information: the parser, no projectService.
  write(
    dir,
    'eslint.notypes.config.mjs',
    `import tseslint from 'typescript-eslint';
import offheap from 'offheap/eslint-plugin';

export default [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, offheap.configs.recommended];
`,
  );
  // A user's first try: the shortest config, no typescript-eslint in it.
  write(
    dir,
    'eslint.shortest.config.mjs',
    `import offheap from 'offheap/eslint-plugin';

export default [offheap.configs.recommended];
`,
  );
}

/** `node hover.cjs <file> <text> …`: quick info at the name after `const ` of each text, one line each. */
const hoverScript = `const ts = require('typescript');
const path = require('node:path');
const config = ts.getParsedCommandLineOfConfigFile(path.resolve('tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } });
const service = ts.createLanguageService({
  getCompilationSettings: () => config.options,
  getScriptFileNames: () => config.fileNames,
  getScriptVersion: () => '1',
  getScriptSnapshot: (f) => (ts.sys.fileExists(f) ? ts.ScriptSnapshot.fromString(ts.sys.readFile(f)) : undefined),
  getCurrentDirectory: () => process.cwd(),
  getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
  fileExists: ts.sys.fileExists, readFile: ts.sys.readFile, readDirectory: ts.sys.readDirectory,
  directoryExists: ts.sys.directoryExists, getDirectories: ts.sys.getDirectories,
});
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  const file = path.resolve(args[i]);
  const at = ts.sys.readFile(file).indexOf(args[i + 1]);
  if (at < 0) throw new Error(args[i + 1] + ' not in ' + args[i]);
  console.log(ts.displayPartsToString(service.getQuickInfoAtPosition(file, at + 'const '.length)?.displayParts));
}
`;

/** Type-check and lint the project; the findings must be exactly the expected ones. */
function checkProject(dir, label) {
  let t = performance.now();
  ok('node_modules/.bin/tsc -p .', dir);
  // The shipped declarations themselves, with skipLibCheck off: the runtime's and the plugin entry's.
  write(dir, 'src/plugin-types.ts', "import offheap from 'offheap/eslint-plugin';\n\nexport const configs = [offheap.configs.recommended, offheap.configs.strict];\n");
  write(
    dir,
    'tsconfig.dts.json',
    JSON.stringify({
      extends: './tsconfig.json',
      compilerOptions: { skipLibCheck: false, types: [], noEmit: true },
      include: ['src/example.ts', 'src/usage.ts', 'src/bad.ts', 'src/generic.ts', 'src/plugin-types.ts'],
    }),
  );
  ok('node_modules/.bin/tsc -p tsconfig.dts.json', dir);
  step(`${label}: tsc passes on the README files, the examples and both config helpers, and on offheap's .d.ts with skipLibCheck off`, t);
  // Hovers over the installed package's .d.ts, with the project's own TypeScript (the language service an editor runs).
  t = performance.now();
  write(dir, 'hover.cjs', hoverScript);
  const hovers = ok('node hover.cjs src/example.ts "const p =" src/usage.ts "const n =" src/example.ts "const pool ="', dir).trim().split('\n');
  assert.deepEqual(hovers, ['const p: Ptr<Particle>', 'const n: Ptr<Item>', 'const pool: FixAlloc<Particle, true>']);
  // The compiled examples run: the usage program prints its answer, the opening example's mistake is silent at run time.
  assert.equal(ok('node build/src/usage.js', dir), 'answer\n');
  ok('node build/src/example.js', dir);
  assert.equal(ok('node build/src/cache.js', dir), 'ada bob\n');
  step(`${label}: hovers show Ptr<Particle>, Ptr<Item>, FixAlloc<Particle, true>; the compiled examples run`, t);

  t = performance.now();
  const lint = sh('node_modules/.bin/eslint --format json src eslint.config.ts', dir);
  assert.equal(lint.status, 1, `eslint should exit 1 (findings), got ${lint.status}:\n${lint.stderr}`);
  const results = JSON.parse(lint.stdout);
  const found = results
    .flatMap((r) => r.messages.map((m) => `${path.relative(dir, r.filePath)}:${m.line} ${m.ruleId ?? `fatal: ${m.message}`}`))
    .sort();
  const expected = [
    ...marked('src/example.ts', readmeCode('<!-- example:begin -->')),
    ...marked('src/cache.ts', cacheProgram),
    'src/bad.ts:6 offheap/no-heap-pointers',
    'src/generic.ts:7 offheap/no-heap-allocation',
    'src/generic.ts:8 offheap/no-heap-allocation',
  ].sort();
  assert.deepEqual(found, expected, 'eslint findings');
  step(`${label}: eslint finds exactly ${expected.length} (${[...new Set(expected.map((e) => e.split(' ')[1]))].join(', ')}); usage.ts, plain.js and the config are clean`, t);

  t = performance.now();
  const untyped = sh('node_modules/.bin/eslint -c eslint.notypes.config.mjs src/example.ts', dir);
  assert.equal(untyped.status, 2, `without type information eslint should exit 2, got ${untyped.status}:\n${untyped.stdout}${untyped.stderr}`);
  assert.match(untyped.stderr, /offheap\/[a-z-]+[\s\S]*offheap needs type information[\s\S]*parserOptions: \{ projectService: true \}/);
  // The shortest config parses the TypeScript with the parser the configs set and stops at the same error.
  const shortest = sh('node_modules/.bin/eslint -c eslint.shortest.config.mjs src/example.ts', dir);
  assert.equal(shortest.status, 2, `the shortest config should stop the run (exit 2), got ${shortest.status}:\n${shortest.stdout}${shortest.stderr}`);
  assert.match(shortest.stderr, /offheap\/[a-z-]+[\s\S]*offheap needs type information[\s\S]*parserOptions: \{ projectService: true \}/);
  assert.doesNotMatch(shortest.stdout + shortest.stderr, /Parsing error/);
  step(`${label}: without type information the run stops (exit 2, "offheap needs type information"), with the parser alone and with the shortest config`, t);

  // A CommonJS config: require() of the plugin fails as the README says, its import() form lints.
  t = performance.now();
  const required = sh(`node -e "require('offheap/eslint-plugin')"`, dir);
  assert.notEqual(required.status, 0, 'require(offheap/eslint-plugin) loaded: the README says it fails');
  assert.match(required.stderr, /ERR_REQUIRE_ASYNC_MODULE/);
  write(dir, 'eslint.commonjs.cjs', readmeCode('// eslint.config.cjs', 'js'));
  const cjs = sh('node_modules/.bin/eslint --format json -c eslint.commonjs.cjs src/example.ts', dir);
  assert.equal(cjs.status, 1, `the README's CommonJS config should find the example's mistake (exit 1), got ${cjs.status}:\n${cjs.stderr}`);
  assert.deepEqual(JSON.parse(cjs.stdout)[0].messages.map((m) => m.ruleId), ['offheap/zeroing-variant']);
  step(`${label}: require() of the plugin fails with ERR_REQUIRE_ASYNC_MODULE; the README's CommonJS config (import()) lints`, t);
}

/**
 * The README's "JavaScript with JSDoc types" as written, in a js/ folder of the project: its eslint.config.js, a
 * tsconfig.json as the config's first line describes it (the Install section's, reading and checking JavaScript), its
 * example as src/reset.js, and JSDoc declarations (src/records.js). tsc type-checks the JavaScript; `eslint` finds
 * exactly the marked mistakes.
 */
function checkJavaScript(dir, label) {
  const t = performance.now();
  const at = readme.indexOf('\n### JavaScript with JSDoc types\n');
  assert.ok(at >= 0, 'README.md has no "### JavaScript with JSDoc types" section');
  const text = readme.slice(at, readme.indexOf('\n#', at + 1));
  const [config, example] = [...text.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(config && example, 'the JavaScript section has a config and an example');
  const described = /tsconfig\.json: (.*)\)$/m.exec(config.split('\n')[0])?.[1];
  assert.ok(described, "the JavaScript config's first line says what tsconfig.json holds");
  const { include, ...options } = JSON.parse(`{${described}}`);
  const base = JSON.parse(section('Install').find((b) => b.file === 'tsconfig.json').text);
  const js = path.join(dir, 'js');
  write(js, 'tsconfig.json', JSON.stringify({ compilerOptions: { ...base.compilerOptions, ...options, noEmit: true }, include }));
  write(js, 'eslint.config.js', config);
  write(js, 'src/reset.js', example);
  write(js, 'src/records.js', jsRecords);
  ok('../node_modules/.bin/tsc -p .', js);
  const lint = sh('../node_modules/.bin/eslint --format json', js);
  assert.equal(lint.status, 1, `eslint in js/ should exit 1 (findings), got ${lint.status}:\n${lint.stderr}`);
  const found = JSON.parse(lint.stdout)
    .flatMap((r) => r.messages.map((m) => `${path.relative(js, r.filePath)}:${m.line} ${m.ruleId ?? `fatal: ${m.message}`}`))
    .sort();
  const expected = [...marked('src/reset.js', example), ...marked('src/records.js', jsRecords)].sort();
  assert.deepEqual(found, expected, 'eslint findings in JavaScript');
  step(`${label}: the README's JavaScript section as written: tsc checks the JS, eslint finds exactly ${expected.length} (${[...new Set(expected.map((e) => e.split(' ')[1]))].join(', ')}); eslint.config.js is clean`, t);
}

/** The README's "In CI" commands, literally, in the linted project: the plain run and every hash shard. */
function checkCi(dir) {
  const t = performance.now();
  const at = readme.indexOf('\n## In CI\n');
  const text = readme.slice(at, readme.indexOf('\n## ', at + 1));
  const blocks = [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].replace(/^ {2}/gm, ''));
  assert.equal(blocks.length, 2, 'In CI: the plain command and the sharding script');
  const [plain, shard] = blocks;
  const all = sh(plain, dir);
  assert.equal(all.status, 1, 'npx eslint --max-warnings=0 exits 1 on findings');
  ok('git init -q && git add src eslint.config.ts tsconfig.json package.json', dir);
  const files = (ls) => [...ls.matchAll(/^(\/\S+\.ts)$/gm)].map((m) => path.relative(dir, m[1]));
  const linted = [];
  const N = 2;
  for (let I = 0; I < N; I++) {
    const r = sh(`I=${I} N=${N}\n${shard}`, dir);
    assert.ok(r.status === 0 || r.status === 123, `shard ${I}/${N} exited ${r.status}:\n${r.stderr}`);
    assert.equal(r.status === 123, files(r.stdout).length > 0, `shard ${I}/${N}: exit ${r.status} with findings in ${files(r.stdout)}`);
    linted.push(...files(r.stdout));
  }
  assert.deepEqual(linted.sort(), files(all.stdout).sort(), 'the shards together report what one run reports');
  // A broken step fails the shard instead of linting nothing: N unset, no git checkout.
  assert.notEqual(sh(`I=0\n${shard}`, dir).status, 0, 'a shard without N passed');
  const noGit = path.join(path.dirname(dir), 'no-git');
  mkdirSync(noGit);
  assert.notEqual(sh(`I=0 N=2\n${shard}`, noGit).status, 0, 'a shard outside a git checkout passed');
  step(`top: In CI as written: exit 1 on findings; ${N} hash shards report the same ${linted.length} files; unset N or no checkout fails`, t);
}

try {
  // 1. The tarball (prepack builds dist/).
  let t = performance.now();
  // prepack builds dist/; `npm test` has just built it and says so.
  const ignoreScripts = process.env.OFFHEAP_PACK_BUILT === '1' ? ' --ignore-scripts' : '';
  ok(`npm pack --silent${ignoreScripts} --pack-destination ${JSON.stringify(scratch)}`, root);
  const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack produced no tarball');
  const tarballPath = path.join(scratch, tarball);
  step(`npm pack: ${tarball}`, t);

  // 2. The README's Install section, as written, in an empty folder.
  t = performance.now();
  const readmeDir = path.join(scratch, 'readme');
  mkdirSync(readmeDir);
  let installedOffheap = false;
  let ranProgram = false;
  for (const block of section('Install')) {
    if (block.file) {
      write(readmeDir, block.file, block.text);
      continue;
    }
    assert.equal(block.lang, 'sh', 'the Install section has only sh and file blocks');
    // "Put your code under src/, for example the program in Using the runtime as src/main.ts".
    if (block.commands.includes('npx tsc')) write(readmeDir, 'src/main.ts', readmeCode('## Using the runtime'));
    for (const command of block.commands) {
      const isRuntimeInstall = /^npm (i|install) offheap$/.test(command.trim());
      const out = ok(isRuntimeInstall ? command.replace(/offheap$/, JSON.stringify(tarballPath)) : command, readmeDir);
      if (command.startsWith('node ')) {
        assert.equal(out, 'answer\n', `${command} printed the wrong thing`);
        ranProgram = true;
      }
      if (isRuntimeInstall) {
        installedOffheap = true;
        checkRuntimeOnly(readmeDir, tarballPath);
      }
    }
  }
  assert.ok(installedOffheap, 'the Install section never runs `npm i offheap`');
  assert.ok(ranProgram, 'the Install section never runs the compiled program');
  const top = versionsIn(readmeDir);
  assert.match(top.typescript, /^6\.0\./);
  assert.match(top.eslint, /^10\./);
  // typescript-eslint's latest 8: at least the one this repository develops against, utils in lockstep.
  const [devMinor, devPatch] = pkg.devDependencies['typescript-eslint'].split('.').slice(1).map(Number);
  const [topMajor, topMinor, topPatch] = top['typescript-eslint'].split('.').map(Number);
  assert.ok(topMajor === 8 && (topMinor > devMinor || (topMinor === devMinor && topPatch >= devPatch)), `typescript-eslint ${top['typescript-eslint']} is not the latest 8`);
  assert.equal(top['@typescript-eslint/utils'], top['typescript-eslint']);
  assert.equal(top['@typescript-eslint/parser'], top['typescript-eslint']);
  step(`README Install section ran as written (${JSON.stringify(top)})`, t);

  // The runtime alone next to TypeScript 7 (the peer range has no upper bound for it): npm installs them together,
  // the runtime's .d.ts type-check under tsc 7 with skipLibCheck off and the program runs; the plugin entry refuses.
  t = performance.now();
  const ts7Dir = path.join(scratch, 'ts7');
  write(
    ts7Dir,
    'package.json',
    JSON.stringify({ name: 'offheap-ts7', private: true, type: 'module', dependencies: { offheap: `file:${tarballPath}` }, devDependencies: { typescript: '^7.0.0', '@types/node': floor['@types/node'] } }, null, 2),
  );
  const readmeTsconfig = JSON.parse(section('Install').find((b) => b.file === 'tsconfig.json').text);
  write(ts7Dir, 'tsconfig.json', JSON.stringify({ compilerOptions: { ...readmeTsconfig.compilerOptions, skipLibCheck: false }, include: ['src'] }));
  write(ts7Dir, 'src/main.ts', readmeCode('## Using the runtime'));
  ok('npm install', ts7Dir);
  const ts7 = JSON.parse(readFileSync(path.join(ts7Dir, 'node_modules', 'typescript', 'package.json'), 'utf8')).version;
  assert.match(ts7, /^7\./);
  ok('node_modules/.bin/tsc -p .', ts7Dir);
  assert.equal(ok('node build/src/main.js', ts7Dir), 'answer\n');
  const refused = sh(`node --input-type=module -e "await import('offheap/eslint-plugin')"`, ts7Dir);
  assert.notEqual(refused.status, 0, 'the plugin entry loaded on TypeScript 7');
  assert.match(refused.stderr, new RegExp(`supports typescript \\d+\\.\\d+\\.\\d+ to 6\\.x; found ${ts7.replaceAll('.', '\\.')} \\(typescript-eslint 8 does not run on TypeScript 7\\)`));
  step(`TypeScript ${ts7}: the runtime installs beside it, type-checks (skipLibCheck off) and runs; the plugin entry refuses it`, t);

  // 3. The floor: the same README files with the oldest supported peers.
  t = performance.now();
  const floorDir = path.join(scratch, 'floor');
  write(
    floorDir,
    'package.json',
    JSON.stringify({ name: 'offheap-floor', private: true, type: 'module', dependencies: { offheap: `file:${tarballPath}` }, devDependencies: floor }, null, 2),
  );
  for (const block of section('Install')) if (block.file) write(floorDir, block.file, block.text);
  ok('npm install', floorDir);
  assert.deepEqual(versionsIn(floorDir), {
    ...Object.fromEntries(['typescript', 'eslint', 'typescript-eslint'].map((k) => [k, floor[k]])),
    '@typescript-eslint/utils': floor['typescript-eslint'],
    '@typescript-eslint/parser': floor['typescript-eslint'],
  });
  step(`floor installed (${JSON.stringify(floor)})`, t);

  // The shipped sources against the floor TypeScript's API declarations, compiled by this repository's TypeScript: a
  // call to a compiler API newer than the floor fails here (getTypeArgumentsForResolvedSignature did). The
  // @typescript-eslint/utils and eslint declarations stay the development ones: older utils types lack `meta.languages`,
  // which only matters to the type checker (the lint above runs the floor's utils).
  t = performance.now();
  const { compilerOptions } = JSON.parse(readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
  const dev = (name) => path.join(root, 'node_modules', name);
  write(
    floorDir,
    'tsconfig.api.json',
    JSON.stringify({
      compilerOptions: {
        ...compilerOptions,
        allowImportingTsExtensions: false,
        skipLibCheck: true,
        noEmit: true,
        typeRoots: [path.join(floorDir, 'node_modules', '@types')],
        paths: {
          typescript: [path.join(floorDir, 'node_modules', 'typescript', 'lib', 'typescript.d.ts')],
          '@typescript-eslint/utils': [dev('@typescript-eslint/utils/dist/index.d.ts')],
          eslint: [dev('eslint/lib/types/index.d.ts')],
        },
      },
      include: ['node_modules/offheap/src'],
      exclude: [],
    }),
  );
  ok(`${JSON.stringify(path.join(root, 'node_modules', '.bin', 'tsc'))} -p tsconfig.api.json`, floorDir);
  step(`floor: offheap's src type-checks against the typescript ${floor.typescript} API`, t);

  // 4. Both ends: examples, mistakes, the untyped run.
  for (const [label, dir] of [['top', readmeDir], ['floor', floorDir]]) {
    addSources(dir);
    checkProject(dir, label);
    checkJavaScript(dir, label);
  }
  checkCi(readmeDir);

  // 5. publint on the package as packed.
  t = performance.now();
  console.log(ok(`${JSON.stringify(path.join(root, 'node_modules', '.bin', 'publint'))} --strict ${JSON.stringify(tarballPath)}`, root).trim());
  step('publint', t);

  console.log(`pack test passed in ${((performance.now() - started) / 1000).toFixed(0)} s.`);
} finally {
  if (keep) console.log(`scratch projects kept at ${scratch}`);
  else rmSync(scratch, { recursive: true, force: true });
}
