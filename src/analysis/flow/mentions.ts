// Which top-level statements of a file can hold a value of the runtime's
// types, from names alone (no type asked).
//
// Every `Ptr`, `Garbage` or `HeapRef` value, and every runtime call, has a
// type built from declarations of the runtime, and code reaches those only
// through names: a statement's values get their types from the identifiers
// it mentions (its own locals are typed from what they are initialised with
// or annotated as, inside the statement), from literals, which are never
// runtime types, and from `this`, whose class is the statement itself. So a
// name "carries" the runtime when it is bound to a runtime export, to a
// carrying export of another file, or to a declaration of a statement that
// mentions a carrying name; a statement carries when it mentions or declares
// one, or names (`import()`, `require`) a module with a carrying export. A
// statement that carries nothing cannot produce memory state, and the flow
// answers its code without a type query. Names are matched by their text, so
// a shadowing local or a property spelled like a carrying name only makes the
// answer more conservative, never less.
//
// Solved once per program over the files that name the runtime at all
// (offheap-files.ts's `namesRuntime`); each file's syntax facts carry over to
// later programs. When the program declares globals in a file that names the
// runtime (a script, `export as namespace`, or a `declare global` block that
// can carry the file's names, as `namesRuntime` decides), every
// statement of every file counts as carrying; in a JavaScript file (types
// from JSDoc, which the walk does not read) every statement does.
import ts from 'typescript';
import { skipParentheses } from '../expressions.js';
import { globalBlockCarries, isRuntimeFile, namesRuntime } from '../offheap-files.js';
import { walkSpecifiers, type ProgramAnalysis } from '../program-analysis.js';

/** An import binding: `local` names export `imported` ('*' for the whole module) of the module at `spec`. */
interface ImportFact {
  readonly local: string;
  readonly spec: ts.StringLiteralLike;
  readonly imported: string;
}

/** A re-export: `exported` is `imported` of the module at `spec` ('*' both for `export * from`). */
interface ReexportFact {
  readonly exported: string;
  readonly spec: ts.StringLiteralLike;
  readonly imported: string;
}

interface StatementFact {
  readonly node: ts.Statement;
  /** An import or export declaration: binds or re-exports names (read into the file's lists), runs no code. */
  readonly binding: boolean;
  /** Names the statement binds in the file's scope. */
  readonly declares: readonly string[];
  /** Names it exports (`default` included). */
  readonly exports: readonly string[];
  /** Modules it names inside (`import('m')` types and calls, `require('m')`). */
  readonly modules: ts.StringLiteralLike[];
  /** `declare module 'm'` inside: it augments (or declares) m, whose exports then all count as carrying once it carries. */
  readonly augments: ts.StringLiteral[];
}

interface FileFacts {
  readonly file: ts.SourceFile;
  /** Every top-level statement, in order. */
  readonly statements: readonly StatementFact[];
  readonly imports: readonly ImportFact[];
  readonly reexports: readonly ReexportFact[];
  /** `export { local as exported }` without a module. */
  readonly localExports: readonly (readonly [exported: string, local: string])[];
  /** Declares globals (a script, `export as namespace`): once it carries, no file is answered from names. */
  readonly globals: boolean;
  /** `declare global` blocks: the same, for a block that can carry the file's names (namesRuntime's test). */
  readonly globalBlocks: readonly ts.Node[];
  /** JavaScript, whose types come from JSDoc the walk does not read: every statement carries. */
  readonly js: boolean;
  /** `export =` or ambient modules: which export a name is cannot be told, so any carrying statement makes every export carry. */
  readonly wholeExports: boolean;
  /** Identifiers written with unicode escapes, decoded, at their positions (a text search would miss them). */
  readonly escaped: readonly (readonly [name: string, pos: number])[];
  /** The statements declaring each name. */
  readonly declaredBy: ReadonlyMap<string, readonly number[]>;
  /** Per name searched for: the statements mentioning or declaring it (filled on demand). */
  readonly byName: Map<string, readonly number[]>;
  /** Every word of the text with the statements it occurs in, read on the first search (see `wordsOf`). */
  words: ReadonlyMap<string, readonly number[]> | undefined;
  /**
   * Auto-typed variables (`let x;`, `let x = null`, `const xs = []`): the
   * checker types each use by what other statements assigned or pushed, so
   * such a name carries once any statement naming it carries.
   */
  readonly evolving: readonly string[];
}

