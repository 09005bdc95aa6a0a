// Classification of types against Go's not-in-heap discipline.
//
// A type is not-in-heap when it is marked (`NotInHeap<T>`, `@notInHeap`) or,
// as in Go 1.20+, when it holds a not-in-heap type by value or extends one
// (P3 in docs/rules/no-heap-pointers.md). A not-in-heap type lives in unmanaged memory the collector never
// scans, so every storage field must be free of heap references except
// `HeapRef` slots (P1, P2; methods, accessors and statics are not storage, P4).
//
// Both questions are graph walks over types with an explicit work stack and a
// seen-set of types, so recursive and mutually recursive types terminate, and a
// node budget turns pathological instantiation chains into "cannot prove"
// instead of a hang. Types are canonical per checker, so results are cached
// per `ts.Type` for the program's life and never depend on which alias the
// checker met first.
import ts from 'typescript';
import { augmentedFiles, isRuntimeFile, usingFiles } from './offheap-files.js';
import { mayCarryRuntime } from './flow/mentions.js';
import { instantiationArguments } from './ts-compat.js';

export { isRuntimeFile };
import { brandKindOfProperty, brandOf, scalarBrandOf } from './brands.js';
import { offheapIdAt } from './declarations.js';
import { jsDocTypes } from './jsdoc-types.js';
import { analysisOfChecker, cacheOf, symbolAt, type ProgramAnalysis } from './program-analysis.js';

/** Types one walk explores before it gives up on the rest ("cannot prove"). Each type is explored once per program. */
export const walkBudget = 10000;

export interface NotInHeapReason {
  /** How the type at the end of `steps` is marked. */
  readonly mark: 'NotInHeap' | '@notInHeap';
  /** The marked type reached. */
  readonly marked: ts.Type;
  /** Path from the classified type to the marked one: `.field`, ` extends Base`. Empty when marked itself. */
  readonly steps: readonly string[];
}

/** A storage slot of a not-in-heap type that holds (or may hold) a heap reference. */
export interface HeapRefFinding {
  /** Field names from the classified type to the slot: `['meta', 'owner']`, `['[string]']`. */
  readonly steps: readonly string[];
  /** `steps.length`. */
  readonly depth: number;
  /** The declaration of the slot: a property, parameter property or index signature. */
  readonly leaf: ts.Declaration | undefined;
  /** The classified type's own member the path starts with (undefined when the path starts at an index signature). */
  readonly first: ts.Symbol | undefined;
  /** The member of the slot's type that is the heap reference. */
  readonly held: ts.Type;
  /** `any`/`unknown`: not provably a reference, but not provably free of one either (P2). */
  readonly opaque: boolean;
}

/** What a storage slot of a type holds. */
export type PartKind = 'scalar' | 'heapRef' | 'notInHeap' | 'heap' | 'opaque';
export interface Part {
  readonly kind: PartKind;
  readonly type: ts.Type;
}



/** Longest type name a message shows. */
const maxName = 60;
const clip = (text: string, max = maxName): string => (text.length > max ? `${text.slice(0, max - 3)}...` : text);

/**
 * The type as a message shows it: by its alias or interface name when it has
 * one (`Ptr<Particle>`, `Map<string, Span>`), its arguments named the same
 * way, and only an anonymous type spelled out, cut at 60 characters.
 * `names` gives names the file knows a type by (see `typeNamer`). Cached per type.
 */
export function typeName(checker: ts.TypeChecker, type: ts.Type, names?: ReadonlyMap<ts.Type, string>): string {
  if (!names) {
    const nameCache = cacheOf<ts.Type, string>(checker, 'not-in-heap:names');
    let name = nameCache.get(type);
    if (name === undefined) nameCache.set(type, (name = shortName(checker, type, undefined, 0)));
    return name;
  }
  return shortName(checker, type, names, 0);
}

/** How `shortName` names a type: by a name it carries, by its parts, or spelled out by the checker. */
type NameForm = 'alias' | 'constructor' | 'union' | 'declared' | 'array' | 'tuple' | 'spelled';
function nameForm(checker: ts.TypeChecker, type: ts.Type): NameForm {
  const symbol = type.getSymbol();
  if (type.aliasSymbol) return 'alias';
  if (symbol && symbol.flags & ts.SymbolFlags.Class && type.getConstructSignatures().length > 0) return 'constructor';
  if (type.isUnion() && !(type.flags & ts.TypeFlags.EnumLiteral) && !(type.flags & ts.TypeFlags.Boolean)) return 'union';
  if (checker.isArrayType(type)) return 'array';
  if (checker.isTupleType(type)) {
    // Named here, not by the checker, whose printer recurses without bound (`[[[…]]]` of an endless instantiation).
    return ((type as ts.TypeReference).target as ts.TupleType).elementFlags.every((f) => f === ts.ElementFlags.Required) ? 'tuple' : 'spelled';
  }
  if (symbol && symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface) && !(type.flags & ts.TypeFlags.Intersection)) return 'declared';
  return 'spelled';
}

/**
 * Whether a message shows `type` spelled out: an object type with no name of
 * its own (a type literal, mapped type, object literal's type). A message
 * spells such a type once and refers to it as `{…}` elsewhere.
 */
export function isAnonymousObject(checker: ts.TypeChecker, type: ts.Type, names?: ReadonlyMap<ts.Type, string>): boolean {
  return (type.flags & ts.TypeFlags.Object) !== 0 && !names?.has(type) && nameForm(checker, type) === 'spelled';
}

function shortName(checker: ts.TypeChecker, type: ts.Type, names: ReadonlyMap<ts.Type, string> | undefined, depth: number): string {
  const local = names?.get(type);
  if (local) return local;
  const args = (list: readonly ts.Type[] | undefined): string =>
    list && list.length > 0 ? `<${list.map((a) => (depth >= 3 ? '…' : shortName(checker, a, names, depth + 1))).join(', ')}>` : '';
  let text: string;
  const form = nameForm(checker, type);
  if (form === 'alias') text = type.aliasSymbol!.name + args(type.aliasTypeArguments);
  else if (form === 'constructor') text = `typeof ${type.getSymbol()!.name}`;
  else if (form === 'union') {
    const members = (type as ts.UnionType).types;
    const shown = members.slice(0, 4).map((t) => shortName(checker, t, names, depth + 1));
    text = shown.join(' | ') + (members.length > 4 ? ` | … (${members.length - 4} more)` : '');
  } else if (form === 'declared') {
    const ref = (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference ? (type as ts.TypeReference) : undefined;
    const own = ref ? checker.getTypeArguments(ref).slice(0, (ref.target as ts.InterfaceType).typeParameters?.length ?? 0) : undefined;
    text = type.getSymbol()!.name + args(own);
  } else if (form === 'array' && depth < 3) {
    const elem = shortName(checker, checker.getTypeArguments(type as ts.TypeReference)[0], names, depth + 1);
    text = /^[\w.<>, ]+$/.test(elem) || elem === anonymousName ? `${elem}[]` : `(${elem})[]`;
  } else if (form === 'tuple') {
    text = depth >= 3 ? '[…]' : `[${checker.getTypeArguments(type as ts.TypeReference).map((a) => shortName(checker, a, names, depth + 1)).join(', ')}]`;
  } else {
    text = checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation);
  }
  return clip(text);
}


