import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './follow.style.js';

describeGeneratorSuite('follow.style', generator);
