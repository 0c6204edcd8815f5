/** Internal signal names a parent waits on for a child run (see "Child runs" in `@floxide/distributed`). */
const CHILD_PREFIX = 'floxide.child:';

/**
 * How `status` names one thing a run waits for: `child run <id>` for a step waiting on a child run
 * (`subflow` on workers), `signal '<name>'` for any other signal.
 */
export function waitLabel(name: string): string {
  return name.startsWith(CHILD_PREFIX) ? `child run ${name.slice(CHILD_PREFIX.length)}` : `signal '${name}'`;
}
