/**
 * matchKey cuts a serialized URL by string instead of parsing it: for every URL below, the key
 * equals what the URL parser gives with the fragment (and, for ignoreSearch, the query) removed.
 */
import { matchKey } from '../../src/matchRequest';

const parsedKey = (url: string, ignoreSearch: boolean): string => {
  const parsed = new URL(url);
  parsed.hash = '';
  if (ignoreSearch) parsed.search = '';
  return parsed.href;
};

const urls = [
  'https://a.test/x',
  'https://a.test/x?q',
  'https://a.test/x?q#f',
  'https://a.test/x#f?not-a-query',
  'https://a.test/x?q=a?b#f#g',
  'https://a.test/x?',
  'https://a.test/x#',
  'https://a.test/a%3Fb%23c?q=%23#f',
  'https://user:p%3Fw@a.test:8443/x/../y?q',
  'HTTP://A.TEST/%7Ex y?q r#s t',
  'data:text/plain,a?b#c',
  'blob:https://a.test/0f3c?x',
];

describe('matchKey', () => {
  it.each(urls)('%s: the same key as the URL parser gives, with and without ignoreSearch', (raw) => {
    // Stored and query URLs are serialized (Request.url is the URL parser's href), so the input is too.
    const serialized = new URL(raw).href;
    expect(matchKey(serialized, false)).toBe(parsedKey(serialized, false));
    expect(matchKey(serialized, true)).toBe(parsedKey(serialized, true));
  });
});
