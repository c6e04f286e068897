/**
 * The board side of a state transfer, seen from the host (src/hil/board-bridge.ts
 * `installState`): the voted image goes over by POKE, then VERIFY carries the voted CRC and the
 * board answers with its own CRC-32/ISCSI over what it installed and its verdict. A scripted
 * board on a fake port holds a 296-byte memory; one of its cells can be stuck, so what it
 * installed is not what it was sent.
 */
import { describe, expect, it } from 'vitest';
import { SerialLineBus } from '../../src/bus/serial-line-bus.js';
import { voteStateImages, type VotedState } from '../../src/core/channel/state-vote.js';
import { getCrc } from '../../src/core/integrity/crc-catalogue.js';
import { MEMORY_IMAGE_CRC } from '../../src/core/memory/memory-image.js';
import { decodeLine, encodeRecordLine, SERIAL_LINK_ID_DEFAULT, SerialType } from '../../src/core/frame/serial-line.js';
import { RIG_OPCODE } from '../../src/core/frame/rig-command.js';
import { ok } from '../../src/core/result.js';
import { SimClock } from '../../src/core/sim/clock.js';
import { installState } from '../../src/hil/board-bridge.js';
import { BoardSession } from '../../src/hil/board-session.js';
import { ScriptedBoardPort } from './board-support.js';

const LINK = SERIAL_LINK_ID_DEFAULT;
const MEMORY_BYTES = 296;

/** A scripted board: POKE mem writes its memory (byte `stuckAt` ignores writes), VERIFY answers its CRC and verdict (unless it predates VERIFY). */
class MemoryBoardPort extends ScriptedBoardPort {
  readonly memory = new Uint8Array(MEMORY_BYTES);
  readonly requests: { opcode: number; args: Uint8Array }[] = [];
  stuckAt = -1;
  knowsVerify = true;
  private counter = 0;

  private answer(opcode: number, tag: number, status: number, payload: readonly number[]): void {
    this.stream.write(Buffer.from(encodeRecordLine(SerialType.answer, Uint8Array.from([opcode, tag, status, ...payload]), this.counter++, LINK)));
  }

  protected onLine(text: string): void {
    const decoded = decodeLine(Buffer.from(text, 'latin1'), LINK);
    if (!decoded.ok || decoded.value.kind !== 'request') return;
    const { opcode, tag, args } = decoded.value;
    this.requests.push({ opcode, args: args.slice() });
    if (opcode === RIG_OPCODE.poke && args[0] === 0) {
      const address = ((args[1] ?? 0) << 8) | (args[2] ?? 0);
      args.subarray(3).forEach((b, i) => { if (address + i !== this.stuckAt) this.memory[address + i] = b; });
      this.answer(opcode, tag, 0, []);
    } else if (opcode === RIG_OPCODE.verify && this.knowsVerify) {
      const crc = getCrc(MEMORY_IMAGE_CRC).compute(this.memory);
      const expected = new DataView(args.buffer, args.byteOffset, args.byteLength).getUint32(0);
      this.answer(opcode, tag, 0, [crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff, crc === expected ? 1 : 0]);
    } else {
      this.answer(opcode, tag, 1, []); // unknown_opcode
    }
  }
}

async function connect(): Promise<{ port: MemoryBoardPort; session: BoardSession }> {
  const clock = new SimClock();
  const port = new MemoryBoardPort();
  const session = await BoardSession.connect({
    path: '/dev/fake', baud: 115_200, clock, replyTimeoutMicros: 50_000, commandTimeoutMicros: 50_000, reconnectEveryMicros: 500_000,
    open: () => Promise.resolve(ok(new SerialLineBus(port, { clock }))),
  });
  if (!session.ok) throw new Error(session.error);
  return { port, session: session.value };
}

function votedState(): VotedState {
  const image = Uint8Array.from({ length: MEMORY_BYTES }, (_, i) => (i * 29 + 3) & 0xff);
  const latent = image.slice();
  latent[20] = (latent[20] ?? 0) ^ 0x40;
  const v = voteStateImages([latent, image, image]);
  if (!v.ok) throw new Error('vote refused');
  return v.value;
}

describe('installState: POKE the voted image, then the board verifies what it installed', () => {
  it('sends the image in three POKEs and VERIFY with the voted CRC; the board accepts', async () => {
    const { port, session } = await connect();
    const state = votedState();
    expect(await installState(session, state)).toEqual({ ok: true, value: undefined });
    expect(port.memory).toEqual(state.image);
    expect(port.requests.map((r) => r.opcode)).toEqual([RIG_OPCODE.poke, RIG_OPCODE.poke, RIG_OPCODE.poke, RIG_OPCODE.verify]);
    const verify = port.requests[3]?.args ?? new Uint8Array(0);
    expect(new DataView(verify.buffer, verify.byteOffset, verify.byteLength).getUint32(0)).toBe(state.crc);
    expect(state.crc).toBe(getCrc(MEMORY_IMAGE_CRC).compute(state.image)); // the voted image's CRC, not any one source's
    await session.close();
  });

  it('a board whose memory does not hold what it was sent rejects the transfer (its CRC over what it installed differs)', async () => {
    const { port, session } = await connect();
    port.stuckAt = 200;
    const state = votedState();
    const result = await installState(session, state);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^verify: the board holds CRC 0x[0-9a-f]{8}, the voted state 0x[0-9a-f]{8}$/);
    await session.close();
  });

  it('a board that does not know VERIFY (older firmware) fails the transfer rather than passing it unchecked', async () => {
    const { port, session } = await connect();
    port.knowsVerify = false;
    expect(await installState(session, votedState())).toEqual({ ok: false, error: 'verify: the board answered unknown_opcode' });
    await session.close();
  });
});
