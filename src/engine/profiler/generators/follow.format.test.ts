import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './follow.format.js';

describeGeneratorSuite('follow.format', generator);
