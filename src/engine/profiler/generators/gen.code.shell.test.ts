import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './gen.code.shell.js';

describeGeneratorSuite('gen.code.shell', generator);
