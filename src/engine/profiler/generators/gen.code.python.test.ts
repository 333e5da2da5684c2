import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './gen.code.python.js';

describeGeneratorSuite('gen.code.python', generator);
