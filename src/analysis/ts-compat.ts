// TypeScript APIs newer than the oldest supported TypeScript, feature-detected.
// Each helper uses the public API when the running TypeScript has it and
// otherwise computes the same answer from the checker's data.
import ts from 'typescript';

/** TypeScript's internal type mapper (`TypeMapper` in checker.ts); the kinds are in declaration order. */
type Mapper =
  | { kind: 0; source: ts.Type; target: ts.Type } // Simple
  | { kind: 1; sources: readonly ts.Type[]; targets: readonly ts.Type[] | undefined } // Array
  | { kind: 2; sources: readonly ts.Type[]; targets: readonly (() => ts.Type)[] } // Deferred
  | { kind: 3; func: (t: ts.Type) => ts.Type } // Function
  | { kind: 4 | 5; mapper1: Mapper; mapper2: Mapper }; // Composite, Merged

interface InstantiatedSignature {
  mapper?: Mapper;
  target?: ts.Signature;
}

/**
 * The type arguments a resolved signature was instantiated with, explicit or
 * inferred, in the order of the generic's type parameters; undefined when the
 * signature is not an instantiation. `TypeChecker.getTypeArgumentsForResolvedSignature`
 * (TypeScript 5.8+) when present, else the same computation over the
 * signature's mapper.
 */
export function typeArgumentsOfSignature(checker: ts.TypeChecker, signature: ts.Signature): readonly ts.Type[] | undefined {
  const modern = checker as { getTypeArgumentsForResolvedSignature?: (s: ts.Signature) => readonly ts.Type[] | undefined };
  if (typeof modern.getTypeArgumentsForResolvedSignature === 'function') return modern.getTypeArgumentsForResolvedSignature(signature);
  return typeArgumentsFromMapper(signature);
}

/**
 * The fallback, exported for the test that compares it with the public API:
 * each type parameter of the generic signature mapped through the
 * instantiation's mapper. A resolved call's mapper maps exactly those type
 * parameters (a Simple or Array mapper); the other kinds are followed while
 * the result is still a type parameter. When a step would need a full type
 * instantiation, the answer is undefined rather than a guess.
 */
export function typeArgumentsFromMapper(signature: ts.Signature): readonly ts.Type[] | undefined {
  const { mapper, target } = signature as unknown as InstantiatedSignature;
  if (mapper === undefined) return undefined;
  const parameters = (target ?? signature).getTypeParameters() ?? [];
  const out: ts.Type[] = [];
  for (const parameter of parameters) {
    const mapped = mapTypeParameter(parameter, mapper);
    if (mapped === undefined) return undefined;
    out.push(mapped);
  }
  return out;
}

function mapTypeParameter(type: ts.Type, mapper: Mapper): ts.Type | undefined {
  switch (mapper.kind) {
    case 0:
      return type === mapper.source ? mapper.target : type;
    case 1: {
      const i = mapper.sources.indexOf(type);
      return i < 0 ? type : (mapper.targets?.[i] ?? type);
    }
    case 2: {
      const i = mapper.sources.indexOf(type);
      return i < 0 ? type : mapper.targets[i]();
    }
    case 3:
      return mapper.func(type);
    case 4:
    case 5: {
      const first = mapTypeParameter(type, mapper.mapper1);
      if (first === undefined) return undefined;
      // Composite instantiates the first result with the second mapper; only a type parameter can be mapped here.
      if (mapper.kind === 4 && first !== type && (first.flags & ts.TypeFlags.TypeParameter) === 0) {
        return isFreeOfTypeParameters(first) ? first : undefined;
      }
      return mapTypeParameter(first, mapper.mapper2);
    }
    default:
      return undefined;
  }
}

/** A type that is neither structured nor instantiable has no type parameter in it, so no instantiation changes it. */
function isFreeOfTypeParameters(type: ts.Type): boolean {
  return (type.flags & ts.TypeFlags.StructuredOrInstantiable) === 0;
}

/**
 * Every type the mapper of an instantiated type maps a type parameter to:
 * the instantiation's arguments, with those of every mapper it combines (a
 * combined mapper instantiates one's targets with the other's, so its
 * results are built from these). Undefined when the type has no mapper or
 * one computes its targets on demand (a function or deferred mapper).
 * TypeScript keeps the mapper on instantiated anonymous, mapped and
 * conditional types (not in the public typings; TypeScript 5.x and 6.0).
 */
export function instantiationArguments(type: ts.Type): readonly ts.Type[] | undefined {
  const mapper = (type as { mapper?: Mapper }).mapper;
  if (mapper === undefined) return undefined;
  const out: ts.Type[] = [];
  const stack: Mapper[] = [mapper];
  while (stack.length > 0) {
    const m = stack.pop()!;
    switch (m.kind) {
      case 0:
        out.push(m.target);
        break;
      case 1:
        // An array mapper without targets maps every source to `any`, which holds nothing.
        if (m.targets) out.push(...m.targets);
        break;
      case 4:
      case 5:
        stack.push(m.mapper1, m.mapper2);
        break;
      default:
        return undefined;
    }
  }
  return out;
}
