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
  CLAIM_LUA: ['759dfbbc21c20c1dd4ea6e82682b686bdfaa4871', CLAIM_LUA],
  COMMIT_LUA: ['2f1a94f2371358680410e1ee73ffdf2f817638e0', COMMIT_LUA],
  CONTEXT_FIELDS_LUA: ['868e276349c84ac45a8acb203f8d1a68eb029def', CONTEXT_FIELDS_LUA],
  CONTROL_LUA: ['142baaaf05d6d8bd670c3b0580b5cd25bb001836', CONTROL_LUA],
  DEADLINE_LUA: ['2278ef2ebfaf342b75513120d7590f76505f3a31', DEADLINE_LUA],
  DELETE_RUN_LUA: ['b64dc1f1621bfb369aa511b676ad912654a78e0c', DELETE_RUN_LUA],
  ENQUEUE_LUA: ['3ed24fe440653e48d840dd17c86a7778fd485c23', ENQUEUE_LUA],
  FAIL_JOB_LUA: ['e1b05a8354cd012a94f6e28d7f0cc34abaaf859b', FAIL_JOB_LUA],
  DELIVER_LUA: ['09fe1880e303ff2b63cce521edd1d266208fbe78', DELIVER_LUA],
  FAIL_RUN_LUA: ['ec801fc8b5a1697115169975ad300836b2c89498', FAIL_RUN_LUA],
  FAIR_TAGS_LUA: ['47162b442a9d2d957f5400fc992122c640cde5f2', FAIR_TAGS_LUA],
  FEED_READ_LUA: ['d45e58d90e0c0a4a25f8127432c86c0797d86cf5', FEED_READ_LUA],
  FEED_TRIM_LUA: ['28e3cd7121d6e9debbac3b0fa20b40b2a6d2571b', FEED_TRIM_LUA],
  FANOUT_LUA: ['d96b763405744ee39f6c61f56b64d250678a7fe2', FANOUT_LUA],
  GET_CONTEXT_LUA: ['b40ed99665132801a73b700c5db3d71276995395', GET_CONTEXT_LUA],
  LEASE_ADMIT_LUA: ['6081b675839ffeed0cd468c985b2f749d529d864', LEASE_ADMIT_LUA],
  LEASE_COUNT_LUA: ['09ec9ecad1ca2f6b57568b46c1a8991a9ade8ca7', LEASE_COUNT_LUA],
  LEASE_EXTEND_LUA: ['f0854d9b2df6dd15f7f4f8a87b9f71cb09495351', LEASE_EXTEND_LUA],
  OUTBOX_LUA: ['7b006449936f980a399b4829e98c687e129d20c8', OUTBOX_LUA],
  PARK_LUA: ['19fd4ec6fb077fc28b2e48ef561825ce65b81d81', PARK_LUA],
  PRELUDE_LUA: ['00fb437f7851dbaa9877b0b822d89d0675de1e0a', PRELUDE_LUA],
  PURGE_LUA: ['f6061a8a14e7083cd14103225f90b36ea8b0bc42', PURGE_LUA],
  READ_CONTEXT_LUA: ['e7030bf2d487032750673c1045606c68d1253dc1', READ_CONTEXT_LUA],
  REINDEX_RUN_LUA: ['5e7e9c7dac48f609c97897a7f9d676847cc68c99', REINDEX_RUN_LUA],
  RELEASE_LUA: ['803a768d9e97ed96aff1aea8d48ff0d331c71a9a', RELEASE_LUA],
  SPLIT_CONTEXT_LUA: ['63f0831eb53325cf39f6d041dd171167d4e4b8a1', SPLIT_CONTEXT_LUA],
  START_RUN_LUA: ['ed3c6955c8dc5e08689c9171ee401ea248632dc9', START_RUN_LUA],
  WAITS_LUA: ['47bbc4affb0156e520fc049fa13ecf3e168fa1de', WAITS_LUA],
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