/**
 * Names a file knows types by that the types themselves do not carry: a local
 * or imported alias of a type that already has another alias, such as
 * `type Particle = LayoutType<typeof P>` for the runtime's `RecordOf<{…}>`.
 * Built once per file.
 */
export function fileTypeNames(checker: ts.TypeChecker, file: ts.SourceFile): ReadonlyMap<ts.Type, string> {
  const namerCache = cacheOf<ts.SourceFile, Map<ts.Type, string>>(checker, 'not-in-heap:file-names');
  const cached = namerCache.get(file);
  if (cached) return cached;
  const names = new Map<ts.Type, string>();
  const add = (id: ts.Identifier) => {
    let symbol = symbolAt(checker, id);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    if (!symbol || !(symbol.flags & ts.SymbolFlags.TypeAlias)) return;
    const type = checker.getDeclaredTypeOfSymbol(symbol);
    if (type.aliasSymbol !== symbol && !names.has(type)) names.set(type, id.text);
  };
  for (const stmt of file.statements) {
    if (ts.isTypeAliasDeclaration(stmt)) add(stmt.name);
    else if (ts.isImportDeclaration(stmt)) {
      const bindings = stmt.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) for (const spec of bindings.elements) add(spec.name);
    }
  }
  // JavaScript's aliases: `@typedef {import('offheap').LayoutType<typeof Entry>} EntryT`.
  for (const tag of jsDocTypes(file).typedefs) if (tag.name && ts.isIdentifier(tag.name)) add(tag.name);
  namerCache.set(file, names);
  return names;
}

/**
 * Whether a property is instance storage: not a method, accessor or prototype
 * (P4), nor a brand key, nor one of the runtime's type-only keys (a property
 * keyed by a `unique symbol` in a runtime file, such as a layout field's
 * phantom value type, exists only in declarations).
 */
export function isStorageProperty(checker: ts.TypeChecker, prop: ts.Symbol): boolean {
  // Per property symbol: the marks walk and the slot walk both ask of every member of the types they expand,
  // and a `__@` key's runtime-file test walks each declaration's parents to its file.
  const memo = cacheOf<ts.Symbol, boolean>(checker, 'not-in-heap:storage');
  let storage = memo.get(prop);
  if (storage === undefined) {
    notInHeapCounters.storageJudged++;
    memo.set(prop, (storage = judgeStorage(checker, prop)));
  }
  return storage;
}

function judgeStorage(checker: ts.TypeChecker, prop: ts.Symbol): boolean {
  const decls = prop.declarations ?? [];
  // `accessor x = …` is an accessor pair over a hidden field: storage.
  if (decls.some((d) => ts.isAutoAccessorPropertyDeclaration(d))) return true;
  if (prop.flags & (ts.SymbolFlags.Method | ts.SymbolFlags.Accessor | ts.SymbolFlags.Prototype)) return false;
  if (
    decls.length > 0 &&
    decls.every((d) => ts.isMethodSignature(d) || ts.isMethodDeclaration(d) || ts.isAccessor(d))
  ) {
    return false;
  }
  if ((prop.escapedName as string).startsWith('__@') && decls.some((d) => isRuntimeFile(d.getSourceFile()))) {
    return false;
  }
  return brandKindOfProperty(checker, prop) === undefined;
}

/** A class declared with the runtime's `@notInHeap` decorator (also `@notInHeap()` and renamed imports). */
function isDecoratedNotInHeap(checker: ts.TypeChecker, symbol: ts.Symbol | undefined): boolean {
  if (!symbol || !(symbol.flags & ts.SymbolFlags.Class)) return false;
  const decoratorCache = cacheOf<ts.Symbol, boolean>(checker, 'not-in-heap:decorated');
  let marked = decoratorCache.get(symbol);
  if (marked === undefined) {
    marked = false;
    for (const decl of symbol.declarations ?? []) {
      if (!ts.isClassLike(decl)) continue;
      for (const dec of ts.getDecorators(decl) ?? []) {
        let expr = dec.expression;
        if (ts.isCallExpression(expr)) expr = expr.expression;
        const at = ts.isPropertyAccessExpression(expr) ? expr.name : expr;
        if (offheapIdAt(checker, at) === 'notInHeap') marked = true;
      }
    }
    decoratorCache.set(symbol, marked);
  }
  return marked;
}

function classOrInterfaceTarget(type: ts.Type): ts.InterfaceType | undefined {
  if (!(type.flags & ts.TypeFlags.Object)) return undefined;
  const obj = type as ts.ObjectType;
  if (obj.objectFlags & ts.ObjectFlags.ClassOrInterface) return obj as ts.InterfaceType;
  if (obj.objectFlags & ts.ObjectFlags.Reference) {
    const target = (obj as ts.TypeReference).target;
    if (target.objectFlags & ts.ObjectFlags.ClassOrInterface) return target;
  }
  return undefined;
}

function namedBaseTypes(checker: ts.TypeChecker, type: ts.Type): readonly ts.BaseType[] {
  const target = classOrInterfaceTarget(type);
  return target ? (checker.getBaseTypes(target) ?? []) : [];
}

/**
 * How `type` itself is marked, if it is. A class or interface that inherits
 * the brand from a named base is not marked itself: its reason goes through
 * ` extends Base`, which says more.
 */
function directMark(checker: ts.TypeChecker, type: ts.Type): NotInHeapReason['mark'] | undefined {
  // Only an object (a class instance) or an intersection (`T & NotInHeap`) can carry a mark. Asked first:
  // the signature test below resolves a union's or a conditional type's members, which is most of a walk's cost.
  if (!(type.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection))) return undefined;
  const decorated = isDecoratedNotInHeap(checker, type.getSymbol());
  if (!decorated && !brandOf(checker, type, 'NotInHeap')) return undefined;
  // `typeof Span` shares the class's symbol, but it is the constructor, not an instance (asked only of a
  // marked type: resolving signatures is most of the cost of an unmarked one).
  if (isFunctionObject(type)) return undefined;
  if (decorated) return '@notInHeap';
  const inherited = namedBaseTypes(checker, type).some(
    (base) => classOrInterfaceTarget(base) !== undefined && brandOf(checker, base, 'NotInHeap') !== undefined,
  );
  return inherited ? undefined : 'NotInHeap';
}

function isArrayOrTuple(checker: ts.TypeChecker, type: ts.Type): boolean {
  return checker.isArrayType(type) || checker.isTupleType(type);
}

/** Constraint of a generic type, or undefined when there is none beyond `unknown`. */
function constraintOf(checker: ts.TypeChecker, type: ts.Type): ts.Type | undefined {
  const c = checker.getBaseConstraintOfType(type);
  return c && c !== type ? c : undefined;
}

