/**
 * A store write failed: kept apart from network failures, which are retried. `reason` is what
 * the sink rejected with (a `QuotaExceededError` settles the record `quota-exceeded`).
 *
 * @example
 * try { await sink.write(index, chunk); } catch (error) { throw new StoreFailure(error); }
 * if (failure instanceof StoreFailure && isQuotaError(failure.reason)) settle('quota-exceeded');
 */
export class StoreFailure extends Error {
  constructor(readonly reason: unknown) {
    super('The store could not keep a chunk.');
  }
}
