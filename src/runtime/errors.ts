// Typed errors of the runtime.
//
// Go's runtime throws ("fatal error: ...") on misuse of its allocators; a
// library cannot kill its host, so every misuse becomes a typed error that
// names the argument, its value and the limit. `code` is stable and meant for
// programs; the message is for people. A rejected call changes no state.

/** What every offheap error carries besides its message. */
export interface OffheapErrorDetails {
  /** The offending value (an address, a size, an alignment, a handle). */
  readonly value?: unknown;
  /** The limit the value broke, when there is one. */
  readonly limit?: unknown;
}

/** Base class of the runtime's errors (except sizes and alignments, which are `OffheapRangeError`). */
export class OffheapError extends Error {
  /** Stable machine-readable code, e.g. `ERR_DOUBLE_FREE`. */
  readonly code: string;
  /** The offending value. */
  readonly value: unknown;
  /** The limit it broke, if any. */
  readonly limit: unknown;

  constructor(code: string, message: string, details: OffheapErrorDetails = {}) {
    super(message);
    this.code = code;
    this.value = details.value;
    this.limit = details.limit;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/**
 * A size, count, index or alignment out of range (size 0, negative, NaN,
 * non-integer, above the limit; alignment not a power of two or above a page).
 * A real `RangeError`, so `instanceof RangeError` holds.
 */
export class OffheapRangeError extends RangeError {
  /** `ERR_BAD_SIZE`, `ERR_BAD_ALIGN`, `ERR_BAD_INDEX` or `ERR_BAD_VALUE`. */
  readonly code: string;
  readonly value: unknown;
  readonly limit: unknown;

  constructor(code: string, message: string, details: OffheapErrorDetails = {}) {
    super(message);
    this.code = code;
    this.value = details.value;
    this.limit = details.limit;
  }

  override get name(): string {
    return 'OffheapRangeError';
  }
}

/** An object freed twice (debug mode for FixAlloc; always for sysFree). */
export class DoubleFreeError extends OffheapError {
  constructor(message: string, details: OffheapErrorDetails = {}) {
    super('ERR_DOUBLE_FREE', message, details);
  }
}

/** A pointer handed out by another allocator, pool or runtime (e.g. persistentalloc's memory given to sysFree). */
export class ForeignPointerError extends OffheapError {
  constructor(message: string, details: OffheapErrorDetails = {}) {
    super('ERR_FOREIGN_POINTER', message, details);
  }
}

/** A pointer no allocator handed out: nil, misaligned, the middle of an object, unmapped. */
export class BadPointerError extends OffheapError {
  constructor(message: string, details: OffheapErrorDetails = {}) {
    super('ERR_BAD_POINTER', message, details);
  }
}

/** An access through an accessor outside the live memory it may touch (debug mode). */
export class OutOfBoundsError extends OffheapError {
  constructor(message: string, details: OffheapErrorDetails = {}) {
    super('ERR_OUT_OF_BOUNDS', message, details);
  }
}

/** The address space cannot satisfy a request. `value` is the request, `limit` the reserved bytes. */
export class OutOfMemoryError extends OffheapError {
  /** Bytes asked for (rounded to pages). */
  readonly requested: number;
  /** Bytes of the space mapped (handed out at least once) when the request failed. */
  readonly mapped: number;

  constructor(message: string, requested: number, mapped: number, reserved: number) {
    super('ERR_OUT_OF_MEMORY', message, { value: requested, limit: reserved });
    this.requested = requested;
    this.mapped = mapped;
  }
}

/** A `HeapRef` whose object was collected or freed (its generation no longer matches). Used by the object heap. */
export class StaleHandleError extends OffheapError {
  constructor(message: string, details: OffheapErrorDetails = {}) {
    super('ERR_STALE_HANDLE', message, details);
  }
}

/**
 * An API used against its contract: `new` of a not-in-heap class, a bad
 * option, a layout defined wrongly (`ERR_MISUSE`); a method or accessor of
 * Runtime or FixAlloc called on something that is not one (`ERR_RECEIVER`:
 * another object, a Proxy, a detached method's `undefined`); an assignment
 * to a read-only property (`ERR_READ_ONLY`).
 */
export class MisuseError extends OffheapError {
  constructor(message: string, details: OffheapErrorDetails = {}, code: 'ERR_MISUSE' | 'ERR_RECEIVER' | 'ERR_READ_ONLY' = 'ERR_MISUSE') {
    super(code, message, details);
  }
}

/**
 * An option that is not one of the API's keys, or whose value has the wrong
 * type or range (`{ maxbytes }`, `{ zeroo: false }`, `shared: 'no'`,
 * `runtime: {}`). `key` names the option.
 */
export class OptionError extends OffheapError {
  /** The option's key (`''` when the options argument itself is wrong). */
  readonly key: string;

  constructor(key: string, message: string, details: OffheapErrorDetails = {}) {
    super('ERR_OPTION', message, details);
    this.key = key;
  }
}

/**
 * A runtime cannot attach to a space: `ERR_NOT_SHARED` (not the descriptor
 * of a `shared: true` runtime, or `share()` of an unshared one),
 * `ERR_ALREADY_ATTACHED` (this thread already has a live runtime over the
 * space, the owner's thread included), `ERR_TOO_MANY_THREADS` (maxThreads
 * runtimes attached at once).
 */
export class AttachError extends OffheapError {}

/** A runtime used after `close()`, or any runtime of a space whose owner closed it. */
export class ClosedError extends OffheapError {
  constructor(message: string, details: OffheapErrorDetails = {}) {
    super('ERR_CLOSED', message, details);
  }
}

/**
 * A shared pool that cannot be opened: `ERR_POOL_MISMATCH` (the name exists
 * with another size, alignment or HeapRef-ness), `ERR_SHARED_HEAPREF` (a
 * second runtime opens a pool whose layout has HeapRef slots: a HeapRef
 * names an object only one thread's heap holds), `ERR_TOO_MANY_POOLS`,
 * `ERR_NOT_SHARED` (`sharedPool` on an unshared runtime).
 */
export class SharedPoolError extends OffheapError {}

/**
 * Renders a value for a message without running caller code: numbers in
 * decimal (and hex when large), strings quoted, BigInt with its `n`, and
 * objects, arrays and functions by kind only (their `toString`, `valueOf` and
 * getters are never called, so a hostile argument cannot throw from inside
 * the error path).
 */
export function show(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) && value > 0xffff ? `${value} (0x${value.toString(16)})` : String(value);
    case 'string':
      return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    case 'object':
      if (value === null) return 'null';
      try {
        return Array.isArray(value) ? 'an array' : 'an object';
      } catch {
        return 'a revoked Proxy'; // Array.isArray throws on one
      }
    default:
      return String(value);
  }
}

