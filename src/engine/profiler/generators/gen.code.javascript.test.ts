import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './gen.code.javascript.js';

describeGeneratorSuite('gen.code.javascript', generator);
