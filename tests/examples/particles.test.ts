// The example program runs to the end with debug mode and checkmark on, and
// its report agrees with itself and with the memory picture it writes: the
// particle counts add up, the collector ran and lost nothing, memory was
// reused, and the picture's pools hold exactly the live records reported.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const jiti = path.join(root, 'node_modules', '.bin', 'jiti');

describe('examples/particles: the program', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'offheap-particles-'));
  const picture = path.join(dir, 'memory.svg');
  let report: Map<string, string>;
  let svg: string;
  beforeAll(() => {
    const out = execFileSync(jiti, [path.join(root, 'examples', 'particles', 'main.ts'), `--picture=${picture}`], { cwd: root, encoding: 'utf8' });
    report = new Map(out.trim().split('\n').map((line) => [line.slice(0, 16).trim(), line.slice(16).trim()]));
    svg = readFileSync(picture, 'utf8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const num = (s: string): number => Number(s.replaceAll(',', ''));

  it('prints every line of its report', () => {
    expect([...report.keys()]).toEqual([
      'frames',
      'particles',
      'emitters',
      'expired',
      'live objects',
      'collections',
      'longest step',
      'sysAlloc',
      'persistentalloc',
      'FixAlloc in use',
      'memory picture',
    ]);
    expect(report.get('frames')).toBe('300, debug and checkmark on');
    expect(report.get('memory picture')).toBe(picture);
  });

  it('adds up: spawned = retired + live, and most spawns reused freed memory', () => {
    const m = /^([\d,]+) live \(peak ([\d,]+)\); ([\d,]+) spawned, ([\d,]+) retired; ([\d,]+) spawned into reused memory$/.exec(report.get('particles')!);
    expect(m).not.toBeNull();
    const [live, peak, spawned, retired, reused] = m!.slice(1).map(num);
    expect(spawned).toBe(retired + live);
    expect(peak).toBeGreaterThanOrEqual(live);
    expect(reused).toBeGreaterThan(spawned / 2);
    const expired = [...report.get('expired')!.matchAll(/([\d,]+)/g)].map((x) => num(x[1])).reduce((a, b) => a + b, 0);
    expect(expired).toBe(retired); // every retired particle ran its emitter's callback
    expect(report.get('emitters')).toBe("2 live; 4 created, 2 removed, 1 created into a removed one's memory");
  });

  it('collected incrementally, freed garbage and lost nothing', () => {
    const m = /^([\d,]+) cycles \(GOGC=100\), ([\d,]+) objects freed, no lost objects \(checkmark\)$/.exec(report.get('collections')!);
    expect(m).not.toBeNull();
    expect(num(m![1])).toBeGreaterThanOrEqual(3);
    expect(num(m![2])).toBeGreaterThan(1000);
    expect(report.get('longest step')).toMatch(/^mark [\d.]+ ms, mark termination [\d.]+ ms, sweep [\d.]+ ms \(median [\d.]+ ms over \d+ steps of 512 units/);
    // The unloaded spark mesh is gone; labels, names, callbacks and two meshes remain.
    expect(report.get('live objects')).not.toContain('spark');
    const live = num(/^([\d,]+) live/.exec(report.get('particles')!)![1]);
    const objects = num(/^([\d,]+) heap objects/.exec(report.get('live objects')!)![1]);
    expect(objects).toBe(live + 2 * 2 + 2); // a label per particle; a name and a callback per emitter; two meshes
  });

  it('draws the same memory it reports', () => {
    const live = num(/^([\d,]+) live/.exec(report.get('particles')!)![1]);
    expect(svg).toMatch(new RegExp(`data-name="Particle" data-live="${live}" data-free="\\d+" data-fresh="\\d+" data-corrupt="false"`));
    expect(svg).toMatch(/data-name="Emitter" data-live="2" data-free="1" data-fresh="\d+" data-corrupt="false"/);
    const roots = num(/; ([\d,]+) roots;/.exec(report.get('live objects')!)![1]);
    expect(roots).toBe(live + 2);
    expect(svg).toContain(`${roots} root blocks.`);
    expect(svg).toMatch(/class="page page-sysalloc"/); // the render batch
    expect(report.get('sysAlloc')).toMatch(/render batch 32 KiB/);
  });
});
