import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SQL_MIGRATIONS } from './generated/sql-migrations.js';
import { floxideMigrations } from './migration-provider.js';

/**
 * The SHA1 of each migration's up and down SQL (schema `{{schema}}`), recorded from what the TypeScript
 * migrations executed before they moved to .sql files: a released migration must never change, and the
 * migration names (what a schema records as applied) must stay the same.
 */
const RECORDED: Record<string, [up: string, down: string | undefined]> = {
  '0001_initial': ['c25c4b6f4757d0c955ca10cc1b5b688f0a3fe44c', 'd930b139b91395b41ac424c3f2609d81981f7e15'],
  '0002_records_parking_deadlines': ['93ff7f34b3dda15cc2e9af15de7a0bca92a38d8f', undefined],
  '0003_change_feed': [
    '1fa7070eef6f0bf780e10731f9e7b97a5be6594c',
    '6bc3c4ba2a1fcc58331f1429677a824e1c41253e',
  ],
  '0004_context_fields': ['147c2cf5becb519f57941e2bdd0d5394f0e42c89', undefined],
  '0005_wide_fanout': ['3678d9498104b2efc21c2ae6e75b00019f714449', undefined],
  '0006_feed_latency': [
    'de2e0ea734dfd9bc48ca5f3acde46c99e3efc283',
    '04588e03753d555d9316884ef140a4fe3a66cf22',
  ],
  '0007_run_list_indexes': [
    '6840759a231e7b4af60e157c7b4c512289b7e857',
    '71c2cabb94ffdd018c2c3ae213f0119c8154e70f',
  ],
  '0008_context_scale': ['9da5f39218106793528b2a84c070e9c5b532b45a', undefined],
  '0010_strands': ['335f7fe6a29d58893290563d1f5ee146c74fd56e', undefined],
  '0011_task_queues': ['16187541d628005c2a11eb2f84e9a395353e2d4c', undefined],
  '0012_durable_waits': ['26159f2c09027161b5da08b75772a03bace12a39', undefined],
  '0014_finished_run_records': [
    'f63c24e630ee7b77ad571e39142ac4b6380c0c9c',
    '8dc964581e7957eb944c7757a7ec630b92d24738',
  ],
  '0016_concurrency_limits': ['c5fad7dd639f8dedc6717bfb0dcdc7e7779ad1f9', undefined],
  '0017_signals': ['ac15a93ede8556b09ddb8fcc310168347f3e19f9', undefined],
  '0019_fair_share': ['50c9a98f8c64d5b9d4c1cbe2b46ebf1dd857ea72', undefined],
  '0020_feed_notify_after_commit': [
    '2648a1bec4e039d59d5793641558eef30ef13648',
    '23b9ed6d29ae1d2352c69e2a9d685e5cfb77c9e5',
  ],
  '0021_child_runs': ['03ea5aa6aa20a24433d12dfe11cc113fb79d2011', undefined],
  '0023_commit_batches': [
    '025ad82dbd89bb26b4632080f86e273360a05262',
    '3f1c186e3b098fcff1938b98558e059471ec669e',
  ],
  '0024_strand_lease_on_insert': ['7095a1da12ea9cce410b9e108092e7445cd0ef20', undefined],
};

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

describe('migrations generated from src/migrations/*.sql', () => {
  it('keep the released names, in order', () => {
    expect(Object.keys(floxideMigrations('floxide'))).toEqual(Object.keys(RECORDED));
  });

  it.each(Object.entries(RECORDED))('%s has the recorded SQL', (name, [up, down]) => {
    const migration = SQL_MIGRATIONS[name];
    expect(migration && sha1(migration.up)).toBe(up);
    expect(migration?.down === undefined ? undefined : sha1(migration.down)).toBe(down);
  });
});
