// Topic reports: the targets table, the figures of every variant and an SVG
// chart, rendered into docs/benchmarks.md. No external service: the chart is
// plain SVG text.
import type { Measurement } from './harness.js';

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
}

export interface Table {
  readonly caption: string;
  readonly measurement: Measurement;
}

export interface TopicReport {
  readonly id: string;
  readonly title: string;
  readonly tables: readonly Table[];
  readonly targets: readonly TargetRow[];
  readonly notes?: readonly string[];
}

export interface Topic {
  readonly id: string;
  readonly title: string;
  run(): Promise<TopicReport>;
}

/** The JSON form kept between runs, so one topic can be re-run alone. */
export interface StoredTopic {
  readonly id: string;
  readonly title: string;
  readonly date: string;
  readonly quick: boolean;
  readonly tables: readonly { caption: string; variants: readonly { name: string; nsPerOp: number; opsPerSec: number; gcEvents: number; gcMs: number }[] }[];
  readonly targets: readonly TargetRow[];
  readonly notes: readonly string[];
}

export function store(report: TopicReport, quick: boolean): StoredTopic {
  return {
    id: report.id,
    title: report.title,
    date: new Date().toISOString().slice(0, 10),
    quick,
    tables: report.tables.map((t) => ({
      caption: t.caption,
      variants: t.measurement.variants.map(({ name, nsPerOp, opsPerSec, gcEvents, gcMs }) => ({ name, nsPerOp, opsPerSec, gcEvents, gcMs })),
    })),
    targets: report.targets,
    notes: report.notes ?? [],
  };
}

/** The ratio fields of a target row: `subject` against `anchor`, as a median of same-round ratios. */
export function vs(m: Measurement, subject: string, anchor: string): Pick<TargetRow, 'value' | 'subject' | 'anchor'> {
  return { value: m.speedup(subject, anchor), subject, anchor };
}

export const passes = (t: TargetRow): boolean => (t.better === 'higher' ? t.value >= t.target : t.value <= t.target);

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

function fmt(x: number, unit?: string): string {
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

export function markdown(topic: StoredTopic): string {
  const lines = [`## ${topic.title}`, '', `Measured ${topic.date}${topic.quick ? ' (quick mode: short windows, figures indicative only)' : ''}.`, ''];
  if (topic.targets.length) {
    const nsOf = (name: string | undefined): string => {
      const v = name === undefined ? undefined : topic.tables.flatMap((t) => t.variants).find((x) => x.name === name);
      return v ? `${fmt(v.nsPerOp)} ns` : '';
    };
    lines.push('| id | measure | offheap (ns/op) | anchor (ns/op) | value | target | result |', '|---|---|---|---|---|---|---|');
    for (const t of topic.targets) {
      const target = `${t.better === 'higher' ? '≥' : '≤'} ${fmt(t.target, t.unit)}`;
      lines.push(
        `| ${t.id} | ${t.measure} | ${nsOf(t.subject)} | ${nsOf(t.anchor)} | ${fmt(t.value, t.unit)} | ${target} | ${passes(t) ? 'pass' : '**miss**'}${t.note ? `: ${t.note}` : ''} |`,
      );
    }
    lines.push('');
  }
  lines.push(`![${topic.title}](bench/${topic.id}.svg)`, '');
  for (const table of topic.tables) {
    lines.push(`**${table.caption}**`, '', '| variant | ns/op | ops | GC events | GC ms |', '|---|---|---|---|---|');
    for (const v of table.variants) lines.push(`| ${v.name} | ${fmt(v.nsPerOp)} | ${rate(v.opsPerSec)} | ${v.gcEvents} | ${fmt(v.gcMs)} |`);
    lines.push('');
  }
  for (const note of topic.notes) lines.push(`- ${note}`);
  if (topic.notes.length) lines.push('');
  return lines.join('\n');
}

const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Horizontal bars of ops/s on a log scale, one group per table; offheap's own variants in a darker colour. */
export function svg(topic: StoredTopic): string {
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
