/** The ceiling of P1: `length` awaited async no-op functions in a row, no engine at all. */
export function bareChain(length: number): (input: number) => Promise<number> {
  const steps = Array.from({ length }, () => async (x: number) => x + 1);
  return async (input) => {
    let value = input;
    for (const step of steps) value = await step(value);
    return value;
  };
}
