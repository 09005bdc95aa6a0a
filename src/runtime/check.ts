// The runtime's validation boundary: the checks every public entry point
// makes before it touches state.
//
// Every public function checks the type and range of each argument in debug
// mode and out, on the fast path too. The checks are `typeof` and integer
// comparisons on numbers, so a string, a BigInt, a Symbol, an array or an
// object with `valueOf` gets a typed error (with `code`, `value`, `limit`)
// and no caller code runs: `"8192" >>> 0` would coerce, `Symbol() >>> 0`
// would throw a TypeError, so `typeof` comes first. On a monomorphic call
// site V8 folds `typeof p === 'number'` away and `(p >>> 0) === p` is one
// compare, so the fast path keeps its cost.
//
// All helpers take the name of what is checked first (`'sysFree: p'`), then
// the value, then the limits, and throw before any state changes.

import { BadPointerError, checkAlign, checkInt, MisuseError, OffheapRangeError, OptionError, show } from './errors.js';

export { checkAlign, checkInt, show };

/** Whether `v` is a number that is an integer in [0, 2³²): the form of every address, size and handle. */
export function isU32(v: unknown): v is number {
  return typeof v === 'number' && v >>> 0 === v;
}

/**
 * Checks that `p` is a non-nil address: an integer in [`min`, `limit`)
 * aligned to `align` (a power of two). Else `BadPointerError`, whose
 * `limit` is the bound broken (the alignment for an unaligned pointer).
 */
export function checkPtr(what: string, p: unknown, align = 1, limit = 2 ** 32, min = 1): asserts p is number {
  if (typeof p === 'number' && p >>> 0 === p && p >= min && p < limit && (p & (align - 1)) === 0) return;
  let why: string;
  let bound: unknown = limit;
  if (typeof p !== 'number') why = `not a number: ${typeof p}`;
  else if (!Number.isInteger(p)) why = 'not an integer';
  else if (p === 0) why = 'nil';
  else if (p < min || p < 0) why = `below ${min}`;
  else if (p >= limit || p >>> 0 !== p) why = `at or above the limit ${show(limit)}`;
  else {
    why = `not aligned to ${align}`;
    bound = align;
  }
  throw new BadPointerError(`${what} must be an address aligned to ${align} in [${min}, ${limit}); got ${show(p)} (${why})`, { value: p, limit: bound });
}

/** Checks that `n` is a byte count in [min, max] (`OffheapRangeError` `ERR_BAD_SIZE`). */
export function checkSize(what: string, n: unknown, min: number, max: number): asserts n is number {
  checkInt(what, n, min, max, 'ERR_BAD_SIZE');
}

/** Checks that `i` is an index in [0, n) (`OffheapRangeError` `ERR_BAD_INDEX`). */
export function checkIndex(what: string, i: unknown, n: number): asserts i is number {
  if (typeof i === 'number' && i >>> 0 === i && i < n) return;
  checkInt(what, i, 0, n - 1, 'ERR_BAD_INDEX');
}

/** Throws the `OffheapRangeError` `ERR_BAD_VALUE` for a value a field or slot cannot hold. */
export function badValue(what: string, v: unknown, expected: string): never {
  throw new OffheapRangeError('ERR_BAD_VALUE', `${what} must be ${expected}; got ${show(v)}`, { value: v, limit: expected });
}

/**
 * Checks an options argument: `undefined` (no options) or a plain object
 * (prototype Object.prototype or null, so no key is inherited) whose own
 * keys are all in `allowed`. An unknown key (`{ maxbytes }` for
 * `maxBytes`) is an `OptionError` naming it, with the allowed keys as the
 * limit; so are a symbol key, a getter (it could answer differently on each
 * read) and a key of `removed` (with its replacement). Returns a copy of the
 * own data properties (`{}` for undefined), so callers read values that
 * cannot change and run no caller code. A Proxy's traps do run; whatever
 * they throw becomes an `OptionError`.
 */
