import { createHash } from 'node:crypto';
import { BackgroundFetchManager, createMemoryStore } from '../../src';
import type { BackgroundFetchEvent } from '../../src';
import { startDemoServer, type DemoServer } from './demoServer';

// The demo server as a media host: the episode list, deterministic WAV files, Range with
// ETag and If-Range, the throttle, and a library download that resumes against it.

const sizes = [1, 0.5];
const rate = 2; // MB/s per connection: 1 MB takes half a second
let demo: DemoServer;

interface Episode {
  id: string;
  title: string;
  url: string;
  size: number;
  seconds: number;
}

beforeAll(async () => {
  demo = await startDemoServer({ DEMO_SIZES: sizes.join(','), DEMO_RATE: String(rate), DEMO_LOG: '1' });
}, 20_000);

afterAll(() => demo?.stop());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${demo.url}${path}`, { headers });
const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer());
const sha256 = (buffer: Buffer) => createHash('sha256').update(buffer).digest('hex');

test('lists the episodes of DEMO_SIZES', async () => {
  const episodes = (await (await get('/api/episodes')).json()) as Episode[];
  expect(episodes.map(({ id, url, size }) => ({ id, url, size }))).toEqual([
    { id: 'episode-1', url: '/media/episode-1.wav', size: 1_000_000 },
    { id: 'episode-2', url: '/media/episode-2.wav', size: 500_000 },
  ]);
  expect(episodes[0].seconds).toBe(Math.floor((1_000_000 - 44) / 44_100));
  expect(episodes[0].title).toMatch(/^Episode 1 · /);
});

test('serves a valid 16-bit mono WAV, the same bytes every time, throttled', async () => {
  const started = Date.now();
  const response = await get('/media/episode-1.wav');
  const body = await bytes(response);
  const elapsed = Date.now() - started;
  expect(response.status).toBe(200);
  expect(Object.fromEntries(['content-type', 'content-length', 'accept-ranges', 'etag'].map((name) => [name, response.headers.get(name)]))).toEqual({
    'content-type': 'audio/wav',
    'content-length': '1000000',
    'accept-ranges': 'bytes',
    etag: '"episode-1-1000000-220"',
  });
  expect(body.toString('ascii', 0, 4)).toBe('RIFF');
  expect(body.readUInt32LE(4)).toBe(1_000_000 - 8);
  expect(body.toString('ascii', 8, 16)).toBe('WAVEfmt ');
  expect([body.readUInt16LE(20), body.readUInt16LE(22), body.readUInt32LE(24), body.readUInt16LE(34)]).toEqual([1, 1, 22_050, 16]);
  expect(body.toString('ascii', 36, 40)).toBe('data');
  expect(body.readUInt32LE(40)).toBe(1_000_000 - 44);
  expect(body.subarray(44).some((byte) => byte !== 0)).toBe(true);
  expect(sha256(await bytes(await get('/media/episode-1.wav')))).toBe(sha256(body));
  expect(elapsed).toBeGreaterThanOrEqual(400);
  expect(elapsed).toBeLessThan(3_000);
});

test('answers Range with 206 and Content-Range, honours If-Range, and refuses ranges past the end', async () => {
  const whole = await bytes(await get('/media/episode-2.wav'));
  const etag = '"episode-2-500000-247"';

  const middle = await get('/media/episode-2.wav', { Range: 'bytes=1000-1999', 'If-Range': etag });
  expect(middle.status).toBe(206);
  expect(middle.headers.get('content-range')).toBe('bytes 1000-1999/500000');
  expect((await bytes(middle)).equals(whole.subarray(1000, 2000))).toBe(true);

  const open = await get('/media/episode-2.wav', { Range: 'bytes=499990-' });
  expect([open.status, open.headers.get('content-range')]).toEqual([206, 'bytes 499990-499999/500000']);
  expect((await bytes(open)).equals(whole.subarray(499_990))).toBe(true);

  const suffix = await get('/media/episode-2.wav', { Range: 'bytes=-10' });
  expect((await bytes(suffix)).equals(whole.subarray(-10))).toBe(true);

  const changed = await get('/media/episode-2.wav', { Range: 'bytes=1000-1999', 'If-Range': '"episode-2-old"' });
  expect(changed.status).toBe(200);
  expect((await bytes(changed)).length).toBe(500_000);

  const past = await get('/media/episode-2.wav', { Range: 'bytes=500000-' });
  expect([past.status, past.headers.get('content-range')]).toEqual([416, 'bytes */500000']);
  await past.arrayBuffer();
});

test('a download closed halfway resumes with Range and If-Range in a new manager', async () => {
  const store = createMemoryStore();
  const options = { store, scope: 'demo-resume', baseURL: `${demo.url}/`, progressInterval: 0 };
  const first = new BackgroundFetchManager(options);
  const started = await first.fetch('episode-1', ['/media/episode-1.wav'], { downloadTotal: 1_000_000 });
  await new Promise<void>((resolve) => started.addEventListener('progress', () => started.downloaded > 200_000 && resolve()));
  await first.close();
  const kept = started.downloaded;
  expect(kept).toBeLessThan(1_000_000);

  const second = new BackgroundFetchManager(options);
  const success = new Promise<Buffer>((resolve) =>
    second.addEventListener('backgroundfetchsuccess', (event) => {
      const { registration } = event as BackgroundFetchEvent;
      (event as BackgroundFetchEvent).waitUntil(
        registration.match('/media/episode-1.wav').then(async (record) => resolve(await bytes(await record!.responseReady))),
      );
    }),
  );
  expect(await second.getIds()).toEqual(['episode-1']);
  const body = await success;
  expect(sha256(body)).toBe(sha256(await bytes(await get('/media/episode-1.wav'))));

  const resumed = demo.output.filter((line) => line.startsWith('GET /media/episode-1.wav range=bytes='));
  expect(resumed).toHaveLength(1);
  expect(resumed[0]).toMatch(/^GET \/media\/episode-1\.wav range=bytes=(\d+)- if-range="episode-1-1000000-220"$/);
  expect(Number(/bytes=(\d+)-/.exec(resumed[0])![1])).toBeGreaterThanOrEqual(kept);
  await second.close();
}, 20_000);
