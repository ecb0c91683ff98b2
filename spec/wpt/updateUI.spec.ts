/**
 * WPT `background-fetch/update-ui.https.window.js` (UI-01..UI-03, worker `sw-update-ui.js`):
 * `updateUI()` resolves once per event while it is active, and rejects `InvalidStateError` on a
 * second call, after the event is over, and on an event made by script.
 */
import { BackgroundFetchEvent, BackgroundFetchUpdateUIEvent, type BackgroundFetchManager } from '../../src';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { FN, expectOverAndIdFree, managerFactory, nextTask } from './wptHarness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
const managers = managerFactory(() => ({ baseURL: server.url }));

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'update success',
    (error: DOMException) => error.name,
  );

/** Runs `handler` in the next `backgroundfetchsuccess` of `manager`; resolves with what it reports. */
function onSuccess(manager: BackgroundFetchManager, handler: (event: BackgroundFetchUpdateUIEvent, report: (value: unknown) => void) => void): Promise<unknown> {
  return new Promise((resolve) => {
    manager.addEventListener('backgroundfetchsuccess', (event) => handler(event as BackgroundFetchUpdateUIEvent, resolve), { once: true });
  });
}

test('UI-01 Background Fetch updateUI resolves', async () => {
  const manager = managers.create();
  const update = onSuccess(manager, (event, report) => event.waitUntil(outcome(event.updateUI({ title: 'Title1' })).then(report)));
  const registration = await manager.fetch('update-once', FN);
  expect(registration.id).toBe('update-once');
  expect(await update).toBe('update success');
  await expectOverAndIdFree(manager, registration);
});

test('UI-02 Background Fetch updateUI called twice fails', async () => {
  const manager = managers.create();
  const update = onSuccess(manager, (event, report) => {
    const first = event.updateUI({ title: 'Title1' });
    const second = event.updateUI({ title: 'Title2' });
    event.waitUntil(Promise.all([outcome(first), outcome(second), outcome(Promise.all([first, second]))]).then(report));
  });
  const registration = await manager.fetch('update-twice', FN);
  expect(await update).toEqual(['update success', 'InvalidStateError', 'InvalidStateError']);
  await expectOverAndIdFree(manager, registration);
});

test('UI-03 Background Fetch updateUI fails when event is not active', async () => {
  const manager = managers.create();
  const update = onSuccess(manager, (event, report) => {
    // No waitUntil(): once dispatch returns the event is over.
    setTimeout(() => void outcome(event.updateUI({ title: 'New title' })).then(report), 0);
  });
  const registration = await manager.fetch('update-inactive', FN);
  expect(await update).toBe('InvalidStateError');
  await expectOverAndIdFree(manager, registration);
});

test('UI-03 (converse) updateUI later inside a pending waitUntil() chain still resolves', async () => {
  const manager = managers.create();
  const update = onSuccess(manager, (event, report) => {
    event.waitUntil(
      new Promise((resolve) => setTimeout(resolve, 20))
        .then(() => outcome(event.updateUI({ title: 'Late but active' })))
        .then(report),
    );
  });
  const registration = await manager.fetch('update-late', FN);
  expect(await update).toBe('update success');
  await expectOverAndIdFree(manager, registration);
});

test("UI-01..03 (extra) a script-constructed event's updateUI rejects InvalidStateError (and so does its waitUntil)", async () => {
  const manager = managers.create();
  const registration = await manager.fetch('update-untrusted', FN);
  const event = new BackgroundFetchUpdateUIEvent('backgroundfetchsuccess', { registration });
  expect(event.registration).toBe(registration);
  await expect(event.updateUI({ title: 'x' })).rejects.toMatchObject({ name: 'InvalidStateError' });
  // Even while script dispatches it.
  const target = new EventTarget();
  let during: Promise<void> | undefined;
  let waitUntilError: unknown;
  target.addEventListener('backgroundfetchsuccess', () => {
    during = event.updateUI();
    try {
      event.waitUntil(Promise.resolve());
    } catch (error) {
      waitUntilError = error;
    }
  });
  const fresh = new BackgroundFetchUpdateUIEvent('backgroundfetchsuccess', { registration });
  target.dispatchEvent(event);
  expect(during).toBeInstanceOf(Promise);
  await expect(during).rejects.toMatchObject({ name: 'InvalidStateError' });
  expect(waitUntilError).toMatchObject({ name: 'InvalidStateError' });
  await expect(fresh.updateUI()).rejects.toMatchObject({ name: 'InvalidStateError' });
  await nextTask();
  await expectOverAndIdFree(manager, registration);
});

test('UI-01..03 (extra) the abort event is a BackgroundFetchEvent without updateUI()', async () => {
  const manager = managers.create();
  const seen = new Promise<Event>((resolve) => manager.addEventListener('backgroundfetchabort', resolve, { once: true }));
  const registration = await manager.fetch('update-abort', [FN, '/slow?delay=30000']);
  expect(await registration.abort()).toBe(true);
  const event = await seen;
  expect(event).toBeInstanceOf(BackgroundFetchEvent);
  expect('updateUI' in event).toBe(false);
  await expectOverAndIdFree(manager, registration);
});
