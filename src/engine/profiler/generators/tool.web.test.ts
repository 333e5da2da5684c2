import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './tool.web.js';

describeGeneratorSuite('tool.web', generator);
