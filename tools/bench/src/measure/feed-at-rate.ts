/** Enqueues `runs` runs at a steady `ratePerSec`, in small batches every `tickMs`; resolves when all are sent. */
export async function feedAtRate(options: {
  readonly runs: number;
  readonly ratePerSec: number;
  readonly enqueue: (first: number, count: number) => Promise<void>;
  readonly tickMs?: number;
}): Promise<void> {
  const tickMs = options.tickMs ?? 10;
  const started = performance.now();
  let sent = 0;
  while (sent < options.runs) {
    const due = Math.min(
      options.runs,
      Math.floor(((performance.now() - started) / 1000) * options.ratePerSec) + 1,
    );
    if (due > sent) {
      const count = due - sent;
      await options.enqueue(sent, count);
      sent += count;
    }
    await new Promise((resolve) => setTimeout(resolve, tickMs));
  }
}