const genericFlags =
  ts.TypeFlags.TypeParameter |
  ts.TypeFlags.IndexedAccess |
  ts.TypeFlags.Conditional |
  ts.TypeFlags.Substitution |
  ts.TypeFlags.Index;

/**
 * A function or class constructor (`typeof Span`): a function object on the JS
 * heap. Its `prototype` is not a value it embeds, so the constructor of a
 * not-in-heap class is an ordinary value, and a slot holding it holds a heap reference.
 */
function isFunctionObject(type: ts.Type): boolean {
  return type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0;
}

/**
 * Types a value of `type` holds by value, with the step that reaches each.
 * Unions, intersections and constraints are transparent (empty step); arrays,
 * tuples, functions, constructors and scalar brands hold nothing by value (a
 * JS array or function is a reference; a `Ptr` is a number).
 */
function byValueChildren(checker: ts.TypeChecker, type: ts.Type): ReadonlyArray<{ readonly type: ts.Type; readonly step: string }> {
  // Per type: the coarse walk and the exact walk behind it expand the same types, and `heldByValue` asks again.
  const memo = cacheOf<ts.Type, ReadonlyArray<{ readonly type: ts.Type; readonly step: string }>>(checker, 'not-in-heap:children');
  let children = memo.get(type);
  if (!children) {
    notInHeapCounters.childrenListed++;
    memo.set(type, (children = listChildren(checker, type)));
  }
  return children;
}

function listChildren(checker: ts.TypeChecker, type: ts.Type): Array<{ type: ts.Type; step: string }> {
  if (type.isUnion() || type.isIntersection()) return type.types.map((t) => ({ type: t, step: '' }));
  if (type.flags & genericFlags) {
    const c = constraintOf(checker, type);
    return c ? [{ type: c, step: '' }] : [];
  }
  if (!(type.flags & ts.TypeFlags.Object) || scalarBrandOf(checker, type) || isArrayOrTuple(checker, type) || isFunctionObject(type)) return [];
  const out: Array<{ type: ts.Type; step: string }> = [];
  for (const base of namedBaseTypes(checker, type)) {
    // Named only when a reason's path is read: most walks reach no mark and print nothing.
    out.push({
      type: base,
      get step() {
        return ` extends ${typeName(checker, base)}`;
      },
    });
  }
  for (const prop of checker.getPropertiesOfType(type)) {
    if (isStorageProperty(checker, prop)) out.push({ type: checker.getTypeOfSymbol(prop), step: `.${prop.name}` });
  }
  return out;
}

/**
 * The types a value of `type` holds by value, seen through unions,
 * intersections and constraints (which add no field): what a message groups
 * declarations by.
 */
export function heldByValue(checker: ts.TypeChecker, type: ts.Type): ts.Type[] {
  const out: ts.Type[] = [];
  const seen = new Set<ts.Type>([type]);
  // In field order: children are pushed last first.
  const stack = byValueChildren(checker, type).map((c) => c.type).reverse();
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    if (t.isUnion() || t.isIntersection() || t.flags & genericFlags) stack.push(...byValueChildren(checker, t).map((c) => c.type).reverse());
    else out.push(t);
  }
  return out;
}

/**
 * Memoised reachability over a graph of types: which types reach a target
 * type through `children`, and the first step of a shortest path to one.
 *
 * A query explores only types no earlier query decided, with an explicit
 * stack, then runs one breadth-first pass backwards from the targets (and
 * from decided types at the edge, at their known distance), so every type is
 * explored once for the program's life and a chain of n types costs O(n),
 * not O(n^2). Every explored type is memoised, including those a walk that
 * ran out of budget could not decide ("cannot prove", memoised too, so
 * pathological instantiation chains cost the budget once, not per query).
 */
type ReachEntry =
  | { readonly kind: 'yes'; readonly depth: number; readonly next: ts.Type | undefined; readonly edge: { readonly step: string } | undefined; readonly target: ts.Type }
  | { readonly kind: 'no' }
  | { readonly kind: 'unknown' };

const no: ReachEntry = { kind: 'no' };
const unknown: ReachEntry = { kind: 'unknown' };

/** Work counters for tests that prove growth (never timing). */
export const notInHeapCounters = {
  /** Types expanded by not-in-heap reachability walks. */
  reachExpanded: 0,
  /** Reachability queries that walked (any walk): not those answered from the start's decided children. */
  reachWalks: 0,
  /** Embedded types expanded by `heapRefsOf` walks (each once per program). */
  findingVisits: 0,
  /** Structs joined from several embedded structs' sets by `heapRefsOf` (what a struct embedding several costs). */
  reachedMerged: 0,
  /** Types expanded by the coarse walks that rule out most types before the exact one. */
  coarseExpanded: 0,
  /** Types decomposed by where they come from (declarations and type arguments), before any walk. */
  originsExpanded: 0,
  /** Property symbols judged storage or not (`isStorageProperty`): once per symbol and program. */
  storageJudged: 0,
  /** Types whose by-value children were listed (`byValueChildren`): once per type and program. */
  childrenListed: 0,
};

class Reach {
  private readonly memo = new Map<ts.Type, ReachEntry>();
  constructor(
    private readonly isTarget: (t: ts.Type) => boolean,
    private readonly children: (t: ts.Type) => ReadonlyArray<{ readonly type: ts.Type; readonly step: string }>,
    private readonly counter: 'reachExpanded' | 'coarseExpanded' | 'originsExpanded' = 'reachExpanded',
  ) {}

  /** What an earlier query decided about `type`, without exploring. */
  known(type: ts.Type): ReachEntry['kind'] | undefined {
    return this.memo.get(type)?.kind;
  }