/**
 * Checks that `value` is an integer in [min, max]; else throws an
 * `OffheapRangeError` naming `what`. The check itself is `typeof` and
 * comparisons on numbers only, so BigInt, Symbol and objects with `valueOf`
 * get the typed error and no caller code runs.
 */
export function checkInt(what: string, value: unknown, min: number, max: number, code = 'ERR_BAD_SIZE'): asserts value is number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return;
  const kind =
    typeof value !== 'number' ? `not a number: ${typeof value}` : Number.isNaN(value) ? 'NaN' : !Number.isInteger(value) ? 'not an integer' : value < min ? `below ${min}` : `above the limit ${max}`;
  throw new OffheapRangeError(code, `${what} must be an integer in [${min}, ${max}]; got ${show(value)} (${kind})`, {
    value,
    limit: typeof value === 'number' && value < min ? min : max,
  });
}

/** Checks that `align` is a power of two in [1, max]. */
export function checkAlign(what: string, align: unknown, max: number): asserts align is number {
  if (typeof align === 'number' && Number.isInteger(align) && align >= 1 && align <= max && (align & (align - 1)) === 0) return;
  const kind = typeof align !== 'number' ? `not a number: ${typeof align}` : Number.isInteger(align) && align > max ? `above the limit ${max}` : 'not a power of two';
  throw new OffheapRangeError('ERR_BAD_ALIGN', `${what} must be a power of two in [1, ${max}]; got ${show(align)} (${kind})`, {
    value: align,
    limit: max,
  });
}
