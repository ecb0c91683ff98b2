/**
 * The longest wait a timer holds, in ms (2 ** 31 - 1, about 24.8 days). `setTimeout` fires a
 * longer one at once (Node warns `TimeoutOverflowWarning`), so every option that feeds a timer is
 * checked against it.
 *
 * @example
 * if (timeout > maxTimerDelay) throw new TypeError(`timeout must be ≤ ${maxTimerDelay} ms.`);
 * setTimeout(check, Math.min(wait, maxTimerDelay));
 */
export const maxTimerDelay = 2 ** 31 - 1;