  query(start: ts.Type): ReachEntry {
    const known = this.memo.get(start);
    if (known) return known;
    // The start is expanded first, as the walk below would: a target, or a type whose children are all decided
    // (most queries after the first few), is decided here without the walk's maps.
    notInHeapCounters[this.counter]++;
    if (this.isTarget(start)) {
      const yes: ReachEntry = { kind: 'yes', depth: 0, next: undefined, edge: undefined, target: start };
      this.memo.set(start, yes);
      return yes;
    }
    const first = this.children(start);
    const decided = this.fromDecided(start, first);
    if (decided) return decided;
    notInHeapCounters.reachWalks++;
    // Explore the undecided part of the graph.
    const explored = new Map<ts.Type, ReadonlyArray<{ readonly type: ts.Type; readonly step: string }>>([[start, first]]);
    const targets: ts.Type[] = [];
    const frontier = new Set<ts.Type>();
    const stack: ts.Type[] = [];
    for (let i = first.length - 1; i >= 0; i--) stack.push(first[i].type);
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (explored.has(t) || this.memo.has(t) || frontier.has(t)) continue;
      if (explored.size >= walkBudget) {
        frontier.add(t);
        continue;
      }
      notInHeapCounters[this.counter]++;
      if (this.isTarget(t)) {
        explored.set(t, []);
        targets.push(t);
        continue;
      }
      const kids = this.children(t);
      explored.set(t, kids);
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i].type);
    }
    // Reverse edges, and the decided types at the edge of the explored part.
    const parents = new Map<ts.Type, ts.Type[]>();
    const seeds: Array<{ type: ts.Type; depth: number }> = targets.map((type) => ({ type, depth: 0 }));
    const undecided: ts.Type[] = [...frontier];
    for (const t of frontier) parents.set(t, parents.get(t) ?? []);
    const edge = new Set<ts.Type>();
    for (const [t, kids] of explored) {
      for (const k of kids) {
        let list = parents.get(k.type);
        if (!list) parents.set(k.type, (list = []));
        list.push(t);
        if (explored.has(k.type) || edge.has(k.type)) continue;
        const m = this.memo.get(k.type);
        if (!m) continue; // in the frontier
        edge.add(k.type);
        if (m.kind === 'yes') seeds.push({ type: k.type, depth: m.depth });
        else if (m.kind === 'unknown') undecided.push(k.type);
      }
    }
    // Shortest distance to a target: breadth-first from the seeds, merged in order of depth.
    seeds.sort((a, b) => a.depth - b.depth);
    const depth = new Map<ts.Type, number>();
    for (const s of seeds) if (!depth.has(s.type)) depth.set(s.type, s.depth);
    const queue: ts.Type[] = [];
    let si = 0;
    let qi = 0;
    while (si < seeds.length || qi < queue.length) {
      const fromSeed = qi >= queue.length || (si < seeds.length && seeds[si].depth <= depth.get(queue[qi])!);
      const t = fromSeed ? seeds[si++].type : queue[qi++];
      const d = depth.get(t)!;
      for (const p of parents.get(t) ?? []) {
        if (depth.has(p)) continue;
        depth.set(p, d + 1);
        queue.push(p);
      }
    }
    // Types that can reach what this walk could not decide, and reach no target, cannot be proven.
    const maybe = new Set<ts.Type>();
    const back = [...undecided];
    while (back.length > 0) {
      const t = back.pop()!;
      for (const p of parents.get(t) ?? []) {
        if (depth.has(p) || maybe.has(p)) continue;
        maybe.add(p);
        back.push(p);
      }
    }
    // The frontier itself stays unexplored, not memoised: a later query that starts there explores it.
    for (const t of targets) this.memo.set(t, { kind: 'yes', depth: 0, next: undefined, edge: undefined, target: t });
    // In order of depth, so each type's next step is already decided.
    for (const t of queue) {
      const d = depth.get(t)!;
      // The first child, in declaration order, on a shortest path: independent of the order of queries.
      const k = explored.get(t)!.find((c) => {
        const e = this.memo.get(c.type);
        return e?.kind === 'yes' && e.depth === d - 1;
      })!;
      const next = this.memo.get(k.type) as Extract<ReachEntry, { kind: 'yes' }>;
      // The edge, not its step: a step may be a name built only when read.
      this.memo.set(t, { kind: 'yes', depth: d, next: k.type, edge: k, target: next.target });
    }
    for (const t of explored.keys()) if (!this.memo.has(t)) this.memo.set(t, maybe.has(t) ? unknown : no);
    return this.memo.get(start)!;
  }

  /**
   * `start`'s entry when every child is already decided, as the walk would
   * give it: the first child (in order) of least depth when one reaches a
   * target, else unknown when one cannot be proven, else no.
   */
  private fromDecided(start: ts.Type, kids: ReadonlyArray<{ readonly type: ts.Type; readonly step: string }>): ReachEntry | undefined {
    let best: { readonly type: ts.Type; readonly step: string } | undefined;
    let bestEntry: Extract<ReachEntry, { kind: 'yes' }> | undefined;
    let undecided = false;
    for (const k of kids) {
      const e = this.memo.get(k.type);
      if (!e) return undefined;
      if (e.kind === 'yes') {
        if (!bestEntry || e.depth < bestEntry.depth) {
          best = k;
          bestEntry = e;
        }
      } else if (e.kind === 'unknown') undecided = true;
    }
    const entry: ReachEntry = best && bestEntry ? { kind: 'yes', depth: bestEntry.depth + 1, next: best.type, edge: best, target: bestEntry.target } : undecided ? unknown : no;
    this.memo.set(start, entry);
    return entry;
  }

  /** The steps from `type` (a `yes`) to its target. */
  steps(type: ts.Type): string[] {
    const steps: string[] = [];
    for (let e = this.memo.get(type); e && e.kind === 'yes' && e.next; e = this.memo.get(e.next)) {
      if (e.edge?.step) steps.push(e.edge.step);
    }
    return steps;
  }

  /** The target `type` (a `yes`) reaches. */
  target(type: ts.Type): ts.Type | undefined {
    const e = this.memo.get(type);
    return e?.kind === 'yes' ? e.target : undefined;
  }
}

/** Types that say nothing about where they come from, or are primitive: they hold nothing. */
const leafFlags =
  ts.TypeFlags.StringLike | ts.TypeFlags.NumberLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.ESSymbolLike | ts.TypeFlags.EnumLike |
  ts.TypeFlags.Void | ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never | ts.TypeFlags.NonPrimitive | ts.TypeFlags.Index | ts.TypeFlags.TemplateLiteral | ts.TypeFlags.StringMapping;

/**
 * Whether code or a declaration at `node` can hold anything of the runtime
 * (a not-in-heap value, a `HeapRef`, a call of it): its top-level statement
 * mentions a name that carries the runtime (`mayCarryRuntime`, names only),
 * or a file naming the runtime augments its file (whose merged members any
 * statement of it may name). Every type a statement's code has is built from
 * the names it mentions, literals and lib types, so one that mentions none
 * holds nothing of the runtime.
 */
export function mayHoldRuntime(pa: ProgramAnalysis, node: ts.Node): boolean {
  const file = node.getSourceFile();
  return augmentedFiles(pa).has(file) || addsMembersFromRuntime(pa, file) || mayCarryRuntime(pa, node);
}

/**
 * Whether a top-level assignment to a member (`f.h = ref`), in a statement
 * that may hold the runtime, can add a member to a declaration of the file:
 * TypeScript types such expando members on functions, so any statement
 * naming `f` may read what was stored. Then every statement of the file
 * counts (once per file and program).
 */
function addsMembersFromRuntime(pa: ProgramAnalysis, file: ts.SourceFile): boolean {
  const memo = pa.cache<ts.SourceFile, boolean>('not-in-heap:expando');
  let adds = memo.get(file);
  if (adds === undefined) {
    adds = file.statements.some(
      (s) =>
        ts.isExpressionStatement(s) &&
        ts.isBinaryExpression(s.expression) &&
        s.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        (ts.isPropertyAccessExpression(s.expression.left) || ts.isElementAccessExpression(s.expression.left)) &&
        mayCarryRuntime(pa, s),
    );
    memo.set(file, adds);
  }
  return adds;
}

