import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './follow.constraint.js';

describeGeneratorSuite('follow.constraint', generator);
