// Exercises the corrupt-record protocol itself on MemoryBackend. Memory stores live objects and has no
// record to corrupt, so this wrapper stands in for a backend that finds a record unreadable: once
// "corrupted", every context read and commit of that run throws CORRUPT_RECORD, as a real backend's
// decoding would. Real backends (Redis, Postgres) run the suite with their own `corrupt` hook.
import { CorruptRecordError } from '@floxide/core';
import { MemoryBackend, type Backend } from '@floxide/distributed';
import { describeCorruptRecordScenarios } from './engine/describe-corrupt-record-scenarios.js';

const corrupted = new WeakMap<Backend, Set<string>>();

function unreadable(runId: string): CorruptRecordError {
  return new CorruptRecordError(`stored record of run ${runId} is not valid`);
}

function corruptibleMemory(): Backend {
  const inner = new MemoryBackend();
  const broken = new Set<string>();
  const backend: Backend = {
    queue: inner.queue,
    runs: inner.runs,
    metrics: inner.metrics,
    errors: inner.errors,
    liveness: inner.liveness,
    items: inner.items,
    events: inner.events,
    feed: inner.feed,
    context: {
      get: (runId) => (broken.has(runId) ? Promise.reject(unreadable(runId)) : inner.context.get(runId)),
      read: (runId, request) =>
        broken.has(runId) ? Promise.reject(unreadable(runId)) : inner.context.read(runId, request),
    },
    startRun: (run) => inner.startRun(run),
    commit: (step) =>
      broken.has(step.lease.item.runId)
        ? Promise.reject(unreadable(step.lease.item.runId))
        : inner.commit(step),
    control: (runId, action) => inner.control(runId, action),
    failRun: (runId, error) => inner.failRun(runId, error),
    close: () => inner.close(),
  };
  corrupted.set(backend, broken);
  return backend;
}

describeCorruptRecordScenarios({
  name: 'memory (simulated corruption)',
  create: () => Promise.resolve(corruptibleMemory()),
  destroy: (backend) => backend.close(),
  corruptible: ['context', 'join'],
  corrupt: (backend, runId) => {
    corrupted.get(backend)?.add(runId);
    return Promise.resolve();
  },
});
