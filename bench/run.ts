// `npm run bench [-- --repeat N] [-- <topic> ...]`: runs the benchmark topics
// and writes docs/benchmarks.md with a chart per topic under docs/bench/.
// Every topic runs in its own node process (with --expose-gc), N times over
// (default 1), so a run's JIT and heap state never reach another run; the page
// shows each row's median and min–max across the runs and calls a row whose
// spread crosses its target "unstable". Results are kept per topic in
// docs/bench/results.json, so re-running one topic keeps the others.
// BENCH_QUICK=1 runs everything once, briefly (CI keeps the benchmarks
// working; it does not judge the figures) and writes under .bench-quick/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { quick } from './lib/harness.js';
import { combine, fmt, markdown, passes, runsText, spread, store, svg, targetText, verdictText, type CombinedTopic, type StoredTopic } from './lib/report.js';
import { topics } from './topics/index.js';

// Runs compiled (from .bench-build/bench/), so the shipped JS is what is measured.
const root = path.resolve(import.meta.dirname, '..', existsSync(path.resolve(import.meta.dirname, '..', 'package.json')) ? '' : '..');
const outDir = quick ? path.join(root, '.bench-quick') : path.join(root, 'docs');
const chartDir = path.join(outDir, 'bench');
const resultsFile = path.join(chartDir, 'results.json');

const args = process.argv.slice(2);

if (args[0] === '--child') {
  // One topic, one run, in this process: `--child <out.json> <topic>`.
  const [, out, id] = args;
  const topic = topics.find((t) => t.id === id);
  if (!topic) throw new Error(`unknown topic ${id}`);
  const t0 = performance.now();
  const report = await topic.run();
  const stored: StoredTopic = { ...store(report, quick), seconds: (performance.now() - t0) / 1000 };
  writeFileSync(out, JSON.stringify(stored));
  process.exit(0);
}

let repeat = 1;
const wanted: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--repeat') {
    repeat = Number(args[++i]);
    if (!Number.isInteger(repeat) || repeat < 1 || repeat > 20) {
      console.error(`--repeat needs an integer 1..20; got ${args[i]}`);
      process.exit(2);
    }
  } else wanted.push(args[i]);
}
const unknown = wanted.filter((w) => !topics.some((t) => t.id === w));
if (unknown.length) {
  console.error(`unknown topic(s) ${unknown.join(', ')}; topics: ${topics.map((t) => t.id).join(', ')}`);
  process.exit(2);
}
const selected = wanted.length ? topics.filter((t) => wanted.includes(t.id)) : topics;

mkdirSync(chartDir, { recursive: true });
type Kept = Record<string, { runs: StoredTopic[] }>;
const kept: Kept = {};
if (existsSync(resultsFile)) {
  const old = JSON.parse(readFileSync(resultsFile, 'utf8')) as Record<string, { runs?: StoredTopic[] } & Partial<StoredTopic>>;
  // Older files kept one StoredTopic per id.
  for (const [id, v] of Object.entries(old)) kept[id] = { runs: v.runs ?? [v as StoredTopic] };
}

const self = fileURLToPath(import.meta.url);
const tmp = path.join(os.tmpdir(), `offheap-bench-${process.pid}.json`);
const load0 = os.loadavg();
const started = performance.now();
const fresh: Record<string, StoredTopic[]> = {};
const failed: string[] = [];
const anchorOf = (title: string): string => title.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');