/**
 * Reachability over where types come from: a type is built from its
 * declaration and its type arguments (an instance `G<A>`, an alias instance
 * `Alias<A>`), its members (a union or intersection) or its constraint (a
 * type parameter). A type whose declarations all lie in top-level
 * statements that mention no name carrying the runtime (`mayCarryRuntime`,
 * which also answers a file that names nothing of it), and whose arguments
 * come from such declarations too, holds no
 * mark by value or otherwise: instantiating a declaration only puts the
 * arguments in, so its members need not be read. Anything else (a mark's own
 * files, an instantiated anonymous or mapped type, whose arguments are not
 * visible, a conditional or indexed-access type without an alias) is a
 * target: "may come from a mark", decided by the walks behind it.
 */
function origins(checker: ts.TypeChecker): Reach | undefined {
  const pa = analysisOfChecker(checker);
  if (!pa) return undefined;
  const reaches = cacheOf<string, Reach>(checker, 'not-in-heap:reach');
  let r = reaches.get('origins');
  if (r) return r;
  if (usingFiles(pa) === 'all') return undefined;
  const free = (symbol: ts.Symbol | undefined): boolean => {
    const decls = symbol?.declarations;
    return decls !== undefined && decls.length > 0 && decls.every((d) => !mayHoldRuntime(pa, d));
  };
  const freeNode = (node: ts.Node): boolean => !mayHoldRuntime(pa, node);
  /** A type as declared (no mapper): its declaration decides; an instance: that, and every type its mapper maps to. */
  const instantiated = (t: ts.Type, declaredFree: boolean): ReadonlyArray<{ readonly type: ts.Type; readonly step: string }> | null => {
    if (!declaredFree) return null;
    if (!((t as { mapper?: unknown }).mapper)) return [];
    const args = instantiationArguments(t);
    return args ? args.map((type) => ({ type, step: '' })) : null;
  };
  const parts = new Map<ts.Type, ReadonlyArray<{ readonly type: ts.Type; readonly step: string }> | null>();
  const partsOf = (t: ts.Type): ReadonlyArray<{ readonly type: ts.Type; readonly step: string }> | null => {
    let found = parts.get(t);
    if (found !== undefined) return found;
    const list = (types: readonly ts.Type[] | undefined) => (types ?? []).map((type) => ({ type, step: '' }));
    found = null;
    if (t.flags & leafFlags) found = [];
    else if (t.aliasSymbol) found = free(t.aliasSymbol) ? list(t.aliasTypeArguments) : null;
    else if (t.isUnion() || t.isIntersection()) found = list(t.types);
    else if (t.flags & ts.TypeFlags.TypeParameter) {
      const c = constraintOf(checker, t);
      found = c ? list([c]) : [];
    } else if (t.flags & ts.TypeFlags.Object) {
      const obj = t as ts.ObjectType;
      if (obj.objectFlags & ts.ObjectFlags.Reference) {
        const target = (t as ts.TypeReference).target;
        // A tuple's target is no declaration: its elements are its arguments.
        if (target.objectFlags & ts.ObjectFlags.Tuple || free(target.symbol)) found = list(checker.getTypeArguments(t as ts.TypeReference));
      } else if (obj.objectFlags & ts.ObjectFlags.ClassOrInterface) {
        if (free(t.symbol)) found = [];
      } else if (obj.objectFlags & (ts.ObjectFlags.Anonymous | ts.ObjectFlags.Mapped)) {
        // A type literal, mapped type, function type or object literal's type as written: its declaration decides.
        // An instance of one is built from that declaration and what its mapper puts in (the arguments).
        found = instantiated(t, free(t.symbol));
      }
    } else if (t.flags & ts.TypeFlags.Conditional) {
      found = instantiated(t, freeNode((t as ts.ConditionalType).root.node));
    } else if (t.flags & ts.TypeFlags.IndexedAccess) {
      // A member of its object type, chosen by its index type.
      found = list([(t as ts.IndexedAccessType).objectType, (t as ts.IndexedAccessType).indexType]);
    }
    parts.set(t, found);
    return found;
  };
  r = new Reach(
    (t) => partsOf(t) === null,
    (t) => partsOf(t) ?? [],
    'originsExpanded',
  );
  reaches.set('origins', r);
  return r;
}

/** Whether `type` comes only from declarations without marks (see `origins`). */
function comesFromUnmarked(checker: ts.TypeChecker, type: ts.Type): boolean {
  return origins(checker)?.query(type).kind === 'no';
}

/**
 * A first, coarse reachability over the by-value graph that stops at every
 * type that comes only from declarations without marks: the exact walk,
 * which keeps the field paths for messages, runs only on types this one
 * could not rule out, and stops at every type it decided "no".
 */
function coarseMarks(checker: ts.TypeChecker): Reach {
  const reaches = cacheOf<string, Reach>(checker, 'not-in-heap:reach');
  let r = reaches.get('coarse');
  if (!r) {
    r = new Reach(
      (t) => !comesFromUnmarked(checker, t) && directMark(checker, t) !== undefined,
      (t) => (comesFromUnmarked(checker, t) ? [] : byValueChildren(checker, t)),
      'coarseExpanded',
    );
    reaches.set('coarse', r);
  }
  return r;
}

function marks(checker: ts.TypeChecker): Reach {
  const reaches = cacheOf<string, Reach>(checker, 'not-in-heap:reach');
  let r = reaches.get('marks');
  if (!r) {
    const coarse = coarseMarks(checker);
    r = new Reach(
      (t) => coarse.known(t) !== 'no' && directMark(checker, t) !== undefined,
      (t) => (coarse.known(t) === 'no' ? [] : byValueChildren(checker, t)),
    );
    reaches.set('marks', r);
  }
  return r;
}

/** The exact walk's entry for `type`, after the coarse walk has ruled out what it can. */
function markEntry(checker: ts.TypeChecker, type: ts.Type): ReachEntry {
  if (coarseMarks(checker).query(type).kind === 'no') return no;
  return marks(checker).query(type);
}

/**
 * Why `type` is not-in-heap, or undefined when it is not (or that cannot be
 * proven within the budget). The reason is a shortest path to a marked type;
 * its steps are built when first read.
 */
export function notInHeapReason(checker: ts.TypeChecker, type: ts.Type): NotInHeapReason | undefined {
  const reasonObjects = cacheOf<ts.Type, NotInHeapReason>(checker, 'not-in-heap:reasons');
  const cached = reasonObjects.get(type);
  if (cached) return cached;
  const entry = markEntry(checker, type);
  const reach = marks(checker);
  if (entry.kind !== 'yes') return undefined;
  let steps: string[] | undefined;
  const reason: NotInHeapReason = {
    mark: directMark(checker, entry.target)!,
    marked: entry.target,
    get steps() {
      return (steps ??= reach.steps(type));
    },
  };
  reasonObjects.set(type, reason);
  return reason;
}

/** Whether `type` is known not to be not-in-heap, or could not be decided within the budget. */
export function notInHeapUnproven(checker: ts.TypeChecker, type: ts.Type): boolean {
  return markEntry(checker, type).kind === 'unknown';
}

export function isNotInHeap(checker: ts.TypeChecker, type: ts.Type): boolean {
  return notInHeapReason(checker, type) !== undefined;
}

