// Topic reports: the targets table, the figures of every variant and an SVG
// chart, rendered into docs/benchmarks.md. No external service: the chart is
// plain SVG text. A topic runs once per process; `combine` merges the runs of
// `--repeat N` into medians, min–max spreads and verdicts.
import { median, pairedDifference, type Measurement } from './harness.js';

export interface TargetRow {
  /** The id in the benchmark issue (F1, M2, …). */
  readonly id: string;
  readonly measure: string;
  readonly value: number;
  readonly unit: '×' | 'ns' | 'events' | '%' | 'ms';
  readonly target: number;
  readonly better: 'higher' | 'lower';
  /** What explains a miss, or how the value was derived. */
  readonly note?: string;
  /** For a ratio: the offheap variant and the anchor it is measured against (names in the topic's tables). */
  readonly subject?: string;
  readonly anchor?: string;
  /** Shown for information, not judged (a strawman anchor, or a figure without a target). */
  readonly info?: boolean;
  /**
   * How many measurements inside this process `value` summarises, where a topic repeats a whole
   * measurement in its process (lint: cold runs, pairs); the page shows their total over processes.
   */
  readonly samples?: number;
  /**
   * Each of those measurements' own value, where they are one quantity measured again and again (the
   * paired lints of L4): the verdict asks every one, so a spread inside a process that crosses the target
   * makes the row "unstable" as a spread across processes does, and one lucky median cannot pass it.
   */
  readonly sampleValues?: readonly number[];
}

export interface Table {
  readonly caption: string;
  readonly measurement: Measurement;
}

/** Why an anchor is the fair competitor of the offheap variant it is compared with. */
export interface AnchorNote {
  readonly anchor: string;
  readonly why: string;
}

export interface TopicReport {
  readonly id: string;
  readonly title: string;
  readonly tables: readonly Table[];
  readonly targets: readonly TargetRow[];
  readonly notes?: readonly string[];
  readonly anchors?: readonly AnchorNote[];
}

export interface Topic {
  readonly id: string;
  readonly title: string;
  run(): Promise<TopicReport>;
}

export interface StoredVariant {
  readonly name: string;
  readonly nsPerOp: number;
  readonly opsPerSec: number;
  readonly gcEvents: number;
  readonly gcMs: number;
  readonly soloGcEvents?: number;
  readonly allocates?: boolean;
  readonly allocationFlag?: boolean;
  readonly cleanupGcMs?: number;
  /** CPU ms of the process's other threads (GC helpers, compiler) during the round windows. */
  readonly otherThreadsMs?: number;
}

/** One run of a topic, as written by a bench process. */
export interface StoredTopic {
  readonly id: string;
  readonly title: string;
  readonly date: string;
  readonly quick: boolean;
  readonly tables: readonly { caption: string; variants: readonly StoredVariant[]; gapGcEvents?: number; forcedGc?: boolean }[];
  readonly targets: readonly TargetRow[];
  readonly notes: readonly string[];
  readonly anchors?: readonly AnchorNote[];
  /** Wall time of the topic in seconds. */
  readonly seconds?: number;
}

export function store(report: TopicReport, quick: boolean): StoredTopic {
  return {
    id: report.id,
    title: report.title,
    date: new Date().toISOString().slice(0, 10),
    quick,
    tables: report.tables.map((t) => ({
      caption: t.caption,
      variants: t.measurement.variants.map((v) => ({
        name: v.name,
        nsPerOp: v.nsPerOp,
        opsPerSec: v.opsPerSec,
        gcEvents: v.gcEvents,
        gcMs: v.gcMs,
        ...(v.solo ? { soloGcEvents: v.solo.gcEvents, allocates: v.allocates === true, allocationFlag: v.allocationFlag === true, cleanupGcMs: v.cleanupGcMs ?? 0 } : {}),
        ...(v.otherThreadsMs === undefined ? {} : { otherThreadsMs: v.otherThreadsMs }),
      })),
      ...(t.measurement.gap ? { gapGcEvents: t.measurement.gap.events, forcedGc: t.measurement.forcedGc === true } : {}),
    })),
    targets: report.targets,
    notes: report.notes ?? [],
    ...(report.anchors ? { anchors: report.anchors } : {}),
  };
}

