// The plugin where users meet it: the stock ESLint language server (pull
// diagnostics, as VS Code and other LSP 3.17 clients use it) and the eslint_d
// daemon, both over the example project with its own flat config. A mistake
// typed into the buffer is reported with the right rule and range, offered as
// a code action, and gone once the buffer is fixed. Needs `npm run build`
// (the example imports the plugin by package name), which `npm test` runs first.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EslintLanguageServer } from './lsp-client.js';

const root = path.resolve(import.meta.dirname, '../..');
const project = path.join(root, 'examples', 'particles');
const file = path.join(project, 'main.ts');
const clean = readFileSync(file, 'utf8');

/** A not-in-heap record that holds a JS object: offheap/no-heap-pointers. */
const mistake = `
class Owner {
  name = 'spans';
}

export type Span = NotInHeap<{
  start: number;
  owner: Owner;
}>;
`;
const broken = clean.replace("} from 'offheap';", "  type HeapRef,\n  type NotInHeap,\n} from 'offheap';") + mistake;
const ownerLine = broken.split('\n').findIndex((line) => line.includes('owner: Owner;'));

describe('ESLint language server (vscode-langservers-extracted)', () => {
  let server: EslintLanguageServer;
  beforeAll(async () => {
    server = await EslintLanguageServer.start(project);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('reports a mistake in the unsaved buffer, offers its suggestion, and clears once fixed', async () => {
    await server.open(file, broken);
    const diagnostics = await server.diagnostics(file);
    const found = diagnostics.filter((d) => d.code === 'offheap/no-heap-pointers');
    expect(found, JSON.stringify({ diagnostics, stderr: server.stderr.join('') })).toHaveLength(1);
    expect(found[0].range.start.line).toBe(ownerLine);
    expect(found[0].message).toContain('Span.owner');

    const actions = await server.codeActions(file, found[0]);
    const titles = actions.map((a) => a.title);
    expect(titles).toContain('Store it as `HeapRef<Owner>`. (offheap/no-heap-pointers)');

    await server.change(file, clean, 2);
    const after = await server.diagnostics(file);
    expect(after.filter((d) => String(d.code).startsWith('offheap/'))).toEqual([]);
  });
});

describe('eslint_d', () => {
  const require = createRequire(import.meta.url);
  const bin = path.join(path.dirname(require.resolve('eslint_d/package.json')), 'bin', 'eslint_d.js');
  // Fail instead of falling back to the ESLint 9 that eslint_d 14 bundles: the project's ESLint 10 must run.
  const daemonEnv = { ...process.env, ESLINT_D_MISS: 'fail' };
  const lint = (text: string): { ruleId: string | null; line: number }[] => {
    let out: string;
    try {
      out = execFileSync(process.execPath, [bin, '--format', 'json', '--stdin', '--stdin-filename', file], {
        cwd: project,
        input: text,
        encoding: 'utf8',
        env: daemonEnv,
      });
    } catch (error) {
      out = (error as { stdout: string }).stdout; // exit 1 when problems are found
    }
    return (JSON.parse(out) as { messages: { ruleId: string | null; line: number }[] }[])[0].messages;
  };
  afterAll(() => {
    execFileSync(process.execPath, [bin, 'stop'], { cwd: project, env: daemonEnv });
  });

  it('reports the mistake from stdin and nothing once it is fixed', () => {
    const messages = lint(broken);
    const status = execFileSync(process.execPath, [bin, 'status'], { cwd: project, env: daemonEnv, encoding: 'utf8' });
    expect(status).toMatch(/Running \(\d+\) - local eslint v10\./);
    expect(messages.map((m) => [m.ruleId, m.line])).toEqual([['offheap/no-heap-pointers', ownerLine + 1]]);
    expect(lint(clean)).toEqual([]);
  });
});
