// An LSP client over stdio, enough to drive the stock ESLint language server
// (`vscode-eslint-language-server`) the way an editor does. Framing and
// request bookkeeping are vscode-languageserver-protocol's (on vscode-jsonrpc);
// this file only says what an editor says. The server is pull-only:
// diagnostics come from `textDocument/diagnostic`, never from
// `publishDiagnostics`.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as lsp from 'vscode-languageserver-protocol/node';

export type Diagnostic = lsp.Diagnostic;
export type CodeAction = lsp.CodeAction;

/**
 * The settings object vscode-eslint sends. Without `nodePath`, `experimental`,
 * `problems` or `rulesCustomizations` the server fails the request or returns
 * no items.
 */
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
  private readonly connection: lsp.MessageConnection;
  readonly stderr: string[] = [];

  private constructor(private readonly workspace: string) {
    const require = createRequire(import.meta.url);
    const bin = path.join(
      path.dirname(require.resolve('vscode-langservers-extracted/package.json')),
      'bin',
      'vscode-eslint-language-server',
    );
    this.child = spawn(process.execPath, [bin, '--stdio'], { cwd: workspace, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    this.connection = lsp.createMessageConnection(
      new lsp.StreamMessageReader(this.child.stdout),
      new lsp.StreamMessageWriter(this.child.stdin),
    );
    // The server's own requests must be answered, or it stalls.
    this.connection.onRequest(lsp.ConfigurationRequest.type, (params) => params.items.map(() => settings(this.workspace)));
    this.connection.onRequest(lsp.RegistrationRequest.type, () => undefined);
    this.connection.onRequest((method: string) => (method.startsWith('eslint/') ? {} : null));
    this.connection.listen();
  }

  static async start(workspace: string): Promise<EslintLanguageServer> {
    const server = new EslintLanguageServer(workspace);
    const uri = pathToFileURL(workspace).href;
    await server.connection.sendRequest(lsp.InitializeRequest.type, {
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
    await server.connection.sendNotification(lsp.InitializedNotification.type, {});
    return server;
  }

  open(file: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification(lsp.DidOpenTextDocumentNotification.type, {
      textDocument: { uri: pathToFileURL(file).href, languageId: 'typescript', version, text },
    });
  }

  /** A full-text change, as the server accepts without a range. */
  change(file: string, text: string, version: number): Promise<void> {
    return this.connection.sendNotification(lsp.DidChangeTextDocumentNotification.type, {
      textDocument: { uri: pathToFileURL(file).href, version },
      contentChanges: [{ text }],
    });
  }

  async diagnostics(file: string): Promise<Diagnostic[]> {
    const report = await this.connection.sendRequest(lsp.DocumentDiagnosticRequest.type, {
      textDocument: { uri: pathToFileURL(file).href },
    });
    return report.kind === lsp.DocumentDiagnosticReportKind.Full ? report.items : [];
  }

  async codeActions(file: string, diagnostic: Diagnostic): Promise<CodeAction[]> {
    const actions = await this.connection.sendRequest(lsp.CodeActionRequest.type, {
      textDocument: { uri: pathToFileURL(file).href },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic], only: [lsp.CodeActionKind.QuickFix] },
    });
    return (actions ?? []).filter((a): a is CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string'));
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest(lsp.ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification(lsp.ExitNotification.type);
    } finally {
      this.connection.dispose();
      setTimeout(() => this.child.kill(), 500).unref();
    }
  }
}
