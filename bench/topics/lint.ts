// L1–L5: what the rules cost inside ESLint, from its per-rule stats.
//
// A lint pays once per program (building it, the checker's lazy tables, the
// rules' program-scoped caches) and then per file. Every corpus is linted
// cold (parser caches cleared, so the program is built anew) and then again
// in the same process over the same program ("warm": per-file work only);
// the difference is the one-time work. Each figure is a median over several
// runs (`runs` below, cold and warm alike), and `npm run bench -- --repeat N`
// repeats the whole topic in separate processes; `runs` shrinks as N grows so
// every judged row still has at least 3 lints in all (3 in one process, 1 in
// each of 3), which keeps `--repeat 3` at about half of 3 × one full-size run.
//
// - L1: real third-party code that never imports offheap (the rules must
//   bail out before asking the checker).
// - L2, L3: the generated offheap-heavy corpus next to typescript-eslint's
//   recommendedTypeChecked, at 1×, 2× and 4× its size.
// - L4: the same third-party code with `import 'offheap'` added to every
//   file (the import graph reaches the runtime everywhere, but no file names
//   a runtime binding: the rules must see that before asking for types),
//   next to recommendedTypeChecked;
//   also as the wall time a lint with the offheap config adds to the same
//   lint without it (paired runs, each lint in a process of its own,
//   alternating order): rule
//   times charge a rule for checker work the other rules would pay anyway;
//   and (f) with `import type { Ptr } from 'offheap'` instead, so every file
//   names a runtime type: the rules must see, from the runtime bindings a
//   file can see (src/analysis/offheap-files.ts, runtimeView), that a file
//   naming only `Ptr` holds no not-in-heap type, no handle and no runtime call.
// - L5: the editor's loop through the project service: a program of many
//   small offheap-using files linted whole, then one 4-line file edited and
//   re-linted alone, several times (each edit makes a new program).
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { median, processes, quick, runsPerProcess, type Measurement, type VariantResult } from '../lib/harness.js';
import { explain, type Table, type TargetRow, type Topic, type TopicReport } from '../lib/report.js';

interface CorpusRun {
  wallMs: number;
  passMs: number;
  parseMs: number;
  /** The offheap rules' time: listeners (ESLint's stats) and create() (lint-corpus.mjs times it; ESLint does not). */
  offheapMs: number;
  /** The same for typescript-eslint's rules. */
  otherRulesMs: number;
  /** The create() parts of the two. */
  offheapCreateMs: number;
  otherCreateMs: number;
  perFile: { file: string; ms: number }[];
  perRule: Record<string, number>;
  problems: string[];
  files: number;
  /** TypeScript's counters of what the lint's checker built (undefined for a lint that saw no program). */
  checker?: { types: number; instantiations: number; symbols: number };
}
interface ColdAndWarm extends CorpusRun {
  warm: CorpusRun[];
}
interface Corpus {
  dir: string;
  files: number;
  lines: number;
}
interface RelintCorpus extends Corpus {
  edited: string;
}
interface LintCorpus {
  prepareThirdParty(quick: boolean, options?: { offheapImport?: boolean | 'named' | 'marked' }): Corpus;
  prepareStress(name: string, units: number): Corpus;
  prepareRelint(name: string, units: number): RelintCorpus;
  lintCorpus(dir: string, options?: { withTypescriptEslint?: boolean; withOffheap?: boolean; warmRuns?: number }): Promise<ColdAndWarm>;
  lintCorpusInChild(dir: string, options?: { withTypescriptEslint?: boolean; withOffheap?: boolean; warmRuns?: number }): ColdAndWarm;
  relintCorpus(corpus: RelintCorpus, options?: { edits?: number }): Promise<{ full: CorpusRun; relints: CorpusRun[] }>;
}

/** Newest modification time of the .ts files under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(full) : e.name.endsWith('.ts') ? statSync(full).mtimeMs : 0);
  }
  return t;
}

/**
 * A table in the harness's shape, so the report can chart it: each variant's
 * per-run milliseconds over `ops` (lines of source, or re-lints), as ns/op.
 */