/** Writes the page from every topic's newest runs; called after each run, so a run cut short leaves the runs it finished. */
function writePage(done: boolean): string {
  const seconds = (performance.now() - started) / 1000;
  const load1 = os.loadavg();
  for (const [id, runs] of Object.entries(fresh)) kept[id] = { runs };
  const order = topics.map((t) => t.id).filter((id) => kept[id]);
  const combined: Record<string, CombinedTopic> = Object.fromEntries(order.map((id) => [id, combine(kept[id].runs)]));
  for (const id of Object.keys(fresh)) writeFileSync(path.join(chartDir, `${id}.svg`), svg(combined[id]));
  const rows = order.flatMap((id) => combined[id].targets.map((t) => ({ topic: combined[id], t })));
  const summary = [
    '| topic | id | measure | median | min–max | runs | target | result |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      ({ topic, t }) =>
        `| [${topic.title}](#${anchorOf(topic.title)}) | ${t.id} | ${t.measure} | ${fmt(t.median, t.unit)} | ${spread(t)} | ${runsText(t)} | ${targetText(t)} | ${verdictText(t.verdict)} |`,
    ),
  ];
  const count = (v: string): number => rows.filter(({ t }) => t.verdict === v).length;
  const loadNote = `load average ${load0.map((x) => x.toFixed(2)).join(' ')} at the start and ${load1.map((x) => x.toFixed(2)).join(' ')} at the end (2 cores, shared)`;
  const finished = Object.entries(fresh)
    .map(([id, runs]) => `${id} ${runs.length}`)
    .join(', ');
  const doc = [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (see `bench/`); do not edit by hand. Method:',
    '',
    '- Every topic runs in its own `node --expose-gc` process; `npm run bench -- --repeat N` runs each topic N times, each in a fresh',
    '  process. Judged rows show the median over runs and the min–max spread; a row whose spread crosses its target is',
    '  **unstable** (neither pass nor miss). Rows marked "info" are shown but not judged. The runs column counts the processes;',
    '  a lint row, which repeats a whole lint inside its process, counts the lints in all (processes × lints per process; its',
    '  value is the median over processes of each process\'s median; a row of paired lints is judged on every pair, so pairs',
    '  that fall on both sides of the target make it unstable).',
    '- Within a process, the variants of a table first run twice each alone (the solo pass), then interleaved in rounds whose',
    '  order is a seeded random shuffle per round, with a forced full GC between variants. A judged row is a median of',
    '  per-round ratios against an anchor measured in the same round, or a median of per-round differences between two',
    '  variants measured in the same round. A table\'s variants, and the live sets they hold, are let go when it is measured,',
    '  so a later table of the process runs without them.',
    '- GC columns count main-thread pauses (the `gc` performance entries) overlapping a variant\'s timed windows: "solo" in its',
    '  second solo window, "interleaved" over all rounds (one figure per run). A variant whose loop should not allocate but',
    '  shows GC pauses or JS heap growth of a byte or more per op in both solo windows is flagged **allocates by accident**',
    '  (both, because optimised code finishing its installation during a window allocates once). "cleanup GC ms" is',
    '  the forced full GCs after the variant\'s windows, not charged to its time: a full GC traces the whole heap (every',
    '  variant\'s live set), so the garbage a variant left shows only against the other variants of its table. V8\'s parallel and concurrent',
    '  GC work on its helper threads (the second core) is no pause: "other threads CPU ms" is the CPU time all the process\'s',
    '  other threads (GC helpers, compiler) used during the variant\'s round windows (Linux schedstat, current to a scheduler',
    '  tick), where that work shows; the forced full GC after each window finishes it before the next variant runs.',
    '- Each variant\'s loop is compiled on its own (no type feedback shared between variants or tables), keeps its',
    '  accumulators local, and walks an index stream that covers its whole live set.',
    '- Absolute figures are for this 2-core machine only; the ratios are what the targets judge.',
    '',
    `This page: ${done ? '' : 'INCOMPLETE (cut short), '}runs finished per topic in this invocation: ${finished || 'none'} (of ${repeat} asked)${
      order.some((id) => !fresh[id]) ? `; ${order.filter((id) => !fresh[id]).join(', ')} kept from earlier runs` : ''
    }${failed.length ? `; FAILED: ${failed.join(', ')}` : ''}; ${(seconds / 60).toFixed(1)} min, ${loadNote}. ${count('pass')} pass, ${count('miss')} miss, ${count('unstable')} unstable, ${count('info')} info.`,
    '',
    ...summary,
    '',
    ...order.map((id) => markdown(combined[id])),
  ].join('\n');
  writeFileSync(resultsFile, `${JSON.stringify(kept, null, 1)}\n`);
  writeFileSync(path.join(outDir, 'benchmarks.md'), doc);
  return loadNote;
}

for (let run = 1; run <= repeat; run++) {
  for (const topic of selected) {
    console.log(`\n## ${topic.title}${repeat > 1 ? ` (run ${run} of ${repeat})` : ''}`);
    const child = spawnSync(process.execPath, ['--expose-gc', self, '--child', tmp, topic.id], {
      stdio: 'inherit',
      // BENCH_PROCESSES: a topic that repeats a costly measurement in its process does fewer when the processes add up (lint).
      env: { ...process.env, BENCH_SEED: String(run), BENCH_PROCESSES: String(repeat) },
    });
    if (child.status !== 0) {
      // Keep going: the other topics' runs are still worth having; the exit status reports the failure.
      failed.push(`${topic.id} (run ${run}, exit ${child.status ?? child.signal})`);
      console.error(`topic ${topic.id} failed in run ${run} (exit ${child.status ?? child.signal})`);
      continue;
    }
    const report = JSON.parse(readFileSync(tmp, 'utf8')) as StoredTopic;
    rmSync(tmp);
    (fresh[topic.id] ??= []).push(report);
    for (const table of report.tables) {
      console.log(`  ${table.caption}`);
      for (const v of table.variants) {
        const flag = v.allocationFlag ? '  ALLOCATES (solo GC or heap growth, not declared)' : '';
        console.log(`    ${v.name.padEnd(60)} ${v.nsPerOp.toFixed(2).padStart(10)} ns/op   GC solo ${v.soloGcEvents ?? '-'} interleaved ${v.gcEvents}${flag}`);
      }
    }
    for (const t of report.targets) {
      const judged = t.info ? 'info' : passes(t) ? 'pass' : 'MISS';
      // An info row's target is NaN, which the child's JSON turns into null.
      const target = typeof t.target === 'number' && Number.isFinite(t.target) ? `target ${t.better === 'higher' ? '≥' : '≤'} ${t.target}` : 'no target';
      // A value can be NaN too (T1's CPU-time row when no scheduler tick fell in a quick run's windows).
      const value = typeof t.value === 'number' && Number.isFinite(t.value) ? t.value.toFixed(3) : 'n/a';
      console.log(`  ${t.id.padEnd(4)} ${t.measure}: ${value} ${t.unit} (${target}) ${judged}`);
    }
    console.log(`  (${(report.seconds ?? 0).toFixed(1)} s)`);
    writePage(run === repeat && topic === selected[selected.length - 1]);
  }
}
const loadNote = writePage(true);
console.log(`\nwrote ${path.relative(root, path.join(outDir, 'benchmarks.md'))} in ${((performance.now() - started) / 1000).toFixed(1)} s (${loadNote})`);
if (failed.length) {
  console.error(`failed: ${failed.join(', ')}`);
  process.exit(1);
}