/**
 * Work counters for tests: files whose syntax was read, names searched for, statements found to carry nothing,
 * files whose text was split into words (with the characters read doing it), and files run through the fixpoint.
 */
export const mentionCounters = { filesRead: 0, namesSearched: 0, statementsCleared: 0, evolvingLinks: 0, wordScans: 0, charsScanned: 0, filesSolved: 0 };

function hasModifier(n: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(n) && (ts.getModifiers(n)?.some((m) => m.kind === kind) ?? false);
}

function bindingNames(name: ts.BindingName, out: string[]): void {
  if (ts.isIdentifier(name)) {
    out.push(name.text);
    return;
  }
  for (const e of name.elements) if (!ts.isOmittedExpression(e)) bindingNames(e.name, out);
}

/** What program creation records on every SourceFile (not in the public typings; TypeScript 6.0 has both). */
interface CollectedReferences {
  readonly imports?: readonly ts.StringLiteralLike[];
  readonly moduleAugmentations?: readonly (ts.StringLiteral | ts.Identifier)[];
}

/** The top-level statement holding position `pos` (binary search), if any. */
function statementAt(statements: readonly StatementFact[], pos: number): number {
  let lo = 0;
  let hi = statements.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const n = statements[mid].node;
    if (pos < n.pos) hi = mid - 1;
    else if (pos >= n.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** The file's top-level bindings, only: nothing below a top-level statement is walked (mentions are found in the text). */
function readFile(file: ts.SourceFile): FileFacts {
  mentionCounters.filesRead++;
  const statements: StatementFact[] = [];
  const imports: ImportFact[] = [];
  const reexports: ReexportFact[] = [];
  const localExports: (readonly [string, string])[] = [];
  let globals = !ts.isExternalModule(file);
  const globalBlocks: ts.Node[] = [];
  let wholeExports = false;
  const evolving: string[] = [];
  for (const s of file.statements) {
    const declares: string[] = [];
    let exports: string[] = [];
    let binding = true;
    if (ts.isImportDeclaration(s)) {
      const c = s.importClause;
      const spec = s.moduleSpecifier;
      if (c && ts.isStringLiteralLike(spec)) {
        if (c.name) imports.push({ local: c.name.text, spec, imported: 'default' });
        const b = c.namedBindings;
        if (b && ts.isNamespaceImport(b)) imports.push({ local: b.name.text, spec, imported: '*' });
        else if (b) for (const e of b.elements) imports.push({ local: e.name.text, spec, imported: (e.propertyName ?? e.name).text });
      }
    } else if (ts.isExportDeclaration(s)) {
      const spec = s.moduleSpecifier && ts.isStringLiteralLike(s.moduleSpecifier) ? s.moduleSpecifier : undefined;
      const clause = s.exportClause;
      if (spec && !clause) reexports.push({ exported: '*', spec, imported: '*' });
      else if (spec && clause && ts.isNamespaceExport(clause)) reexports.push({ exported: clause.name.text, spec, imported: '*' });
      else if (clause && ts.isNamedExports(clause)) {
        for (const e of clause.elements) {
          const local = (e.propertyName ?? e.name).text;
          if (spec) reexports.push({ exported: e.name.text, spec, imported: local });
          else localExports.push([e.name.text, local]);
        }
      }
    } else if (ts.isImportEqualsDeclaration(s) && ts.isExternalModuleReference(s.moduleReference) && ts.isStringLiteralLike(s.moduleReference.expression)) {
      imports.push({ local: s.name.text, spec: s.moduleReference.expression, imported: '*' });
      if (hasModifier(s, ts.SyntaxKind.ExportKeyword)) localExports.push([s.name.text, s.name.text]);
    } else if (ts.isNamespaceExportDeclaration(s)) {
      globals = true; // `export as namespace N`: a global
    } else {
      binding = false;
      if (ts.isVariableStatement(s)) {
        for (const d of s.declarationList.declarations) {
          bindingNames(d.name, declares);
          if (ts.isIdentifier(d.name) && !d.type && isAutoTypeInitializer(d.initializer)) evolving.push(d.name.text);
        }
      }
      else if (ts.isModuleDeclaration(s)) {
        if (ts.isIdentifier(s.name) && (s.flags & ts.NodeFlags.GlobalAugmentation) === 0) declares.push(s.name.text);
        else if (!ts.isIdentifier(s.name)) wholeExports = true;
      } else if (ts.isExportAssignment(s)) {
        if (s.isExportEquals) wholeExports = true;
        else exports = ['default'];
      } else if (
        (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEnumDeclaration(s) || ts.isImportEqualsDeclaration(s)) &&
        s.name
      ) {
        declares.push(s.name.text);
      }
      if (hasModifier(s, ts.SyntaxKind.ExportKeyword)) exports = hasModifier(s, ts.SyntaxKind.DefaultKeyword) ? ['default'] : declares;
    }
    statements.push({ node: s, binding, declares, exports, modules: [], augments: [] });
  }
  const declaredBy = new Map<string, number[]>();
  statements.forEach((s, i) => {
    for (const d of s.declares) {
      const list = declaredBy.get(d);
      if (!list) declaredBy.set(d, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    }
  });
  // Modules named inside statements, and augmentations, from what program creation collected (a walk where it did not).
  const refs = file as CollectedReferences;
  for (const spec of refs.imports ?? walkSpecifiers(file)) {
    const i = statementAt(statements, spec.pos);
    if (i >= 0 && !statements[i].binding) statements[i].modules.push(spec);
  }
  for (const m of refs.moduleAugmentations ?? []) {
    if (ts.isIdentifier(m)) {
      if (m.text === 'global') globalBlocks.push(m.parent);
    }
    else {
      const i = statementAt(statements, m.pos);
      if (i >= 0) statements[i].augments.push(m);
    }
  }
  // Without the lists, a nested `declare global` is found by the text (conservatively).
  if (refs.moduleAugmentations === undefined && /\bdeclare\s+global\b/.test(file.text)) globals = true;
  const escaped: (readonly [string, number])[] = [];
  const text = file.text;
  // An identifier written with `\u` escapes, read around each escape and decoded, so the search by name finds it.
  const part = /(?:[\w$]|\\u[0-9a-fA-F]{4}|\\u\{[0-9a-fA-F]+\})+/y;
  for (let at = text.indexOf('\\u'), done = -1; at >= 0; at = text.indexOf('\\u', at + 2)) {
    if (at < done) continue;
    let from = at;
    while (from > 0 && /[\w$]/.test(text[from - 1])) from--;
    part.lastIndex = from;
    const m = part.exec(text);
    if (!m) continue;
    done = from + m[0].length;
    escaped.push([m[0].replace(/\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})/g, (_, x: string | undefined, y: string | undefined) => String.fromCodePoint(parseInt(x ?? y!, 16))), from]);
  }
  return { file, statements, imports, reexports, localExports, globals, globalBlocks, js: /\.[cm]?jsx?$/.test(file.fileName), wholeExports, escaped, declaredBy, byName: new Map(), words: undefined, evolving };
}

/** No initializer, `null`, `undefined` or `[]`: the forms TypeScript gives an evolving (auto) type. */
function isAutoTypeInitializer(init: ts.Expression | undefined): boolean {
  if (!init) return true;
  const e = skipParentheses(init);
  return (
    e.kind === ts.SyntaxKind.NullKeyword ||
    (ts.isIdentifier(e) && e.text === 'undefined') ||
    (ts.isArrayLiteralExpression(e) && e.elements.length === 0)
  );
}

/**
 * The statements whose text mentions `name` as a whole word (identifier
 * characters on neither side), escaped spellings included. Strings and
 * comments count too: more carrying, never less.
 */
function statementsMentioning(facts: FileFacts, name: string): number[] {
  mentionCounters.namesSearched++;
  const out = [...(wordsOf(facts).get(name) ?? [])];
  for (const [n, pos] of facts.escaped) {
    const i = n === name ? statementAt(facts.statements, pos) : -1;
    if (i >= 0 && !out.includes(i)) out.push(i);
  }
  return out;
}

/** 1 for the ASCII identifier characters: letters, digits, `$` and `_`. */
const asciiIdentifierPart = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) t[c] = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 36 || c === 95 ? 1 : 0;
  return t;
})();

