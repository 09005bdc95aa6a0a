// `npm start`, the main job: lint the bundled example projects with the real
// plugin (ESLint's Node API, each project's own flat config, type
// information), print the findings by rule, then run the example program and
// the run-time hazards.
// `npm start` builds dist/ first, since the examples import the package by name.
//
// - examples/particles: the example program; it must lint clean. Its physics
//   runs on a worker thread attached to the same space, and its report shows
//   both threads' allocation counts.
// - examples/cache: the second example program (an LRU cache of JS objects
//   indexed from off-heap records); it must lint clean too.
// - examples/hazards: its twin with one deliberate mistake per rule and case;
//   every finding is listed, then tallied by rule.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(import.meta.dirname, '..');
const examples = path.join(root, 'examples');
const jiti = path.join(root, 'node_modules', '.bin', 'jiti');
/** The projects linted: the example programs and, when present, the hazards twin. */
const projects = ['particles', 'cache', 'hazards'].filter((name) => existsSync(path.join(examples, name)));

function table(rows, headers) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

let failed = false;
for (const name of projects) {
  const cwd = path.join(examples, name);
  const eslint = new ESLint({ cwd });
  const started = performance.now();
  const results = await eslint.lintFiles(['.']);
  const ms = performance.now() - started;

  /** rule → message id → findings */
  const byRule = new Map();
  const listing = [];
  for (const result of results) {
    for (const m of result.messages) {
      if (m.fatal || !m.ruleId) failed = true;
      const id = m.ruleId ?? '(fatal)';
      const ids = byRule.get(id) ?? new Map();
      byRule.set(id, ids);
      ids.set(m.messageId ?? '', (ids.get(m.messageId ?? '') ?? 0) + 1);
      listing.push([`${path.relative(cwd, result.filePath)}:${m.line}`, id, m.messageId ?? m.message]);
    }
  }
  console.log(`\n== eslint examples/${name}: ${results.length} files in ${(ms / 1000).toFixed(1)} s ==`);
  if (name !== 'hazards' && listing.length > 0) {
    // The example must be clean: show the full messages.
    failed = true;
    const formatter = await eslint.loadFormatter('stylish');
    console.log((await formatter.format(results)).trim());
  } else if (listing.length > 0) {
    console.log(table(listing, ['where', 'rule', 'case']));
    console.log('');
  }
  const rows = [...byRule]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([rule, ids]) => [rule, [...ids.values()].reduce((a, b) => a + b, 0), [...ids.keys()].sort().join(', ')]);
  console.log(rows.length ? table(rows, ['rule', 'findings', 'cases']) : 'no findings');
}

const run = (title, file) => {
  console.log(`\n== ${title} ==`);
  try {
    execFileSync(jiti, [file], { cwd: root, stdio: 'inherit' });
  } catch {
    failed = true;
  }
};
run('run examples/particles (debug mode, checkmark on; physics on a worker thread)', path.join(examples, 'particles', 'main.ts'));
run('run examples/cache (debug mode, checkmark on)', path.join(examples, 'cache', 'main.ts'));
if (existsSync(path.join(examples, 'hazards', 'run.ts'))) {
  run('run examples/hazards (debug mode, checkmark on): the failure each mistake causes', path.join(examples, 'hazards', 'run.ts'));
}

if (failed) {
  console.error('\nnpm start: something went wrong (see above).');
  process.exitCode = 1;
}
