// Removes build outputs whose source is gone (dist/x.js, .js.map, .d.ts and
// .d.ts.map without src/x.ts), so a renamed or deleted module never ships in
// the package. Only orphans are removed: dist/ stays usable while tsc
// rewrites the rest, for anything reading it at the same time.
import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dist = path.join(root, 'dist');
const src = path.join(root, 'src');

function sourceOf(rel) {
  const base = rel.replace(/\.(d\.ts|js)(\.map)?$/, '');
  return base === rel ? undefined : path.join(src, `${base}.ts`);
}

let removed = 0;
function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      walk(file);
      if (readdirSync(file).length === 0) rmdirSync(file);
      continue;
    }
    const source = sourceOf(path.relative(dist, file));
    if (source !== undefined && !existsSync(source)) {
      rmSync(file);
      removed++;
    }
  }
}

if (existsSync(dist)) walk(dist);
if (removed > 0) console.log(`clean-dist: removed ${removed} outputs of deleted sources`);