/**
 * Why `name` is not-in-heap, for messages: "Span is marked NotInHeap",
 * "Holder is not-in-heap by containment (Holder.span; Span is marked NotInHeap)",
 * "Sub is not-in-heap by inheritance (Sub extends Base; Base is decorated @notInHeap)".
 */
export function describeReason(checker: ts.TypeChecker, name: string, reason: NotInHeapReason, names?: ReadonlyMap<ts.Type, string>, subject = name): string {
  const how = reason.mark === '@notInHeap' ? 'is decorated @notInHeap' : 'is marked NotInHeap';
  const steps = reason.steps;
  if (steps.length === 0) return `${subject} ${how}`;
  const by = steps.every((s) => s.startsWith(' extends')) ? 'inheritance' : 'containment';
  return `${subject} is not-in-heap by ${by} (${name}${elide(steps).join('')}; ${typeName(checker, reason.marked, names)} ${how})`;
}

/**
 * `describeReason` of `type` for a message that names the type itself: an
 * anonymous object type, which the message spells out once, is "that type"
 * here and its field path starts at `{…}` ("that type is not-in-heap by
 * containment ({…}.r; Rec is marked NotInHeap)").
 */
export function describeTypeReason(checker: ts.TypeChecker, type: ts.Type, reason: NotInHeapReason, names?: ReadonlyMap<ts.Type, string>): string {
  if (!isAnonymousObject(checker, type, names)) return describeReason(checker, typeName(checker, type, names), reason, names);
  return describeReason(checker, anonymousName, reason, names, 'that type');
}

/** How a message refers to an anonymous object type it has already spelled out. */
export const anonymousName = '{…}';

/** Steps a message shows: a long path keeps its first and last few, and says how many it left out. */
function elide(steps: readonly string[]): readonly string[] {
  if (steps.length <= 8) return steps;
  return [...steps.slice(0, 4), ` … (${steps.length - 7} more) … `, ...steps.slice(-3)];
}

/** `Span.meta.owner`, `Table[string]`; a long path keeps its ends. */
export function formatPath(root: string, steps: readonly string[]): string {
  return root + elide(steps).map((s) => (s.startsWith('[') || s.startsWith(' ') ? s : `.${s}`)).join('');
}

const scalarFlags =
  ts.TypeFlags.NumberLike |
  ts.TypeFlags.BooleanLike |
  ts.TypeFlags.Null |
  ts.TypeFlags.Undefined |
  ts.TypeFlags.Void |
  ts.TypeFlags.Never;
const heapPrimitiveFlags = ts.TypeFlags.StringLike | ts.TypeFlags.BigIntLike | ts.TypeFlags.ESSymbolLike;
const primitiveFlags = scalarFlags | heapPrimitiveFlags;

/**
 * What a slot of `type` may hold, one part per alternative (P1, P2): scalars
 * (numbers, booleans, nullish, `Ptr`, `Garbage`), `HeapRef` slots, not-in-heap
 * structs by value, heap references (strings, bigints, symbols, objects,
 * functions, arrays) and opaque types (`any`, `unknown`, unconstrained
 * generics). Never throws: an unrecognised type is opaque.
 */
export function valueParts(checker: ts.TypeChecker, type: ts.Type): Part[] {
  const parts: Part[] = [];
  const seen = new Set<ts.Type>();
  const stack: ts.Type[] = [type];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) parts.push({ kind: 'opaque', type: t });
    else if (t.flags & scalarFlags) parts.push({ kind: 'scalar', type: t });
    else if (t.flags & heapPrimitiveFlags) parts.push({ kind: 'heap', type: t });
    else if (t.flags & ts.TypeFlags.NonPrimitive) parts.push({ kind: 'heap', type: t });
    else if (t.isUnion()) {
      for (let i = t.types.length - 1; i >= 0; i--) stack.push(t.types[i]);
    } else if (t.flags & genericFlags) {
      const c = constraintOf(checker, t);
      if (c) stack.push(c);
      else parts.push({ kind: 'opaque', type: t });
    } else if (t.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection)) {
      const scalar = scalarBrandOf(checker, t);
      if (scalar) parts.push({ kind: scalar.kind === 'HeapRef' ? 'heapRef' : 'scalar', type: t });
      else if (t.isIntersection() && t.types.some((m) => m.flags & primitiveFlags)) {
        // A branded primitive (`number & { tag }`) is its primitive.
        for (const m of t.types) if (m.flags & primitiveFlags) stack.push(m);
      } else if (isNotInHeap(checker, t)) parts.push({ kind: 'notInHeap', type: t });
      else parts.push({ kind: 'heap', type: t });
    } else parts.push({ kind: 'opaque', type: t });
  }
  return parts;
}

/** A type's own slots: references it holds directly, and the structs it embeds. */
interface OwnSlots {
  readonly direct: ReadonlyArray<{
    readonly step: string;
    readonly leaf: ts.Declaration | undefined;
    readonly prop: ts.Symbol | undefined;
    readonly held: ts.Type;
    readonly opaque: boolean;
  }>;
  readonly nested: ReadonlyArray<{ readonly step: string; readonly type: ts.Type; readonly prop: ts.Symbol | undefined }>;
}


/** The slots of one type, not following nested structs. Cached per type, so deep nesting costs each type once. */
function ownSlotsOf(checker: ts.TypeChecker, type: ts.Type): OwnSlots {
  const ownSlotsCache = cacheOf<ts.Type, OwnSlots>(checker, 'not-in-heap:own-slots');
  const cached = ownSlotsCache.get(type);
  if (cached) return cached;
  const direct: Array<OwnSlots['direct'][number]> = [];
  const nested: Array<OwnSlots['nested'][number]> = [];
  const slot = (step: string, slotType: ts.Type, leaf: ts.Declaration | undefined, prop: ts.Symbol | undefined): void => {
    const heap: ts.Type[] = [];
    const opaque: ts.Type[] = [];
    for (const part of valueParts(checker, slotType)) {
      if (part.kind === 'heap') heap.push(part.type);
      else if (part.kind === 'opaque') opaque.push(part.type);
      else if (part.kind === 'notInHeap') nested.push({ step, type: part.type, prop });
    }
    // One finding per slot: a definite reference if any alternative is one, else the opaque part.
    // The alternative shown is chosen by name, not by the checker's type-creation order.
    const bad = heap.length > 0 ? heap : opaque;
    if (bad.length > 0) {
      const held = bad.reduce((a, b) => (typeName(checker, b) < typeName(checker, a) ? b : a));
      direct.push({ step, leaf, prop, held, opaque: heap.length === 0 });
    }
  };
  if (type.isUnion()) {
    // A union of structs (`A | B` both not-in-heap) holds either: its members are transparent.
    for (const m of type.types) if (isNotInHeap(checker, m)) nested.push({ step: '', type: m, prop: undefined });
  } else {
    for (const prop of checker.getPropertiesOfType(type)) {
      if (!isStorageProperty(checker, prop)) continue;
      slot(prop.name, checker.getTypeOfSymbol(prop), prop.valueDeclaration ?? prop.declarations?.[0], prop);
    }
    for (const info of checker.getIndexInfosOfType(type)) {
      slot(`[${typeName(checker, info.keyType)}]`, info.type, info.declaration, undefined);
    }
  }
  const own = { direct, nested };
  ownSlotsCache.set(type, own);
  return own;
}