/** The ratio fields of a target row: `subject` against `anchor`, as a median of same-round ratios. */
export function vs(m: Measurement, subject: string, anchor: string): Pick<TargetRow, 'value' | 'subject' | 'anchor'> {
  return { value: m.speedup(subject, anchor), subject, anchor };
}

/** The fields of a target row measuring `subject − anchor` per round (ns/op), divided by `per`; median over rounds. */
export function extra(m: Measurement, subject: string, anchor: string, per = 1): Pick<TargetRow, 'value' | 'subject' | 'anchor'> {
  return { value: pairedDifference(m.get(subject).rounds, m.get(anchor).rounds) / per, subject, anchor };
}

/**
 * A row's value as a number: a value that was NaN (nothing measured: no step in a phase, no scheduler tick)
 * is null after a child's JSON, and null would compare as 0 and pass every "≤" target.
 */
export const measured = (v: number | null | undefined): number => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);

/** Whether `value` meets the target; a value that was not measured (NaN, or null from JSON) never does. */
export const passes = (t: Pick<TargetRow, 'better' | 'target' | 'value'>): boolean => {
  const v = measured(t.value);
  return t.better === 'higher' ? v >= t.target : v <= t.target;
};

/** Share of a variant's timed windows spent in main-thread GC pauses (0..1). */
export function gcShare(m: Measurement, name: string): number {
  const v = m.get(name);
  const ms = (v.rounds.reduce((a, b) => a + b, 0) * m.opsPerCall[name]) / 1e6;
  return ms > 0 ? v.gcMs / ms : 0;
}

/** `row` with `why` as its note if it misses its target: what the profile showed and what would close the gap. */
export function explain(row: TargetRow, why: string): TargetRow {
  return passes(row) ? row : { ...row, note: row.note ? `${row.note} ${why}` : why };
}

export type Verdict = 'pass' | 'miss' | 'unstable' | 'info';

/**
 * The verdict over the values of one row across runs: pass or miss only when
 * every run agrees; a spread that crosses the target is "unstable".
 */
export function verdictOf(values: readonly number[], row: Pick<TargetRow, 'better' | 'target' | 'info'>): Verdict {
  if (row.info) return 'info';
  const ok = values.map((value) => passes({ ...row, value }));
  if (ok.every(Boolean)) return 'pass';
  if (!ok.some(Boolean)) return 'miss';
  return 'unstable';
}

export interface CombinedRow extends TargetRow {
  /** One per process. */
  readonly values: readonly number[];
  /** Measurements per process (`samples` of each run), when the row gives them. */
  readonly samplesPerRun?: readonly number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly verdict: Verdict;
}

export interface CombinedVariant {
  readonly name: string;
  /** Median over runs of each run's median. */
  readonly nsPerOp: number;
  readonly min: number;
  readonly max: number;
  readonly opsPerSec: number;
  /** Per run. */
  readonly gcEvents: readonly number[];
  readonly soloGcEvents: readonly (number | undefined)[];
  readonly gcMs: number;
  readonly cleanupGcMs?: number;
  /** Median over runs. */
  readonly otherThreadsMs?: number;
  readonly allocates: boolean;
  /** Flagged in any run. */
  readonly allocationFlag: boolean;
}

export interface CombinedTopic {
  readonly id: string;
  readonly title: string;
  readonly date: string;
  readonly quick: boolean;
  readonly runs: number;
  readonly seconds: readonly number[];
  readonly tables: readonly { caption: string; variants: readonly CombinedVariant[]; gapGcEvents?: readonly number[]; forcedGc?: boolean }[];
  readonly targets: readonly CombinedRow[];
  readonly notes: readonly string[];
  readonly anchors: readonly AnchorNote[];
}

