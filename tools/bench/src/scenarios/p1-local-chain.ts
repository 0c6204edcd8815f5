import { floxideChain } from '../floxide/local-workflows.js';
import { timeRuns, type TimedRuns } from '../measure/time-runs.js';
import { bareChain } from '../peers/bare-chain.js';
import { langGraphChain } from '../peers/langgraph-graphs.js';
import { rowsWithRatios, type Figure } from '../report/rows.js';
import type { Scenario } from './scenario.js';
import { ratioOf, ratioTarget } from './targets.js';

const NODES = 10;
const LANGGRAPH = 'LangGraph.js StateGraph';
const BARE = 'bare chain of awaited functions';

/** P1: a 10-node chain of no-op nodes, run after run — Floxide `wf.run` vs LangGraph.js vs bare awaits. */
export const p1LocalChain: Scenario = {
  id: 'p1',
  title: 'Local: 10-node no-op chain, runs one after another',
  async run(options) {
    const runs = options.runs ?? (options.smoke ? 50 : 10_000);
    const warmup = options.smoke ? 5 : 200;
    const wf = floxideChain(NODES);
    const lg = langGraphChain(NODES);
    const bare = bareChain(NODES);
    const check = (out: number): boolean => out === NODES;
    const measured: [string, TimedRuns][] = [];
    for (const [name, fn, capMs] of [
      ['Floxide wf.run', (i: number) => wf.run(i - i), undefined],
      [LANGGRAPH, (i: number) => lg(i - i), options.smoke ? undefined : 45_000],
      [BARE, (i: number) => bare(i - i), undefined],
    ] as const) {
      const timed = await timeRuns({ runs, warmup, fn, check, ...(capMs === undefined ? {} : { capMs }) });
      options.log(`  ${name}: ${timed.runs} runs in ${timed.ms.toFixed(0)} ms`);
      measured.push([name, timed]);
    }
    const figures: Figure[] = measured.map(([contender, t]) => ({
      contender,
      figure: (t.runs * NODES * 1000) / t.ms,
      note: `${t.runs.toLocaleString('en-US')} runs${t.capped ? ' (time cap hit)' : ''}`,
    }));
    const [floxide, ...others] = figures;
    const rows = rowsWithRatios({
      floxide: floxide ? [floxide] : [],
      others,
      unit: 'steps/s',
      higherIsBetter: true,
    });
    const bareRatio = ratioOf(rows, BARE);
    return {
      verified: measured.every(([, t]) => t.wrong === 0 && t.runs > 0),
      checks: measured.map(
        ([name, t]) =>
          `${name}: ${t.runs - t.wrong} of ${t.runs} runs returned ${NODES}${t.wrong ? ' — WRONG OUTPUTS' : ''}`,
      ),
      rows,
      targets: [
        ratioTarget('P1 ≥ 100× LangGraph.js', ratioOf(rows, LANGGRAPH), 100, LANGGRAPH),
        ratioTarget('P1 ≥ 0.1× the bare chain', bareRatio, 0.1, BARE),
      ],
      notes: [
        `${runs.toLocaleString('en-US')} sequential runs of a ${NODES}-node chain (each node adds 1) after ${warmup} warm-up runs; steps/s = runs × ${NODES} / time.`,
        'LangGraph.js runs under a 45 s cap in full mode; its figure is a rate, so fewer runs do not bias it.',
        'For the bare chain "Floxide ahead by" is below 1: it is the ceiling, and the target asks Floxide for at least 0.1× of it.',
      ],
    };
  },
};
