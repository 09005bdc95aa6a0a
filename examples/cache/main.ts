// A texture cache whose LRU records live in unmanaged memory: the second
// example program of offheap (`npm start` lints it, then runs it).
//
// - layouts.ts: the entry record (LRU links, key hash, size, lease count and
//   the value's HeapRef slot) and the Texture objects this program caches.
// - pool.ts: RootedPool<T>, a generic FixAlloc wrapper that roots what it
//   hands out and retires records in Go's order.
// - cache.ts: LruCache<V>, generic over the JS objects it holds: a Map from
//   key to entry address, the LRU list, eviction by bytes, and leases that
//   pin the handles they hold.
//
// The workload looks textures up under a skewed key distribution, leases
// some of them for a while, and moves its working set halfway through, so
// entries are evicted (some while leased) and new ones are decoded into the
// memory of evicted ones. The collector runs incrementally, a bounded step
// after each operation, with debug mode and checkmark verification on: a
// handle the collector could not see would stop the run (StaleHandleError,
// LostObjectError). `--json` prints the report as JSON (the test reads it).
import { createRuntime, type Runtime } from 'offheap';
import { LruCache } from './cache.js';
import { hashKey, Texture } from './layouts.js';

const operations = 6000;
/** Distinct keys; the working set moves by half of them at half time. */
const keys = 400;
/** Bytes of textures the cache keeps. */
const capacity = 192 << 10;
/** One operation in `leaseEvery` leases its texture, for `leaseFor` operations. */
const leaseEvery = 5;
const leaseFor = 150;
/** Collector work per operation (units: root slots, pin entries, swept slots). */
const budget = 32;
/** Go's GOGC=100: start a cycle once the handles made since the last one reach the live ones. */
const gogc = 100;

const rt: Runtime = createRuntime({ maxBytes: 16 << 20, debug: true, checkmark: true });

/** "Decodes" a texture: a square of 8 to 40 pixels a side, filled from the key's hash. */
function decode(key: string): Texture {
  const h = hashKey(key);
  const side = 8 + 8 * (h % 5);
  const pixels = new Uint8Array(side * side * 4).fill(h & 0xff);
  return new Texture(key, side, side, pixels);
}

const cache = new LruCache<Texture>(rt, capacity, decode);

let s = 0x9e3779b9;
function random(): number {
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  return (s >>> 0) / 2 ** 32;
}

let collections = 0;
let collectorFreed = 0;
let lost = 0;
let steps = 0;
let madeAtStart = 0;
let trigger = 64;

/** Starts a cycle when enough handles were made, and advances a running one by one budget. */
function collect(): void {
  if (rt.gcStats().phase === 'off') {
    if (cache.misses - madeAtStart < trigger) return;
    madeAtStart = cache.misses;
    rt.gcStart();
  }
  steps++;
  if (!rt.gcStep(budget)) cycleDone();
}

function cycleDone(): void {
  const stats = rt.gcStats();
  collections++;
  collectorFreed += stats.freed;
  lost += rt.lastLost.length;
  trigger = Math.max(64, Math.ceil((stats.live * gogc) / 100));
}

const out: number[] = [];
let lookups = 0;
let checksum = 0;
for (let op = 0; op < operations; op++) {
  const shift = op < operations / 2 ? 0 : keys / 2;
  const key = `tex/${(shift + Math.floor(keys * random() ** 4)) % keys}`;
  lookups++;
  if (op % leaseEvery === 0) out.push(cache.lease(key));
  else checksum = (checksum + cache.get(key).pixels[0]) >>> 0;
  if (out.length > leaseFor / leaseEvery) {
    // The holder uses the value one last time (it may have been evicted since), then lets go.
    const id = out.shift() ?? 0;
    checksum = (checksum + cache.leased(id).pixels[0]) >>> 0;
    cache.release(id);
  }
  collect();
}
for (const id of out.splice(0)) cache.release(id);
while (rt.gcStats().phase !== 'off') collect();
rt.gc(); // a last full cycle: every released texture that was evicted is freed now
cycleDone();

const report = {
  operations,
  lookups,
  hits: cache.hits,
  misses: cache.misses,
  evictions: cache.evictions,
  evictedLeased: cache.evictedLeased,
  handlesFreed: cache.handlesFreed,
  liveRecords: cache.size,
  poolLive: cache.entries.live,
  allocated: cache.entries.allocated,
  retired: cache.entries.retired,
  reused: cache.entries.reused,
  roots: rt.gcStats().roots,
  heapLive: rt.gcStats().live,
  bytes: cache.bytes,
  capacity,
  leasesOut: cache.leaseCount,
  collections,
  collectorFreed,
  steps,
  lost,
  checksum,
  debug: rt.debug,
  checkmark: rt.checkmark,
};

if (process.argv.includes('--json')) {
  console.log(JSON.stringify(report));
} else {
  const n = (x: number): string => x.toLocaleString('en-US');
  const rows: [string, string][] = [
    ['operations', `${n(operations)} lookups (${n(keys)} keys, working set moved at half time), debug and checkmark on`],
    ['hits', `${n(report.hits)} hits, ${n(report.misses)} misses (${((100 * report.hits) / lookups).toFixed(1)}% hit rate)`],
    ['evictions', `${n(report.evictions)} (${n(report.evictedLeased)} while leased: freed by the collector after release; ${n(report.handlesFreed)} handles freed at once)`],
    ['records', `${n(report.liveRecords)} live (${n(cache.bytes)} of ${n(capacity)} bytes); ${n(report.allocated)} allocated, ${n(report.retired)} retired, ${n(report.reused)} into reused memory`],
    ['live objects', `${n(report.heapLive)} heap objects, ${n(report.roots)} roots, ${n(report.leasesOut)} leases out`],
    ['collections', `${n(collections)} cycles in ${n(steps)} steps of ${budget} units (GOGC=${gogc}), ${n(collectorFreed)} objects freed, ${n(lost)} lost objects (checkmark)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}
