/**
 * Message details: payload and bytes are made on first read, once, and behave as ordinary fields —
 * in JSON, spread, toEqual, assignment — and a frozen detail (Immer, Redux) still reads.
 */
import { messageDetail } from '../../src/client/detail';

const data = () => {
  const frame = new Uint8Array(1024).fill(0x20);
  frame.set([0x68, 0x69, 0xff], 100);
  return { topic: 'a/b', bytes: frame.subarray(100, 103), qos: 1 as const, retain: false };
};

describe('message detail', () => {
  it('reads, serialises, spreads and compares as a plain object with exact bytes and U+FFFD for bad UTF-8', () => {
    const detail = messageDetail('in', 'in_1', data(), { dup: false });
    expect(Object.keys(detail)).toEqual(['id', 'topic', 'payload', 'bytes', 'qos', 'retain', 'dup', 'direction', 'time']);
    expect(detail.payload).toBe('hi\ufffd');
    expect(detail.bytes.byteLength).toBe(3);
    expect([...new Uint8Array(detail.bytes)]).toEqual([0x68, 0x69, 0xff]);
    expect(detail.bytes).toBe(detail.bytes);
    const copy = { ...messageDetail('in', 'in_2', data(), { dup: true }) };
    expect(Object.getOwnPropertyDescriptor(copy, 'payload')?.value).toBe('hi\ufffd');
    expect(JSON.parse(JSON.stringify(messageDetail('out', 'out_1', data(), { restored: true })))).toEqual({
      id: 'out_1', topic: 'a/b', payload: 'hi\ufffd', bytes: {}, qos: 1, retain: false, direction: 'out', time: expect.any(Number), restored: true,
    });
    expect(messageDetail('in', 'in_3', data(), { dup: false })).toEqual({ ...detail, id: 'in_3', time: expect.any(Number) });
  });

  it('takes assignments like any field; makes each value once; lets the frame go once both are made', () => {
    const detail = messageDetail('in', 'in_4', data(), { dup: false });
    const record = (): { view?: Uint8Array } => {
      const symbols = Object.getOwnPropertySymbols(detail);
      expect(symbols).toHaveLength(1);
      expect(Object.getOwnPropertyDescriptor(detail, symbols[0])?.enumerable).toBe(false);
      return (detail as unknown as Record<symbol, { view?: Uint8Array }>)[symbols[0]];
    };
    expect(record().view).toBeInstanceOf(Uint8Array);
    detail.payload = 'replaced';
    expect(detail.payload).toBe('replaced');
    expect(record().view).toBeInstanceOf(Uint8Array);
    const bytes = detail.bytes;
    expect(detail.bytes).toBe(bytes);
    expect(record().view).toBeUndefined();
    const replacement = new ArrayBuffer(1);
    detail.bytes = replacement;
    expect(detail.bytes).toBe(replacement);
    expect({ ...detail }).toEqual(expect.objectContaining({ payload: 'replaced', bytes: replacement }));
  });

  it('a frozen detail still reads (the same values each time) and refuses writes with a TypeError', () => {
    const detail = Object.freeze(messageDetail('in', 'in_5', data(), { dup: false }));
    expect(detail.payload).toBe('hi\ufffd');
    const bytes = detail.bytes;
    expect(detail.bytes).toBe(bytes);
    expect(() => {
      (detail as { payload: string }).payload = 'x';
    }).toThrow(TypeError);
    expect(() => {
      (detail as { bytes: ArrayBuffer }).bytes = new ArrayBuffer(0);
    }).toThrow(TypeError);
    expect(detail.payload).toBe('hi\ufffd');
  });
});
