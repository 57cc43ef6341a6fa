/** MQTT framing and the inbound filter, on hand-made byte sequences (MQTT 5.0 §2–3). */
import { InboundEvent, InboundFilter, PacketSplitter, ProtocolViolation, publishPacketSize } from '../../src/core/packets';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const str = (s: string): number[] => [0, s.length, ...Buffer.from(s)];

/** `stream` cut into chunks of the given sizes, repeating the sizes. */
function chunks(stream: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, i = 0; at < stream.length; i++) {
    const size = sizes[i % sizes.length];
    out.push(stream.subarray(at, at + size));
    at += size;
  }
  return out;
}

/** Feeds `stream` to a filter in chunks; returns what reaches mqtt.js and the events. */
function run(filter: InboundFilter, stream: Uint8Array, sizes: number[]): { out: string; events: InboundEvent[] } {
  let out = '';
  const events: InboundEvent[] = [];
  for (const chunk of chunks(stream, sizes)) {
    const result = filter.push(chunk);
    out += hex(result.bytes);
    events.push(...result.events);
  }
  return { out, events };
}

describe('PacketSplitter', () => {
  it('yields whole packets whether they span or share chunks, with multi-byte lengths', () => {
    const big = bytes(0x30, 0xc8, 0x01, ...str('t'), ...new Array(197).fill(7)); // remaining length 200
    const stream = new Uint8Array([...bytes(0x40, 0x02, 0, 1), ...big, ...bytes(0xd0, 0x00)]);
    for (const sizes of [[1], [2, 3], [stream.length], [5, 200]]) {
      const splitter = new PacketSplitter();
      const packets = chunks(stream, sizes).flatMap((chunk) => splitter.push(chunk).map(hex));
      expect(packets).toEqual(['40020001', hex(big), 'd000']);
      expect(splitter.pending).toBe(false);
    }
  });

  it('rejects a remaining length longer than four bytes', () => {
    expect(() => new PacketSplitter().push(bytes(0x30, 0xff, 0xff, 0xff, 0xff, 0x01))).toThrow(ProtocolViolation);
  });
});

describe('InboundFilter at MQTT 5', () => {
  // §3.4.2.1: remaining length 2 = success without reason code; 3 = reason code without properties.
  const acks = [0x40, 0x50, 0x62, 0x70];

  it.each(acks)('completes a %s ack that has a reason code but no property length, across any chunking', (first) => {
    const short = bytes(first, 0x03, 0x00, 0x01, 0x10);
    for (const sizes of [[1], [2], [4, 1], [5]]) {
      expect(run(new InboundFilter(5), short, sizes).out).toBe(hex(bytes(first, 0x04, 0x00, 0x01, 0x10, 0x00)));
    }
  });

  it.each(acks)('passes a %s ack without reason code, and one with properties, unchanged', (first) => {
    const filter = new InboundFilter(5);
    const bare = bytes(first, 0x02, 0x12, 0x34);
    const full = bytes(first, 0x04, 0x12, 0x34, 0x00, 0x00);
    expect(filter.push(bare).bytes).toBe(bare);
    expect(filter.push(full).bytes).toBe(full);
  });

  it('hands on every byte once and in order however the stream is cut, whole packets only (seed 5)', () => {
    let seed = 5;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const stream: number[] = [];
    for (let i = 0; i < 200; i++) {
      const body = Array.from({ length: 2 + Math.floor(random() * 300) }, (_, k) => (i + k) & 0xff);
      const length = body.length + 2;
      const varint = length < 128 ? [length] : [(length & 0x7f) | 0x80, length >> 7];
      stream.push(0x30, ...varint, 0x00, 0x01, 0x61, ...body.slice(1));
    }
    const whole = Uint8Array.from(stream);
    for (let round = 0; round < 20; round++) {
      const sizes = Array.from({ length: 400 }, () => 1 + Math.floor(random() * 700));
      const filter = new InboundFilter(4);
      const { out } = run(filter, whole, sizes);
      expect(out).toBe(hex(whole));
    }
  });

  it('fixes a short ack that shares a frame with other packets', () => {
    const frame = bytes(0x40, 0x03, 0, 1, 0x10, 0x30, 0x06, ...str('a/b'), 0x00, 0x70, 0x02, 0, 2);
    expect(hex(new InboundFilter(5).push(frame).bytes)).toBe('40040001100030060003612f62007002' + '0002');
  });

  it('completes DISCONNECT without reason code or properties and reports it', () => {
    expect(run(new InboundFilter(5), bytes(0xe0, 0x00), [1])).toEqual({ out: 'e0020000', events: [{ type: 'disconnect', info: { reasonCode: 0 } }] });
    expect(run(new InboundFilter(5), bytes(0xe0, 0x01, 0x8e), [1, 2]).out).toBe('e0028e00');
    const withReason = bytes(0xe0, 0x09, 0x95, 0x07, 0x1f, 0x00, 0x04, ...Buffer.from('big!'));
    expect(new InboundFilter(5).push(withReason).events).toEqual([{ type: 'disconnect', info: { reasonCode: 0x95, reasonString: 'big!' } }]);
  });

  it('reads CONNACK session present and the server limits', () => {
    const connack = bytes(0x20, 0x10, 0x01, 0x00, 0x0d, 0x21, 0x00, 0x02, 0x27, 0x00, 0x00, 0x01, 0x00, 0x22, 0x00, 0x0a, 0x24, 0x01);
    const result = new InboundFilter(5).push(connack);
    expect(result.bytes).toBe(connack);
    expect(result.events).toEqual([
      { type: 'connack', info: { sessionPresent: true, returnCode: 0, receiveMaximum: 2, maximumPacketSize: 256, topicAliasMaximum: 10 } },
    ]);
  });

  it('completes a 3.1.1-form CONNACK, as a server without MQTT 5 refuses one (return code 1)', () => {
    const result = new InboundFilter(5).push(bytes(0x20, 0x02, 0x00, 0x01));
    expect(hex(result.bytes)).toBe('2003000100');
    expect(result.events).toEqual([{ type: 'connack', info: { sessionPresent: false, returnCode: 1 } }]);
  });

  it('fills in the topic of an aliased PUBLISH when the client allowed aliases', () => {
    const filter = new InboundFilter(5, 10);
    const first = bytes(0x30, 0x0c, ...str('a/b'), 0x03, 0x23, 0x00, 0x01, 0x68, 0x69, 0x21);
    const aliased = bytes(0x32, 0x0a, 0x00, 0x00, 0x00, 0x07, 0x03, 0x23, 0x00, 0x01, 0x79, 0x6f);
    expect(filter.push(first).bytes).toBe(first);
    expect(hex(filter.push(aliased).bytes)).toBe(hex(bytes(0x32, 0x0d, ...str('a/b'), 0x00, 0x07, 0x03, 0x23, 0x00, 0x01, 0x79, 0x6f)));
  });

  it('refuses an alias the client never allowed (0x94) or never set (0x82)', () => {
    const aliased = bytes(0x30, 0x06, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01);
    expect(() => new InboundFilter(5).push(aliased)).toThrow(expect.objectContaining({ reasonCode: 0x94 }));
    expect(() => new InboundFilter(5, 10).push(aliased)).toThrow(expect.objectContaining({ reasonCode: 0x82 }));
  });

  it('forgets aliases with each CONNACK (they belong to one network connection)', () => {
    const filter = new InboundFilter(5, 10);
    filter.push(bytes(0x30, 0x09, ...str('a/b'), 0x03, 0x23, 0x00, 0x01));
    filter.push(bytes(0x20, 0x03, 0x00, 0x00, 0x00));
    expect(() => filter.push(bytes(0x30, 0x06, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01))).toThrow(ProtocolViolation);
  });
});

