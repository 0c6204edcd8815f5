/**
 * Retry in the definition (Rust `retry_macro_example.rs`, `#[retry = policy]`): the policy is part of the
 * node definition. Linear backoff, 3 attempts; the node succeeds on its second try. `retryOn` keeps
 * permanent errors from being retried at all.
 */
import { node, RetryPolicy, workflow } from '@floxide/core';
import { runMain } from './run-main.js';

class PermanentError extends Error {}

const fetchQuote = node({
  name: 'fetch-quote',
  retry: RetryPolicy.linear({
    maxAttempts: 3,
    initialDelayMs: 50,
    retryOn: (error) => !(error instanceof PermanentError),
  }),
  process(symbol: string, ctx) {
    if (symbol === '') throw new PermanentError('empty symbol');
    if (ctx.attempt === 1) throw new Error('quote service busy');
    return { symbol, price: symbol.length * 100, attempt: ctx.attempt };
  },
});

/** A single node whose retry policy is declared with it. */
export const retryDefinitionWorkflow = workflow({ name: 'retry-definition' }).start(fetchQuote).build();

/** Runs a good symbol (second attempt wins) and a bad one (fails at once: not retried). */
export async function main(): Promise<{
  quote: { symbol: string; price: number; attempt: number };
  permanent: string;
}> {
  const quote = await retryDefinitionWorkflow.run('FLOX');
  const permanent = await retryDefinitionWorkflow.run('').then(
    () => 'unexpected success',
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  return { quote, permanent };
}

runMain(import.meta.url, main);
