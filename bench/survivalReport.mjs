// The survival figures as a RESULTS.md section, and that section put into RESULTS.md in place of
// the previous one, leaving every other section as it was.
import { gapMs } from './survivalTimeline.mjs';
import { survivalConfigs, survivalWorkload } from './survival.mjs';

export const survivalHeading = '## 6. Survival: downloads with no page open';

const MB = 1_000_000;
const s = (seconds) => `${seconds.toFixed(1)} s`;

function flowed(r) {
  if (r.flowedFor !== null) return `**${s(r.flowedFor)}**`;
  if (r.finishedAfter !== null) return `until the end (finished at +${s(r.finishedAfter)})`;
  return `never stopped (still downloading at +${s(r.watchedFor)})`;
}

function resumed(r) {
  if (r.resumedAfter !== null) {
    const end = r.finishedAfter === null ? '' : `, finished at +${s(r.finishedAfter)}`;
    return `yes, at +${s(r.resumedAfter)} (\`Range: ${r.resumedRange ?? 'none'}\`)${end}`;
  }
  if (r.flowedFor === null || r.finishedAfter !== null) return 'did not need to';
  return `no (watched ${s(r.watchedFor)})`;
}

function reopened(r) {
  if (r.reopenStatus === null) return r.finishedAfter !== null ? 'nothing left to fetch' : 'no new request (the running one went on)';
  const from = r.reopenStatus === 206 ? `, ${(Number(/\d+/.exec(r.reopenRange ?? '')?.[0] ?? 0) / MB).toFixed(2)} MB in` : '';
  return `\`${r.reopenRange === null ? 'no Range' : `Range: ${r.reopenRange}`}\` → ${r.reopenStatus}${from}`;
}

function finished(r) {
  if (r.verified?.equal) return 'yes, SHA-256 equal';
  if (r.verified !== undefined) return `**no**: ${r.verified.bytes.toLocaleString('en')} B came back, SHA-256 differs`;
  const state = r.standing === null ? 'the page never saw it' : r.standing.result === '' ? `still running at ${(r.standing.downloaded / MB).toFixed(1)} MB` : `${r.standing.result} (${r.standing.failureReason})`;
  return `**no** within ${survivalWorkload.finishMs / 60_000} min: ${state}`;
}

/** The section's lines: what was done, one row per engine, and where the per-second series are. */
export function survivalSection(results, { date, commit, watchMs, seriesDir }) {
  const lines = [
    survivalHeading,
    '',
    `Written by \`npm run bench -- --only=survival\` (bench/survival.mjs) on ${date}, code ${commit}. Per engine, a fresh browser from the project's harness keeps an \`about:blank\` tab open; a page starts one background fetch of a ${survivalWorkload.size / MB} MB file that the server (127.0.0.1) sends at ${survivalWorkload.bytesPerSecond / MB} MB/s; once ${survivalWorkload.closeAfterBytes / MB} MB are counted the page closes (the last page of the origin) and the server logs every chunk it writes for ${watchMs / 60_000} min. Then the page opens again with the pace lifted, the download should resume and finish, and the worker uploads the file for the server to compare. "Stopped" = no byte written for ${gapMs / 1000} s; figures are seconds after the page closed, read off the server's log (bytes still in socket buffers when a worker stops count as sent).`,
    '',
    '| engine | version | bytes flowed after the last page closed | first connection closed at | resumed by itself | on reopen | sent twice | finished byte-exact |',
    '|---|---|---:|---:|---|---|---:|---|',
  ];
  for (const { key } of survivalConfigs) {
    const r = results[key];
    if (r === undefined) continue;
    if (r.error !== undefined) {
      lines.push(`| ${r.label} | | | | | | | failed: ${r.error} |`);
      continue;
    }
    const closed = r.closedAfter === null ? '—' : `+${s(r.closedAfter)}`;
    lines.push(`| ${r.label} | ${r.version} | ${flowed(r)} | ${closed} | ${resumed(r)} | ${reopened(r)} | ${r.refetched.toLocaleString('en')} B | ${finished(r)} |`);
  }
  lines.push('', `Bytes sent per second, per engine: \`${seriesDir}/<engine>.csv\`; every request: \`${seriesDir}/results.json\` (not committed).`, '');
  return lines;
}

/** [first line, line after the last] of the survival section in `all`, or undefined. A section runs to the next `## ` heading. */
function bounds(all) {
  const start = all.indexOf(survivalHeading);
  if (start === -1) return undefined;
  const next = all.findIndex((line, i) => i > start && line.startsWith('## '));
  return [start, next === -1 ? all.length : next];
}

/** `text` (RESULTS.md) with its survival section replaced by `lines`, or `lines` appended when it has none. */
export function withSurvivalSection(text, lines) {
  const all = text.replace(/\n+$/, '').split('\n');
  const block = lines.join('\n').replace(/\n+$/, '').split('\n');
  const found = bounds(all);
  if (found === undefined) return [...(text.trim() === '' ? [] : [...all, '']), ...block, ''].join('\n');
  const [start, end] = found;
  const rest = all.slice(end);
  return [...all.slice(0, start), ...block, ...(rest.length > 0 ? ['', ...rest] : []), ''].join('\n');
}

/** The survival section of `text` as lines (to carry into a rewritten RESULTS.md), or []. */
export function survivalSectionOf(text) {
  const all = text.replace(/\n+$/, '').split('\n');
  const found = bounds(all);
  return found === undefined ? [] : all.slice(...found);
}
