import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './follow.procedure.js';

describeGeneratorSuite('follow.procedure', generator);
