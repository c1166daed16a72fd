/**
 * Independent read-only calls run at once, judged in a fixed order: a release's preflight costs
 * one or two round trips instead of one per call, and when several checks fail the error
 * reported is the one a sequential run would have hit first.
 */

type Settled<T extends readonly unknown[]> = { -readonly [K in keyof T]: Awaited<T[K]> };

/**
 * Waits for every promise (none is left running or unobserved), then throws the first rejection
 * in the order given, or returns every value.
 */
export async function readsInOrder<T extends readonly unknown[]>(reads: readonly [...T]): Promise<Settled<T>> {
  const settled = await Promise.allSettled(reads);
  for (const result of settled) if (result.status === 'rejected') throw result.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as Settled<T>;
}
