// What the demo tells its user, in the user's words. The library's own messages name ids,
// scopes and API calls: they go to the console for developers (see tellDevelopers), never on screen.

const failures = {
  aborted: 'Download aborted',
  'bad-status': 'The server could not provide this episode. Try again later.',
  // The library waits through network outages; this reason means the network stayed away too long.
  'fetch-error': 'The network was gone for too long, so the download stopped. Try again once you are back online.',
  'quota-exceeded': 'There is not enough storage space on this device for this episode.',
  'download-total-exceeded': 'The episode turned out larger than the server said, so the download stopped.',
};

/** Why a download ended without an offline copy, from its `failureReason`. */
export function failureMessage(reason) {
  return failures[reason] ?? 'The download failed. Try again.';
}

/** Why a download could not start, from what `backgroundFetch.fetch()` rejected with. */
export function startFailureMessage(error) {
  if (error?.name === 'QuotaExceededError') return failures['quota-exceeded'];
  return 'The download could not start. Reload the page and try again.';
}

export const notStoredMessage = 'The episode downloaded, but it could not be saved for offline use. Try again.';
export const goneMessage = 'The offline copy is gone. Download the episode again.';

/** Keeps the technical detail of something the screen words plainly, for whoever opens the console. */
export function tellDevelopers(what, error) {
  console.warn(`Offline episodes: ${what}:`, error);
}
