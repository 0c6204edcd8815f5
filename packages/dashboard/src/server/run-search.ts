import type { Backend, RunListQuery, RunPage } from '@floxide/distributed';

/** A runs-list request: the store's filters plus a run id (or id prefix) to search for. */
export interface RunSearch extends Omit<RunListQuery, 'runIdPrefix'> {
  readonly q?: string;
}

/**
 * One page of runs for the runs list: filtered by status and workflow, or narrowed to a run id.
 *
 * @remarks An exact run id is one read. Otherwise `q` is a run id prefix: the backend answers it from its
 * run id index (`runs.list({ runIdPrefix })`), ordered by run id, with the status and workflow filters
 * applied, and pages by cursor like any list.
 */
export async function searchRuns(backend: Backend, search: RunSearch): Promise<RunPage> {
  const { q, ...query } = search;
  if (q === undefined || q.length === 0) return backend.runs.list(query);
  if (query.cursor === undefined) {
    const exact = await backend.runs.get(q);
    if (exact !== undefined) return { runs: matches(exact, query) ? [exact] : [] };
  }
  return backend.runs.list({ ...query, runIdPrefix: q });
}

function matches(run: { status: string; workflow: string }, query: RunListQuery): boolean {
  return (
    (query.status === undefined || run.status === query.status) &&
    (query.workflow === undefined || run.workflow === query.workflow)
  );
}
