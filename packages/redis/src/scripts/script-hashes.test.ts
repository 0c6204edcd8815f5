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
  CLAIM_LUA: ['b4c2ed86aecb10dbf56c39427bdc6e608be3965d', CLAIM_LUA],
  COMMIT_LUA: ['6d56ce8f5c5a26c11e31667f6dd2a2a529869e6d', COMMIT_LUA],
  CONTEXT_FIELDS_LUA: ['868e276349c84ac45a8acb203f8d1a68eb029def', CONTEXT_FIELDS_LUA],
  CONTROL_LUA: ['18a734ebcb27d4f08ce537fd4e28a54413685e4f', CONTROL_LUA],
  DEADLINE_LUA: ['01c738cff1f97aaaf8cb6c33d64cd1cf06118b4a', DEADLINE_LUA],
  DELETE_RUN_LUA: ['1cbfe35f4b547b8e1c030749aa84270ee60b6cc7', DELETE_RUN_LUA],
  ENQUEUE_LUA: ['7730e9bee456fbccd8dbc250405429d96e105c28', ENQUEUE_LUA],
  FAIL_JOB_LUA: ['698cb86105f393c5b3f1e619b8ffbc6f063c4fa9', FAIL_JOB_LUA],
  DELIVER_LUA: ['e9ca0800ba61c4652eabceafe6d776ee7b07d7b2', DELIVER_LUA],
  FAIL_RUN_LUA: ['08153840e0d863000a60511f4e06e2404ba65ead', FAIL_RUN_LUA],
  FAIR_TAGS_LUA: ['47162b442a9d2d957f5400fc992122c640cde5f2', FAIR_TAGS_LUA],
  FANOUT_LUA: ['b913c2076c477e2529af1b1d4ad3b743756cbed2', FANOUT_LUA],
  GET_CONTEXT_LUA: ['b40ed99665132801a73b700c5db3d71276995395', GET_CONTEXT_LUA],
  LEASE_ADMIT_LUA: ['6081b675839ffeed0cd468c985b2f749d529d864', LEASE_ADMIT_LUA],
  LEASE_COUNT_LUA: ['09ec9ecad1ca2f6b57568b46c1a8991a9ade8ca7', LEASE_COUNT_LUA],
  LEASE_EXTEND_LUA: ['f0854d9b2df6dd15f7f4f8a87b9f71cb09495351', LEASE_EXTEND_LUA],
  OUTBOX_LUA: ['803e36d1ad85893d4daf2516b76c3aac43024065', OUTBOX_LUA],
  PARK_LUA: ['8f9422af2ee225b0c514097f94db11937c57f638', PARK_LUA],
  PRELUDE_LUA: ['79662d7e6a9c062cb16d0e84e509c8fffe931e64', PRELUDE_LUA],
  PURGE_LUA: ['4b3b0cb8c5729bd293ac504395172213775a1a30', PURGE_LUA],
  READ_CONTEXT_LUA: ['e7030bf2d487032750673c1045606c68d1253dc1', READ_CONTEXT_LUA],
  REINDEX_RUN_LUA: ['2665f429b035379a9e5c8211c427ba68390bdb39', REINDEX_RUN_LUA],
  RELEASE_LUA: ['ef8306699af8e22ffb770e6ebc6146cc589227ef', RELEASE_LUA],
  SPLIT_CONTEXT_LUA: ['63f0831eb53325cf39f6d041dd171167d4e4b8a1', SPLIT_CONTEXT_LUA],
  START_RUN_LUA: ['13e56741e4e12b5a67a3b492da3f91bfafd9b767', START_RUN_LUA],
  WAITS_LUA: ['90c79ffd9c0cab6650421c3e30a80fbe8f828613', WAITS_LUA],
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
