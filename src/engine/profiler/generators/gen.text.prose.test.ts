import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './gen.text.prose.js';

describeGeneratorSuite('gen.text.prose', generator);
