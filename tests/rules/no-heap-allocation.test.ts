import rule from '../../src/rules/no-heap-allocation.js';
import { createRuleTester } from '../rule-tester.js';
import { cases } from './no-heap-allocation.cases.js';

createRuleTester().run('no-heap-allocation', rule, cases);
