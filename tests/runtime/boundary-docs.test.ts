// docs/runtime.md against the code: the error table (every exported error
// class has a row, every code the runtime throws is in it and no other), the
// handle encoding and the limits, as the page writes them.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/runtime/index.js';
import { handleLimit, handleMin, maxIndexBits, minIndexBits } from '../../src/runtime/heap.js';

const root = path.resolve(import.meta.dirname, '../..');
const doc = fs.readFileSync(path.join(root, 'docs/runtime.md'), 'utf8');
const src = fs
  .readdirSync(path.join(root, 'src/runtime'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => fs.readFileSync(path.join(root, 'src/runtime', f), 'utf8'))
  .join('\n');

/** The rows of the table under `## Errors`: class → codes. */
function errorTable(text: string): Map<string, string[]> {
  const section = text.slice(text.indexOf('\n## Errors\n'), text.indexOf('\n## ', text.indexOf('\n## Errors\n') + 5));
  const rows = new Map<string, string[]>();
  for (const line of section.split('\n')) {
    const m = /^\| `(\w+)`[^|]*\| ([^|]*) \|/.exec(line);
    if (m) rows.set(m[1], [...m[2].matchAll(/`(ERR_[A-Z_]+)`/g)].map((c) => c[1]));
  }
  return rows;
}

/** `2²⁴` → 2 ** 24, `8 KiB` → 8192, `32` → 32, `0xA5` → 165. */
function parseNumber(s: string): number {
  const sup = '⁰¹²³⁴⁵⁶⁷⁸⁹';
  const pow = /^2([⁰¹²³⁴⁵⁶⁷⁸⁹]+)$/.exec(s);
  if (pow) return 2 ** Number([...pow[1]].map((c) => sup.indexOf(c)).join(''));
  const unit = /^(\d+) (KiB|MiB|GiB)$/.exec(s);
  if (unit) return Number(unit[1]) * 1024 ** (['KiB', 'MiB', 'GiB'].indexOf(unit[2]) + 1);
  return Number(s);
}

const errorClasses = Object.entries(api).filter(([, v]) => typeof v === 'function' && v.prototype instanceof Error) as [string, new (...a: never[]) => Error][];

describe('docs/runtime.md against the code', () => {
  const table = errorTable(doc);

  it('reads the error table (the parser can fail)', () => {
    expect(table.size).toBeGreaterThan(10);
    expect(table.get('BadPointerError')).toEqual(['ERR_BAD_POINTER']);
    expect(errorTable('\n## Errors\n| `X` | `ERR_Y` | z |\n## Next\n')).toEqual(new Map([['X', ['ERR_Y']]]));
  });

  it('has a row for every exported error class and none for another name', () => {
    const bases = new Set(['OffheapError']); // the base class: its code is its subclasses'
    expect([...table.keys()].sort()).toEqual(errorClasses.map(([n]) => n).filter((n) => !bases.has(n)).sort());
  });

  it('lists exactly the codes the runtime throws', () => {
    const thrown = new Set([...src.matchAll(/'(ERR_[A-Z_]+)'/g)].map((m) => m[1]));
    const documented = new Set([...table.values()].flat());
    expect([...documented].sort()).toEqual([...thrown].sort());
  });

  it('gives each class with a fixed code the code its constructor sets', () => {
    const make: Record<string, () => { code: string }> = {
      BadPointerError: () => new api.BadPointerError('m'),
      DoubleFreeError: () => new api.DoubleFreeError('m'),
      ForeignPointerError: () => new api.ForeignPointerError('m'),
      OutOfBoundsError: () => new api.OutOfBoundsError('m'),
      StaleHandleError: () => new api.StaleHandleError('m'),
      MisuseError: () => new api.MisuseError('m'),
      ClosedError: () => new api.ClosedError('m'),
      OptionError: () => new api.OptionError('k', 'm'),
      OutOfMemoryError: () => new api.OutOfMemoryError('m', 1, 1, 1),
      LostObjectError: () => new api.LostObjectError([], 1),
    };
    // MisuseError's default code first, then the codes guardReceivers passes it.
    const more: Record<string, string[]> = { MisuseError: ['ERR_RECEIVER', 'ERR_READ_ONLY'] };
    for (const [name, f] of Object.entries(make)) expect(table.get(name), name).toEqual([f().code, ...(more[name] ?? [])]);
  });

  it('describes the handle encoding the heap uses', () => {
    expect(doc).toContain('A handle is a value in [2²⁸, 2³⁰)');
    expect([handleMin, handleLimit]).toEqual([2 ** 28, 2 ** 30]);
    expect(doc).toContain(`K grows\n  from ${minIndexBits} to ${maxIndexBits}`);
    const m = /`maxHeapRefs` = (2[⁰¹²³⁴⁵⁶⁷⁸⁹]+) objects are live at once \((2[⁰¹²³⁴⁵⁶⁷⁸⁹]+) slots\)/.exec(doc);
    expect(m).not.toBeNull();
    expect(parseNumber(m![1])).toBe(api.maxHeapRefs);
    expect(parseNumber(m![2])).toBe(2 ** maxIndexBits);
  });

  it('states the limits the code has', () => {
    // Every `name` (value) or `name` = value the page writes for an exported constant.
    let checked = 0;
    for (const m of doc.matchAll(/`(\w+)` (?:\(|= )(2[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\d+ (?:KiB|MiB|GiB)|\d+)(?=[)\s,.;])/g)) {
      const v = (api as unknown as Record<string, unknown>)[m[1]];
      if (typeof v !== 'number') continue;
      expect(parseNumber(m[2]), m[0]).toBe(v);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(7);
    // Written around the name.
    expect(doc).toMatch(/256 KiB chunks \(`persistentChunkSize`\)/);
    expect(api.persistentChunkSize).toBe(256 * 1024);
    expect(doc).toMatch(/64 KiB or more\*\* \(`persistentLargeSize`\)/);
    expect(api.persistentLargeSize).toBe(64 * 1024);
    expect(doc).toMatch(/A span is 16 KiB \(`fixAllocChunk`/);
    expect(api.fixAllocChunk).toBe(16 * 1024);
    expect(doc).toContain('`maxBytes` outside [16 KiB, 2 GiB]');
    expect([2 * api.pageSize, api.maxSpaceBytes]).toEqual([16 * 1024, 2 * 1024 ** 3]);
    expect(doc).toContain('default 64 MiB');
    expect(api.defaultSpaceBytes).toBe(64 * 1024 ** 2);
    expect(doc).toContain('`poisonByte` 0xA5');
    expect(api.poisonByte).toBe(0xa5);
  });
});