/**
 * The statements each word of the file's text occurs in, in order: one pass
 * over the text however many names are searched (a search per name read the
 * whole text once per name). A word is a maximal run of identifier
 * characters (by code point), so a name is found exactly where a whole-word
 * search finds it.
 */
function wordsOf(facts: FileFacts): ReadonlyMap<string, readonly number[]> {
  if (facts.words) return facts.words;
  mentionCounters.wordScans++;
  const text = facts.file.text;
  mentionCounters.charsScanned += text.length;
  const words = new Map<string, number[]>();
  // The test inlined, by table below 128: it runs once per character, mostly before the loop is compiled
  // (once per file, cold), where a call per character cost more than the rest of the scan.
  const part = asciiIdentifierPart;
  let statement = 0;
  const statements = facts.statements;
  const length = text.length;
  for (let at = 0; at < length; ) {
    let c = text.charCodeAt(at);
    if (c >= 128) c = text.codePointAt(at)!;
    if (c < 128 ? part[c] === 0 : !ts.isIdentifierPart(c, ts.ScriptTarget.Latest)) {
      at += c > 0xffff ? 2 : 1;
      continue;
    }
    const start = at;
    for (;;) {
      at += c > 0xffff ? 2 : 1;
      if (at >= length) break;
      c = text.charCodeAt(at);
      if (c >= 128) c = text.codePointAt(at)!;
      if (c < 128 ? part[c] === 0 : !ts.isIdentifierPart(c, ts.ScriptTarget.Latest)) break;
    }
    // Statements are in text order: move forward to the one holding `start` (none between statements).
    while (statement < statements.length && start >= statements[statement].node.end) statement++;
    if (statement >= statements.length || start < statements[statement].node.pos) continue;
    const word = text.slice(start, at);
    const list = words.get(word);
    if (!list) words.set(word, [statement]);
    else if (list[list.length - 1] !== statement) list.push(statement);
  }
  facts.words = words;
  return words;
}

