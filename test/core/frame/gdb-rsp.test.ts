import { describe, expect, it } from 'vitest';
import { parseErrorReply, parseStopReply, parseSupported, parseTargetXml, registerTable } from '../../../src/core/frame/gdb-reply.js';
import { asciiBytes, bytesText, decodeRegisterHex, decodeRspBody, encodeRegisterHex, encodeRspPacket, rspChecksum, RspDecoder } from '../../../src/core/frame/gdb-rsp.js';

const text = (bytes: Uint8Array): string => bytesText(bytes);

describe('GDB RSP framing', () => {
  it('frames a packet with its mod-256 checksum ("OK" sums to 0x9a)', () => {
    expect(rspChecksum(asciiBytes('OK'))).toBe(0x9a);
    expect(text(encodeRspPacket(asciiBytes('OK')))).toBe('$OK#9a');
    expect(text(encodeRspPacket(new Uint8Array()))).toBe('$#00');
  });

  it('escapes $ # } * as } and the byte XOR 0x20, and decodes them back', () => {
    const payload = Uint8Array.of(0x24, 0x23, 0x7d, 0x2a, 0x41);
    const packet = encodeRspPacket(payload);
    expect(text(packet.subarray(1, -3))).toBe('}\x04}\x03}]}\nA');
    expect(new RspDecoder().push(packet)).toEqual([{ kind: 'packet', payload }]);
  });

  it('expands run-length encoding: "0* " is four zeros, and encodes long runs', () => {
    expect(decodeRspBody(asciiBytes('0* '))).toEqual({ ok: true, value: asciiBytes('0000') });
    expect(decodeRspBody(asciiBytes('x*~'))).toEqual({ ok: true, value: asciiBytes('x'.repeat(98)) });
    const long = asciiBytes('0'.repeat(200));
    const encoded = encodeRspPacket(long, true);
    expect(encoded.length).toBeLessThan(20);
    expect(new RspDecoder().push(encoded)).toEqual([{ kind: 'packet', payload: long }]);
  });

  it('reports a bad checksum, a run with nothing before it and a dangling escape as typed errors', () => {
    expect(new RspDecoder().push(asciiBytes('$OK#00'))).toEqual([{ kind: 'bad_packet', error: { code: 'checksum_mismatch', expected: 0, actual: 0x9a } }]);
    expect(new RspDecoder().push(asciiBytes('$OK#zz'))[0]).toMatchObject({ kind: 'bad_packet', error: { code: 'bad_checksum_digits' } });
    expect(decodeRspBody(asciiBytes('* '))).toMatchObject({ ok: false, error: { code: 'bad_run_length', offset: 0 } });
    expect(decodeRspBody(asciiBytes('a}'))).toMatchObject({ ok: false, error: { code: 'bad_escape' } });
  });

  it('reads acks, nacks and the interrupt byte between packets; noise is counted and dropped', () => {
    const decoder = new RspDecoder();
    expect(decoder.push(Uint8Array.of(0x2b, 0x2d, 0x03, 0x0a, 0x0d))).toEqual([{ kind: 'ack' }, { kind: 'nack' }, { kind: 'interrupt' }]);
    expect(decoder.statistics().droppedBytes).toBe(2);
    expect(decoder.push(asciiBytes('$trunc$OK#9a'))).toEqual([{ kind: 'packet', payload: asciiBytes('OK') }]);
    expect(decoder.statistics().cutPackets).toBe(1);
  });

  it('drops a packet longer than its buffer and then reads the next one', () => {
    const decoder = new RspDecoder();
    const events = decoder.push(new Uint8Array([0x24, ...new Uint8Array(20_000).fill(0x41), ...asciiBytes('#00$OK#9a')]));
    expect(events).toEqual([{ kind: 'bad_packet', error: { code: 'frame_too_long', lengthBytesMax: 0x4000 } }, { kind: 'packet', payload: asciiBytes('OK') }]);
  });

  it('register values are little-endian hex; xx is unavailable', () => {
    expect(encodeRegisterHex(0x08000014n, 4)).toBe('14000008');
    expect(decodeRegisterHex('14000008', 4)).toEqual({ ok: true, value: 0x08000014n });
    expect(decodeRegisterHex('xxxxxxxx', 4)).toEqual({ ok: false, error: { code: 'unavailable' } });
    expect(decodeRegisterHex('1400', 4)).toEqual({ ok: false, error: { code: 'wrong_size', expectedBytes: 4, actualBytes: 2 } });
  });
});

describe('GDB RSP replies', () => {
  it('parses stop replies S, T (with registers and thread), W, X and O', () => {
    expect(parseStopReply('S05')).toEqual({ ok: true, value: { kind: 'signal', signal: 5, registers: new Map() } });
    expect(parseStopReply('T02thread:p01.01;0f:14000008;')).toEqual({ ok: true, value: { kind: 'signal', signal: 2, registers: new Map([[15, '14000008']]), thread: 'p01.01' } });
    expect(parseStopReply('W00')).toEqual({ ok: true, value: { kind: 'exited', status: 0 } });
    expect(parseStopReply('X09')).toEqual({ ok: true, value: { kind: 'killed', signal: 9 } });
    expect(parseStopReply('O6869')).toEqual({ ok: true, value: { kind: 'output', text: 'hi' } });
    expect(parseStopReply('OK').ok).toBe(false);
  });

  it('parses E replies and qSupported', () => {
    expect(parseErrorReply('E14')).toBe(0x14);
    expect(parseErrorReply('OK')).toBeUndefined();
    const s = parseSupported('PacketSize=1000;qXfer:features:read+;vContSupported+;QStartNoAckMode-');
    expect(s.ok && s.value.packetBytes).toBe(0x1000);
    expect(s.ok && s.value.features.get('qXfer:features:read')).toBe(true);
    expect(s.ok && s.value.features.get('QStartNoAckMode')).toBe(false);
  });

  it('numbers registers as GDB does and makes s0–s31 from the halves of d0–d15 (QEMU Cortex-M4 layout)', () => {
    const target = parseTargetXml('<target><xi:include href="arm-m-profile.xml"/><xi:include href="arm-vfp.xml"/></target>');
    expect(target.ok && target.value.includes).toEqual(['arm-m-profile.xml', 'arm-vfp.xml']);
    const core = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11', 'r12', 'sp', 'lr', 'pc'].map((n) => `<reg name="${n}" bitsize="32"/>`).join('');
    const mProfile = parseTargetXml(`<feature><!-- <reg name="ghost" bitsize="32"/> -->${core}<reg name="xpsr" bitsize="32" regnum="25"/></feature>`);
    const vfp = parseTargetXml(`<feature>${Array.from({ length: 16 }, (_, i) => `<reg name="d${i}" bitsize="64" type="float"/>`).join('')}<reg name="fpscr" bitsize="32"/></feature>`);
    expect(mProfile.ok && vfp.ok).toBe(true);
    if (!mProfile.ok || !vfp.ok) return;
    const table = registerTable([...mProfile.value.registers, ...vfp.value.registers]);
    expect(table.ok).toBe(true);
    if (!table.ok) return;
    expect(table.value.has('ghost')).toBe(false);
    expect(table.value.get('pc')?.regnum).toBe(15);
    expect(table.value.get('xpsr')?.regnum).toBe(25);
    expect(table.value.get('d0')?.regnum).toBe(26);
    expect(table.value.get('fpscr')?.regnum).toBe(42);
    expect(table.value.get('s3')).toEqual({ name: 's3', regnum: 27, bytes: 4, offsetBytes: 4, containerBytes: 8 });
  });
});
