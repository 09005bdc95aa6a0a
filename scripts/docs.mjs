// Regenerates (or, with --check, verifies) the README's rules table and the
// generated header of each docs/rules/<rule>.md with eslint-doc-generator.
//
// The generator loads the package root as the plugin, but this package's root
// is the runtime; the plugin is the `./eslint-plugin` entry. So it runs on a
// small wrapper package whose entry is the built plugin, with the README and
// the rule docs named by paths back into the repository. Needs a build first.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const wrapper = path.join(root, 'node_modules', '.offheap-docgen');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

rmSync(wrapper, { recursive: true, force: true });
mkdirSync(wrapper, { recursive: true });
writeFileSync(
  path.join(wrapper, 'package.json'),
  JSON.stringify({ name: pkg.name, version: pkg.version, main: './plugin.cjs' }, null, 2),
);
writeFileSync(
  path.join(wrapper, 'plugin.cjs'),
  // The plugin object itself: the entry checks peers with a top-level await, which require() cannot load.
  `module.exports = require(${JSON.stringify(path.join(root, 'dist', 'plugin.js'))}).default;\n`,
);

const check = process.argv.includes('--check');
const args = [
  path.join(root, 'node_modules', 'eslint-doc-generator', 'dist', 'bin', 'eslint-doc-generator.js'),
  wrapper,
  '--config-emoji', 'recommended,✅',
  '--config-emoji', 'strict,🔒',
  '--rule-doc-title-format', 'prefix-name',
  '--rule-list-columns', 'name,description,configsError,configsWarn,hasSuggestions,requiresTypeChecking,options',
  '--url-rule-doc', 'docs/rules/{name}.md',
  '--path-rule-list', path.relative(wrapper, path.join(root, 'README.md')),
  '--path-rule-doc', path.relative(wrapper, path.join(root, 'docs', 'rules', '{name}.md')),
];
if (check) args.push('--check');
if (process.argv.includes('--init')) args.push('--init-rule-docs');

// The README's example is linted by tests/readme.test.ts as the fixture
// tests/fixtures/readme-example.ts, which must be the README's code exactly.
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const example = /<!-- example:begin -->\s*```ts\n([\s\S]*?)```\s*<!-- example:end -->/.exec(readme)?.[1];
const fixture = path.join(root, 'tests', 'fixtures', 'readme-example.ts');
const fixtureText = `// Generated from README.md by scripts/docs.mjs; edit the README instead.\n${example ?? ''}`;
if (!example) {
  console.error('README.md has no <!-- example:begin --> ```ts … ``` <!-- example:end --> block.');
  process.exitCode = 1;
} else if (check) {
  let current = '';
  try {
    current = readFileSync(fixture, 'utf8');
  } catch {
    // missing: stale
  }
  if (current !== fixtureText) {
    console.error('tests/fixtures/readme-example.ts is stale: run `npm run docs` and commit the result.');
    process.exitCode = 1;
  }
} else {
  writeFileSync(fixture, fixtureText);
}

try {
  execFileSync(process.execPath, args, { stdio: 'inherit', cwd: root });
} catch {
  console.error(
    check
      ? 'Generated docs are stale: run `npm run docs` and commit the result.'
      : 'eslint-doc-generator failed.',
  );
  process.exitCode = 1;
} finally {
  rmSync(wrapper, { recursive: true, force: true });
}
