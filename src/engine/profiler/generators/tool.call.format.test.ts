import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './tool.call.format.js';

describeGeneratorSuite('tool.call.format', generator);
