// The example projects as `npm start` sees them: the particle program lints
// clean, and its hazards twin yields exactly the findings its source declares
// with `// expect: offheap/<rule> (<messageId>)` markers on the offending
// lines, covering every report of every rule. Then the run-time hazards,
// executed under debug mode with checkmark on, each end in the failure its
// rule predicts. Both projects use their own eslint.config.js, which imports
// the plugin by package name (the built dist/): run `npm run build` first
// (`npm test` does).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { rules } from '../../src/rules/index.js';

const root = path.resolve(import.meta.dirname, '../..');
const hazards = path.join(root, 'examples', 'hazards');
const particles = path.join(root, 'examples', 'particles');

interface Finding {
  file: string;
  line: number;
  rule: string;
  messageId: string;
}

const key = (f: Finding): string => `${f.file}:${f.line} ${f.rule} (${f.messageId})`;

/** The findings the hazards' sources declare, from their `// expect:` markers. */
function expectedFindings(): Finding[] {
  const out: Finding[] = [];
  for (const file of readdirSync(hazards).filter((f) => f.endsWith('.ts'))) {
    readFileSync(path.join(hazards, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        const marker = /\/\/ expect: (.*)$/.exec(text);
        if (!marker) return;
        const items = [...marker[1].matchAll(/(offheap\/[\w-]+) \((\w+)\)/g)];
        if (items.length === 0) throw new Error(`${file}:${i + 1}: malformed expect marker: ${marker[1]}`);
        for (const [, rule, messageId] of items) out.push({ file, line: i + 1, rule, messageId });
      });
  }
  return out;
}

async function lint(cwd: string): Promise<{ findings: Finding[]; fatal: string[] }> {
  const results = await new ESLint({ cwd }).lintFiles(['.']);
  const findings: Finding[] = [];
  const fatal: string[] = [];
  for (const r of results) {
    for (const m of r.messages) {
      if (m.fatal || !m.ruleId) fatal.push(`${path.basename(r.filePath)}:${m.line} ${m.message}`);
      else findings.push({ file: path.relative(cwd, r.filePath), line: m.line, rule: m.ruleId, messageId: m.messageId ?? '' });
    }
  }
  return { findings, fatal };
}

describe('examples/hazards: the lint', () => {
  let found: Awaited<ReturnType<typeof lint>>;
  beforeAll(async () => {
    found = await lint(hazards);
  });

  it('reports exactly the marked mistakes: every one, at its line, and nothing else', () => {
    expect(found.fatal).toEqual([]);
    const expected = expectedFindings().map(key).sort();
    expect(expected.length).toBeGreaterThan(20);
    expect(found.findings.map(key).sort()).toEqual(expected);
  });

  it('covers every report of every rule with a deliberate mistake', () => {
    const covered = new Set(expectedFindings().map((f) => `${f.rule} (${f.messageId})`));
    const missing: string[] = [];
    for (const [name, rule] of Object.entries(rules)) {
      // Suggestion texts (`use…`) are not reports; neither is the flow giving up on a function (no
      // mistake of the user's causes it; tests/analysis/flow.test.ts forces it).
      for (const id of Object.keys(rule.meta.messages).filter((m) => !m.startsWith('use') && m !== 'flowCannotProve')) {
        if (!covered.has(`offheap/${name} (${id})`)) missing.push(`offheap/${name} (${id})`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('examples/particles: the lint', () => {
  it('is clean under configs.strict', async () => {
    const { findings, fatal } = await lint(particles);
    expect(fatal).toEqual([]);
    expect(findings.map(key)).toEqual([]);
  });
});

describe('examples/hazards: the run-time failures (debug mode, checkmark on)', () => {
  interface Outcome {
    rule: string;
    mistake: string;
    expected: string;
    code: string | undefined;
    message: string;
  }
  const jiti = path.join(root, 'node_modules', '.bin', 'jiti');
  let outcomes: Outcome[];
  beforeAll(() => {
    let out: string;
    try {
      out = execFileSync(jiti, [path.join(hazards, 'run.ts'), '--json'], { cwd: root, encoding: 'utf8' });
    } catch (error) {
      out = (error as { stdout: string }).stdout; // exit 1 when a scenario does not fail as predicted
    }
    outcomes = JSON.parse(out) as Outcome[];
  });

  it('runs a scenario for each mistake with a run-time form: unrooted, unrooted again, hidden, not zeroed, wrong clear, new of not-in-heap', () => {
    expect(outcomes.map((o) => `${o.rule} (${o.mistake})`).sort()).toEqual(
      [
        'offheap/no-heap-allocation (allocation)',
        'offheap/no-hidden-heap-pointers (rawWrite)',
        'offheap/no-hidden-heap-pointers (foreignRuntime)',
        'offheap/no-unrooted-heap-refs (neverRooted)',
        'offheap/no-unrooted-heap-refs (neverRooted)',
        'offheap/no-unrooted-heap-refs (freeRooted)',
        'offheap/no-unrooted-heap-refs (useAfterFree)',
        'offheap/no-unrooted-heap-refs (useAfterFree)',
        'offheap/no-unrooted-heap-refs (storeBeyondRoot)',
        'offheap/no-unrooted-heap-refs (heapRefOnJsHeap)',
        'offheap/no-unrooted-heap-refs (heapRefOnJsHeap)',
        'offheap/no-unrooted-heap-refs (notUnpinned)',
        'offheap/no-unrooted-heap-refs (freeHeapRefRooted)',
        'offheap/no-unrooted-heap-refs (fieldNeverRooted)',
        'offheap/no-unrooted-heap-refs (unrootUncleared)',
        'offheap/no-unrooted-heap-refs (unrootedStore)',
        'offheap/zero-before-root (initInFirst)',
        'offheap/zero-before-root (notZeroed)',
        'offheap/zero-before-root (notZeroed)',
        'offheap/zeroing-variant (barrierOnGarbage)',
        'offheap/zeroing-variant (missedBarrier)',
        'offheap/zeroing-variant (storeOnGarbage)',
      ].sort(),
    );
  });

  it('each ends in the failure its rule predicts', () => {
    for (const o of outcomes) expect(`${o.rule} (${o.mistake}): ${o.code}`, o.message).toBe(`${o.rule} (${o.mistake}): ${o.expected}`);
    const byCode = (code: string): number => outcomes.filter((o) => o.code === code).length;
    expect(byCode('ERR_STALE_HANDLE')).toBe(9); // + a record bypassing its rooting wrapper, a pin of a poison word
    expect(byCode('ERR_MISUSE')).toBe(3); // new of a not-in-heap class; freeHeapRef of a handle still pinned; pool.free of a root
    expect(byCode('ERR_BAD_POINTER')).toBe(5);
    expect(byCode('ERR_LOST_OBJECT')).toBe(1);
    const lost = outcomes.find((o) => o.code === 'ERR_LOST_OBJECT')!;
    expect(lost.message).toMatch(/checkmark: GC cycle \d+ missed 1 reachable object/);
    for (const o of outcomes.filter((x) => x.code === 'ERR_BAD_POINTER')) expect(o.message).toMatch(/found bad pointer in offheap object heap/);
  });

  it('every scenario executes a mistake the lint reports', () => {
    const linted = new Set(expectedFindings().map((f) => `${f.rule} (${f.messageId})`));
    for (const o of outcomes) expect(linted.has(`${o.rule} (${o.mistake})`), `${o.rule} (${o.mistake})`).toBe(true);
  });
});
