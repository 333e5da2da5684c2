import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './tool.file.write.js';

describeGeneratorSuite('tool.file.write', generator);