/** Whether any slot reachable by value from `type` (a not-in-heap struct) may hold a heap reference. */
function mayHoldRefs(checker: ts.TypeChecker, type: ts.Type): boolean {
  const reaches = cacheOf<string, Reach>(checker, 'not-in-heap:reach');
  let r = reaches.get('slots');
  if (!r) {
    r = new Reach(
      (t) => ownSlotsOf(checker, t).direct.length > 0,
      (t) => ownSlotsOf(checker, t).nested,
    );
    reaches.set('slots', r);
  }
  return r.query(type).kind !== 'no';
}

/** An edge of the embedded-struct graph: a field (or a union member, step '') holding `type` by value. */
interface SlotEdge {
  readonly step: string;
  readonly prop: ts.Symbol | undefined;
  /** Position among its struct's edges: paths of equal length are ordered by these, as a breadth-first walk meets them. */
  readonly index: number;
  readonly type: ts.Type;
}

/** Edges from the walked type down to a struct, last first: shared by everything below it. */
interface Rev {
  readonly edge: SlotEdge;
  readonly prev: Rev | undefined;
}

/** A path: the edges of `prefix` (reversed), then `suffix`. Built in O(1) per step, read only for a message. */
interface Path {
  readonly prefix: Rev | undefined;
  readonly suffix: Path | undefined;
}

/** A struct with slots (or the type where a walk's budget ran out), as reached from one walked type. */
interface Reached {
  readonly owner: ts.Type;
  /** Edges on the path, union members included: the order in which a breadth-first walk meets the struct. */
  readonly hops: number;
  /** Named steps on the path. */
  readonly depth: number;
  /** The walked type's own member the path starts with. */
  readonly first: ts.Symbol | undefined;
  readonly path: Path | undefined;
  /** The walk ran out of budget here: nothing below is known ("cannot prove"). */
  readonly exhausted: boolean;
}

/**
 * The structs a type reaches, each by its shortest path: the type itself
 * (when it has slots), a list, and the set of the one struct it embeds when
 * it embeds only one (shared, not copied, so a chain costs O(1) per link).
 */
interface ReachSet {
  readonly own: Reached | undefined;
  readonly flat: readonly Reached[];
  readonly via: { readonly edge: SlotEdge; readonly set: ReachSet } | undefined;
}

/** The structs `type` embeds that may hold a reference below them, each once, first edge first. Cached per type. */
function embeddedEdges(checker: ts.TypeChecker, type: ts.Type): readonly SlotEdge[] {
  const edgeCache = cacheOf<ts.Type, readonly SlotEdge[]>(checker, 'not-in-heap:embedded-edges');
  let edges = edgeCache.get(type);
  if (edges) return edges;
  const list: SlotEdge[] = [];
  const seen = new Set<ts.Type>([type]);
  for (const n of ownSlotsOf(checker, type).nested) {
    if (seen.has(n.type)) continue;
    seen.add(n.type);
    if (mayHoldRefs(checker, n.type)) list.push({ step: n.step, prop: n.prop, index: list.length, type: n.type });
  }
  edgeCache.set(type, (edges = list));
  return edges;
}

/** `r` as reached through one more edge `e` (or through the edges `prefix`, `hops` and `depth` long, first member `first`). */
function extended(r: Reached, prefix: Rev, hops: number, depth: number, first: ts.Symbol | undefined): Reached {
  return { owner: r.owner, hops: r.hops + hops, depth: r.depth + depth, first: first ?? r.first, path: { prefix, suffix: r.path }, exhausted: r.exhausted };
}

/** Calls `fn` with every struct in `set`, relative to the set's type. O(1) per struct and per shared link. */
function forEachReached(set: ReachSet, fn: (r: Reached) => void): void {
  let prefix: Rev | undefined;
  let hops = 0;
  let depth = 0;
  let first: ts.Symbol | undefined;
  for (let s: ReachSet | undefined = set; s; ) {
    const emit = (r: Reached) => fn(prefix ? extended(r, prefix, hops, depth, first) : r);
    if (s.own) emit(s.own);
    for (const r of s.flat) emit(r);
    if (!s.via) break;
    const e = s.via.edge;
    prefix = { edge: e, prev: prefix };
    hops++;
    if (e.step) depth++;
    first ??= e.prop;
    s = s.via.set;
  }
}

function edgesOfPath(path: Path | undefined): SlotEdge[] {
  const out: SlotEdge[] = [];
  for (let p = path; p; p = p.suffix) {
    const at = out.length;
    for (let r = p.prefix; r; r = r.prev) out.push(r.edge);
    out.splice(at, out.length - at, ...out.slice(at).reverse());
  }
  return out;
}

/** Breadth-first order of two paths of equal length: by the edges' positions, first edge first. */
function comparePaths(a: Path | undefined, b: Path | undefined): number {
  const x = edgesOfPath(a);
  const y = edgesOfPath(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i].index !== y[i].index) return x[i].index - y[i].index;
  return x.length - y.length;
}

/** The set of a type that embeds no struct of its own cycle: its own slots and its children's sets. */
function composedSet(checker: ts.TypeChecker, type: ts.Type, memo: Map<ts.Type, ReachSet>): ReachSet {
  const own: Reached | undefined =
    ownSlotsOf(checker, type).direct.length > 0 ? { owner: type, hops: 0, depth: 0, first: undefined, path: undefined, exhausted: false } : undefined;
  const edges = embeddedEdges(checker, type);
  if (edges.length === 0) return { own, flat: [], via: undefined };
  if (edges.length === 1) return { own, flat: [], via: { edge: edges[0], set: memo.get(edges[0].type)! } };
  // Several: each struct by its shortest path; on a tie the first edge's path, as a breadth-first walk takes it.
  const best = new Map<ts.Type, Reached>();
  for (const e of edges) {
    const prefix: Rev = { edge: e, prev: undefined };
    forEachReached(memo.get(e.type)!, (r) => {
      notInHeapCounters.reachedMerged++;
      const prev = best.get(r.owner);
      if (!prev || r.hops + 1 < prev.hops) best.set(r.owner, extended(r, prefix, 1, e.step ? 1 : 0, e.prop));
    });
  }
  return { own, flat: [...best.values()], via: undefined };
}

/**
 * The sets of the types of one cycle of embedded structs (`A` holds `B`
 * holds `A`): per member, a breadth-first walk inside the cycle, and the
 * sets of the structs the cycle embeds, joined by shortest path.
 */
