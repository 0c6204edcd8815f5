import { floxideFanOut, type FanOutResult } from '../floxide/local-workflows.js';
import { growthExponent, median } from '../measure/stats.js';
import { langGraphFanOut } from '../peers/langgraph-graphs.js';
import { formatNumber } from '../report/format-number.js';
import { rowsWithRatios, type Figure } from '../report/rows.js';
import type { TargetResult } from '../report/scenario-result.js';
import type { Scenario } from './scenario.js';
import { ratioOf, ratioTarget } from './targets.js';

const FLOXIDE = 'Floxide wf.run';
const LANGGRAPH = 'LangGraph.js Send map-reduce';
/** The brief's bar: LangGraph.js is measured at 100,000 only if it can finish that in a minute. */
const ONE_MINUTE_MS = 60_000;
/** Bigger LangGraph.js sizes run only when predicted under this, to keep `pnpm bench` under 10 minutes. */
const LANGGRAPH_SIZE_BUDGET_MS = 20_000;

/** One measured size. */
interface Point {
  readonly n: number;
  readonly ms: number;
  readonly ok: boolean;
}

/** Times one fan-out of size `n` (median of `repeats`), checking the join saw n outputs in order. */
async function measure(fn: (n: number) => Promise<FanOutResult>, n: number, repeats: number): Promise<Point> {
  const times: number[] = [];
  let ok = true;
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    const out = await fn(n);
    times.push(performance.now() - started);
    ok &&= out.count === n && out.inOrder;
  }
  return { n, ms: median(times), ok };
}

/** P2: fan-out 1 → N → join — Floxide vs LangGraph.js `Send`, and how time grows with N. */
export const p2LocalFanOut: Scenario = {
  id: 'p2',
  title: 'Local: fan-out 1 → N → join',
  async run(options) {
    const top = options.runs ?? (options.smoke ? 200 : 100_000);
    const floxideSizes = [...new Set([Math.min(2_000, top), Math.round(top / 10), top])]
      .filter((n) => n > 0)
      .sort((a, b) => a - b);
    const langGraphSizes = options.smoke
      ? [20, 200]
      : [500, 2_000, 5_000, 10_000, 100_000].filter((n) => n <= top);
    const wf = floxideFanOut();
    const lg = langGraphFanOut();
    const run = (n: number): Promise<FanOutResult> => wf.run(n);
    // Warm-up at the first measured size: JIT and heap growth must not land on the N = 2,000 figure.
    await measure(run, floxideSizes[0] ?? 1, 5);
    await measure(lg, Math.min(50, top), 1);

    const floxidePoints: Point[] = [];
    for (const n of floxideSizes) {
      const point = await measure(run, n, n <= 10_000 ? 5 : 2);
      options.log(`  ${FLOXIDE} N=${n}: ${point.ms.toFixed(1)} ms`);
      floxidePoints.push(point);
    }
    const langGraphPoints: Point[] = [];
    const skipped: string[] = [];
    for (const n of langGraphSizes) {
      const previous = langGraphPoints.at(-1);
      if (previous) {
        // Predict from the growth seen so far (at least linear) before spending a minute on it.
        const k = Math.max(1, langGraphPoints.length >= 2 ? growthExponent(langGraphPoints) : 1);
        const predicted = previous.ms * (n / previous.n) ** k;
        if (predicted > (n >= 100_000 ? ONE_MINUTE_MS : LANGGRAPH_SIZE_BUDGET_MS)) {
          skipped.push(
            `N = ${formatNumber(n)} (predicted ${formatNumber(predicted / 1000)} s from N^${k.toFixed(2)} growth)`,
          );
          continue;
        }
      }
      const point = await measure(lg, n, 1);
      options.log(`  ${LANGGRAPH} N=${n}: ${point.ms.toFixed(1)} ms`);
      langGraphPoints.push(point);
    }

    const figures = (contender: string, points: Point[]): Figure[] =>
      points.map((p) => ({
        contender,
        case: `N = ${formatNumber(p.n)}`,
        figure: p.ms,
        note: `${formatNumber((p.n * 1000) / p.ms)} branches/s`,
      }));
    const rows = rowsWithRatios({
      floxide: figures(FLOXIDE, floxidePoints),
      others: figures(LANGGRAPH, langGraphPoints),
      unit: 'ms per run',
      higherIsBetter: false,
    });
    const floxideK = growthExponent(floxidePoints);
    const langGraphK = growthExponent(langGraphPoints);
    const at2000 = floxidePoints.some((p) => p.n === 2_000)
      ? ratioOf(rows, LANGGRAPH, 'N = 2,000')
      : Number.NaN;
    const linear: TargetResult = {
      target: 'P2 time linear in N (fitted exponent ≤ 1.15)',
      met: Number.isFinite(floxideK) && floxideK <= 1.15,
      actual: `Floxide time ∝ N^${floxideK.toFixed(2)}; LangGraph.js ∝ N^${Number.isFinite(langGraphK) ? langGraphK.toFixed(2) : '?'}`,
    };
    const all = [...floxidePoints, ...langGraphPoints];
    return {
      verified: all.every((p) => p.ok),
      checks: [
        ...floxidePoints.map(
          (p) => `${FLOXIDE} N=${p.n}: join got ${p.ok ? 'all N outputs in fan-out order' : 'WRONG outputs'}`,
        ),
        ...langGraphPoints.map(
          (p) => `${LANGGRAPH} N=${p.n}: collect got ${p.ok ? 'all N outputs' : 'WRONG outputs'}`,
        ),
      ],
      rows,
      targets: [ratioTarget('P2 ≥ 100× LangGraph.js at N = 2,000', at2000, 100, LANGGRAPH), linear],
      notes: [
        'Each branch doubles its index; the join (Floxide `.join`, LangGraph a reducer-fed node) checks it received N outputs in fan-out order. Floxide figures are medians of 5 runs (2 above N = 10,000).',
        `LangGraph.js sizes: ${langGraphPoints.map((p) => formatNumber(p.n)).join(', ')}${skipped.length ? `; skipped ${skipped.join(', ')}: 100,000 only runs if predicted to finish within a minute, sizes below it within ${LANGGRAPH_SIZE_BUDGET_MS / 1000} s (bench time budget). The prediction extrapolates the measured growth exponent, at least linear` : ''}.`,
      ],
    };
  },
};
