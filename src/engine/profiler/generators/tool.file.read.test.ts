import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './tool.file.read.js';

describeGeneratorSuite('tool.file.read', generator);
