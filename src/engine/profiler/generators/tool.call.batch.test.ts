import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './tool.call.batch.js';

describeGeneratorSuite('tool.call.batch', generator);
