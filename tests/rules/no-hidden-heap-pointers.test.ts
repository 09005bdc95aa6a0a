import rule from '../../src/rules/no-hidden-heap-pointers.js';
import { createRuleTester } from '../rule-tester.js';
import { cases } from './no-hidden-heap-pointers.cases.js';

createRuleTester().run('no-hidden-heap-pointers', rule, cases);
