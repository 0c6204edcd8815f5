import { describeEngineScenarios } from '@floxide/conformance';
import { postgresTestInit } from './test-support/postgres-test-init.js';

describeEngineScenarios(postgresTestInit);
