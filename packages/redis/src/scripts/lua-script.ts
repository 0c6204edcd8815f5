import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from '../connection.js';
import { beforeRedirectRetry, isClusterRedirect, REDIRECT_ATTEMPTS } from '../cluster-redirect.js';
import { notReplicated, type RedisDurability } from '../durability.js';

/** A Lua script run by EVALSHA, falling back to EVAL when the server does not know it (e.g. restarted). */
export class LuaScript {
  readonly source: string;
  readonly sha: string;
  /** Clients whose server this process loaded the script into (see #pipelined). */
  readonly #loaded = new WeakSet<object>();

  constructor(source: string) {
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /**
   * Runs the script with the given keys and arguments. With `durability`, the script and a `WAIT` go in
   * one pipeline (so to the same connection, on a Cluster the master of the keys' slot), and too few
   * confirming replicas fail the call with a retryable BackendError.
   */
  async run(
    client: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
    durability?: RedisDurability,
  ): Promise<unknown> {
    if (durability) return this.#runAndWait(client, keys, args, durability);
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.includes('NOSCRIPT')) throw error;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }

  async #runAndWait(
    client: RedisClient,
    keys: readonly string[],
    args: readonly (string | number)[],
    d: RedisDurability,
  ): Promise<unknown> {
    const send = async (full: boolean): Promise<[Error | null, unknown][]> => {
      const pipeline = client.pipeline();
      if (full) pipeline.eval(this.source, keys.length, ...keys, ...args);
      else pipeline.evalsha(this.sha, keys.length, ...keys, ...args);
      pipeline.call('WAIT', d.replicas, d.timeoutMs);
      return ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
    };
    let results = await send(false);
    for (let attempt = 1; ; attempt += 1) {
      if (results[0]?.[0]?.message.includes('NOSCRIPT')) results = await send(true);
      // During a Cluster failover the script can answer MOVED (the script did not run): send both again.
      if (!isClusterRedirect(results[0]?.[0]) || attempt >= REDIRECT_ATTEMPTS) break;
      await beforeRedirectRetry(client, attempt);
      results = await send(false);
    }
    const [[scriptError, value] = [new Error('missing reply'), undefined], [waitError, acked] = [null, 0]] =
      results;
    if (scriptError) throw scriptError;
    if (waitError) throw waitError;
    if (Number(acked) < d.replicas) throw notReplicated(d, Number(acked));
    return value;
  }

  /**
   * Runs the script once per call in one pipeline (one round trip); results in call order. On a Cluster
   * the calls (of different runs, so different slots) are sent side by side instead, each to its node.
   */
  async runMany(
    client: RedisClient,
    calls: readonly { keys: readonly string[]; args: readonly (string | number)[] }[],
  ): Promise<unknown[]> {
    if (calls.length === 0) return [];
    if (calls.length === 1) {
      const only = calls[0] as (typeof calls)[number];
      return [await this.run(client, only.keys, only.args)];
    }
    if (isCluster(client)) return Promise.all(calls.map((c) => this.run(client, c.keys, c.args)));
    const results = await this.#pipelined(client, calls);
    return results.map(([error, value]) => {
      if (error) throw error;
      return value;
    });
  }

  /**
   * EVALSHA of every call in one pipeline. The first pipeline on a client loads the script first (one
   * SCRIPT LOAD), so a batch never fails NOSCRIPT call by call; when it still does (the server restarted or
   * flushed its scripts), the script is loaded once and the failed calls are sent again in one pipeline,
   * not as one full EVAL each.
   */
  async #pipelined(
    client: Redis,
    calls: readonly { keys: readonly string[]; args: readonly (string | number)[] }[],
  ): Promise<[Error | null, unknown][]> {
    const send = async (
      batch: readonly { keys: readonly string[]; args: readonly (string | number)[] }[],
      load: boolean,
    ): Promise<[Error | null, unknown][]> => {
      const pipeline = client.pipeline();
      if (load) pipeline.script('LOAD', this.source);
      for (const call of batch) pipeline.evalsha(this.sha, call.keys.length, ...call.keys, ...call.args);
      const results = ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
      if (load) {
        const [loadError] = results.shift() ?? [null];
        if (!loadError) this.#loaded.add(client);
      }
      return batch.map((_, i) => results[i] ?? [new Error('missing pipeline result'), undefined]);
    };
    const results = await send(calls, !this.#loaded.has(client));
    const failed = results.flatMap(([error], i) => (error?.message.includes('NOSCRIPT') ? [i] : []));
    if (failed.length > 0) {
      const again = await send(
        failed.map((i) => calls[i] as (typeof calls)[number]),
        true,
      );
      failed.forEach((i, k) => {
        results[i] = again[k] as [Error | null, unknown];
      });
    }
    return results;
  }

  /**
   * Like {@link runMany}, but one failing call does not fail the others: each result is `{ value }` or
   * `{ error }`, in call order.
   */
  async runSettled(
    client: RedisClient,
    calls: readonly { keys: readonly string[]; args: readonly (string | number)[] }[],
  ): Promise<({ value: unknown; error?: undefined } | { error: Error; value?: undefined })[]> {
    if (calls.length === 0) return [];
    if (isCluster(client)) {
      return Promise.all(
        calls.map((c) =>
          this.run(client, c.keys, c.args).then(
            (value) => ({ value }),
            (error: unknown) => ({ error: error instanceof Error ? error : new Error(String(error)) }),
          ),
        ),
      );
    }
    const results = await this.#pipelined(client, calls);
    return results.map(([error, value]) => (error ? { error } : { value }));
  }
}
