// A minimal LSP client over stdio, enough to drive the stock ESLint language
// server (`vscode-eslint-language-server`) the way an editor does. The server
// is pull-only: diagnostics come from `textDocument/diagnostic`, never from
// `publishDiagnostics` (shared/design/ecosystem.md §6).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface Message {
  jsonrpc: '2.0';
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

export interface Diagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity?: number;
  code?: string | number;
  source?: string;
  message: string;
}

export interface CodeAction {
  title: string;
  kind?: string;
  diagnostics?: Diagnostic[];
  edit?: unknown;
}

/** The settings object vscode-eslint sends; each key here was needed (ecosystem.md §6). */
function settings(workspace: string): Record<string, unknown> {
  return {
    validate: 'on',
    experimental: {},
    nodePath: null,
    problems: { shortenToSingleLine: false },
    rulesCustomizations: [],
    run: 'onType',
    useESLintClass: false,
    packageManager: 'npm',
    quiet: false,
    onIgnoredFiles: 'off',
    options: {},
    format: false,
    codeActionOnSave: { enable: false, mode: 'all' },
    workingDirectory: { mode: 'location' },
    workspaceFolder: { uri: pathToFileURL(workspace).href, name: path.basename(workspace) },
    codeAction: {
      disableRuleComment: { enable: true, location: 'separateLine', commentStyle: 'line' },
      showDocumentation: { enable: true },
    },
  };
}

export class EslintLanguageServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  readonly stderr: string[] = [];

  private constructor(private readonly workspace: string) {
    const require = createRequire(import.meta.url);
    const bin = path.join(
      path.dirname(require.resolve('vscode-langservers-extracted/package.json')),
      'bin',
      'vscode-eslint-language-server',
    );
    this.child = spawn(process.execPath, [bin, '--stdio'], { cwd: workspace, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
  }

  static async start(workspace: string): Promise<EslintLanguageServer> {
    const server = new EslintLanguageServer(workspace);
    const uri = pathToFileURL(workspace).href;
    await server.request('initialize', {
      processId: process.pid,
      rootUri: uri,
      workspaceFolders: [{ uri, name: path.basename(workspace) }],
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true },
        textDocument: {
          diagnostic: {},
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source'] } } },
        },
      },
    });
    server.notify('initialized', {});
    return server;
  }

  open(file: string, text: string, version = 1): void {
    this.notify('textDocument/didOpen', {
      textDocument: { uri: pathToFileURL(file).href, languageId: 'typescript', version, text },
    });
  }

  /** A full-text change, as the server accepts without a range. */
  change(file: string, text: string, version: number): void {
    this.notify('textDocument/didChange', {
      textDocument: { uri: pathToFileURL(file).href, version },
      contentChanges: [{ text }],
    });
  }

  async diagnostics(file: string): Promise<Diagnostic[]> {
    const report = (await this.request('textDocument/diagnostic', {
      textDocument: { uri: pathToFileURL(file).href },
    })) as { kind: string; items?: Diagnostic[] };
    return report.items ?? [];
  }

  async codeActions(file: string, diagnostic: Diagnostic): Promise<CodeAction[]> {
    const actions = (await this.request('textDocument/codeAction', {
      textDocument: { uri: pathToFileURL(file).href },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic], only: ['quickfix'] },
    })) as CodeAction[] | null;
    return actions ?? [];
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.request('shutdown', null), new Promise((r) => setTimeout(r, 2000))]);
      this.notify('exit', null);
    } finally {
      setTimeout(() => this.child.kill(), 500).unref();
    }
  }

  private request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  private notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  private send(message: Message): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString();
      const length = Number(/Content-Length: (\d+)/i.exec(header)?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body) as Message);
    }
  }

  /** Answers the server's own requests, or it stalls. */
  private dispatch(message: Message): void {
    if (message.id !== undefined && message.method === undefined) {
      const waiter = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiter?.reject(new Error(`${message.error.code}: ${message.error.message}`));
      else waiter?.resolve(message.result);
      return;
    }
    if (message.id === undefined) return; // notifications: eslint/status, window/logMessage, …
    let result: unknown = null;
    if (message.method === 'workspace/configuration') {
      const items = (message.params as { items: unknown[] }).items;
      result = items.map(() => settings(this.workspace));
    } else if (message.method?.startsWith('eslint/')) {
      result = {};
    }
    this.send({ jsonrpc: '2.0', id: message.id, result });
  }
}