/** Merges the runs of one topic (each from its own process). Rows and variants are matched by position and must agree on id and name. */
export function combine(runs: readonly StoredTopic[]): CombinedTopic {
  if (runs.length === 0) throw new Error('combine: no runs');
  const [first] = runs;
  for (const r of runs) {
    if (r.id !== first.id || r.targets.length !== first.targets.length || r.tables.length !== first.tables.length) {
      throw new Error(`combine: runs of ${first.id} differ in shape`);
    }
    r.targets.forEach((t, k) => {
      if (t.id !== first.targets[k].id) throw new Error(`combine: row ${k} of ${first.id} is ${first.targets[k].id} in one run and ${t.id} in another`);
    });
  }
  const targets = first.targets.map((_, k): CombinedRow => {
    const values = runs.map((r) => measured(r.targets[k].value));
    // Median and spread over the runs that measured something; a run that did not still keeps the row from passing.
    const finite = values.filter((v) => Number.isFinite(v));
    const med = median(finite);
    // The row's texts (measure, note) come from the run closest to the median.
    const closest = runs.reduce((best, r) => (Math.abs(r.targets[k].value - med) < Math.abs(best.targets[k].value - med) ? r : best), first);
    const row = closest.targets[k];
    const samples = runs.map((r) => r.targets[k].samples);
    const samplesPerRun = samples.every((x): x is number => typeof x === 'number') ? samples : undefined;
    return {
      ...row,
      value: med,
      values,
      ...(samplesPerRun ? { samplesPerRun } : {}),
      median: med,
      min: finite.length ? Math.min(...finite) : NaN,
      max: finite.length ? Math.max(...finite) : NaN,
      verdict: verdictOf([...values, ...runs.flatMap((r) => r.targets[k].sampleValues ?? [])], row),
    };
  });
  const tables = first.tables.map((t, ti) => ({
    caption: t.caption,
    variants: t.variants.map((v, vi): CombinedVariant => {
      const all = runs.map((r) => {
        const x = r.tables[ti].variants[vi];
        if (x.name !== v.name) throw new Error(`combine: variant ${vi} of "${t.caption}" is ${v.name} in one run and ${x.name} in another`);
        return x;
      });
      const ns = all.map((x) => x.nsPerOp);
      const nsPerOp = median(ns);
      const cleanup = all.map((x) => x.cleanupGcMs).filter((x): x is number => x !== undefined);
      const other = all.map((x) => x.otherThreadsMs).filter((x): x is number => typeof x === 'number');
      return {
        name: v.name,
        nsPerOp,
        min: Math.min(...ns),
        max: Math.max(...ns),
        opsPerSec: 1e9 / nsPerOp,
        gcEvents: all.map((x) => x.gcEvents),
        soloGcEvents: all.map((x) => x.soloGcEvents),
        gcMs: median(all.map((x) => x.gcMs)),
        ...(cleanup.length ? { cleanupGcMs: median(cleanup) } : {}),
        ...(other.length ? { otherThreadsMs: median(other) } : {}),
        allocates: all.some((x) => x.allocates === true),
        allocationFlag: all.some((x) => x.allocationFlag === true),
      };
    }),
    ...(t.gapGcEvents !== undefined ? { gapGcEvents: runs.map((r) => r.tables[ti].gapGcEvents ?? 0), forcedGc: runs.every((r) => r.tables[ti].forcedGc === true) } : {}),
  }));
  return {
    id: first.id,
    title: first.title,
    date: runs[runs.length - 1].date,
    quick: runs.some((r) => r.quick),
    runs: runs.length,
    seconds: runs.map((r) => r.seconds ?? NaN),
    tables,
    targets,
    notes: first.notes,
    anchors: first.anchors ?? [],
  };
}

