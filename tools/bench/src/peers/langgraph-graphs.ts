import { Annotation, END, Send, START, StateGraph } from '@langchain/langgraph';

const ChainState = Annotation.Root({ n: Annotation<number>() });

/**
 * A LangGraph.js StateGraph of the same shape as the Floxide chain: `length` nodes in a row, each adds 1.
 * Returns a function running one invocation and returning the final `n`.
 */
export function langGraphChain(length: number): (input: number) => Promise<number> {
  // The builder's types grow with every node name; the loop needs the untyped view.
  let graph = new StateGraph(ChainState) as unknown as StateGraph<typeof ChainState.spec, any, any, string>;
  for (let i = 0; i < length; i++)
    graph = graph.addNode(`n${i}`, (s: { n: number }) => ({ n: s.n + 1 })) as typeof graph;
  graph = graph.addEdge(START, 'n0') as typeof graph;
  for (let i = 1; i < length; i++) graph = graph.addEdge(`n${i - 1}`, `n${i}`) as typeof graph;
  graph = graph.addEdge(`n${length - 1}`, END) as typeof graph;
  const app = graph.compile();
  return async (input) => ((await app.invoke({ n: input })) as { n: number }).n;
}

const FanOutState = Annotation.Root({
  n: Annotation<number>(),
  // The documented map-reduce reducer: concatenate every branch's update.
  results: Annotation<{ i: number; v: number }[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
  count: Annotation<number>(),
  inOrder: Annotation<boolean>(),
});

/**
 * LangGraph.js map-reduce with `Send`: `fan` sends N branches to `work`, whose updates a reducer
 * collects; `collect` runs once after every branch and checks them like the Floxide join.
 */
export function langGraphFanOut(): (n: number) => Promise<{ count: number; inOrder: boolean }> {
  const app = new StateGraph(FanOutState)
    .addNode('fan', () => ({}))
    .addNode('work', (s: { i: number }) => ({ results: [{ i: s.i, v: s.i * 2 }] }))
    .addNode('collect', (s: { results: { i: number; v: number }[] }) => {
      // Send branches finish in any order; the join restores fan-out order the way Floxide's does.
      const ordered = [...s.results].sort((a, b) => a.i - b.i);
      return { count: ordered.length, inOrder: ordered.every((r, i) => r.i === i && r.v === i * 2) };
    })
    .addEdge(START, 'fan')
    .addConditionalEdges(
      'fan',
      (s: { n: number }) => Array.from({ length: s.n }, (_, i) => new Send('work', { i })),
      ['work'],
    )
    .addEdge('work', 'collect')
    .addEdge('collect', END)
    .compile();
  return async (n) => {
    const out = (await app.invoke({ n }, { recursionLimit: 100 })) as { count: number; inOrder: boolean };
    return { count: out.count, inOrder: out.inOrder };
  };
}
