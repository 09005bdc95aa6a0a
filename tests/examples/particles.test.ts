// The example program runs to the end with debug mode and checkmark on, and
// its report agrees with itself and with the memory picture it writes: the
// particle counts add up, the collector ran and lost nothing, memory was
// reused, and the picture's pools hold exactly the live records reported.
// The physics worker ran every frame on its own thread, and its counts,
// written into shared memory, agree with the main thread's view of the
// shared pool it allocated from.
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
      'physics worker',
      'allocations',
      'shared pool',
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

  it('moved every particle on the physics worker, which allocated and freed its scratch cells from the shared pool', () => {
    const spawned = num(/; ([\d,]+) spawned,/.exec(report.get('particles')!)![1]);
    const m = /^([\d,]+) frames, ([\d,]+) particle moves; ([\d,]+) scratch cells allocated and ([\d,]+) freed \(at most ([\d,]+) in a frame\); ([\d,]+) B persistentalloc$/.exec(report.get('physics worker')!);
    expect(m, report.get('physics worker')).not.toBeNull();
    const [frames, moved, allocated, freed, peak, persistent] = m!.slice(1).map(num);
    expect(frames).toBe(300);
    // Each particle is moved from the frame it is spawned in until it expires (at most 90 frames).
    expect(moved).toBeGreaterThanOrEqual(spawned);
    expect(moved).toBeLessThanOrEqual(spawned * 90);
    expect(freed).toBe(allocated); // every frame's cells go back before the frame ends
    expect(peak).toBeGreaterThan(0);
    expect(allocated).toBeGreaterThan(peak * 10);
    expect(persistent).toBe(1024); // the worker's cell table: 256 bucket pointers
    // Both threads' allocation counts.
    const a = /^main thread ([\d,]+) \(([\d,]+) particles, ([\d,]+) emitters\), physics worker ([\d,]+) \(scratch cells\)$/.exec(report.get('allocations')!);
    expect(a, report.get('allocations')).not.toBeNull();
    const [main, particles, emitters, worker] = a!.slice(1).map(num);
    expect([main, particles, emitters, worker]).toEqual([spawned + 4, spawned, 4, allocated]);
    // The main thread's view of the same pool: every cell the worker used is back on the central list, and the
    // pool never took a new cell while a freed one was waiting (as many distinct cells as the busiest frame needed).
    const p = /^(\d+) spans? of ([\d,]+) cells \((\d+) B each\); ([\d,]+) cells on the central list after the worker closed$/.exec(report.get('shared pool')!.replace(/^particles\.scratch: /, ''));
    expect(p, report.get('shared pool')).not.toBeNull();
    const [spans, carved, size, central] = p!.slice(1).map(num);
    expect(spans).toBeGreaterThan(0);
    expect(carved).toBeGreaterThanOrEqual(peak);
    expect(central).toBe(peak);
    // The picture, drawn by the main thread, shows the worker's span: no cell live, the central list's cells free.
    expect(svg).toMatch(new RegExp(`data-name="Cell" data-live="0" data-free="${central}" data-fresh="\\d+" data-corrupt="false"`));
    expect(size).toBe(32);
  });
});
