// `npm start`, the main job: lint the bundled example project with the real
// plugin (ESLint's Node API, the project's own flat config, type information),
// print the findings by rule, then run the example program.
// `npm start` builds dist/ first, since the example imports the package by name.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(import.meta.dirname, '..');
const examples = path.join(root, 'examples');
/** The projects linted: the example program and, when present, its hazards twin. */
const projects = ['particles', 'hazards'].filter((name) => existsSync(path.join(examples, name)));

function table(rows, headers) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

let crashed = false;
for (const name of projects) {
  const cwd = path.join(examples, name);
  const eslint = new ESLint({ cwd });
  const started = performance.now();
  const results = await eslint.lintFiles(['.']);
  const ms = performance.now() - started;

  const counts = new Map();
  for (const result of results) {
    for (const message of result.messages) {
      if (message.fatal || !message.ruleId) crashed = true;
      const id = message.ruleId ?? '(fatal)';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  console.log(`\n== eslint examples/${name}: ${results.length} files in ${ms.toFixed(0)} ms ==`);
  const formatter = await eslint.loadFormatter('stylish');
  const text = await formatter.format(results);
  if (text.trim()) console.log(text.trim());
  const rows = [...counts].sort(([a], [b]) => a.localeCompare(b));
  console.log(rows.length ? table(rows, ['rule', 'findings']) : 'no findings');
}

console.log('\n== run examples/particles ==');
execFileSync(path.join(root, 'node_modules', '.bin', 'jiti'), [path.join(examples, 'particles', 'main.ts')], {
  cwd: root,
  stdio: 'inherit',
});

if (crashed) {
  console.error('\nESLint reported a fatal error (see above).');
  process.exitCode = 1;
}
