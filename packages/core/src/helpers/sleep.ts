import { node, type Node } from '../node/node.js';
import { Transition, type TimerOptions } from '../transition/transition.js';

/**
 * A node that passes its input on unchanged once a durable timer is due: `timer` is fixed, or computed
 * from the input (e.g. `(order: Order) => ({ at: new Date(order.remindAt) })`). See `Transition.next`.
 * With a fixed timer, name the input type so the edges out of it are typed.
 *
 * @example
 * ```ts
 * const coolDown = sleep<'cool-down', { id: string }>('cool-down', { delayMs: 60_000 });
 * ```
 */
export function sleep<const TName extends string, TInput>(
  name: TName,
  timer: TimerOptions | ((input: TInput) => TimerOptions),
): Node<TInput, TInput, unknown, TName> {
  return node<TName, TInput, TInput>({
    name,
    process: (input) => Transition.next(input, typeof timer === 'function' ? timer(input) : timer),
  });
}
