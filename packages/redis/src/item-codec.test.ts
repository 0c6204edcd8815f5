import type { WorkItem } from '@floxide/core/engine';
import { describe, expect, it } from 'vitest';
import { decodeItem, encodeItem, itemHead, jobIdOf, parseJobId } from './item-codec.js';

const item: WorkItem = {
  itemId: 'r:1/spread#0',
  runId: 'r:1',
  workflow: 'wf',
  version: 2,
  node: 'n',
  input: { attempt: 99, list: [], text: '"attempt":7' },
  attempt: 3,
  branches: [{ fanOutItemId: 'x', join: 'j', index: 0, total: 2 }],
  deadlineAt: 123,
};

describe('item codec', () => {
  it('round-trips an item and keeps input last, so the scripts can rewrite the first "attempt"', () => {
    const json = encodeItem(item);
    expect(decodeItem(json)).toEqual(item);
    expect(json.indexOf('"attempt":3')).toBeLessThan(json.indexOf('"input"'));
    expect(json.endsWith(`"input":${JSON.stringify(item.input)}}`)).toBe(true);
    // What the retryFailed script does (Lua gsub, first match only):
    const bumped = json.replace(/"attempt":\d+/, '"attempt":4');
    expect(decodeItem(bumped)).toEqual({ ...item, attempt: 4 });
  });

  it('builds a join item from its head plus the values, like completeJoin', () => {
    const { input: _input, ...head } = item;
    const joined = `${itemHead(head)},"input":[1,[],{"a":null}]}`;
    expect(decodeItem(joined)).toEqual({ ...head, input: [1, [], { a: null }] });
  });

  it("keeps a trace context before input, and the retry rewrite still bumps the item's own attempt", () => {
    const trace = {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      tracestate: 'a=1',
    };
    const json = encodeItem({ ...item, trace });
    expect(json.indexOf('"trace"')).toBeLessThan(json.indexOf('"input"'));
    expect(decodeItem(json.replace(/"attempt":\d+/, '"attempt":4'))).toEqual({ ...item, trace, attempt: 4 });
    expect(encodeItem(item)).not.toContain('"trace"');
  });

  it('stores an undefined input as null', () => {
    expect(decodeItem(encodeItem({ ...item, input: undefined })).input).toBeNull();
  });

  it('derives BullMQ job ids without ":" (BullMQ forbids it) and unambiguous per attempt', () => {
    const id = jobIdOf(item);
    expect(id).not.toContain(':');
    expect(id).toBe('r%3A1/r%3A1%2Fspread%230/3');
    expect(jobIdOf({ ...item, attempt: 4 })).not.toBe(id);
    expect(jobIdOf({ runId: 'a/b', itemId: 'c', attempt: 1 })).not.toBe(
      jobIdOf({ runId: 'a', itemId: 'b/c', attempt: 1 }),
    );
  });

  it('rejects records that are not work items with CorruptRecordError', () => {
    expect(() => decodeItem('{oops')).toThrow(expect.objectContaining({ code: 'CORRUPT_RECORD' }));
    expect(() => decodeItem('{"itemId":1}')).toThrow(expect.objectContaining({ code: 'CORRUPT_RECORD' }));
  });
});

describe('parseJobId', () => {
  it('recovers run id, item id and attempt from a job id, re-added or not', () => {
    const item = { runId: 'run/1:x', itemId: 'a:b/c', attempt: 3 };
    expect(parseJobId(jobIdOf(item))).toEqual(item);
    expect(parseJobId(`${jobIdOf(item)}/r7`)).toEqual(item);
  });

  it('answers undefined for ids of another shape', () => {
    for (const id of ['', 'x', 'a/b', 'a/b/c', 'a/b/1/x', 'a/b/1/r2/3', '%E0%A4%A/b/1', '/b/1']) {
      expect(parseJobId(id)).toBeUndefined();
    }
  });
});
