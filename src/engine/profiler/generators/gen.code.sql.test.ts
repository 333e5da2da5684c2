import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './gen.code.sql.js';

describeGeneratorSuite('gen.code.sql', generator);
