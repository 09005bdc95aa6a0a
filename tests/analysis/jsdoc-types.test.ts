// The JSDoc types of a JavaScript file, listed once from TypeScript's syntax for the type rules (ESTree has no
// nodes for them). Counted work, never timing.
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { jsDocTypeCounters, jsDocTypes } from '../../src/analysis/jsdoc-types.js';

const parse = (name: string, text: string): ts.SourceFile => ts.createSourceFile(name, text, ts.ScriptTarget.ES2022, true);

/** `n` functions, each with a `@typedef`, a `@param` array type and a `Map` with type arguments in its JSDoc. */
const program = (n: number): string =>
  Array.from(
    { length: n },
    (_, i) => `/** @typedef {{ n: number }} T${i} */\n/** @param {T${i}[]} xs @param {Map<string, T${i}>} m @returns {number} */\nexport function f${i}(xs, m) { return xs.length + m.size; }`,
  ).join('\n');

describe('jsDocTypes', () => {
  it('lists the typedefs and the type nodes with arguments, object types, arrays, tuples and rest types of a JS file', () => {
    const file = parse(
      'a.js',
      [
        `/** @typedef {{ n: number }} Chunk */`,
        `/** @type {[Chunk, number]} */ let t;`,
        `/** @param {...Chunk} rest */ function g(...rest) { return rest; }`,
        `/** @type {Chunk} */ let plain;`,
        `// @type {Chunk[]} is not JSDoc here`,
        `function outer() {`,
        `  /** @type {Set<Chunk>} */`,
        `  const inner = new Set();`,
        `  return inner;`,
        `}`,
      ].join('\n'),
    );
    const { typedefs, typeNodes } = jsDocTypes(file);
    expect(typedefs.map((t) => t.name?.getText())).toEqual(['Chunk']);
    expect(typeNodes.map((n) => n.getText())).toEqual(['{ n: number }', '[Chunk, number]', '...Chunk', 'Set<Chunk>']);
  });

  it('walks a JS file once, in work linear in its size, and never a TS file or one without JSDoc', () => {
    const walk = (file: ts.SourceFile) => {
      const before = { ...jsDocTypeCounters };
      const types = jsDocTypes(file);
      return { types, files: jsDocTypeCounters.files - before.files, nodes: jsDocTypeCounters.nodes - before.nodes };
    };
    const a = walk(parse('a.js', program(50)));
    const b = walk(parse('b.js', program(100)));
    const c = walk(parse('c.js', program(150)));
    expect([a.files, b.files, c.files]).toEqual([1, 1, 1]);
    expect([a.types.typedefs.length, b.types.typedefs.length]).toEqual([50, 100]);
    expect([a.types.typeNodes.length, b.types.typeNodes.length]).toEqual([150, 300]);
    // Each 50 functions add the same work (the file node and its end token are the constant).
    expect(c.nodes - b.nodes).toBe(b.nodes - a.nodes);
    expect(a.nodes).toBeLessThan(50 * 60);
    // Asked again about the same file: no second walk.
    const same = parse('e.js', program(50));
    walk(same);
    expect(walk(same)).toMatchObject({ files: 0, nodes: 0 });
    // The twins: the same text as TypeScript (JSDoc types mean nothing to the checker there), and JS without JSDoc.
    expect(walk(parse('a.ts', program(50)))).toMatchObject({ files: 0, nodes: 0, types: { typedefs: [], typeNodes: [] } });
    expect(walk(parse('d.js', program(50).replace(/\/\*\*/g, '/*')))).toMatchObject({ files: 0, nodes: 0 });
  });
});
