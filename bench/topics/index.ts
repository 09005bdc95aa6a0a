// Every benchmark topic, in report order.
import type { Topic } from '../lib/report.js';
import { fixalloc } from './fixalloc.js';
import { layout } from './layout.js';
import { memclr } from './memclr.js';
import { persistentalloc } from './persistentalloc.js';

export const topics: readonly Topic[] = [fixalloc, persistentalloc, memclr, layout];
