import type { RequestMembers } from './requestCodec';

/**
 * What `new Request(url)` has with no init, for {@link toLiveRequest}'s `unchanged`: each member
 * given to the constructor is checked again (the referrer is parsed as a URL), and most stored
 * requests have these (leaving them out took 40 % off making the requests of 2,000 small
 * downloads in Node). Kept out of the codec, so the page build does not carry it.
 *
 * @example
 * const request = toLiveRequest(stored, { signal }, requestDefaults);
 * request.mode; // stored.mode, or 'cors'
 */
export const requestDefaults: RequestMembers = {
  mode: 'cors',
  credentials: 'same-origin',
  cache: 'default',
  redirect: 'follow',
  referrer: 'about:client',
  referrerPolicy: '',
  integrity: '',
};
