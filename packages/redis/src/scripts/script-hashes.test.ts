import { describe, expect, it } from 'vitest';
import { CLAIM_LUA } from './generated/claim.js';
import { COMMIT_LUA } from './generated/commit.js';
import { CONTEXT_FIELDS_LUA } from './generated/context-fields.js';
import { CONTROL_LUA } from './generated/control.js';
import { DELIVER_LUA } from './generated/deliver.js';
import { DEADLINE_LUA } from './generated/deadline.js';
import { DELETE_RUN_LUA } from './generated/delete-run.js';
import { ENQUEUE_LUA } from './generated/enqueue.js';
import { FAIL_JOB_LUA } from './generated/fail-job.js';
import { FAIL_RUN_LUA } from './generated/fail-run.js';
import { FEED_READ_LUA } from './generated/feed-read.js';
import { FEED_TRIM_LUA } from './generated/feed-trim.js';
import { FAIR_TAGS_LUA } from './generated/fair-tags.js';
import { FANOUT_LUA } from './generated/fanout.js';
import { GET_CONTEXT_LUA } from './generated/get-context.js';
import { LEASE_ADMIT_LUA } from './generated/lease-admit.js';
import { LEASE_COUNT_LUA } from './generated/lease-count.js';
import { LEASE_EXTEND_LUA } from './generated/lease-extend.js';
import { OUTBOX_LUA } from './generated/outbox.js';
import { PARK_LUA } from './generated/park.js';
import { PRELUDE_LUA } from './generated/prelude.js';
import { PURGE_LUA } from './generated/purge.js';
import { READ_CONTEXT_LUA } from './generated/read-context.js';
import { REINDEX_RUN_LUA } from './generated/reindex-run.js';
import { RELEASE_LUA } from './generated/release.js';
import { SPLIT_CONTEXT_LUA } from './generated/split-context.js';
import { WAITS_LUA } from './generated/waits.js';
import { START_RUN_LUA } from './generated/start-run.js';
import { LuaScript } from './lua-script.js';

/**
 * The SHA1 (what EVALSHA runs) of every script assembled from the .lua files, recorded from the TypeScript
 * template strings the scripts were before they moved to .lua files: the move, and any later change of the
 * codegen, must not change a byte. A deliberate change to a script updates its hash here, in the same commit.
 */
const RECORDED: Record<string, [sha: string, source: string]> = {
  CLAIM_LUA: ['0f244c169f7fe3d44ff8ec262520d6eb95e55b09', CLAIM_LUA],
  COMMIT_LUA: ['7c95d543b73ee403dbc2a8e9ea35d0b4de33349b', COMMIT_LUA],
  CONTEXT_FIELDS_LUA: ['868e276349c84ac45a8acb203f8d1a68eb029def', CONTEXT_FIELDS_LUA],
  CONTROL_LUA: ['b37a5bae1538861bfc30f39add4c3dcb134894b9', CONTROL_LUA],
  DEADLINE_LUA: ['36a961bccd50a0c7d09692bf9fb21631c93e2aef', DEADLINE_LUA],
  DELETE_RUN_LUA: ['bc84db61126ab60a6be3179e2e5079a5f4a61eef', DELETE_RUN_LUA],
  ENQUEUE_LUA: ['5e047d6dae928b8c8f099095579d787a7c81d914', ENQUEUE_LUA],
  FAIL_JOB_LUA: ['f0254edc9b350dd32212f53ab38a78d7d34410cd', FAIL_JOB_LUA],
  DELIVER_LUA: ['30f0bf7d99b1499d3ab5e13cda71cb993b3df64f', DELIVER_LUA],
  FAIL_RUN_LUA: ['d6da6985c62a6413177733ae72b437dc2f9145b1', FAIL_RUN_LUA],
  FAIR_TAGS_LUA: ['47162b442a9d2d957f5400fc992122c640cde5f2', FAIR_TAGS_LUA],
  FEED_READ_LUA: ['d45e58d90e0c0a4a25f8127432c86c0797d86cf5', FEED_READ_LUA],
  FEED_TRIM_LUA: ['28e3cd7121d6e9debbac3b0fa20b40b2a6d2571b', FEED_TRIM_LUA],
  FANOUT_LUA: ['1922d7fd1b751242b51e04fb5f0dfbec8b61f1ea', FANOUT_LUA],
  GET_CONTEXT_LUA: ['b40ed99665132801a73b700c5db3d71276995395', GET_CONTEXT_LUA],
  LEASE_ADMIT_LUA: ['6081b675839ffeed0cd468c985b2f749d529d864', LEASE_ADMIT_LUA],
  LEASE_COUNT_LUA: ['09ec9ecad1ca2f6b57568b46c1a8991a9ade8ca7', LEASE_COUNT_LUA],
  LEASE_EXTEND_LUA: ['f0854d9b2df6dd15f7f4f8a87b9f71cb09495351', LEASE_EXTEND_LUA],
  OUTBOX_LUA: ['1a5ab96ebce72817b9f9a14b5b3a69b1f633cc96', OUTBOX_LUA],
  PARK_LUA: ['947f971aa1954149152c5869cb923832f0f40cc9', PARK_LUA],
  PRELUDE_LUA: ['b2b943d082284e6ad332b680048885ee9f4209e7', PRELUDE_LUA],
  PURGE_LUA: ['55977a02fe840378f61a732cbc9b266b87ae14d3', PURGE_LUA],
  READ_CONTEXT_LUA: ['e7030bf2d487032750673c1045606c68d1253dc1', READ_CONTEXT_LUA],
  REINDEX_RUN_LUA: ['82d2efaf8c7335b135bdd64f0cfb0f58b9c5510b', REINDEX_RUN_LUA],
  RELEASE_LUA: ['7f9ad63e2205d37a760384d47630c5d190848cac', RELEASE_LUA],
  SPLIT_CONTEXT_LUA: ['63f0831eb53325cf39f6d041dd171167d4e4b8a1', SPLIT_CONTEXT_LUA],
  START_RUN_LUA: ['32f96a6fc932ab1aed9ae1bfccd7cdf8cbf83045', START_RUN_LUA],
  WAITS_LUA: ['5962b0b898c906f76304bd9369361d31967af1c3', WAITS_LUA],
};

describe('Lua scripts generated from src/scripts/*.lua', () => {
  it.each(Object.entries(RECORDED))('%s has the recorded SHA1', (_name, [sha, source]) => {
    expect(new LuaScript(source).sha).toBe(sha);
  });

  it('the per-run scripts start with the prelude, byte for byte', () => {
    for (const source of [CLAIM_LUA, COMMIT_LUA, START_RUN_LUA, CONTROL_LUA, FANOUT_LUA]) {
      expect(source.startsWith(PRELUDE_LUA)).toBe(true);
    }
    expect(COMMIT_LUA.startsWith(`${PRELUDE_LUA}\n${CONTEXT_FIELDS_LUA}\n`)).toBe(true);
  });
});