function factsOf(pa: ProgramAnalysis, file: ts.SourceFile): FileFacts {
  const memo = pa.fileCache<'facts', FileFacts>('flow:mentions', file);
  let found = memo.get('facts');
  if (!found) memo.set('facts', (found = readFile(file)));
  return found;
}

/** What carries in one file: its carrying statements, local names and exports. */
interface FileState {
  readonly facts: FileFacts;
  readonly statements: Set<ts.Statement>;
  readonly names: Set<string>;
  /** Carrying export names, or every export. */
  exports: Set<string> | 'all';
}

/** Per program: the carrying statements of every file, or 'all' when nothing can be answered from names. */
type Solution = ReadonlyMap<ts.SourceFile, FileState> | 'all';

function solve(pa: ProgramAnalysis): Solution {
  // A runtime that declares globals could hand its types to any file.
  if (pa.program.getSourceFiles().some((f) => isRuntimeFile(f) && (!ts.isExternalModule(f) || /\bdeclare\s+global\b/.test(f.text)))) return 'all';
  const files = pa.program.getSourceFiles().filter((f) => inSolution(pa, f));
  const states = new Map<ts.SourceFile, FileState>();
  for (const f of files) states.set(f, freshState(pa, f));
  // Resolved once per file and module resolution, carried across programs (program-analysis.ts).
  const target = (spec: ts.StringLiteralLike, from: ts.SourceFile): ts.SourceFile | undefined => pa.moduleTargets(from).get(spec);
  // Reverse edges: who imports, re-exports or names each file.
  const users = new Map<ts.SourceFile, ts.SourceFile[]>();
  const addUser = (to: ts.SourceFile | undefined, from: ts.SourceFile): void => {
    if (!to) return;
    const list = users.get(to);
    if (!list) users.set(to, [from]);
    else if (list[list.length - 1] !== from) list.push(from);
  };
  for (const [f, st] of states) {
    for (const i of st.facts.imports) addUser(target(i.spec, f), f);
    for (const r of st.facts.reexports) addUser(target(r.spec, f), f);
    for (const s of st.facts.statements) for (const m of s.modules) addUser(target(m, f), f);
  }
  return propagate(pa, states, [...states.keys()], users);
}

/** The files the solution covers: those that name the runtime, but for the runtime's own and the default library. */
function inSolution(pa: ProgramAnalysis, f: ts.SourceFile): boolean {
  return !isRuntimeFile(f) && !pa.program.isSourceFileDefaultLibrary(f) && namesRuntime(pa, f);
}

function freshState(pa: ProgramAnalysis, f: ts.SourceFile): FileState {
  return { facts: factsOf(pa, f), statements: new Set(), names: new Set(), exports: new Set() };
}