function cycleSets(checker: ts.TypeChecker, members: readonly ts.Type[], memo: Map<ts.Type, ReachSet>): void {
  const inCycle = new Set(members);
  const sets: ReachSet[] = [];
  for (const start of members) {
    const order = [start];
    const at = new Map<ts.Type, { hops: number; depth: number; first: ts.Symbol | undefined; rev: Rev | undefined }>([
      [start, { hops: 0, depth: 0, first: undefined, rev: undefined }],
    ]);
    for (let i = 0; i < order.length; i++) {
      const a = at.get(order[i])!;
      for (const e of embeddedEdges(checker, order[i])) {
        if (!inCycle.has(e.type) || at.has(e.type)) continue;
        at.set(e.type, { hops: a.hops + 1, depth: a.depth + (e.step ? 1 : 0), first: a.first ?? e.prop, rev: { edge: e, prev: a.rev } });
        order.push(e.type);
      }
    }
    const best = new Map<ts.Type, Reached>();
    for (const u of order) {
      const a = at.get(u)!;
      if (ownSlotsOf(checker, u).direct.length > 0) {
        best.set(u, { owner: u, hops: a.hops, depth: a.depth, first: a.first, path: a.rev && { prefix: a.rev, suffix: undefined }, exhausted: false });
      }
    }
    for (const u of order) {
      const a = at.get(u)!;
      for (const e of embeddedEdges(checker, u)) {
        if (inCycle.has(e.type)) continue;
        const prefix: Rev = { edge: e, prev: a.rev };
        forEachReached(memo.get(e.type)!, (r) => {
          notInHeapCounters.reachedMerged++;
          const cand = extended(r, prefix, a.hops + 1, a.depth + (e.step ? 1 : 0), a.first ?? e.prop);
          const prev = best.get(r.owner);
          if (!prev || cand.hops < prev.hops || (cand.hops === prev.hops && comparePaths(cand.path, prev.path) < 0)) best.set(r.owner, cand);
        });
      }
    }
    sets.push({ own: undefined, flat: [...best.values()], via: undefined });
  }
  members.forEach((t, i) => memo.set(t, sets[i]));
}

/**
 * What `type` reaches by value. Depth-first with an explicit stack over the
 * embedded structs (Tarjan's order, so a struct's children are done before
 * it, and a cycle is solved as one), each type expanded once per program and
 * its set memoised; a walk expands at most `walkBudget` new types, and the
 * type where it stops is memoised as exhausted.
 */
function reachSetOf(checker: ts.TypeChecker, root: ts.Type): ReachSet {
  const memo = cacheOf<ts.Type, ReachSet>(checker, 'not-in-heap:reach-sets');
  const done = memo.get(root);
  if (done) return done;
  const index = new Map<ts.Type, number>();
  const low = new Map<ts.Type, number>();
  const onStack = new Set<ts.Type>();
  const open: ts.Type[] = [];
  const frames: Array<{ readonly type: ts.Type; readonly edges: readonly SlotEdge[]; i: number }> = [];
  const enter = (t: ts.Type) => {
    notInHeapCounters.findingVisits++;
    index.set(t, index.size);
    low.set(t, index.size - 1);
    onStack.add(t);
    open.push(t);
    frames.push({ type: t, edges: embeddedEdges(checker, t), i: 0 });
  };
  enter(root);
  while (frames.length > 0) {
    const f = frames[frames.length - 1];
    if (f.i < f.edges.length) {
      const c = f.edges[f.i++].type;
      if (memo.has(c)) continue;
      if (!index.has(c)) {
        if (index.size >= walkBudget) {
          memo.set(c, { own: { owner: c, hops: 0, depth: 0, first: undefined, path: undefined, exhausted: true }, flat: [], via: undefined });
        } else enter(c);
      } else if (onStack.has(c)) low.set(f.type, Math.min(low.get(f.type)!, index.get(c)!));
      continue;
    }
    frames.pop();
    if (low.get(f.type) === index.get(f.type)) {
      const members: ts.Type[] = [];
      let m: ts.Type;
      do {
        m = open.pop()!;
        onStack.delete(m);
        members.push(m);
      } while (m !== f.type);
      if (members.length === 1) memo.set(f.type, composedSet(checker, f.type, memo));
      else cycleSets(checker, members.reverse(), memo);
    }
    const parent = frames[frames.length - 1];
    if (parent) low.set(parent.type, Math.min(low.get(parent.type)!, low.get(f.type)!));
  }
  return memo.get(root)!;
}

/**
 * Every storage slot reachable by value from the not-in-heap type `type`
 * whose type may hold a heap reference other than a `HeapRef`, each with its
 * field path: the shortest (in fields and union members), and of those the
 * one a breadth-first walk meets first. Nested not-in-heap structs are walked
 * (they are embedded); references are not. Built from the memoised sets of
 * the structs it embeds (`reachSetOf`), so a chain of n structs costs O(n)
 * for the program, not O(n^2); paths are built when a message reads one.
 * Cached per type.
 */
export function heapRefsOf(checker: ts.TypeChecker, type: ts.Type): readonly HeapRefFinding[] {
  const findingsCache = cacheOf<ts.Type, readonly HeapRefFinding[]>(checker, 'not-in-heap:findings');
  const cached = findingsCache.get(type);
  if (cached) return cached;
  const listed: Array<{ readonly finding: HeapRefFinding; readonly r: Reached; readonly slot: number }> = [];
  const lazySteps = (path: Path | undefined, last: string | undefined): (() => string[]) => {
    let steps: string[] | undefined;
    return () => {
      if (!steps) {
        steps = edgesOfPath(path).flatMap((e) => (e.step ? [e.step] : []));
        if (last !== undefined) steps.push(last);
      }
      return steps;
    };
  };
  forEachReached(reachSetOf(checker, type), (r) => {
    if (r.exhausted) {
      const steps = lazySteps(r.path, undefined);
      const finding: HeapRefFinding = {
        get steps() {
          return steps();
        },
        depth: r.depth, leaf: undefined, first: r.first, held: r.owner, opaque: true,
      };
      listed.push({ finding, r, slot: -1 });
      return;
    }
    ownSlotsOf(checker, r.owner).direct.forEach((d, slot) => {
      const steps = lazySteps(r.path, d.step);
      const finding: HeapRefFinding = {
        get steps() {
          return steps();
        },
        depth: r.depth + 1, leaf: d.leaf, first: r.first ?? d.prop, held: d.held, opaque: d.opaque,
      };
      listed.push({ finding, r, slot });
    });
  });
  // Deterministic order: by path, then as a breadth-first walk meets them.
  if (listed.length > 1) {
    const keys = new Map<HeapRefFinding, string>();
    const key = (f: HeapRefFinding) => {
      let k = keys.get(f);
      if (k === undefined) keys.set(f, (k = f.steps.join('.')));
      return k;
    };
    listed.sort((a, b) => {
      const ka = key(a.finding);
      const kb = key(b.finding);
      if (ka !== kb) return ka < kb ? -1 : 1;
      if (a.r.hops !== b.r.hops) return a.r.hops - b.r.hops;
      return a.r === b.r ? a.slot - b.slot : comparePaths(a.r.path, b.r.path);
    });
  }
  const findings = listed.map((l) => l.finding);
  findingsCache.set(type, findings);
  return findings;
}
