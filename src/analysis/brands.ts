// Which runtime brand a type carries.
//
// A brand is a property keyed by one of the runtime's `unique symbol`s
// (src/runtime/types.ts). The key is resolved to its declaration and read by
// its `@offheap brand:<Kind>` tag, so a look-alike `{ __brand: 'Ptr' }` or a
// user symbol named `ptrBrand` is never mistaken for one, while aliases and
// re-exports of the brands resolve the same as the originals.
import ts from 'typescript';
import { offheapIdOf } from './declarations.js';
import { cacheOf } from './program-analysis.js';

export type BrandKind = 'Ptr' | 'Garbage' | 'HeapRef' | 'NotInHeap';

export interface Brand {
  readonly kind: BrandKind;
  /** The branded payload: `T` of `Ptr<T>`, `HeapRef<T>`, `Garbage<T>`; `true` for `NotInHeap`. */
  readonly target: ts.Type;
}

const brandKinds: ReadonlySet<string> = new Set<BrandKind>(['Ptr', 'Garbage', 'HeapRef', 'NotInHeap']);

const none: readonly Brand[] = [];

/**
 * The brand a property's computed `unique symbol` key names, if any. Read per
 * declaration of the key (each instantiation of `Ptr<T>` has its own property
 * symbol, all with the one declaration `[ptrBrand]: T`), cached per property.
 */
export function brandKindOfProperty(checker: ts.TypeChecker, prop: ts.Symbol): BrandKind | undefined {
  // Properties keyed by a unique symbol have escaped names `__@<name>@<id>`; skip the rest cheaply.
  if (!(prop.escapedName as string).startsWith('__@')) return undefined;
  // Per property symbol: the brand its key names, or null.
  const keyCache = cacheOf<ts.Symbol, BrandKind | null>(checker, 'brands:keys');
  let kind = keyCache.get(prop);
  if (kind === undefined) {
    kind = null;
    for (const decl of prop.declarations ?? []) {
      kind = brandKindOfDeclaration(checker, decl);
      if (kind) break;
    }
    keyCache.set(prop, kind);
  }
  return kind ?? undefined;
}

/** The brand a property declaration's computed key names, or null (once per declaration and program). */
function brandKindOfDeclaration(checker: ts.TypeChecker, decl: ts.Declaration): BrandKind | null {
  const memo = cacheOf<ts.Declaration, BrandKind | null>(checker, 'brands:key-declarations');
  let kind = memo.get(decl);
  if (kind === undefined) {
    kind = null;
    const name = ts.getNameOfDeclaration(decl);
    if (name && ts.isComputedPropertyName(name)) {
      brandCounters.keysResolved++;
      const id = offheapIdOf(checker, checker.getSymbolAtLocation(name.expression));
      if (id?.startsWith('brand:') && brandKinds.has(id.slice(6))) kind = id.slice(6) as BrandKind;
    }
    memo.set(decl, kind);
  }
  return kind;
}

/**
 * The brands `type` itself carries (an intersection such as `Ptr<T>` or
 * `NotInHeap<T>`, or an object type extending one). Unions are not looked
 * through: `Ptr<A> | string` is not a `Ptr`. Cached per type.
 */
export function brandsOf(checker: ts.TypeChecker, type: ts.Type): readonly Brand[] {
  if (!(type.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection))) return none;
  // Per type: the brands found on it (empty for unbranded types).
  const brandCache = cacheOf<ts.Type, readonly Brand[]>(checker, 'brands:types');
  let found = brandCache.get(type);
  if (found === undefined) {
    const list: Brand[] = [];
    for (const prop of keyedProperties(checker, type)) {
      const kind = brandKindOfProperty(checker, prop);
      if (kind) list.push({ kind, target: checker.getTypeOfSymbol(prop) });
    }
    found = list.length === 0 ? none : list;
    brandCache.set(type, found);
  }
  return found;
}

