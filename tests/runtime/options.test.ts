// Options are validated at every entry: an unknown key is an OptionError
// (ERR_OPTION) naming it, and so is a value of the wrong type or range. A
// refused call creates nothing and changes no allocator.
import { describe, expect, it } from 'vitest';
import { attachRuntime, createRuntime, FixAlloc, OptionError, pageSize, struct, u32, type AttachOptions, type FixAllocOptions, type RuntimeOptions } from '../../src/runtime/index.js';
import { rejects, snapshot } from './helpers.js';
import { stateOf } from '../../src/runtime/runtime.js';

const Rec = struct('Rec', { n: u32 });

/** Expects `fn` to throw an OptionError for `key`, with the message naming it. */
function optionError(fn: () => unknown, key: string, message: RegExp): OptionError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(OptionError);
  const e = caught as OptionError;
  expect(e.code).toBe('ERR_OPTION');
  expect(e.key).toBe(key);
  expect(e.message).toMatch(message);
  return e;
}

describe('createRuntime options', () => {
  const bad: [string, RuntimeOptions, string, RegExp][] = [
    ['a misspelt key', { maxbytes: 1 << 20 } as RuntimeOptions, 'maxbytes', /unknown option "maxbytes"; the options are maxBytes, size, shared, debug, checkmark/],
    ['another misspelt key', { Debug: true } as RuntimeOptions, 'Debug', /unknown option "Debug"/],
    ["shared: 'no'", { shared: 'no' } as unknown as RuntimeOptions, 'shared', /option shared must be true or false; got "no"/],
    ['shared: 1', { shared: 1 } as unknown as RuntimeOptions, 'shared', /option shared must be true or false/],
    ["debug: 'yes'", { debug: 'yes' } as unknown as RuntimeOptions, 'debug', /option debug must be true or false/],
    ['checkmark: 0', { checkmark: 0 } as unknown as RuntimeOptions, 'checkmark', /option checkmark/],
    ['maxBytes as a string', { maxBytes: '1048576' } as unknown as RuntimeOptions, 'maxBytes', /option maxBytes must be an integer in \[16384, 2147483648\]; got "1048576"/],
    ['maxBytes as a BigInt', { maxBytes: 1n << 20n } as unknown as RuntimeOptions, 'maxBytes', /got 1048576n/],
    ['maxBytes too small', { maxBytes: pageSize }, 'maxBytes', /got 8192/],
    ['size and maxBytes both', { size: 1 << 20, maxBytes: 1 << 20 }, 'size', /the same option/],
    ['the removed attach option', { attach: new SharedArrayBuffer(1 << 20) } as unknown as RuntimeOptions, 'attach', /option attach is gone; a worker attaches with attachRuntime\(rt.share\(\)\)/],
    ['a shared space too small for its bookkeeping', { maxBytes: 2 * pageSize, shared: true }, 'maxBytes', /a shared space of 16384 bytes has no page left after its bookkeeping \(\d+ pages\); give at least \d+/],
  ];

  it.each(bad)('refuses %s', (_, options, key, message) => {
    optionError(() => createRuntime(options), key, message);
  });

  it('refuses options attachRuntime does not take, non-object options and symbol keys', () => {
    const owner = createRuntime({ maxBytes: 1 << 20, shared: true });
    optionError(() => attachRuntime(owner.share(), { maxBytes: 1 << 20 } as AttachOptions), 'maxBytes', /attachRuntime: unknown option "maxBytes"; the options are checkmark/);
    optionError(() => attachRuntime(owner.share(), { debug: true } as AttachOptions), 'debug', /unknown option "debug"/);
    optionError(() => attachRuntime(owner.share(), { checkmark: 1 } as unknown as AttachOptions), 'checkmark', /option checkmark must be true or false/);
    for (const o of [null, 5, 'x', [], () => 1]) optionError(() => createRuntime(o as RuntimeOptions), '', /options must be an object/);
    optionError(() => createRuntime({ [Symbol('debug')]: true }), '', /unknown option a symbol key/);
    expect(owner.stats().inUse).toBe(0);
  });

  it('accepts every documented key', () => {
    const rt = createRuntime({ maxBytes: 1 << 20, shared: true, debug: true, checkmark: true });
    expect(rt.debug).toBe(true);
    expect(rt.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(createRuntime({ size: 1 << 20 }).stats().reserved).toBe(1 << 20);
    expect(createRuntime(undefined).stats().reserved).toBe(64 << 20);
  });
});

describe('FixAlloc options', () => {
  const rt = createRuntime({ maxBytes: 1 << 20, debug: true });
  const bad: [string, FixAllocOptions<unknown, boolean>, string, RegExp][] = [
    ['a misspelt key', { runtime: rt, zeroo: false } as FixAllocOptions<unknown, boolean>, 'zeroo', /FixAlloc: unknown option "zeroo"; the options are zero, first, stat, runtime/],
    ['runtime: {}', { runtime: {} } as unknown as FixAllocOptions<unknown, boolean>, 'runtime', /option runtime must be a Runtime/],
    ['runtime: a buffer', { runtime: rt.buffer } as unknown as FixAllocOptions<unknown, boolean>, 'runtime', /option runtime must be a Runtime/],
    ["zero: 'false'", { runtime: rt, zero: 'false' } as unknown as FixAllocOptions<unknown, boolean>, 'zero', /option zero must be true or false; got "false"/],
    ['first: a string', { runtime: rt, first: 'x' } as unknown as FixAllocOptions<unknown, boolean>, 'first', /option first must be a function/],
    ['stat: a number', { runtime: rt, stat: 5 } as unknown as FixAllocOptions<unknown, boolean>, 'stat', /option stat must be a string/],
  ];

  it.each(bad)('refuses %s, registers no pool and changes nothing', (_, options, key, message) => {
    const before = snapshot(rt);
    const pools = stateOf(rt).pools.length;
    optionError(() => new FixAlloc(Rec, options), key, message);
    optionError(() => new FixAlloc(16, options), key, message);
    expect(stateOf(rt).pools.length).toBe(pools);
    expect(snapshot(rt)).toBe(before);
  });

  it('refuses non-object options and stat arguments of the wrong type', () => {
    for (const o of [null, 5, [], 'x']) rejects(rt, [], () => new FixAlloc(Rec, o as never), OptionError, 'ERR_OPTION', /options must be an object/);
    rejects(rt, [], () => rt.sysAlloc(8, 5 as never), OptionError, 'ERR_OPTION', /sysAlloc: stat must be a string/);
    rejects(rt, [], () => rt.persistentalloc(8, 8, [] as never), OptionError, 'ERR_OPTION', /persistentalloc: stat must be a string/);
  });
});
