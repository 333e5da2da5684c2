import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './gen.text.long.js';

describeGeneratorSuite('gen.text.long', generator);
