import { RecordStop } from '../../operators/recordStop';
import { serverAnswers } from '../../operators/serverAnswers';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { until } from '../helpers/until';

describe('RecordStop', () => {
  it('aborts once: the first reason stays and `abort` is dispatched once', () => {
    const stop = new RecordStop();
    const heard: unknown[] = [];
    stop.addEventListener('abort', () => heard.push(stop.reason));
    expect([stop.aborted, stop.reason]).toEqual([false, undefined]);
    stop.abort('first');
    stop.abort('second');
    expect([stop.aborted, stop.reason]).toEqual([true, 'first']);
    expect(heard).toEqual(['first']);
  });
});

describe('serverAnswers, followed by a RecordStop', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('is true when the server answers a HEAD', async () => {
    expect(await serverAnswers(`${server.url}/bytes?size=10`, 'cors', new RecordStop())).toBe(true);
    expect(server.requests.map((request) => request.method)).toEqual(['HEAD']);
  });

  it('is false without a request when the stop has already aborted', async () => {
    const stop = new RecordStop();
    stop.abort(new Error('stopped'));
    expect(await serverAnswers(`${server.url}/bytes?size=10`, 'cors', stop)).toBe(false);
    expect(server.requests).toEqual([]);
  });

  it('is false once the stop aborts mid-probe, and the probe leaves the server', async () => {
    const stop = new RecordStop();
    const answer = serverAnswers(`${server.url}/stall-headers?delay=600000`, 'cors', stop);
    await until(() => server.requests.length === 1, 'the probe to reach the server');
    stop.abort(new Error('stopped'));
    expect(await answer).toBe(false);
    // The server's ten-minute wait ends early only when the client goes away.
    await until(() => server.inFlight === 0, 'the probe to leave the server');
  });
});
