import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './tool.exec.js';

describeGeneratorSuite('tool.exec', generator);