/**
 * The properties of `type` keyed by a `unique symbol`, where brands live. An
 * intersection of primitives and object types (`number & { [ptrBrand]: T }`,
 * `{ … } & { [notInHeapBrand]: true }`) has them on its object members:
 * read there, the checker does not build the intersection's whole property
 * list (for a branded number, every member of `Number` besides the brand).
 * Any other member (a type parameter, say), or a key on two members (whose
 * property types the intersection combines), asks the intersection itself.
 */
const primitive =
  ts.TypeFlags.StringLike |
  ts.TypeFlags.NumberLike |
  ts.TypeFlags.BigIntLike |
  ts.TypeFlags.BooleanLike |
  ts.TypeFlags.ESSymbolLike |
  ts.TypeFlags.EnumLike |
  ts.TypeFlags.Null |
  ts.TypeFlags.Undefined |
  ts.TypeFlags.Void;

/** Work counters for tests: properties listed to find brands, and computed keys looked up (once per declaration). */
export const brandCounters = { propertiesListed: 0, keysResolved: 0 };

function keyedProperties(checker: ts.TypeChecker, type: ts.Type): readonly ts.Symbol[] {
  const keyed = (props: readonly ts.Symbol[]) => {
    brandCounters.propertiesListed += props.length;
    return props.filter((p) => (p.escapedName as string).startsWith('__@'));
  };
  // An instance of a generic class or interface (`Array<Item>`, `Map<K, V>`, `Box<T>`) has the property keys
  // of its generic declaration (neither can extend a type parameter, so no key depends on the arguments):
  // one listing of the declaration's properties stands for all its instances, whose members the checker
  // would otherwise instantiate one by one. An instance lists its own only where the declaration has a key.
  if (type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) {
    const target = (type as ts.TypeReference).target;
    if (target !== type && !hasKeyedProperty(checker, target)) return [];
  }
  if (type.isIntersection() && type.types.every((m) => (m.flags & (primitive | ts.TypeFlags.Object)) !== 0)) {
    const out: ts.Symbol[] = [];
    const names = new Set<string>();
    let clash = false;
    for (const m of type.types) {
      if (!(m.flags & ts.TypeFlags.Object)) continue;
      for (const p of keyed(checker.getPropertiesOfType(m))) {
        if (names.has(p.escapedName as string)) clash = true;
        names.add(p.escapedName as string);
        out.push(p);
      }
    }
    if (!clash) return out;
  }
  return keyed(checker.getPropertiesOfType(type));
}

/** Whether a generic class or interface declares (or inherits) a property keyed by a `unique symbol` (once per declaration and program). */
function hasKeyedProperty(checker: ts.TypeChecker, target: ts.GenericType): boolean {
  const memo = cacheOf<ts.Type, boolean>(checker, 'brands:generic-keys');
  let has = memo.get(target);
  if (has === undefined) {
    const props = checker.getPropertiesOfType(target);
    brandCounters.propertiesListed += props.length;
    memo.set(target, (has = props.some((p) => (p.escapedName as string).startsWith('__@'))));
  }
  return has;
}

/** The brand of the given kind on `type`, if present. */
export function brandOf(checker: ts.TypeChecker, type: ts.Type, kind: BrandKind): Brand | undefined {
  return brandsOf(checker, type).find((b) => b.kind === kind);
}

/**
 * A scalar brand (`Ptr`, `Garbage`, `HeapRef`): the value is a number, whatever
 * the payload. `NotInHeap` is not scalar: it marks a record.
 */
export function scalarBrandOf(checker: ts.TypeChecker, type: ts.Type): Brand | undefined {
  return brandsOf(checker, type).find((b) => b.kind !== 'NotInHeap');
}

/** Whether `type`, or any member of a union `type`, is a `HeapRef`. */
export function mayBeHeapRef(checker: ts.TypeChecker, type: ts.Type): boolean {
  const members = type.isUnion() ? type.types : [type];
  return members.some((t) => brandOf(checker, t, 'HeapRef') !== undefined);
}
