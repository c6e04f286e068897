/**
 * Remote consoles over TCP (wire format: ./remote-protocol.ts). The rig runs a ConsoleServer;
 * `triplex console --connect HOST:PORT` runs a RemoteClient, which is a LineExecutor like a
 * local session, so the REPL and script mode work unchanged.
 *
 * Security: the server listens on loopback unless told otherwise, and listening on any other
 * address requires a token. With a token every connection must answer a fresh 32-byte challenge
 * with HMAC-SHA256(token, AUTH_CONTEXT ‖ challenge), compared in constant time. A bad, oversized
 * or unauthenticated message gets an `error` reply and the connection is closed; nothing a
 * client sends reaches the flight loop except parsed console commands, and a connection's
 * failure never stops the rig.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP, createConnection, createServer, type Server, type Socket } from 'node:net';
import { err, ok, type Result } from '../core/result.js';
import {
  AUTH_CONTEXT, CHALLENGE_BYTES, CLIENT_MESSAGE_BYTES_MAX, decodeClientMessage, decodeServerMessage, encodeMessage, FrameReader, PROTOCOL_VERSION,
  REPLY_TEXT_CHARS_MAX, SERVER_MESSAGE_BYTES_MAX, type ClientMessage, type ErrorCode, type ServerMessage,
} from './remote-protocol.js';
import type { LineExecutor, Reply } from './session.js';

export const CONNECTIONS_MAX = 4;
export const PENDING_COMMANDS_MAX = 16;
export const AUTH_TIMEOUT_MILLIS = 10_000;
export const REPLY_TIMEOUT_MILLIS = 30_000;
export const TOKEN_BYTES_MIN = 16;

export function macFor(token: Uint8Array, challenge: Uint8Array): Uint8Array {
  return createHmac('sha256', token).update(AUTH_CONTEXT).update(challenge).digest();
}

/** Loopback addresses: the only ones a server may listen on without a token. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

export interface ConsoleServerOptions {
  readonly host: string;
  /** 0 picks a free port (see `port()` after listen). */
  readonly port: number;
  /** Shared secret; required unless `host` is loopback. */
  readonly token: Uint8Array | undefined;
  readonly rigName: string;
  /** A fresh executor (console session) per connection. */
  readonly session: () => LineExecutor & { close?(): void };
}

export type ListenError = { readonly code: 'token_required' | 'token_too_short' | 'listen_failed'; readonly message: string };

export class ConsoleServer {
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server, private readonly options: ConsoleServerOptions) {}

  static async listen(options: ConsoleServerOptions): Promise<Result<ConsoleServer, ListenError>> {
    if (options.token === undefined && !isLoopback(options.host)) {
      return err({ code: 'token_required', message: `listening on ${options.host} (not loopback) requires a token (--token-file or TRIPLEX_CONSOLE_TOKEN)` });
    }
    if (options.token !== undefined && options.token.length < TOKEN_BYTES_MIN) {
      return err({ code: 'token_too_short', message: `the console token must be at least ${TOKEN_BYTES_MIN} bytes` });
    }
    const server = createServer();
    const console_ = new ConsoleServer(server, options);
    server.on('connection', (socket) => { console_.accept(socket); });
    const failed = await new Promise<Error | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(options.port, options.host, () => { server.off('error', resolve); resolve(undefined); });
    });
    if (failed !== undefined) return err({ code: 'listen_failed', message: `cannot listen on ${options.host}:${options.port}: ${failed.message}` });
    server.on('error', () => { /* accept errors concern one connection; the rig keeps flying */ });
    return ok(console_);
  }

  port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? address.port : 0;
  }

  connections(): number {
    return this.sockets.size;
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => { this.server.close(() => { resolve(); }); });
  }

  private accept(socket: Socket): void {
    socket.on('error', () => { socket.destroy(); });
    if (this.sockets.size >= CONNECTIONS_MAX) {
      refuse(socket, 'busy', `at most ${CONNECTIONS_MAX} consoles may attach at once`);
      return;
    }
    this.sockets.add(socket);
    socket.on('close', () => { this.sockets.delete(socket); });
    new ServerConnection(socket, this.options).start();
  }
}

function send(socket: Socket, message: ServerMessage): void {
  if (!socket.destroyed && socket.writable) socket.write(encodeMessage(message));
}

