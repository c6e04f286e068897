import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsoleServer, RemoteClient, macFor } from '../../src/console/remote.js';
import { decodeServerMessage, encodeMessage, FrameReader, SERVER_MESSAGE_BYTES_MAX, type ServerMessage } from '../../src/console/remote-protocol.js';
import { ConsoleSession } from '../../src/console/session.js';
import { FakeRig } from './support.js';

const TOKEN = new TextEncoder().encode('correct horse battery staple');
const servers: ConsoleServer[] = [];
afterEach(async () => { for (const s of servers.splice(0)) await s.close(); });

async function serve(rig: FakeRig, token: Uint8Array | undefined, host = '127.0.0.1'): Promise<ConsoleServer> {
  const listened = await ConsoleServer.listen({ host, port: 0, token, rigName: 'fake', session: () => new ConsoleSession(rig) });
  if (!listened.ok) throw new Error(listened.error.message);
  servers.push(listened.value);
  return listened.value;
}

/** A raw connection: collects decoded server messages and reports when the server closes it. */
function raw(port: number): { socket: Socket; messages: ServerMessage[]; closed: Promise<void> } {
  const socket = connect({ host: '127.0.0.1', port });
  const reader = new FrameReader(SERVER_MESSAGE_BYTES_MAX);
  const messages: ServerMessage[] = [];
  socket.on('data', (chunk: Buffer) => {
    const frames = reader.push(chunk);
    if (!frames.ok) throw new Error('oversized server message');
    for (const f of frames.value) {
      const m = decodeServerMessage(f);
      if (!m.ok) throw new Error(m.error.message);
      messages.push(m.value);
    }
  });
  const closed = new Promise<void>((resolve) => { socket.on('close', () => { resolve(); }); });
  socket.on('error', () => undefined);
  return { socket, messages, closed };
}

async function client(port: number, token?: Uint8Array): Promise<RemoteClient> {
  const c = await RemoteClient.connect('127.0.0.1', port, token);
  if (!c.ok) throw new Error(c.error);
  return c.value;
}

describe('remote console', () => {
  it('runs commands on a loopback rig without a token', async () => {
    const rig = new FakeRig();
    const server = await serve(rig, undefined);
    const c = await client(server.port());
    expect(c.rigName).toBe('fake');
    expect(await c.execute('step 5')).toEqual({ ok: true, text: 'did step', quit: false });
    expect((await c.execute('status')).text).toMatch(/^rig fake {2}cycle 5/);
    expect((await c.execute('stauts')).text).toContain("did you mean 'status'?");
    expect(await c.execute('quit')).toEqual({ ok: true, text: 'bye', quit: true });
    c.close();
  });

  it('refuses to listen beyond loopback without a token', async () => {
    const r = await ConsoleServer.listen({ host: '0.0.0.0', port: 0, token: undefined, rigName: 'x', session: () => new ConsoleSession(new FakeRig()) });
    expect(r.ok ? 'listening' : r.error.code).toBe('token_required');
    const short = await ConsoleServer.listen({ host: '127.0.0.1', port: 0, token: new Uint8Array(4), rigName: 'x', session: () => new ConsoleSession(new FakeRig()) });
    expect(short.ok ? 'listening' : short.error.code).toBe('token_too_short');
  });

  it('authenticates with the token by challenge and response, and rejects a wrong one', async () => {
    const rig = new FakeRig();
    const server = await serve(rig, TOKEN);
    const good = await client(server.port(), TOKEN);
    expect((await good.execute('step 1')).ok).toBe(true);
    const none = await RemoteClient.connect('127.0.0.1', server.port(), undefined);
    expect(none).toEqual({ ok: false, error: `127.0.0.1:${server.port()} requires a token (--token-file or TRIPLEX_CONSOLE_TOKEN)` });
    const wrong = await RemoteClient.connect('127.0.0.1', server.port(), new TextEncoder().encode('incorrect horse battery staple'));
    expect(wrong).toEqual({ ok: false, error: `127.0.0.1:${server.port()}: authentication failed` });
    expect(rig.actions).toHaveLength(1);
    good.close();
  });

  it('answers bad, oversized and unauthenticated messages with an error and closes; the rig keeps running', async () => {
    const rig = new FakeRig();
    const server = await serve(rig, TOKEN);
    const port = server.port();

    const unauth = raw(port);
    unauth.socket.write(encodeMessage({ t: 'cmd', id: 1, line: 'kill A' }));
    await unauth.closed;
    expect(unauth.messages.map((m) => m.t)).toEqual(['hello', 'error']);
    expect(unauth.messages[1]).toMatchObject({ code: 'unauthenticated' });

    const oversized = raw(port);
    oversized.socket.write(new Uint8Array([0x7f, 0xff, 0xff, 0xff]));
    await oversized.closed;
    expect(oversized.messages[1]).toMatchObject({ t: 'error', code: 'oversized', message: 'message of 2147483647 bytes exceeds 4096' });

    const garbage = raw(port);
    garbage.socket.write(new Uint8Array([0, 0, 0, 3, 0xff, 0xff, 0xff]));
    await garbage.closed;
    expect(garbage.messages[1]).toMatchObject({ t: 'error', code: 'bad_message' });

    const shape = raw(port);
    const body = new TextEncoder().encode('hi');
    shape.socket.write(new Uint8Array([0, 0, 0, body.length, ...body]));
    await shape.closed;
    expect(shape.messages[1]).toMatchObject({ t: 'error', code: 'bad_message' });

    // A correct MAC sent after a bad message is too late: the connection is gone.
    const late = raw(port);
    for (let i = 0; i < 200 && late.messages.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    const hello = late.messages[0];
    if (hello?.t !== 'hello') throw new Error('no hello');
    late.socket.write(encodeMessage({ t: 'cmd', id: 0, line: 'status' }));
    late.socket.write(encodeMessage({ t: 'auth', mac: macFor(TOKEN, hello.challenge) }));
    await late.closed;
    expect(late.messages.map((m) => m.t)).toEqual(['hello', 'error']);

    expect(rig.actions).toEqual([]);
    const good = await client(port, TOKEN);
    expect(await good.execute('step 2')).toEqual({ ok: true, text: 'did step', quit: false });
    expect(rig.cycle).toBe(2);
    good.close();
  });
});