export function fmt(x: number, unit?: string): string {
  if (typeof x !== 'number' || Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return String(x);
  const digits = Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : Math.abs(x) >= 1 ? 2 : 3;
  const s = x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return unit ? `${s}${unit === '×' ? '×' : ` ${unit}`}` : s;
}

function rate(opsPerSec: number): string {
  if (opsPerSec >= 1e9) return `${fmt(opsPerSec / 1e9)}G/s`;
  if (opsPerSec >= 1e6) return `${fmt(opsPerSec / 1e6)}M/s`;
  if (opsPerSec >= 1e3) return `${fmt(opsPerSec / 1e3)}k/s`;
  return `${fmt(opsPerSec)}/s`;
}

export const spread = (r: CombinedRow): string => {
  if (r.values.length <= 1) return '';
  const missing = r.values.filter((v) => !Number.isFinite(v)).length;
  const range = missing === r.values.length ? 'n/a' : `${fmt(r.min)}–${fmt(r.max, r.unit)}`;
  return missing ? `${range} (${missing} run${missing > 1 ? 's' : ''} measured nothing)` : range;
};

/**
 * The runs behind a row: the processes, or, where the row repeats its measurement inside each process,
 * the measurements in all (the value is the median over processes of each process's median).
 */
export function runsText(r: Pick<CombinedRow, 'values' | 'samplesPerRun'>): string {
  const n = r.values.length;
  const per = r.samplesPerRun;
  if (!per || per.every((x) => x === 1)) return `${n}`;
  const total = per.reduce((a, b) => a + b, 0);
  const each = per.every((x) => x === per[0]) ? `${n} × ${per[0]}` : per.join(' + ');
  return `${total} (${each})`;
}

/** The target column: a row shown for information may have none (NaN, stored as null). */
export const targetText = (t: Pick<TargetRow, 'better' | 'target' | 'unit'>): string =>
  t.target === null || !Number.isFinite(t.target) ? '—' : `${t.better === 'higher' ? '≥' : '≤'} ${fmt(t.target, t.unit)}`;

export const verdictText = (v: Verdict): string => (v === 'pass' ? 'pass' : v === 'info' ? 'info (not judged)' : `**${v}**`);

const list = (xs: readonly (number | undefined)[]): string => xs.map((x) => (x === undefined ? '–' : String(x))).join(', ');

export function markdown(topic: CombinedTopic): string {
  const runs = topic.runs > 1 ? `, ${topic.runs} runs in separate processes (median, min–max across runs)` : ', one run';
  const lines = [`## ${topic.title}`, '', `Measured ${topic.date}${runs}${topic.quick ? ' (quick mode: short windows, figures indicative only)' : ''}.`, ''];
  if (topic.targets.length) {
    const nsOf = (name: string | undefined): string => {
      const v = name === undefined ? undefined : topic.tables.flatMap((t) => t.variants).find((x) => x.name === name);
      return v ? `${fmt(v.nsPerOp)} ns` : '';
    };
    lines.push('| id | measure | offheap (ns/op) | anchor (ns/op) | value (median) | min–max | runs | target | result |', '|---|---|---|---|---|---|---|---|---|');
    for (const t of topic.targets) {
      const target = targetText(t);
      const note = t.note && t.verdict !== 'pass' ? `: ${t.note}` : '';
      lines.push(`| ${t.id} | ${t.measure} | ${nsOf(t.subject)} | ${nsOf(t.anchor)} | ${fmt(t.median, t.unit)} | ${spread(t)} | ${runsText(t)} | ${target} | ${verdictText(t.verdict)}${note} |`);
    }
    lines.push('');
  }
  if (topic.anchors.length) {
    lines.push('Why these anchors:', '');
    for (const a of topic.anchors) lines.push(`- **${a.anchor}**: ${a.why}`);
    lines.push('');
  }
  lines.push(`![${topic.title}](bench/${topic.id}.svg)`, '');
  for (const table of topic.tables) {
    const gcCols = table.variants.some((v) => v.soloGcEvents.some((x) => x !== undefined));
    lines.push(`**${table.caption}**`, '');
    if (gcCols) {
      lines.push('| variant | ns/op | min–max | ops | solo GC | interleaved GC | GC ms | cleanup GC ms | other threads CPU ms |', '|---|---|---|---|---|---|---|---|---|');
      for (const v of table.variants) {
        const solo = `${list(v.soloGcEvents)}${v.allocationFlag ? ' **allocates by accident**' : v.allocates ? ' (allocates by design)' : ''}`;
        lines.push(
          `| ${v.name} | ${fmt(v.nsPerOp)} | ${topic.runs > 1 ? `${fmt(v.min)}–${fmt(v.max)}` : ''} | ${rate(v.opsPerSec)} | ${solo} | ${list(v.gcEvents)} | ${fmt(v.gcMs)} | ${v.cleanupGcMs === undefined ? '' : fmt(v.cleanupGcMs)} | ${v.otherThreadsMs === undefined ? '' : fmt(v.otherThreadsMs)} |`,
        );
      }
      if (table.gapGcEvents) lines.push('', `GC pauses between windows, outside forced GCs: ${list(table.gapGcEvents)}${table.forcedGc ? '' : ' (no full GC forced between variants in this table)'}.`);
    } else {
      lines.push('| variant | ns/op | min–max | ops |', '|---|---|---|---|');
      for (const v of table.variants) lines.push(`| ${v.name} | ${fmt(v.nsPerOp)} | ${topic.runs > 1 ? `${fmt(v.min)}–${fmt(v.max)}` : ''} | ${rate(v.opsPerSec)} |`);
    }
    lines.push('');
  }
  if (topic.notes.length && topic.runs > 1) lines.push('Notes (from the first run):', '');
  for (const note of topic.notes) lines.push(`- ${note}`);
  if (topic.notes.length) lines.push('');
  return lines.join('\n');
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Horizontal bars of ops/s on a log scale, one group per table; offheap's own variants in a darker colour. */
export function svg(topic: Pick<CombinedTopic, 'tables'>): string {
  const barH = 16;
  const gap = 4;
  const labelW = 300;
  const plotW = 420;
  const rows: string[] = [];
  let y = 30;
  const all = topic.tables.flatMap((t) => t.variants.map((v) => v.opsPerSec)).filter((x) => x > 0);
  const lo = Math.floor(Math.log10(Math.min(...all)));
  const hi = Math.ceil(Math.log10(Math.max(...all)));
  const x = (v: number): number => ((Math.log10(Math.max(v, 10 ** lo)) - lo) / Math.max(1, hi - lo)) * plotW;
  for (const table of topic.tables) {
    rows.push(`<text x="4" y="${y + 12}" font-weight="bold">${escape(table.caption)}</text>`);
    y += barH + gap;
    for (const v of table.variants) {
      const ours = v.name.startsWith('offheap');
      rows.push(
        `<text x="${labelW - 6}" y="${y + 12}" text-anchor="end">${escape(v.name)}</text>`,
        `<rect x="${labelW}" y="${y}" width="${Math.max(1, x(v.opsPerSec)).toFixed(1)}" height="${barH}" fill="${ours ? '#1f5fa8' : '#9ab'}"/>`,
        `<text x="${labelW + x(v.opsPerSec) + 4}" y="${y + 12}">${rate(v.opsPerSec)}</text>`,
      );
      y += barH + gap;
    }
    y += gap * 2;
  }
  const width = labelW + plotW + 90;
  const axis: string[] = [];
  for (let e = lo; e <= hi; e++) {
    const ax = labelW + ((e - lo) / Math.max(1, hi - lo)) * plotW;
    axis.push(`<line x1="${ax}" y1="22" x2="${ax}" y2="${y}" stroke="#ddd"/>`, `<text x="${ax}" y="16" text-anchor="middle" fill="#666">1e${e}</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...axis,
    ...rows,
    `</svg>`,
    '',
  ].join('\n');
}