export function checkOptions(what: string, options: unknown, allowed: readonly string[], removed: Readonly<Record<string, string>> = {}): Readonly<Record<string, unknown>> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    throw new OptionError('', `${what}: options must be an object; got ${show(options)}`, { value: options, limit: allowed });
  }
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  let key: string | symbol = '';
  try {
    // Inside the try: Array.isArray throws on a revoked Proxy.
    if (Array.isArray(options)) throw new OptionError('', `${what}: options must be an object; got ${show(options)}`, { value: options, limit: allowed });
    const proto: unknown = Reflect.getPrototypeOf(options);
    if (proto !== Object.prototype && proto !== null) {
      throw new OptionError('', `${what}: options must be a plain object (an object literal); got one whose prototype is not Object.prototype, whose keys would be ignored`, {
        value: options,
        limit: allowed,
      });
    }
    for (key of Reflect.ownKeys(options)) {
      if (typeof key === 'string' && Object.hasOwn(removed, key)) {
        throw new OptionError(key, `${what}: option ${key} is gone; ${removed[key]}`, { value: key, limit: allowed });
      }
      if (typeof key === 'symbol' || !allowed.includes(key)) {
        const name = typeof key === 'symbol' ? 'a symbol key' : JSON.stringify(key);
        throw new OptionError(typeof key === 'symbol' ? '' : key, `${what}: unknown option ${name}; the options are ${allowed.join(', ')}`, {
          value: key,
          limit: allowed,
        });
      }
      const d = Reflect.getOwnPropertyDescriptor(options, key);
      if (d === undefined) continue;
      if (!('value' in d)) throw new OptionError(key, `${what}: option ${key} must be a data property, not a getter`, { value: key, limit: 'a data property' });
      out[key] = d.value;
    }
  } catch (e) {
    if (e instanceof OptionError) throw e;
    // A Proxy's trap threw: the options cannot be read.
    const k = typeof key === 'string' ? key : '';
    throw new OptionError(k, `${what}: options could not be read (a Proxy trap threw)${k === '' ? '' : ` at option ${k}`}`, { value: options, limit: allowed });
  }
  return out;
}