function refuse(socket: Socket, code: ErrorCode, message: string): void {
  send(socket, { t: 'error', code, message });
  socket.end();
  socket.destroySoon();
}

/** One client's connection on the server side: authenticate, then run commands one at a time. */
class ServerConnection {
  private readonly reader = new FrameReader(CLIENT_MESSAGE_BYTES_MAX);
  private readonly challenge = randomBytes(CHALLENGE_BYTES);
  private authenticated: boolean;
  private session: (LineExecutor & { close?(): void }) | undefined;
  private pending = 0;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private authTimer: NodeJS.Timeout | undefined;

  constructor(private readonly socket: Socket, private readonly options: ConsoleServerOptions) {
    this.authenticated = options.token === undefined;
  }

  start(): void {
    this.socket.on('data', (chunk: Buffer) => { this.onData(chunk); });
    this.socket.on('close', () => { this.stop(); });
    send(this.socket, { t: 'hello', v: PROTOCOL_VERSION, rig: this.options.rigName.slice(0, 64), auth: !this.authenticated, challenge: this.challenge });
    if (this.authenticated) {
      this.begin();
      return;
    }
    this.authTimer = setTimeout(() => { this.fail('timeout', `not authenticated within ${AUTH_TIMEOUT_MILLIS} ms`); }, AUTH_TIMEOUT_MILLIS);
  }

  private begin(): void {
    this.session = this.options.session();
    send(this.socket, { t: 'ready' });
  }

  private stop(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.authTimer);
    void this.queue.then(() => { this.session?.close?.(); });
  }

  private isClosed(): boolean {
    return this.closed;
  }

  private fail(code: ErrorCode, message: string): void {
    if (this.closed) return;
    this.stop();
    this.socket.pause();
    refuse(this.socket, code, message);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    const frames = this.reader.push(chunk);
    if (!frames.ok) {
      this.fail('oversized', `message of ${frames.error.bytes} bytes exceeds ${frames.error.bytesMax}`);
      return;
    }
    for (const body of frames.value) {
      if (this.isClosed()) return; // an earlier message in this chunk failed the connection
      const decoded = decodeClientMessage(body);
      if (!decoded.ok) {
        this.fail('bad_message', decoded.error.message);
        return;
      }
      this.onMessage(decoded.value);
    }
  }

  private onMessage(message: ClientMessage): void {
    if (message.t === 'auth') {
      this.onAuth(message.mac);
      return;
    }
    if (!this.authenticated || this.session === undefined) {
      this.fail('unauthenticated', 'authenticate before sending commands');
      return;
    }
    if (this.pending >= PENDING_COMMANDS_MAX) {
      this.fail('flooded', `more than ${PENDING_COMMANDS_MAX} commands waiting`);
      return;
    }
    const session = this.session;
    this.pending++;
    this.queue = this.queue.then(async () => {
      const result = await session.execute(message.line);
      this.pending--;
      send(this.socket, { t: 'reply', id: message.id, ok: result.ok, text: result.text.slice(0, REPLY_TEXT_CHARS_MAX), quit: result.quit });
      if (result.quit) this.socket.end();
    });
  }

  private onAuth(mac: Uint8Array): void {
    const token = this.options.token;
    if (this.authenticated || token === undefined) {
      this.fail('bad_message', 'already authenticated');
      return;
    }
    const expected = macFor(token, this.challenge);
    if (!timingSafeEqual(expected, mac)) {
      this.fail('auth_failed', 'authentication failed');
      return;
    }
    clearTimeout(this.authTimer);
    this.authenticated = true;
    this.begin();
  }
}

/** Client side: a LineExecutor that forwards each line to a rig's console server. */
export class RemoteClient implements LineExecutor {
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private nextId = 0;
  private closedWith: string | undefined;

  private constructor(private readonly socket: Socket, readonly rigName: string) {}

