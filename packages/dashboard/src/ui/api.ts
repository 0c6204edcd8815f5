import type { ChangeKind } from './types.js';

const TOKEN_KEY = 'floxide-token';

/** An API answer other than 2xx, with the server's error code. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The token to send: the one the page was served with, else one the user typed in this tab. */
export function currentToken(): string | undefined {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="floxide-token"]')?.content;
  return meta ?? sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** Remembers a token the user typed, for this tab only. */
export function rememberToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = currentToken();
  return token === undefined ? extra : { ...extra, Authorization: `Bearer ${token}` };
}

async function answer<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => undefined)) as
    { error?: { code: string; message: string } } | undefined;
  if (!response.ok) {
    throw new ApiFailure(
      response.status,
      body?.error?.code ?? 'HTTP',
      body?.error?.message ?? response.statusText,
    );
  }
  return body as T;
}

/** GET a JSON resource of the API. */
export async function getJson<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { headers: headers() }));
}

/** POST to the API (every state change carries the token in a header, never only a cookie). */
export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  return answer<T>(
    await fetch(path, {
      method: 'POST',
      headers: headers({ 'Content-Type': 'application/json' }),
      body: JSON.stringify(body),
    }),
  );
}

/**
 * Follows the server's change stream (Server-Sent Events read over `fetch`, so the token travels in a
 * header as everywhere else) and reconnects after a second when it drops, until `signal` aborts.
 */
export function followChanges(
  run: string | undefined,
  onChange: (kind: ChangeKind) => void,
  signal: AbortSignal,
): void {
  const url = run === undefined ? '/api/stream' : `/api/stream?run=${encodeURIComponent(run)}`;
  const connect = async (): Promise<void> => {
    const response = await fetch(url, { headers: headers({ Accept: 'text/event-stream' }), signal });
    if (!response.ok || response.body === null)
      throw new ApiFailure(response.status, 'STREAM', 'change stream refused');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(message)?.[1];
        if (event === 'runs' || event === 'run' || event === 'workers') onChange(event);
      }
    }
  };
  const loop = async (): Promise<void> => {
    while (!signal.aborted) {
      try {
        await connect();
      } catch {
        // Dropped or refused: try again shortly; pages keep showing what they last read.
      }
      if (!signal.aborted) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  };
  void loop();
}