describe('InboundFilter at MQTT 3.1.1', () => {
  it('passes every packet unchanged and still reports CONNACK', () => {
    const stream = bytes(0x20, 0x02, 0x01, 0x00, 0x40, 0x02, 0, 1, 0x30, 0x04, ...str("a"), 0x78);
    const filter = new InboundFilter(4);
    const result = filter.push(stream);
    expect(result.bytes).toBe(stream);
    expect(result.events).toEqual([{ type: 'connack', info: { sessionPresent: true, returnCode: 0 } }]);
  });

  it('holds a cut packet back until it is whole (one write per packet for mqtt.js), reporting a CONNACK before handing it on', () => {
    const filter = new InboundFilter(4);
    expect(filter.push(bytes(0x30, 0x03, 0x00, 0x01)).bytes.length).toBe(0);
    const first = filter.push(bytes(0x74, 0x20, 0x02, 0x00));
    expect(hex(first.bytes)).toBe('3003000174');
    expect(first.events).toEqual([]);
    const second = filter.push(bytes(0x00, 0xd0));
    expect(hex(second.bytes)).toBe('20020000');
    expect(second.events).toEqual([{ type: 'connack', info: { sessionPresent: false, returnCode: 0 } }]);
    expect(hex(filter.push(bytes(0x00)).bytes)).toBe('d000');
  });

  it('hands on a chunk of whole packets as it is, without copying', () => {
    const chunk = bytes(0x30, 0x03, 0x00, 0x01, 0x74, 0x40, 0x02, 0, 1, 0xd0, 0x00);
    expect(new InboundFilter(4).push(chunk).bytes).toBe(chunk);
  });
});

describe('publishPacketSize', () => {
  it('counts the fixed header, topic, packet id, properties and payload', () => {
    expect(publishPacketSize(3, 0, 0)).toBe(1 + 1 + 2 + 3);
    expect(publishPacketSize(3, 10, 1, 0)).toBe(1 + 1 + 2 + 3 + 2 + 1 + 10);
    expect(publishPacketSize(1, 400, 1)).toBe(1 + 2 + 2 + 1 + 2 + 400);
  });
});
