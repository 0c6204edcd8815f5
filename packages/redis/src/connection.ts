import { Cluster, type Redis, type RedisOptions } from 'ioredis';

/** The ioredis clients a {@link RedisBackend} accepts: a single node (or Sentinel) client, or a Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * A new connection that reaches exactly what `client` reaches: `client.duplicate()`, so every option the
 * user gave (Sentinel settings, `natMap`, `family`, TLS, a Cluster's startup nodes …) carries over. Only
 * `overrides` change (per node on a Cluster). Never rebuilt from a host and port.
 */
export function deriveConnection(client: RedisClient, overrides: RedisOptions): RedisClient {
  if (isCluster(client)) return client.duplicate([], { redisOptions: overrides });
  return client.duplicate(overrides);
}

/** The node options of a client (a Cluster's `redisOptions`). */
function nodeOptions(client: RedisClient): RedisOptions {
  return isCluster(client) ? (client.options.redisOptions ?? {}) : client.options;
}

/** Passwords of a client's options, so errors and logs can redact them. */
export function connectionSecrets(client: RedisClient): string[] {
  const o = nodeOptions(client);
  return [o.password, o.sentinelPassword].filter((s): s is string => typeof s === 'string' && s.length > 0);
}

/** True for a Cluster client: its pipelines and multi-key commands must stay within one hash slot. */
export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}
