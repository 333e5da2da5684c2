import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './follow.delegation.js';

describeGeneratorSuite('follow.delegation', generator);
