// The Notifications line of the engine panel. It shows whether notifications really appear,
// not only whether permission was granted: a browser can grant permission and still fail to
// show one (headless Firefox, notifications switched off in the system).
import { tellDevelopers } from './messages.js';

const $ = (selector) => document.querySelector(selector);
const checkTag = 'rx-background-fetch-demo:check';
// The outcome of this tab's last check, so that a reload does not flash a notification again.
const checkKey = 'rx-background-fetch-demo:notifications';

/** [what the panel says, the note under it, the button's label or '' for none]. */
const states = {
  unsupported: ['Not supported', 'This browser cannot show notifications.', ''],
  off: ['Off', 'Allow notifications to follow downloads when this tab is closed.', 'Allow'],
  asking: ['Asking…', 'Answer the browser’s question about notifications.', ''],
  'ask-failed': ['Off', 'The browser did not ask about notifications. Try again, or allow them in the browser’s settings for this site.', 'Allow'],
  denied: ['Blocked', 'Notifications are blocked for this site. You can allow them in the browser’s settings for this site.', ''],
  checking: ['Checking…', '', ''],
  on: ['On', '', ''],
  failing: ['Not working', 'Notifications are allowed, but the browser could not show one. Check that notifications are turned on for this browser in your system settings.', 'Try again'],
};

function render(state) {
  const [text, note, action] = states[state];
  $('.engine').dataset.notifications = state;
  $('#notify-state').textContent = text;
  $('#notify-note').textContent = note;
  $('#notify-note').hidden = note === '';
  $('#notify').textContent = action;
  $('#notify').hidden = action === '';
}

/** Shows a notification (closed at once unless `announce`); resolves 'on' or 'failing'. */
async function check(registration, announce) {
  try {
    await registration.showNotification(announce ? 'Notifications are on' : 'Checking notifications', {
      tag: checkTag,
      silent: true,
      body: announce ? 'Downloads will show their progress here.' : '',
    });
    if (!announce) for (const notification of await registration.getNotifications({ tag: checkTag })) notification.close();
    return 'on';
  } catch (error) {
    tellDevelopers('showNotification() failed', error);
    return 'failing';
  }
}

async function checked(registration, announce) {
  render('checking');
  const state = await check(registration, announce);
  sessionStorage.setItem(checkKey, state);
  render(state);
}

async function ask(registration) {
  render('asking');
  let answer;
  try {
    answer = await Notification.requestPermission();
  } catch (error) {
    tellDevelopers('Notification.requestPermission() failed', error);
    return render('ask-failed');
  }
  // Some browsers (WebKitGTK) answer "denied" while Notification.permission stays "default": trust the answer.
  if (answer === 'granted') await checked(registration, true);
  else render(answer === 'denied' ? 'denied' : 'off');
}

/** Fills the Notifications line for the service worker `registration` and wires its button. */
export function showNotifications(registration) {
  if (typeof Notification === 'undefined' || typeof registration.showNotification !== 'function') return render('unsupported');
  // Asking needs a click: browsers ignore permission prompts that no user gesture started.
  $('#notify').addEventListener('click', () => (Notification.permission === 'granted' ? checked(registration, true) : ask(registration)));
  if (Notification.permission === 'denied') return render('denied');
  if (Notification.permission !== 'granted') return render('off');
  const known = sessionStorage.getItem(checkKey);
  if (known === 'on' || known === 'failing') return render(known);
  return checked(registration, false);
}
