// The memory picture: a runtime's address space drawn as SVG.
//
// Unmanaged memory is invisible to the usual tools (a heap snapshot shows one
// ArrayBuffer), so the runtime draws it: every page by owner (sysAlloc
// categories, persistentalloc chunks, FixAlloc spans), every span's slots
// (live, on the free list, never handed out), and the pages holding roots.
// The drawing reads the allocators' own bookkeeping, never the bytes of
// records, and changes nothing, so it can be taken at any point of a program
// (Go's equivalent is reading mheap_ by hand in a debugger).

import type { FixAllocSnapshot } from './fixalloc.js';
import type { RuntimeState } from './runtime.js';
import { pageSize } from './space.js';

/** What a page is used for, as drawn. */
export type PageClass = 'nil' | 'sysalloc' | 'persistentalloc' | 'fixalloc' | 'free' | 'unmapped';

const colours: Record<PageClass, string> = {
  nil: '#3d3d3d',
  sysalloc: '#f4a261',
  persistentalloc: '#8ecae6',
  fixalloc: '#219ebc',
  free: '#ffffff',
  unmapped: '#eeeeee',
};

const captions: Record<PageClass, string> = {
  nil: 'page 0 (nil, never handed out)',
  sysalloc: 'sysAlloc block',
  persistentalloc: 'persistentalloc chunk',
  fixalloc: 'FixAlloc span (in a persistentalloc chunk)',
  free: 'mapped, free for reuse',
  unmapped: 'reserved, not yet mapped',
};

const slotColours = { live: '#023047', free: '#ffb703', fresh: '#e9ecef', root: '#d62828' };

/** The most pages drawn; a larger space is drawn up to its mapped end and summarised. */
const maxPagesDrawn = 4096;
const width = 960;
const margin = 16;
const cell = 14;
const pitch = 16;

/** Text safe inside SVG elements and attributes. */
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const fix = (n: number): string => String(Math.round(n * 100) / 100);

