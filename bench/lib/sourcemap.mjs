// A small source map v3 reader (no dependency): decodes `mappings` into per-line segments, for
// attributing bundle bytes (size.mjs) and profile frames (profile.mjs) to original sources.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const values = new Map([...chars].map((c, i) => [c, i]));

function decodeSegment(text) {
  const out = [];
  let value = 0;
  let shift = 0;
  for (const c of text) {
    const digit = values.get(c);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/**
 * Parses a map; `lines[i]` holds the segments of generated line i as
 * { column, source (index or -1), line, sourceColumn }, sorted by column.
 */
export function readSourceMap(file) {
  return parseSourceMap(JSON.parse(readFileSync(file, 'utf8')), path.dirname(file));
}

/** The same from a parsed map object; relative sources are resolved against `dir`. */
export function parseSourceMap(map, dir) {
  const sources = map.sources.map((source) => path.resolve(dir, map.sourceRoot ?? '', source));
  const lines = [];
  let source = 0;
  let line = 0;
  let sourceColumn = 0;
  for (const text of map.mappings.split(';')) {
    const segments = [];
    let column = 0;
    if (text !== '') {
      for (const part of text.split(',')) {
        const [dc, ds, dl, dsc] = decodeSegment(part);
        column += dc;
        if (ds === undefined) {
          segments.push({ column, source: -1, line: -1, sourceColumn: -1 });
          continue;
        }
        source += ds;
        line += dl;
        sourceColumn += dsc;
        segments.push({ column, source, line, sourceColumn });
      }
    }
    lines.push(segments);
  }
  return { sources, lines };
}

/** The original position of generated (line, column), both 0-based; null when unmapped. */
export function originalPosition(map, line, column) {
  const segments = map.lines[line];
  if (segments === undefined || segments.length === 0) return null;
  let lo = 0;
  let hi = segments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid].column <= column) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) found = 0;
  const segment = segments[found];
  return segment.source < 0 ? null : { source: map.sources[segment.source], line: segment.line + 1 };
}
