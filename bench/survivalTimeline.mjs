// Reads the survival figures off the server's log of one engine's file: when bytes stopped
// flowing after the last page closed, whether they came back by themselves, and how the download
// resumed once the page was opened again.

/** No write for this long counts as stopped (the server writes every ~130 ms at 0.5 MB/s). */
export const gapMs = 5_000;

/** Bytes written per whole second since `from` (index 0 = the second after `from`), up to `to`. */
export function bytesPerSecond(writes, from, to) {
  const seconds = new Array(Math.max(0, Math.ceil((to - from) / 1000))).fill(0);
  for (const { at, bytes } of writes) {
    const second = Math.floor((at - from) / 1000);
    if (second >= 0 && second < seconds.length) seconds[second] += bytes;
  }
  return seconds;
}

/**
 * The figures of one run. `closedAt`: when the last page of the origin closed; `reopenedAt`: when
 * the page was opened again (the end of the watch); `size`: the file's length.
 * - `flowedFor`: seconds from `closedAt` to the last write before the first stop (a gap of
 *   `gapMs`), or null when bytes never stopped before `reopenedAt`;
 * - `closedAfter`: seconds from `closedAt` to the first connection that closed after it, or null;
 * - `resumedAfter`: seconds from `closedAt` to the first write after a stop and before
 *   `reopenedAt` (it resumed by itself), or null; `resumedRange`: that request's Range header;
 * - `finishedAfter`: seconds from `closedAt` until the last byte of the file was written, when
 *   that happened before `reopenedAt`, else null;
 * - `reopenRange`: the Range header of the first request made after `reopenedAt` (null: none, or
 *   none was needed); `reopenStatus` its status;
 * - `sentTotal`: every byte written for this file; `refetched`: what was sent more than once.
 */
export function survivalFigures({ requests, writes }, { closedAt, reopenedAt, size }) {
  const seconds = (at) => (at - closedAt) / 1000;
  const watched = writes.filter((write) => write.at >= closedAt && write.at < reopenedAt);
  let last = writes.filter((write) => write.at < closedAt).at(-1)?.at ?? closedAt;
  let stoppedAt;
  let resumedAt;
  for (const write of watched) {
    if (write.at - last >= gapMs) {
      stoppedAt = last;
      resumedAt = write.at;
      break;
    }
    last = write.at;
  }
  if (stoppedAt === undefined && reopenedAt - last >= gapMs) stoppedAt = last;
  const sentTotal = writes.reduce((sum, write) => sum + write.bytes, 0);
  const finished = writes.find((write) => write.end === size)?.at;
  const resumedRequest = resumedAt === undefined ? undefined : requests.filter((request) => request.at <= resumedAt).at(-1);
  const reopenRequest = requests.find((request) => request.at >= reopenedAt);
  const closed = requests.map((request) => request.closedAt).filter((at) => at !== undefined && at >= closedAt && at < reopenedAt);
  return {
    flowedFor: stoppedAt === undefined ? null : Math.max(0, seconds(stoppedAt)),
    closedAfter: closed.length === 0 ? null : seconds(Math.min(...closed)),
    resumedAfter: resumedAt === undefined ? null : seconds(resumedAt),
    resumedRange: resumedRequest?.range ?? null,
    finishedAfter: finished !== undefined && finished < reopenedAt ? seconds(finished) : null,
    reopenRange: reopenRequest?.range ?? null,
    reopenStatus: reopenRequest?.status ?? null,
    sentTotal,
    refetched: Math.max(0, sentTotal - size),
  };
}