/** The SVG picture of `rt`'s address space (see Runtime.memoryPicture). */
export function drawMemory(rt: RuntimeState): string {
  const space = rt.space;
  const stats = space.stats();
  const mappedPages = space.mappedTop / pageSize;
  const totalPages = space.reserved / pageSize;
  const columns = Math.floor((width - 2 * margin) / pitch);
  // Mapped pages, then unmapped ones up to the end of the row (at least one row of them if any).
  let shown = Math.min(totalPages, Math.max(mappedPages + columns, Math.ceil(mappedPages / columns) * columns));
  shown = Math.min(shown, Math.max(maxPagesDrawn, mappedPages));

  const pools: FixAllocSnapshot[] = rt.pools.map((p) => p.snapshot());
  const classOf: PageClass[] = new Array<PageClass>(shown).fill('unmapped');
  const note: string[] = new Array<string>(shown).fill('');
  for (let k = 0; k < Math.min(shown, mappedPages); k++) classOf[k] = 'free';
  classOf[0] = 'nil';
  const mark = (start: number, bytes: number, cls: PageClass, what: string): void => {
    const last = Math.min(shown, Math.ceil((start + bytes) / pageSize));
    for (let k = Math.floor(start / pageSize); k < last; k++) {
      classOf[k] = cls;
      note[k] = what;
    }
  };
  for (const b of space.blocks()) mark(b.start, b.bytes, 'sysalloc', `sysAlloc ${b.stat}`);
  for (const r of rt.persistent.regions()) mark(r.start, r.bytes, 'persistentalloc', `persistentalloc chunk at ${hex(r.start)}`);
  for (const pool of pools) for (const s of pool.spans) mark(s.start, s.bytes, 'fixalloc', `FixAlloc ${pool.name} span at ${hex(s.start)}`);

  const rootsOnPage = new Map<number, number>();
  const roots = [...rt.roots.byAddress.values()];
  for (const root of roots) {
    const k = Math.floor(root.p / pageSize);
    rootsOnPage.set(k, (rootsOnPage.get(k) ?? 0) + 1);
  }
  /** Root block start addresses: a slot is drawn as rooted when a root starts at it. */
  const rootStarts = new Set(roots.map((r) => r.p));

  const out: string[] = [];
  let y = margin + 14;
  out.push(
    `<text class="title" x="${margin}" y="${y}" font-size="15" font-weight="bold">offheap address space: ${stats.mapped / 1024} KiB mapped of ${(stats.reserved - pageSize) / 1024} KiB, ${stats.inUse / 1024} KiB in use; ${pageSize / 1024} KiB pages</text>`,
  );
  y += 12;

  // Pages.
  const gridTop = y;
  out.push('<g class="pages">');
  for (let k = 0; k < shown; k++) {
    const x = margin + (k % columns) * pitch;
    const py = gridTop + Math.floor(k / columns) * pitch;
    const cls = classOf[k];
    const stroke = cls === 'free' || cls === 'unmapped' ? ' stroke="#999999" stroke-width="0.5"' : '';
    const label = `page ${k} at ${hex(k * pageSize)}: ${note[k] || captions[cls]}`;
    out.push(`<rect class="page page-${cls}" x="${x}" y="${py}" width="${cell}" height="${cell}" fill="${colours[cls]}"${stroke}><title>${esc(label)}</title></rect>`);
  }
  out.push('</g>');
  out.push('<g class="roots">');
  for (const [k, n] of [...rootsOnPage].sort((a, b) => a[0] - b[0])) {
    if (k >= shown) continue;
    const cx = margin + (k % columns) * pitch + cell / 2;
    const cy = gridTop + Math.floor(k / columns) * pitch + cell / 2;
    out.push(`<circle class="root" data-count="${n}" cx="${cx}" cy="${cy}" r="3" fill="${slotColours.root}"><title>${n} root block(s) start on page ${k}</title></circle>`);
  }
  out.push('</g>');
  y = gridTop + Math.ceil(shown / columns) * pitch + 6;
  if (shown < totalPages) {
    y += 10;
    out.push(`<text class="more" x="${margin}" y="${y}" font-size="11" fill="#666666">… ${totalPages - shown} more reserved pages, not mapped</text>`);
    y += 6;
  }

  // Legend: one entry per page class present, then roots.
  y += 14;
  let lx = margin;
  const present = (Object.keys(colours) as PageClass[]).filter((c) => classOf.includes(c));
  const legend = (cls: string, fill: string, text: string, shape: 'rect' | 'circle'): void => {
    const mark =
      shape === 'rect'
        ? `<rect x="${lx}" y="${y - 10}" width="12" height="12" fill="${fill}" stroke="#999999" stroke-width="0.5"/>`
        : `<circle cx="${lx + 6}" cy="${y - 4}" r="3" fill="${fill}"/>`;
    out.push(`<g class="legend" data-class="${cls}">${mark}<text x="${lx + 16}" y="${y}" font-size="11">${esc(text)}</text></g>`);
    lx += 16 + Math.ceil(text.length * 6.7) + 18;
    if (lx > width - 200) {
      lx = margin;
      y += 18;
    }
  };
  for (const cls of present) {
    const n = classOf.filter((c) => c === cls).length;
    legend(cls, colours[cls], `${captions[cls]} (${n})`, 'rect');
  }
  if (roots.length > 0) legend('root', slotColours.root, `root blocks start here (${roots.length})`, 'circle');
  y += 26;

  // FixAlloc spans: one row per span, one run of cells per run of slots in the same state.
  if (pools.length > 0) {
    out.push(
      `<text class="heading" x="${margin}" y="${y}" font-size="13" font-weight="bold">FixAlloc spans: live, free (on the free list), never handed out; red underline: registered roots</text>`,
    );
    y += 10;
  }
  const stripWidth = width - 2 * margin;
  for (const pool of pools) {
    const freeSlots = pool.spans.reduce((n, s) => n + s.free.length, 0);
    const fresh = pool.spans.reduce((n, s) => n + s.fresh, 0);
    const live = pool.inuse / pool.size;
    out.push(`<g class="pool" data-pool="${pool.id}" data-name="${esc(pool.name)}" data-live="${live}" data-free="${freeSlots}" data-fresh="${fresh}" data-corrupt="${pool.corrupt}">`);
    y += 16;
    out.push(
      `<text x="${margin}" y="${y}" font-size="12">${esc(`${pool.name} (${pool.size} B, ${pool.stat}): ${live} live, ${freeSlots} free, ${fresh} never used${pool.corrupt ? ', FREE LIST CORRUPT' : ''}`)}</text>`,
    );
    y += 4;
    for (const s of pool.spans) {
      const w = stripWidth / s.slots;
      const freeSet = new Set(s.free);
      const state = (i: number): 'live' | 'free' | 'fresh' => (i >= s.slots - s.fresh ? 'fresh' : freeSet.has(s.start + i * pool.size) ? 'free' : 'live');
      const x0 = margin;
      out.push(`<g class="span" data-start="${s.start}" data-slots="${s.slots}"><title>${esc(`span at ${hex(s.start)}: ${s.slots} slots of ${pool.size} B`)}</title>`);
      for (let i = 0; i < s.slots; ) {
        const st = state(i);
        let j = i + 1;
        while (j < s.slots && state(j) === st) j++;
        out.push(`<rect class="slots slots-${st}" data-count="${j - i}" x="${fix(x0 + i * w)}" y="${y}" width="${fix((j - i) * w)}" height="10" fill="${slotColours[st]}"/>`);
        i = j;
      }
      const rooted = (i: number): boolean => rootStarts.has(s.start + i * pool.size);
      for (let i = 0; i < s.slots; ) {
        if (!rooted(i)) {
          i++;
          continue;
        }
        let j = i + 1;
        while (j < s.slots && rooted(j)) j++;
        out.push(`<rect class="slots slots-root" data-count="${j - i}" x="${fix(x0 + i * w)}" y="${y + 11}" width="${fix((j - i) * w)}" height="2" fill="${slotColours.root}"/>`);
        i = j;
      }
      out.push('</g>');
      y += 14;
    }
    out.push('</g>');
  }

  // Summary.
  y += 22;
  const heap = rt.heap;
  const pinned = heap.pinnedCount();
  const owners = Object.entries(stats.byOwner)
    .map(([k, v]) => `${k} ${v / 1024} KiB`)
    .join(', ');
  out.push(
    `<text class="summary" x="${margin}" y="${y}" font-size="12">${esc(`sysAlloc by owner: ${owners || 'nothing'}. Object heap: ${heap.live} live handles, ${pinned} pinned; ${roots.length} root blocks.`)}</text>`,
  );
  y += margin;

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="ui-monospace, SFMono-Regular, Menlo, monospace">`,
    `<rect class="background" width="${width}" height="${y}" fill="#fcfcfc"/>`,
    ...out,
    '</svg>',
    '',
  ].join('\n');
}
