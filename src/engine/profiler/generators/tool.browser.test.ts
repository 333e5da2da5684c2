import { describeGeneratorSuite } from '../../../../test/profiler/generator-suite.js';
import { generator } from './tool.browser.js';

describeGeneratorSuite('tool.browser', generator);
