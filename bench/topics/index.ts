// Every benchmark topic, in report order.
import type { Topic } from '../lib/report.js';
import { assemblyscript } from './assemblyscript.js';
import { fixalloc } from './fixalloc.js';
import { heap } from './heap.js';
import { layout } from './layout.js';
import { lint } from './lint.js';
import { memclr } from './memclr.js';
import { persistentalloc } from './persistentalloc.js';
import { sysalloc } from './sysalloc.js';
import { threads } from './threads.js';

export const topics: readonly Topic[] = [fixalloc, persistentalloc, sysalloc, memclr, layout, heap, threads, assemblyscript, lint];