  /** Connects, reads the hello, authenticates when the server asks; an error names the problem. */
  static async connect(host: string, port: number, token: Uint8Array | undefined, timeoutMillis = AUTH_TIMEOUT_MILLIS): Promise<Result<RemoteClient, string>> {
    const socket = createConnection({ host, port });
    const messages = new MessageQueue(socket);
    const timer = setTimeout(() => { socket.destroy(new Error(`no answer within ${timeoutMillis} ms`)); }, timeoutMillis);
    try {
      const hello = await messages.next();
      if (!hello.ok) return hello;
      if (hello.value.t !== 'hello' || hello.value.v !== PROTOCOL_VERSION) return err(`${host}:${port} is not a Triplex console (protocol ${PROTOCOL_VERSION})`);
      if (hello.value.auth) {
        if (token === undefined) return err(`${host}:${port} requires a token (--token-file or TRIPLEX_CONSOLE_TOKEN)`);
        socket.write(encodeMessage({ t: 'auth', mac: macFor(token, hello.value.challenge) }));
      }
      const ready = await messages.next();
      if (!ready.ok) return ready;
      if (ready.value.t === 'error') return err(`${host}:${port}: ${ready.value.message}`);
      if (ready.value.t !== 'ready') return err(`${host}:${port}: unexpected '${ready.value.t}' message`);
      const client = new RemoteClient(socket, hello.value.rig);
      messages.handOver((message) => { client.onMessage(message); }, (why) => { client.onClose(why); });
      return ok(client);
    } finally {
      clearTimeout(timer);
    }
  }

  execute(line: string): Promise<Reply> {
    if (this.closedWith !== undefined) return Promise.resolve({ ok: false, text: this.closedWith, quit: true });
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve({ ok: false, text: `no reply within ${REPLY_TIMEOUT_MILLIS} ms`, quit: false });
      }, REPLY_TIMEOUT_MILLIS);
      this.waiting.set(id, (reply) => { clearTimeout(timer); resolve(reply); });
      this.socket.write(encodeMessage({ t: 'cmd', id, line }));
    });
  }

  close(): void {
    this.socket.end();
  }

  private onMessage(message: ServerMessage): void {
    if (message.t === 'reply') {
      const resolve = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      resolve?.({ ok: message.ok, text: message.text, quit: message.quit });
      return;
    }
    if (message.t === 'error') this.onClose(`rig closed the console: ${message.message}`);
  }

  private onClose(why: string): void {
    this.closedWith ??= why;
    for (const resolve of this.waiting.values()) resolve({ ok: false, text: why, quit: true });
    this.waiting.clear();
  }
}

/** Decoded server messages from a socket, awaited one at a time during the handshake. */
class MessageQueue {
  private readonly reader = new FrameReader(SERVER_MESSAGE_BYTES_MAX);
  private readonly ready: Result<ServerMessage, string>[] = [];
  private waiter: ((m: Result<ServerMessage, string>) => void) | undefined;
  private sink: ((m: ServerMessage) => void) | undefined;
  private onEnd: ((why: string) => void) | undefined;
  private ended: string | undefined;

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => { this.onData(chunk, socket); });
    socket.on('error', (error) => { this.end(`connection failed: ${error.message}`); });
    socket.on('close', () => { this.end('the rig closed the connection'); });
  }

  next(): Promise<Result<ServerMessage, string>> {
    const first = this.ready.shift();
    if (first !== undefined) return Promise.resolve(first);
    if (this.ended !== undefined) return Promise.resolve(err(this.ended));
    return new Promise((resolve) => { this.waiter = resolve; });
  }

  handOver(sink: (m: ServerMessage) => void, onEnd: (why: string) => void): void {
    this.sink = sink;
    this.onEnd = onEnd;
    for (const message of this.ready.splice(0)) if (message.ok) sink(message.value);
    if (this.ended !== undefined) onEnd(this.ended);
  }

  private deliver(message: Result<ServerMessage, string>): void {
    if (this.sink !== undefined && message.ok) {
      this.sink(message.value);
      return;
    }
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter !== undefined) waiter(message);
    else if (this.ready.length < 8) this.ready.push(message);
  }

  private onData(chunk: Buffer, socket: Socket): void {
    const frames = this.reader.push(chunk);
    if (!frames.ok) {
      socket.destroy();
      this.end(`reply of ${frames.error.bytes} bytes exceeds ${frames.error.bytesMax}`);
      return;
    }
    for (const body of frames.value) {
      const decoded = decodeServerMessage(body);
      if (!decoded.ok) {
        socket.destroy();
        this.end(`bad message from the rig: ${decoded.error.message}`);
        return;
      }
      this.deliver(ok(decoded.value));
    }
  }

  private end(why: string): void {
    if (this.ended !== undefined) return;
    this.ended = why;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.(err(why));
    this.onEnd?.(why);
  }
}