/**
 * The previous program's solution, when one file changed and kept its
 * carrying exports: its own statements are solved again against the other
 * files' states, which its exports alone could change. The result is a
 * fixpoint, so it holds every carrying statement; a cycle of imports
 * through the file could keep a statement carrying that a solve from
 * nothing would clear (more type queries, never a missed one). A file
 * that augments a module, enters or leaves the solution, or exports
 * anything else is solved anew with the whole program (undefined).
 */
function carriedSolution(pa: ProgramAnalysis): Solution | undefined {
  const carried = pa.carried<Solution>('flow:mentions');
  if (!carried || carried.value === 'all' || carried.changed.length !== 1) return undefined;
  const [[before, now]] = carried.changed;
  const old = carried.value.get(before);
  const states = new Map(carried.value);
  states.delete(before);
  if (!inSolution(pa, now)) return old || isRuntimeFile(now) ? undefined : states;
  const augments = (f: ts.SourceFile): boolean => factsOf(pa, f).statements.some((st) => st.augments.length > 0);
  if (!old || augments(before) || augments(now)) return undefined;
  const state = freshState(pa, now);
  states.set(now, state);
  const solved = propagate(pa, states, [now], new Map());
  return solved === 'all' || sameExports(state.exports, old.exports) ? solved : undefined;
}

function sameExports(a: FileState['exports'], b: FileState['exports']): boolean {
  if (a === 'all' || b === 'all') return a === b;
  return a.size === b.size && [...a].every((n) => b.has(n));
}

/**
 * Runs the files of `queue` to a fixpoint over `states`: each file's
 * carrying names, statements and exports, from what its imports carry; a
 * file whose exports grew sends its `users` round again.
 */
function propagate(pa: ProgramAnalysis, states: Map<ts.SourceFile, FileState>, queue: ts.SourceFile[], users: ReadonlyMap<ts.SourceFile, readonly ts.SourceFile[]>): Solution {
  const target = (spec: ts.StringLiteralLike, from: ts.SourceFile): ts.SourceFile | undefined => pa.moduleTargets(from).get(spec);
  /** Whether export `name` ('*': any export) of `file` carries. */
  const carries = (file: ts.SourceFile | undefined, name: string): boolean => {
    if (!file) return false; // unresolved: the checker's error type carries nothing
    if (isRuntimeFile(file)) return true;
    const st = states.get(file);
    if (!st) return false; // names nothing of the runtime
    if (st.exports === 'all') return true;
    return name === '*' ? st.exports.size > 0 : st.exports.has(name);
  };
  /** What `export * from` of `file` re-exports as carrying: every name but `default`. */
  const starExports = (file: ts.SourceFile | undefined): Iterable<string> | 'all' => {
    if (!file) return [];
    if (isRuntimeFile(file)) return 'all';
    const st = states.get(file);
    return !st ? [] : st.exports === 'all' ? 'all' : [...st.exports].filter((n) => n !== 'default');
  };
  const queued = new Set(queue);
  const enqueueUsers = (f: ts.SourceFile): void => {
    for (const u of users.get(f) ?? []) {
      if (!queued.has(u)) {
        queued.add(u);
        queue.push(u);
      }
    }
  };
  for (let head = 0; head < queue.length; head++) {
    const f = queue[head];
    queued.delete(f);
    mentionCounters.filesSolved++;
    const st = states.get(f)!;
    const { facts } = st;
    const before = st.exports === 'all' ? -1 : st.exports.size;
    if (facts.js) {
      for (const s of facts.statements) if (!s.binding) st.statements.add(s.node);
      st.exports = 'all';
    } else {
      const pending: string[] = [];
      const addName = (n: string): void => {
        if (!st.names.has(n)) {
          st.names.add(n);
          pending.push(n);
        }
      };
      const addStatement = (i: number): void => {
        const s = facts.statements[i];
        if (s.binding || st.statements.has(s.node)) return;
        st.statements.add(s.node);
        for (const d of s.declares) addName(d);
        // An auto-typed variable takes the types that carrying statements assign or push into it.
        for (const n of evolvingNamesAt(facts).get(i) ?? none) addName(n);
      };
      for (const i of facts.imports) if (carries(target(i.spec, f), i.imported)) addName(i.local);
      facts.statements.forEach((s, i) => {
        if (s.modules.some((m) => carries(target(m, f), '*'))) addStatement(i);
      });
      // Seed from what carried before (a file re-run after one of its imports grew).
      for (const n of st.names) pending.push(n);
      while (pending.length > 0) for (const i of statementsOfName(facts, pending.pop()!)) addStatement(i);
      if (facts.wholeExports && st.statements.size > 0) st.exports = 'all';
      else if (st.exports !== 'all') {
        const ex = st.exports;
        for (const s of facts.statements) if (st.statements.has(s.node)) for (const e of s.exports) ex.add(e);
        for (const [exported, local] of facts.localExports) if (st.names.has(local)) ex.add(exported);
        for (const r of facts.reexports) {
          if (r.exported !== '*') {
            if (carries(target(r.spec, f), r.imported)) ex.add(r.exported);
            continue;
          }
          const names = starExports(target(r.spec, f));
          if (names === 'all') {
            st.exports = 'all';
            break;
          }
          for (const n of names) ex.add(n);
        }
      }
      for (const s of facts.statements) {
        if (!st.statements.has(s.node)) continue;
        for (const m of s.augments) {
          const augmented = target(m, f);
          const ast = augmented && states.get(augmented);
          if (augmented && ast && ast.exports !== 'all') {
            ast.exports = 'all';
            enqueueUsers(augmented);
          }
        }
      }
    }
    // Carrying globals are visible to every file without a name to follow.
    // A `declare global` block counts when it can carry what its file names, as namesRuntime decides (a block
    // extending globals with globals and primitives only, like rxjs's SymbolConstructor, carries nothing).
    if ((facts.globals || facts.globalBlocks.some((b) => globalBlockCarries(pa, b))) && st.statements.size > 0) return 'all';
    const after = st.exports === 'all' ? -1 : st.exports.size;
    if (after !== before) enqueueUsers(f);
  }
  for (const st of states.values()) mentionCounters.statementsCleared += st.facts.statements.length - st.statements.size;
  return states;
}