function costTable(caption: string, ops: number, rows: [name: string, perRunMs: number[]][]): Table {
  const variants: VariantResult[] = rows.map(([name, ms]) => {
    const rounds = ms.map((x) => (x * 1e6) / ops);
    const nsPerOp = median(rounds);
    return { name, nsPerOp, opsPerSec: 1e9 / nsPerOp, gcEvents: 0, gcMs: 0, rounds };
  });
  const get = (name: string): VariantResult => {
    const v = variants.find((x) => x.name === name);
    if (!v) throw new Error(`no variant named ${name}`);
    return v;
  };
  const measurement: Measurement = {
    variants,
    opsPerCall: Object.fromEntries(rows.map(([name]) => [name, ops])),
    get,
    speedup: (subject, anchor) => median(get(subject).rounds.map((s, r) => get(anchor).rounds[r] / s)),
  };
  return { caption, measurement };
}

const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const range = (xs: readonly number[], unit = ''): string => (xs.length > 1 ? ` (runs ${ms(Math.min(...xs))}–${ms(Math.max(...xs))}${unit})` : '');
const offheapRules = (run: CorpusRun): string =>
  Object.entries(run.perRule)
    .filter(([id]) => id.startsWith('offheap/'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([id, t]) => `${id.slice('offheap/'.length)} ${ms(t)} ms`)
    .join(', ');
/** The run whose `f` is the median's (for the texts that go with a median figure). */
const medianRun = <T>(runs: readonly T[], f: (r: T) => number): T => {
  const m = median(runs.map(f));
  return runs.reduce((best, r) => (Math.abs(f(r) - m) < Math.abs(f(best) - m) ? r : best));
};

// The scripts are plain ESM next to the repository root (this file runs compiled from .bench-build/).
const root = path.resolve(import.meta.dirname, '..', '..', import.meta.dirname.includes('.bench-build') ? '..' : '');

export const lint: Topic = {
  id: 'lint',
  title: 'Lint cost',
  async run(): Promise<TopicReport> {
    const lc = (await import(path.join(root, 'scripts', 'lint-corpus.mjs'))) as LintCorpus;
    // At least 3 cold runs of each judged corpus across the processes of `--repeat N`.
    const runs = quick ? 1 : runsPerProcess(3, processes);
    const repeat = async (dir: string, options: { withTypescriptEslint?: boolean }, warmRuns = 1): Promise<ColdAndWarm[]> => {
      const out: ColdAndWarm[] = [];
      for (let i = 0; i < runs; i++) out.push(await lc.lintCorpus(dir, { ...options, warmRuns }));
      return out;
    };

    // L1: third-party code that never imports offheap.
    const third = lc.prepareThirdParty(quick);
    const a = await repeat(third.dir, {}, 0);

    // L2, L3: the offheap-heavy corpus at 1× (several cold runs), 2× and 4× (one cold run, several warm).
    const units = quick ? 6 : 60;
    const sizes: { units: number; lines: number; runs: ColdAndWarm[] }[] = [];
    for (const factor of [1, 2, 4]) {
      const s = lc.prepareStress(`bench-${factor}x`, units * factor);
      // Three warm lints after each cold one at 1×: L3's slowest file is a median of at least three lints per
      // process, so one lint's outlier (a 362 ms file among 11–13 ms ones, not reproduced in 12 warm lints
      // with GC traced) cannot move it as the mean of two did.
      const r = factor === 1 ? await repeat(s.dir, { withTypescriptEslint: true }, 3) : [await lc.lintCorpus(s.dir, { withTypescriptEslint: true, warmRuns: runs })];
      sizes.push({ units: units * factor, lines: s.lines, runs: r });
    }
    const b = sizes[0];
    const bCold = b.runs;
    const bWarm = b.runs.flatMap((r) => r.warm);
    const coldRatio = median(bCold.map((r) => r.offheapMs / r.otherRulesMs));
    const warmRatio = median(bWarm.map((r) => r.offheapMs / r.otherRulesMs));
    const warmSlowest = bWarm.map((r) => r.perFile[0]?.ms ?? 0);
    const coldSlowest = bCold.map((r) => r.perFile[0]?.ms ?? 0);
    const oneTime = bCold.map((r) => r.offheapMs - median(r.warm.map((w) => w.offheapMs)));
    const warmPerLine = sizes.map((s) => median(s.runs.flatMap((r) => r.warm).map((w) => w.offheapMs)) / s.lines);
    const coldPerLine = sizes.map((s) => median(s.runs.map((r) => r.offheapMs)) / s.lines);
    const slowRun = medianRun(bWarm, (r) => r.perFile[0]?.ms ?? 0);

    // L4: the same third-party code, every file importing offheap, with recommendedTypeChecked, each
    // cold run paired with one of the same lint without the offheap config, the order alternating from
    // pair to pair. Each lint runs in a process of its own (lintCorpusInChild): in one process, a lint
    // inherited the heap of the lints before it, and the same lint's main-thread CPU time varied by 30 %
    // from one lint to the next. Both lints of a pair pay the same first-lint costs (reading the files,
    // parsing the library's declarations, compiling the code). On an idle machine the pairs narrowed only a
    // little (-12.3..+16.5 % in one process, -9.4..+12.6 % in fresh ones): one lint's wall time itself
    // varies by about 6 % from process to process.
    const imported = lc.prepareThirdParty(quick, { offheapImport: true });
    const d: ColdAndWarm[] = [];
    const without: ColdAndWarm[] = [];
    // An even number of pairs, so each order is measured as often as the other.
    for (let i = 0; i < runs + (runs % 2); i++) {
      for (const withOffheap of i % 2 === 0 ? [true, false] : [false, true]) {
        (withOffheap ? d : without).push(lc.lintCorpusInChild(imported.dir, { withTypescriptEslint: true, withOffheap, warmRuns: 0 }));
      }
    }
    const added = d.map((r) => (100 * r.offheapMs) / (r.wallMs - r.offheapMs));
    const wallAdded = d.map((r, i) => (100 * (r.wallMs - without[i].wallMs)) / without[i].wallMs);
    // The checker work only the offheap rules ask for, counted instead of timed: types and instantiations the
    // lint's checker built with the offheap config, over those without (TypeScript's own counters; no noise).
    const checkerAdded = (key: 'types' | 'instantiations'): number[] =>
      d.map((r, i) => {
        const w = r.checker?.[key];
        const wo = without[i].checker?.[key];
        if (w === undefined || wo === undefined) throw new Error('L4 (d): a lint saw no program, so its checker work is unknown');
        return (100 * (w - wo)) / wo;
      });
    const typesAdded = checkerAdded('types');
    const instantiationsAdded = checkerAdded('instantiations');
    const dRun = medianRun(d, (r) => (100 * r.offheapMs) / (r.wallMs - r.offheapMs));

    // L4 again where every file names a runtime type (`Ptr`): no file is answered from its imports alone. The
    // type rules answer these files from the runtime bindings they can see (numbers only); the flow decides its own.
    const namedCorpus = lc.prepareThirdParty(quick, { offheapImport: 'named' });
    const fRuns = await repeat(namedCorpus.dir, { withTypescriptEslint: true }, 0);
    const fAdded = fRuns.map((r) => (100 * r.offheapMs) / (r.wallMs - r.offheapMs));
    const fRun = medianRun(fRuns, (r) => (100 * r.offheapMs) / (r.wallMs - r.offheapMs));
    // (g), information (one run per process): every file uses the not-in-heap mark once and nothing else of the runtime, so
    // no type rule skips a file and the walk meets every type of ordinary code: their own cost there.
    const markedCorpus = lc.prepareThirdParty(quick, { offheapImport: 'marked' });
    const gRun = await lc.lintCorpus(markedCorpus.dir, { withTypescriptEslint: true, warmRuns: 0 });

    // L5: re-lint of one edited file through the project service.
    const relintUnits = quick ? 60 : 500;
    const many = lc.prepareRelint(`relint-${relintUnits}`, relintUnits);
    const edits = quick ? 3 : 5;
    const e = await lc.relintCorpus(many, { edits });
    const relintMs = e.relints.map((r) => r.offheapMs);
    const eRun = medianRun(e.relints, (r) => r.offheapMs);

    const targets: TargetRow[] = [
      {
        id: 'L1',
        measure: `(a) ${third.lines} lines of zod, rxjs, immer, cold: offheap rules ÷ lint wall time${range(
          a.map((r) => (100 * r.offheapMs) / r.wallMs),
          ' %',
        )}`,
        value: median(a.map((r) => (100 * r.offheapMs) / r.wallMs)),
        unit: '%',
        target: 1,
        better: 'lower',
        samples: a.length,
      },
      explain(
        {
          id: 'L2',
          measure: `(b) ${b.lines} generated lines, cold: offheap rules ÷ typescript-eslint recommendedTypeChecked rules${range(bCold.map((r) => r.offheapMs / r.otherRulesMs), '×')}`,
          value: coldRatio,
          unit: '×',
          target: 0.5,
          better: 'lower',
          samples: bCold.length,
        },
        `By rule (median cold run): ${offheapRules(medianRun(bCold, (r) => r.offheapMs / r.otherRulesMs))}; one-time work per program is ${ms(median(oneTime))} ms of it (L3 rows).`,
      ),
      {
        id: 'L2',
        measure: `(b) the same, warm (same program linted again in the process: per-file work only)${range(bWarm.map((r) => r.offheapMs / r.otherRulesMs), '×')}`,
        value: warmRatio,
        unit: '×',
        target: 0.5,
        better: 'lower',
        samples: bWarm.length,
        info: true,
      },
      explain(
        {
          id: 'L3',
          measure: `(b) slowest file's offheap rule time, per-file work (warm; ${slowRun.perFile[0]?.file ?? '-'})${range(warmSlowest, ' ms')}`,
          value: median(warmSlowest),
          unit: 'ms',
          target: 50,
          better: 'lower',
          samples: warmSlowest.length,
        },
        `Next slowest: ${slowRun.perFile
          .slice(1, 3)
          .map((f) => `${f.file} ${ms(f.ms)} ms`)
          .join(', ')}; by rule: ${offheapRules(slowRun)}.`,
      ),
      {
        id: 'L3',
        measure: `(b) slowest file cold (${medianRun(bCold, (r) => r.perFile[0]?.ms ?? 0).perFile[0]?.file ?? '-'}), which also pays the rules' one-time work per program${range(coldSlowest, ' ms')}`,
        value: median(coldSlowest),
        unit: 'ms',
        target: 50,
        better: 'lower',
        samples: coldSlowest.length,
        info: true,
      },
      {
        id: 'L3',
        measure: `(b) the offheap rules' one-time work per program: cold minus warm offheap rule time${range(oneTime, ' ms')}`,
        value: median(oneTime),
        unit: 'ms',
        target: 0,
        better: 'lower',
        samples: oneTime.length,
        info: true,
      },
      {
        id: 'L3',
        measure: `(b) offheap ms per line at 4× ÷ at 1×, warm (${sizes.map((s, i) => `${s.lines} lines: ${ms(warmPerLine[i] * s.lines)} ms`).join('; ')})`,
        value: warmPerLine[2] / warmPerLine[0],
        unit: '×',
        target: 1.5,
        better: 'lower',
        // A ratio of two medians, each over `runs` warm lints.
        samples: runs,
      },
      {
        id: 'L3',
        measure: `(b) the same, cold (${sizes.map((s, i) => `${ms(coldPerLine[i] * s.lines)} ms`).join('; ')})`,
        value: coldPerLine[2] / coldPerLine[0],
        unit: '×',
        target: 1.5,
        better: 'lower',
        // One cold lint at 4×.
        samples: 1,
        info: true,
      },
      explain(
        {
          id: 'L4',
          measure: `(d) ${imported.lines} lines of zod, rxjs, immer with \`import 'offheap'\` in every file, cold: offheap rule time ÷ the rest of a recommendedTypeChecked lint's wall time${range(added, ' %')}`,
          value: median(added),
          unit: '%',
          target: 10,
          better: 'lower',
          samples: added.length,
        },
        `By rule (median run): ${offheapRules(dRun)}. Rule times count the checker work a rule triggers first; typescript-eslint's rules would ask for much of the same types, so this overstates what the offheap rules add to the wall time (next row).`,
      ),
      explain(
        {
          id: 'L4',
          measure: `(d) the same lint with and without the offheap config, paired (each lint in a process of its own, order alternating per pair): wall time added ÷ wall time without${range(wallAdded, ' %')}`,
          value: median(wallAdded),
          unit: '%',
          target: 10,
          better: 'lower',
          samples: wallAdded.length,
          sampleValues: wallAdded,
        },
        `Pairs (with / without, s): ${d.map((r, i) => `${(r.wallMs / 1000).toFixed(1)} / ${(without[i].wallMs / 1000).toFixed(1)}`).join('; ')}. The difference includes the checker work only the offheap rules ask for; work both configs need is paid in both. Each lint runs in a fresh process, so neither inherits the other's heap; what is left is the noise of a minute-long lint of a 2 GB heap, most of its GC time in about 800 scavenges (next row counts the checker work instead).`,
      ),
      explain(
        {
          id: 'L4',
          measure: `(d) the same pairs, counted: types the checker built with the offheap config, added ÷ without${range(typesAdded, ' %')}`,
          value: median(typesAdded),
          unit: '%',
          target: 10,
          better: 'lower',
          samples: typesAdded.length,
        },
        `Instantiations added: ${median(instantiationsAdded).toFixed(2)} %; types with / without (median pair): ${(() => {
          const i = typesAdded.indexOf(medianRun(typesAdded, (x) => x));
          return `${d[i].checker?.types} / ${without[i].checker?.types}`;
        })()}. TypeScript's own counters (Program.getTypeCount, getInstantiationCount): the checker work the offheap rules add, free of the wall time's noise.`,
      ),
      explain(
        {
          id: 'L4',
          measure: `(f) the same code with \`import type { Ptr } from 'offheap'\` in every file (every file names a runtime type), cold: offheap rule time ÷ the rest of the lint's wall time${range(fAdded, ' %')}`,
          value: median(fAdded),
          unit: '%',
          target: 10,
          better: 'lower',
          samples: fAdded.length,
        },
        `By rule (median run): ${offheapRules(fRun)}.`,
      ),
      {
        id: 'L4',
        measure: `(g) the same code where every file instead imports \`NotInHeap\` and uses it once (\`type OffheapCorpusMark = NotInHeap<{ readonly n: number }>\`), so no type rule skips a file, cold, one run per process: offheap rule time ÷ the rest of the lint's wall time`,
        value: (100 * gRun.offheapMs) / (gRun.wallMs - gRun.offheapMs),
        unit: '%',
        target: 10,
        better: 'lower',
        samples: 1,
        info: true,
        note: `By rule: ${offheapRules(gRun)}.`,
      },
      explain(
        {
          id: 'L5',
          measure: `(e) re-lint of one edited 4-line file in a program of ${relintUnits} offheap-using files through the project service: offheap rule time${range(relintMs, ' ms')}`,
          value: median(relintMs),
          unit: 'ms',
          target: 100,
          better: 'lower',
          samples: relintMs.length,
        },
        `By rule (median re-lint): ${offheapRules(eRun)}.`,
      ),
    ];
    const problems = [...a, ...sizes.flatMap((s) => s.runs), ...d, ...without, ...fRuns, gRun].flatMap((r) => [...r.problems, ...r.warm.flatMap((w) => w.problems)]);
    problems.push(...e.full.problems, ...e.relints.flatMap((r) => r.problems));
    const variantsOf = (rs: ColdAndWarm[]): [string, number[]][] => [
      ['offheap rules, cold', rs.map((r) => r.offheapMs)],
      ['typescript-eslint recommendedTypeChecked rules, cold', rs.map((r) => r.otherRulesMs)],
      ['offheap rules, warm', rs.flatMap((r) => r.warm).map((w) => w.offheapMs)],
      ['typescript-eslint recommendedTypeChecked rules, warm', rs.flatMap((r) => r.warm).map((w) => w.otherRulesMs)],
    ];
    return {
      id: this.id,
      title: this.title,
      // One "op" is one line of source (ns of rule time per line), or one re-lint in (e).
      tables: [
        costTable(`(a) ${third.lines} lines of zod, rxjs, immer, cold (lint time per line)`, third.lines, [
          ['offheap rules (strict config)', a.map((r) => r.offheapMs)],
          ['whole lint run (wall)', a.map((r) => r.wallMs)],
        ]),
        ...sizes.map((s) => costTable(`(b) ${s.lines} generated offheap-heavy lines (rule time per line)`, s.lines, variantsOf(s.runs))),
        costTable(`(d) ${imported.lines} lines of zod, rxjs, immer importing offheap, cold (lint time per line)`, imported.lines, [
          ['offheap rules (strict config)', d.map((r) => r.offheapMs)],
          ['typescript-eslint recommendedTypeChecked rules', d.map((r) => r.otherRulesMs)],
          ['whole lint run (wall)', d.map((r) => r.wallMs)],
          ['whole lint run without the offheap config (wall, paired)', without.map((r) => r.wallMs)],
        ]),
        costTable(`(f) ${namedCorpus.lines} lines of zod, rxjs, immer naming a runtime type, cold (lint time per line)`, namedCorpus.lines, [
          ['offheap rules (strict config)', fRuns.map((r) => r.offheapMs)],
          ['typescript-eslint recommendedTypeChecked rules', fRuns.map((r) => r.otherRulesMs)],
          ['whole lint run (wall)', fRuns.map((r) => r.wallMs)],
        ]),
        costTable(`(e) re-lint of one edited 4-line file among ${relintUnits} (time per re-lint)`, 1, [
          ['offheap rules', relintMs],
          ['parse and program update', e.relints.map((r) => r.parseMs)],
          ['whole re-lint (wall)', e.relints.map((r) => r.wallMs)],
        ]),
      ],
      targets,
      anchors: [
        {
          anchor: 'typescript-eslint recommendedTypeChecked rules (L2)',
          why: 'the type-aware rule set a typed-linting project runs already, timed in the same lint of the same program: both sides pay for the same program and checker, so the ratio is what the offheap rules cost next to rules users already accept.',
        },
        {
          anchor: "the lint's wall time (L1), the rest of it (L4 (d), (f))",
          why: 'the lint the user runs anyway (parsing, the program, the other rules), from the same run: the share is what turning the offheap config on adds to it.',
        },
        {
          anchor: 'the same lint without the offheap config (L4 (d), paired)',
          why: 'the identical lint minus the offheap rules, each lint in a fresh process, order alternating per pair: the difference is the wall time offheap adds, checker work only its rules ask for included and work both need paid on both sides.',
        },
        {
          anchor: 'warm runs (L2, L3)',
          why: 'the same program linted again in the same process: per-file work only, so cold minus warm is the one-time work per program, which an editor pays once and CI once per run.',
        },
      ],
      notes: [
        // The corpora are linted with the built plugin (dist/); `npm run bench` builds it first.
        (() => {
          const built = statSync(path.join(root, 'dist', 'eslint-plugin.js')).mtimeMs;
          const src = Math.max(newest(path.join(root, 'src', 'rules')), newest(path.join(root, 'src', 'analysis')));
          const at = (t: number): string => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
          return `Plugin measured: dist/ built ${at(built)} UTC${src > built ? `, OLDER than the newest rule source (${at(src)} UTC): run \`npm run build\` first for current figures` : ', up to date with src/rules and src/analysis'}.`;
        })(),
        `Cold runs per corpus: ${runs} in each of ${processes} process${processes > 1 ? 'es' : ''} (${quick ? 'quick mode' : 'at least 3 in all, spread over the processes of `--repeat N`'}; each followed by a warm run of the same program in the same process; 2× and 4× of (b): one cold run, ${runs} warm; (d): ${d.length} pairs with and without the offheap config, each lint in a process of its own).`,
        `(a) ${third.files} files: lint ${(median(a.map((r) => r.wallMs)) / 1000).toFixed(1)} s wall, offheap rules ${ms(median(a.map((r) => r.offheapMs)))} ms (medians).`,
        ...sizes.map(
          (s) =>
            `(b) ${s.units} files, ${s.lines} lines: cold lint ${(median(s.runs.map((r) => r.wallMs)) / 1000).toFixed(1)} s wall, offheap rules ${ms(median(s.runs.map((r) => r.offheapMs)))} ms cold and ` +
            `${ms(median(s.runs.flatMap((r) => r.warm).map((w) => w.offheapMs)))} ms warm, typescript-eslint rules ${ms(median(s.runs.map((r) => r.otherRulesMs)))} ms cold and ` +
            `${ms(median(s.runs.flatMap((r) => r.warm).map((w) => w.otherRulesMs)))} ms warm.`,
        ),
        `(d) ${imported.files} files: cold lint ${(median(d.map((r) => r.wallMs)) / 1000).toFixed(1)} s wall (${(median(without.map((r) => r.wallMs)) / 1000).toFixed(1)} s without the offheap config), offheap rules ${ms(median(d.map((r) => r.offheapMs)))} ms (${ms(median(d.map((r) => r.offheapCreateMs)))} ms of it in create()), typescript-eslint rules ${ms(median(d.map((r) => r.otherRulesMs)))} ms (${ms(median(d.map((r) => r.otherCreateMs)))} ms in create()).`,
        "Rule times are each rule's listeners (ESLint's stats) plus its create(), which ESLint's stats leave out and scripts/lint-corpus.mjs times per plugin and per file: offheap's and typescript-eslint's alike.",
        `(e) ${many.files} files, ${many.lines} lines: the first full lint took ${(e.full.wallMs / 1000).toFixed(1)} s wall (offheap rules ${ms(e.full.offheapMs)} ms); ${edits} edits of edited.ts, each re-linted alone: offheap rules ${relintMs.map(ms).join(', ')} ms.`,
        problems.length ? `Reports on code that should lint clean: ${problems.slice(0, 5).join('; ')}` : 'No offheap reports on any corpus.',
      ],
    };
  },
};
