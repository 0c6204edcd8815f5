// The conformance suite's corrupt-record protocol on PostgresBackend, for every kind of record Postgres stores.
import { describeCorruptRecordScenarios } from '@floxide/conformance';
import { corruptPostgresRecord, POSTGRES_CORRUPTIBLE } from './test-support/corrupt-postgres-record.js';
import { postgresTestInit } from './test-support/postgres-test-init.js';

describeCorruptRecordScenarios({
  ...postgresTestInit,
  corruptible: POSTGRES_CORRUPTIBLE,
  corrupt: corruptPostgresRecord,
});