/** Reads a boolean option (`fallback` when absent); anything but `undefined`, `true` or `false` is an `OptionError`. */
export function optBool(what: string, options: Readonly<Record<string, unknown>>, key: string, fallback: boolean): boolean {
  const v = options[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new OptionError(key, `${what}: option ${key} must be true or false; got ${show(v)}`, { value: v, limit: 'boolean' });
  return v;
}

/** Reads a string option (`fallback` when absent). */
export function optString(what: string, options: Readonly<Record<string, unknown>>, key: string, fallback: string): string {
  const v = options[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new OptionError(key, `${what}: option ${key} must be a string; got ${show(v)}`, { value: v, limit: 'string' });
  return v;
}

/** Reads an integer option in [min, max] (`undefined` when absent). */
export function optInt(what: string, options: Readonly<Record<string, unknown>>, key: string, min: number, max: number): number | undefined {
  const v = options[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new OptionError(key, `${what}: option ${key} must be an integer in [${min}, ${max}]; got ${show(v)}`, { value: v, limit: typeof v === 'number' && v < min ? min : max });
  }
  return v;
}

/** Checks a `stat` category argument: a string (`OptionError` with key `stat` otherwise). */
export function checkStat(what: string, stat: unknown): asserts stat is string {
  if (typeof stat !== 'string') throw new OptionError('stat', `${what}: stat must be a string; got ${show(stat)}`, { value: stat, limit: 'string' });
}

/**
 * Guards the public surface of a class whose state is in ES private fields
 * (Runtime, FixAlloc): every method and accessor of `cls.prototype`, called
 * on anything `owns` does not recognise (another object, a Proxy, a
 * subclass's prototype, `undefined` from a detached method), throws
 * MisuseError `ERR_RECEIVER` naming the method, with the receiver as the
 * value and the class as the limit; a getter without a setter gets one that
 * throws MisuseError `ERR_READ_ONLY` (the engine's TypeError in strict mode,
 * silence in sloppy mode, before). One wrapper per member, made once at
 * load. The receiver is checked only when the member throws: every member
 * reads a private field before anything else can change, which throws for
 * a foreign receiver, so the success path is the member itself (V8 inlines
 * the wrapper and its target into the caller). A genuine receiver's error
 * passes through unchanged. Members named in `unwrapped` are left as they
 * are (the hot clears and stores: see runtime.ts `hotMethods`).
 */
export function guardReceivers(cls: abstract new (...args: never[]) => object, owns: (o: unknown) => boolean, unwrapped: readonly string[] = []): void {
  const proto = cls.prototype as object;
  for (const key of Reflect.ownKeys(proto)) {
    if (key === 'constructor' || unwrapped.includes(key as string)) continue;
    const d = Reflect.getOwnPropertyDescriptor(proto, key) as PropertyDescriptor;
    const what = `${cls.name}.${String(key)}`;
    if (typeof d.value === 'function') d.value = guarded(d.value as (...args: unknown[]) => unknown, what, cls.name, owns);
    else {
      /* eslint-disable @typescript-eslint/unbound-method -- the accessor's functions are wrapped, then called with their receiver */
      if (d.get !== undefined) d.get = guarded(d.get, what, cls.name, owns);
      if (d.set !== undefined) d.set = guarded(d.set, what, cls.name, owns);
      else if (d.get !== undefined) d.set = readOnly(what, cls.name, owns);
      /* eslint-enable @typescript-eslint/unbound-method */
    }
    Reflect.defineProperty(proto, key, d);
  }
}

/**
 * `cls` behind a constructor function that throws MisuseError `ERR_MISUSE`
 * when called without `new` (`FixAlloc(L)`, `Runtime()`: a class called so
 * gets the engine's TypeError). `new` constructs the class itself with the
 * class as new.target; a subclass's super() passes its own new.target.
 * `instanceof`, statics (through its prototype chain) and the read-only
 * `prototype` are the class's; `cls.prototype.constructor` is the wrapper,
 * so an instance's `constructor` is what the package exports. Only
 * construction passes through it: no method call does.
 *
 * Not a Proxy: with a Proxy as new.target (the first version of this) V8
 * built each instance without the class's initial map, so a FixAlloc had
 * slow properties and its free+alloc pair over 10k live 64 B records took
 * 222.8 ns instead of 27.8 (bench F1 0.031x against 0.744x); a subclass of
 * the Proxy stayed slow even with the class passed as new.target.
 */
export function requireNew<C extends abstract new (...args: never[]) => object>(cls: C): C {
  const name = cls.name;
  const construct = cls as unknown as new (...args: unknown[]) => object;
  const exported = function (this: unknown, ...args: unknown[]): object {
    if (new.target === undefined) {
      throw new MisuseError(`${name}: a class, called without new; write new ${name}(…)`, { value: args.length === 0 ? undefined : args[0], limit: 'new' });
    }
    const target = new.target === exported ? construct : (new.target as unknown as typeof construct);
    return Reflect.construct<unknown[], object>(construct, args, target);
  };
  Object.defineProperties(exported, {
    name: { value: name },
    length: { value: construct.length },
    prototype: { value: cls.prototype as object, writable: false, enumerable: false, configurable: false },
  });
  Object.setPrototypeOf(exported, cls);
  Reflect.defineProperty(cls.prototype as object, 'constructor', { value: exported, writable: true, enumerable: false, configurable: true });
  return exported as unknown as C;
}

function receiverError(what: string, cls: string, receiver: unknown): MisuseError {
  return new MisuseError(`${what}: called on ${show(receiver)}, not a ${cls} (a method taken off its object, call()/apply() with another this, or a Proxy)`, { value: receiver, limit: cls }, 'ERR_RECEIVER');
}

function guarded(f: (...args: unknown[]) => unknown, what: string, cls: string, owns: (o: unknown) => boolean): (...args: unknown[]) => unknown {
  const target = f;
  const g = function (this: unknown, ...args: unknown[]): unknown {
    try {
      return Reflect.apply(target, this, args);
    } catch (e) {
      if (!owns(this)) throw receiverError(what, cls, this);
      throw e;
    }
  };
  Object.defineProperties(g, { name: { value: f.name }, length: { value: f.length } });
  return g;
}

function readOnly(what: string, cls: string, owns: (o: unknown) => boolean): (v: unknown) => void {
  const set = function (this: unknown, v: unknown): void {
    if (!owns(this)) throw receiverError(what, cls, this);
    throw new MisuseError(`${what} is read-only; got an assignment of ${show(v)}`, { value: v, limit: 'read-only' }, 'ERR_READ_ONLY');
  };
  Object.defineProperty(set, 'name', { value: `set ${what.slice(cls.length + 1)}` });
  return set;
}
