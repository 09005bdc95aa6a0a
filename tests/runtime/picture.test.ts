// The memory picture: well-formed SVG, every page drawn once with its owner,
// one legend entry per page class present, FixAlloc slots counted from the
// pools' own state (free list, bump tail), roots marked, nothing changed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { createRuntime, FixAlloc, heapRef, pageSize, persistentChunkSize, struct, u32, type LayoutType, type Runtime } from '../../src/runtime/index.js';
import { stateOf } from '../../src/runtime/runtime.js';

const Rec = struct('Rec', { n: u32, ref: heapRef<object>() });

/** Throws unless `svg` is well-formed XML: balanced tags, quoted attributes, escaped text. */
function checkWellFormed(svg: string): void {
  const stack: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<&]*(?:&#?\w+;[^"<&]*)*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = token.exec(svg)) !== null) {
    end = token.lastIndex;
    const [, close, name, , selfClose, text] = m;
    if (text !== undefined) {
      if (/&(?!#\d+;|amp;|lt;|gt;|quot;|apos;)/.test(text)) throw new Error(`unescaped & in ${JSON.stringify(text)}`);
      if (stack.length === 0 && text.trim() !== '') throw new Error(`text outside the root element: ${JSON.stringify(text)}`);
      continue;
    }
    if (close) {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> closes <${open}>`);
    } else if (!selfClose) {
      if (stack.length === 0 && end !== m[0].length) throw new Error('more than one root element');
      stack.push(name);
    }
  }
  if (end !== svg.length) throw new Error(`not XML at offset ${end}: ${JSON.stringify(svg.slice(end, end + 60))}`);
  if (stack.length !== 0) throw new Error(`unclosed <${stack.join('>, <')}>`);
}

function count(svg: string, re: RegExp): number {
  return [...svg.matchAll(re)].length;
}

function sumCounts(svg: string, cls: string): number {
  let n = 0;
  for (const m of svg.matchAll(new RegExp(`class="slots slots-${cls}" data-count="(\\d+)"`, 'g'))) n += Number(m[1]);
  return n;
}

/** A space with every page class: nil, a sysAlloc block, a freed block (free pages), persistentalloc chunks with FixAlloc spans, unmapped pages. */
function scene(): { rt: Runtime; pool: FixAlloc<LayoutType<typeof Rec>> } {
  const rt: Runtime = createRuntime({ maxBytes: 4 << 20, debug: true });
  const a = rt.sysAlloc(3 * pageSize, 'scratch');
  rt.sysAlloc(pageSize, 'keep <&">');
  rt.sysFree(a, 3 * pageSize); // three free pages below a live block
  const pool = new FixAlloc(Rec, { runtime: rt, stat: 'recs' });
  return { rt, pool };
}

describe('memoryPicture', () => {
  it('is well-formed SVG and draws every page once, by owner, with one legend entry per class', () => {
    const { rt, pool } = scene();
    const ps = Array.from({ length: 10 }, () => pool.alloc());
    expect(ps.length).toBe(10);
    rt.persistentalloc(100, 8, 'index');
    const svg = rt.memoryPicture();
    checkWellFormed(svg);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);

    // Pages 1-3 were freed, 4 is the 'keep' block, then one persistentalloc chunk (32 pages) whose first 2-3 pages hold the span.
    const chunkPages = persistentChunkSize / pageSize;
    const mappedPages = 1 + 3 + 1 + chunkPages;
    const pages = count(svg, /class="page page-/g);
    expect(pages).toBeGreaterThan(mappedPages); // plus unmapped ones
    expect(count(svg, /class="page page-nil"/g)).toBe(1);
    expect(count(svg, /class="page page-free"/g)).toBe(3);
    expect(count(svg, /class="page page-sysalloc"/g)).toBe(1);
    const spanPages = count(svg, /class="page page-fixalloc"/g);
    expect(spanPages).toBe(2); // one 16 KiB span at the chunk's 8-aligned start
    expect(count(svg, /class="page page-persistentalloc"/g)).toBe(chunkPages - spanPages);
    expect(count(svg, /class="page page-unmapped"/g)).toBe(pages - mappedPages);
    for (const cls of ['nil', 'free', 'sysalloc', 'fixalloc', 'persistentalloc', 'unmapped']) {
      expect(count(svg, new RegExp(`class="legend" data-class="${cls}"`, 'g')), cls).toBe(1);
    }
    expect(count(svg, /class="legend"/g)).toBe(6); // no roots yet: no root entry
    expect(svg).toContain('sysAlloc keep &#60;&#38;&#34;&#62;'); // the live block's stat, escaped
    expect(svg).not.toContain('scratch'); // freed: its pages are drawn as free
  });

  it('counts each span’s live, free and never-used slots from the pool, and marks root blocks', () => {
    const { rt, pool } = scene();
    const ps = Array.from({ length: 20 }, () => pool.alloc());
    for (const p of ps.slice(5, 12)) pool.free(p); // 7 on the free list
    for (const p of ps.slice(0, 3)) rt.addRoot(p, Rec);
    rt.addRoot(ps[15], Rec);
    const svg = rt.memoryPicture();
    checkWellFormed(svg);
    const slots = Math.floor(16384 / pool.size);
    expect(svg).toMatch(new RegExp(`data-name="Rec" data-live="13" data-free="7" data-fresh="${slots - 20}" data-corrupt="false"`));
    expect(sumCounts(svg, 'free')).toBe(7);
    expect(sumCounts(svg, 'live')).toBe(13);
    expect(sumCounts(svg, 'fresh')).toBe(slots - 20);
    expect(count(svg, /class="slots slots-free"/g)).toBe(1); // 5..11 is one run
    expect(sumCounts(svg, 'root')).toBe(4);
    expect(count(svg, /class="slots slots-root"/g)).toBe(2); // runs 0..2 and 15
    expect(svg).toMatch(/class="root" data-count="4"/); // all four start on the span's first page
    expect(count(svg, /class="legend" data-class="root"/g)).toBe(1);

    // Reuse moves a slot from free to live.
    pool.alloc();
    const after = rt.memoryPicture();
    expect(sumCounts(after, 'free')).toBe(6);
    expect(sumCounts(after, 'live')).toBe(14);
  });

  it('adds a span row per chunk and escapes names', () => {
    const rt: Runtime = createRuntime({ maxBytes: 4 << 20 });
    const pool = new FixAlloc(Rec, { runtime: rt, stat: 'a<b & "c"' });
    const slots = Math.floor(16384 / pool.size);
    for (let i = 0; i < slots + 1; i++) pool.alloc();
    const svg = rt.memoryPicture();
    checkWellFormed(svg);
    expect(count(svg, /<g class="span"/g)).toBe(2);
    expect(sumCounts(svg, 'live')).toBe(slots + 1);
    expect(sumCounts(svg, 'fresh')).toBe(slots - 1);
    expect(svg).toContain('a&#60;b &#38; &#34;c&#34;');
  });

  it('attributes free objects to their own span when the chunks of two pools interleave', () => {
    const rt: Runtime = createRuntime({ maxBytes: 4 << 20, debug: true });
    const a = new FixAlloc(Rec, { runtime: rt, stat: 'a' });
    const b = new FixAlloc(Rec, { runtime: rt, stat: 'b' });
    const slots = Math.floor(16384 / a.size);
    const as: ReturnType<typeof a.alloc>[] = [];
    for (let chunk = 0; chunk < 3; chunk++) {
      for (let i = 0; i < slots; i++) as.push(a.alloc());
      b.alloc(); // b takes the next chunk: a's chunks are not adjacent
    }
    // Free 1, 2 and 3 objects from a's spans 2, 0 and 1, in that order.
    for (const [span, n] of [[2, 1], [0, 2], [1, 3]]) for (let i = 0; i < n; i++) a.free(as[span * slots + 5 + i]);
    const svg = rt.memoryPicture();
    checkWellFormed(svg);
    const pool = svg.slice(svg.indexOf('data-pool="' + String(a.snapshot().id) + '"'), svg.indexOf('data-pool="' + String(b.snapshot().id) + '"'));
    const perSpan = pool
      .split('<g class="span"')
      .slice(1)
      .map((g) => sumCounts(g, 'free'));
    expect(perSpan).toEqual([2, 3, 1]);
    expect(sumCounts(pool, 'live')).toBe(3 * slots - 6);
    expect(a.snapshot().spans.map((s) => s.free.length)).toEqual([2, 3, 1]);
    expect(b.snapshot().spans.map((s) => s.free.length)).toEqual([0]);
  });

  it('reports a free list that leaves the pool as corrupt instead of following it', () => {
    const rt: Runtime = createRuntime({ maxBytes: 4 << 20 }); // no debug: a bad link goes unnoticed by free
    const pool = new FixAlloc(Rec, { runtime: rt });
    const p = pool.alloc();
    pool.alloc();
    pool.free(p);
    stateOf(rt).space.u32[p >>> 2] = 3 * pageSize; // a use after free overwrote the link word
    const svg = rt.memoryPicture();
    checkWellFormed(svg);
    expect(svg).toMatch(/data-free="1" data-fresh="\d+" data-corrupt="true"/);
    expect(svg).toContain('FREE LIST CORRUPT');
  });

  it('changes nothing: allocator state, stats and the next allocation are the same', () => {
    const { rt, pool } = scene();
    const ps = Array.from({ length: 4 }, () => pool.alloc());
    pool.free(ps[1]);
    const before = JSON.stringify({ stats: rt.stats(), snap: pool.snapshot(), live: stateOf(rt).heap.live });
    rt.memoryPicture();
    expect(JSON.stringify({ stats: rt.stats(), snap: pool.snapshot(), live: stateOf(rt).heap.live })).toBe(before);
    expect(pool.alloc()).toBe(ps[1]);
  });

  it('draws an empty runtime: page 0 and unmapped pages, no spans', () => {
    const rt: Runtime = createRuntime({ maxBytes: 1 << 20 });
    const svg = rt.memoryPicture();
    checkWellFormed(svg);
    expect(count(svg, /class="page page-nil"/g)).toBe(1);
    expect(count(svg, /class="page page-(free|sysalloc|fixalloc|persistentalloc)"/g)).toBe(0);
    expect(count(svg, /class="pool"/g)).toBe(0);
  });

  it('carries the @offheap memoryPicture tag on the Runtime method and the module-level function', () => {
    const tagsOf = (file: string, find: (node: ts.Node) => boolean): string[] => {
      const text = readFileSync(path.resolve(import.meta.dirname, '../../src/runtime', file), 'utf8');
      const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
      let tags: string[] = [];
      const visit = (node: ts.Node): void => {
        if (find(node)) tags = ts.getJSDocTags(node).map((t) => `${t.tagName.text} ${String(t.comment ?? '')}`.trim());
        ts.forEachChild(node, visit);
      };
      visit(sf);
      return tags;
    };
    const named = (node: ts.Node): boolean => (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name?.getText() === 'memoryPicture';
    expect(tagsOf('default.ts', named)).toContain('offheap memoryPicture');
    expect(tagsOf('runtime.ts', named)).toContain('offheap memoryPicture');
  });
});