/** The statements that mention or declare `name` (declarations merge), memoised with the file's syntax. */
function statementsOfName(facts: FileFacts, name: string): readonly number[] {
  let found = facts.byName.get(name);
  if (!found) {
    const list = statementsMentioning(facts, name);
    for (const i of facts.declaredBy.get(name) ?? []) if (!list.includes(i)) list.push(i);
    facts.byName.set(name, (found = list));
  }
  return found;
}

const none: readonly string[] = [];
const evolvingByStatement = new WeakMap<FileFacts, ReadonlyMap<number, readonly string[]>>();

/** The auto-typed variables each statement names, by statement index (once per file's facts). */
function evolvingNamesAt(facts: FileFacts): ReadonlyMap<number, readonly string[]> {
  let found = evolvingByStatement.get(facts);
  if (!found) {
    const at = new Map<number, string[]>();
    for (const n of facts.evolving) {
      for (const i of statementsOfName(facts, n)) {
        mentionCounters.evolvingLinks++;
        const list = at.get(i);
        if (list) list.push(n);
        else at.set(i, [n]);
      }
    }
    evolvingByStatement.set(facts, (found = at));
  }
  return found;
}

function solution(pa: ProgramAnalysis): Solution {
  const memo = pa.cache<'solution', Solution>('flow:mentions');
  let found = memo.get('solution');
  if (!found) {
    memo.set('solution', (found = carriedSolution(pa) ?? solve(pa)));
    pa.carry('flow:mentions', found);
  }
  return found;
}

/**
 * Whether code of `node` may hold a value of a runtime type (see above):
 * false only when its top-level statement mentions no name that carries the
 * runtime. Nodes of runtime files, of files outside the solution and of
 * programs that declare carrying globals always answer true.
 */
export function mayCarryRuntime(pa: ProgramAnalysis, node: ts.Node): boolean {
  const sol = solution(pa);
  if (sol === 'all') return true;
  let top = node;
  while (top.parent && !ts.isSourceFile(top.parent)) top = top.parent;
  const file = top.parent;
  if (!file) return true;
  const st = sol.get(file);
  // A file outside the solution names nothing of the runtime (namesRuntime), or is the runtime itself.
  if (!st) return isRuntimeFile(file) || namesRuntime(pa, file);
  return st.statements.has(top as ts.Statement);
}
