import rule from '../../src/rules/no-heap-pointers.js';
import { createRuleTester } from '../rule-tester.js';
import { cases } from './no-heap-pointers.cases.js';

createRuleTester().run('no-heap-pointers', rule, cases);
