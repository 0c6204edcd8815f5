import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, rememberToken } from './api.js';
import { RunPage } from './run-page.js';
import { RunsPage } from './runs-page.js';
import { WorkersPage } from './workers-page.js';

type Route = { page: 'runs'; query: URLSearchParams } | { page: 'run'; runId: string } | { page: 'workers' };

/** Hash routes: `#/runs?status=failed`, `#/runs/<id>`, `#/workers`. */
function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'workers') return { page: 'workers' };
  if (parts[0] === 'runs' && parts[1] !== undefined)
    return { page: 'run', runId: decodeURIComponent(parts[1]) };
  return { page: 'runs', query: new URLSearchParams(search) };
}

/** The dashboard: a header with the pages, and the page the URL names. */
export function App() {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  const [needsToken, setNeedsToken] = useState(false);
  useEffect(() => {
    const onHash = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const onError = (error: unknown): void => {
    if (error instanceof ApiFailure && error.status === 401) setNeedsToken(true);
  };
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href="#/runs">
          Floxide
        </a>
        <nav>
          <a href="#/runs" class={route.page !== 'workers' ? 'active' : ''}>
            Runs
          </a>
          <a href="#/workers" class={route.page === 'workers' ? 'active' : ''}>
            Workers
          </a>
        </nav>
      </header>
      <main>
        {needsToken ? <TokenForm onDone={() => setNeedsToken(false)} /> : null}
        {route.page === 'runs' ? <RunsPage query={route.query} onError={onError} /> : null}
        {route.page === 'run' ? <RunPage key={route.runId} runId={route.runId} onError={onError} /> : null}
        {route.page === 'workers' ? <WorkersPage onError={onError} /> : null}
      </main>
    </div>
  );
}

/** Asks for the dashboard's token when the API refuses a request without it. */
function TokenForm({ onDone }: { onDone: () => void }) {
  const [value, setValue] = useState('');
  return (
    <form
      class="card token-form"
      onSubmit={(e) => {
        e.preventDefault();
        rememberToken(value.trim());
        onDone();
        location.reload();
      }}
    >
      <label>
        This dashboard needs its access token{' '}
        <input type="password" name="token" value={value} onInput={(e) => setValue(e.currentTarget.value)} />
      </label>
      <button type="submit">Use token</button>
    </form>
  );
}
