import type { Backend, RunInfo, RunListQuery, RunPage } from '@floxide/distributed';

/** How many runs a run-id prefix search looks through before giving up. */
export const SEARCH_SCAN_LIMIT = 2_000;

/** A runs-list request: the store's filters plus a run id (or id prefix) to search for. */
export interface RunSearch extends RunListQuery {
  readonly q?: string;
}

/**
 * One page of runs for the runs list: filtered by status and workflow, or narrowed to a run id.
 *
 * @remarks An exact run id is one read. Otherwise the newest {@link SEARCH_SCAN_LIMIT} runs that match
 * the filters are searched for ids starting with `q` (a backend index for prefixes is separate work).
 */
export async function searchRuns(backend: Backend, search: RunSearch): Promise<RunPage> {
  const { q, ...query } = search;
  if (q === undefined || q.length === 0) return backend.runs.list(query);
  const exact = await backend.runs.get(q);
  if (exact !== undefined) return { runs: matches(exact, query) ? [exact] : [] };
  const limit = query.limit ?? 50;
  const found: RunInfo[] = [];
  let cursor: string | undefined;
  let scanned = 0;
  do {
    const page = await backend.runs.list({
      ...(query.status === undefined ? {} : { status: query.status }),
      ...(query.workflow === undefined ? {} : { workflow: query.workflow }),
      limit: 200,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const run of page.runs) if (run.runId.startsWith(q) && found.length < limit) found.push(run);
    scanned += page.runs.length;
    cursor = page.nextCursor;
  } while (cursor !== undefined && scanned < SEARCH_SCAN_LIMIT && found.length < limit);
  return { runs: found };
}

function matches(run: RunInfo, query: RunListQuery): boolean {
  return (
    (query.status === undefined || run.status === query.status) &&
    (query.workflow === undefined || run.workflow === query.workflow)
  );
}
