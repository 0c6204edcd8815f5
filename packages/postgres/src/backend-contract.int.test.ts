import { describeBackendContract } from '@floxide/conformance';
import { postgresTestInit } from './test-support/postgres-test-init.js';

describeBackendContract(postgresTestInit);
