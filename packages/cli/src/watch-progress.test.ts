import { describe, expect, it } from 'vitest';
import { barView, countsOf, plainView, progressLine } from './watch-progress.js';

const metrics = { totalItems: 5, completed: 3, failed: 1, retries: 2, running: 1 };

describe('watch progress', () => {
  it('counts done items (completed + failed) out of all items, with retries and elapsed time', () => {
    const counts = countsOf(metrics as never, 1_000, 2_500);
    expect(counts).toEqual({ done: 4, total: 5, retries: 2, failed: 1, elapsedMs: 1_500 });
    expect(progressLine(counts)).toBe('4/5 items done, 2 retries, 1 failed, 1.5s');
  });

  it('prints plain lines only when counts change, at most one per interval, and the last one on stop', () => {
    const lines: string[] = [];
    const view = plainView((text) => lines.push(text), 1_000);
    const at = (done: number, elapsedMs: number) => ({ done, total: 4, retries: 0, failed: 0, elapsedMs });
    view.update(at(0, 0));
    view.update(at(0, 10));
    view.update(at(1, 200));
    view.update(at(2, 1_100));
    view.update(at(3, 1_300));
    view.stop();
    expect(lines).toEqual([
      '0/4 items done, 0 retries, 0 failed, 0ms\n',
      '2/4 items done, 0 retries, 0 failed, 1.1s\n',
      '3/4 items done, 0 retries, 0 failed, 1.3s\n',
    ]);
  });

  it('draws a live bar with items, retries, failures and elapsed time on a terminal', () => {
    let screen = '';
    const tty = Object.assign(
      { isTTY: true, columns: 120, write: (text: string) => ((screen += text), true) },
      {},
    ) as unknown as NodeJS.WritableStream;
    const view = barView(tty);
    view.update({ done: 1, total: 4, retries: 1, failed: 0, elapsedMs: 900 });
    view.update({ done: 4, total: 4, retries: 1, failed: 1, elapsedMs: 2_000 });
    view.stop();
    expect(screen).toContain('4/4 items | 1 retries | 1 failed | 2.0s');
    expect(screen).toContain('█');
  });
});
