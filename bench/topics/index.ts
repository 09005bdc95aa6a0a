// Every benchmark topic, in report order.
import type { Topic } from '../lib/report.js';
import { memclr } from './memclr.js';

export const topics: readonly Topic[] = [memclr];
