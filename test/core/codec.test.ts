/** @jest-environment node */
import { decodeText, decodeUtf8, encodePayload, isArrayBuffer, encodeUtf8, formatJson, fromBase64, fromHex, preview, toBase64, toHex } from '../../src/core/codec';
import { randomBytes, randomText, seeded } from '../support/random';

const node = (bytes: Uint8Array): Buffer => Buffer.from(bytes);

describe('UTF-8', () => {
  it('encodes like Node, lone surrogates as U+FFFD', () => {
    for (const s of ['', 'abc', 'héllo', '中文', '😀 rocket 🚀', '\ud800x', 'x\udfff', '\u0000']) {
      expect(node(encodeUtf8(s))).toEqual(Buffer.from(s, 'utf8'));
    }
  });

  it('decodes like TextDecoder: invalid bytes become U+FFFD (maximal subparts)', () => {
    const decoder = new TextDecoder('utf-8');
    const cases = [[0xff], [0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x61, 0xe2, 0x82, 0x62], [0xf0, 0x9f, 0x98, 0x80], [0xf0, 0x9f, 0x98]];
    for (const c of cases) expect(decodeUtf8(Uint8Array.from(c))).toBe(decoder.decode(Uint8Array.from(c)));
  });

  it('fuzz: random bytes decode exactly as TextDecoder; random text round-trips (seed 7)', () => {
    const random = seeded(7);
    const decoder = new TextDecoder('utf-8');
    for (let i = 0; i < 3000; i++) {
      const bytes = randomBytes(random, Math.floor(random() * 64));
      expect(decodeUtf8(bytes)).toBe(decoder.decode(bytes));
      const text = randomText(random, Math.floor(random() * 32));
      expect(decodeUtf8(encodeUtf8(text))).toBe(Buffer.from(text, 'utf8').toString('utf8'));
    }
  });

  it('decodeText (native TextDecoder where present) gives decodeUtf8\'s text, a leading BOM kept (seed 11)', () => {
    const random = seeded(11);
    const bom = Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]);
    expect(decodeText(bom)).toBe('\ufeffa');
    expect(decodeText(bom)).toBe(decodeUtf8(bom));
    for (let i = 0; i < 2000; i++) {
      const bytes = randomBytes(random, Math.floor(random() * 64));
      expect(decodeText(bytes)).toBe(decodeUtf8(bytes));
    }
  });

  it('decodes large payloads without stack overflow', () => {
    const big = new Uint8Array(300000).fill(0x61);
    expect(decodeUtf8(big).length).toBe(300000);
  });
});

describe('hex and base64', () => {
  it('match Node for random bytes and round-trip (seed 99)', () => {
    const random = seeded(99);
    for (let i = 0; i < 2000; i++) {
      const bytes = randomBytes(random, Math.floor(random() * 50));
      expect(toHex(bytes)).toBe(node(bytes).toString('hex'));
      expect(toBase64(bytes)).toBe(node(bytes).toString('base64'));
      expect(fromHex(toHex(bytes, ' '))).toEqual(bytes);
      expect(fromBase64(toBase64(bytes))).toEqual(bytes);
    }
  });

  it('separates hex pairs on request and refuses what is not hex or base64', () => {
    expect(toHex(Uint8Array.from([0, 15, 255]), ' ')).toBe('00 0f ff');
    expect(() => fromHex('abc')).toThrow('not hex');
    expect(() => fromHex('zz')).toThrow('not hex');
    expect(() => fromBase64('a!b=')).toThrow('not base64');
  });
});

describe('formatJson', () => {
  it('pretty-prints JSON and marks what is not JSON', () => {
    expect(formatJson('{"a":1,"b":[1,2]}')).toEqual({ ok: true, text: '{\n  "a": 1,\n  "b": [\n    1,\n    2\n  ]\n}' });
    expect(formatJson('{a:1}')).toEqual({ ok: false, text: '{a:1}' });
    expect(formatJson('')).toEqual({ ok: false, text: '' });
  });
});

describe('encodePayload', () => {
  it('encodes strings, buffers, views (only their bytes), objects and scalars', () => {
    const bytesOf = (v: unknown) => {
      const r = encodePayload(v);
      if (!r.ok) throw new Error(r.error.code);
      return Array.from(r.bytes);
    };
    expect(bytesOf('hé')).toEqual([0x68, 0xc3, 0xa9]);
    expect(bytesOf(Uint8Array.from([1, 2, 3]).buffer)).toEqual([1, 2, 3]);
    const big = Uint8Array.from([9, 9, 1, 2, 9]);
    expect(bytesOf(big.subarray(2, 4))).toEqual([1, 2]);
    expect(bytesOf(new Uint16Array([0x0102]))).toEqual([2, 1]);
    expect(bytesOf({ t: 21.5 })).toEqual(Array.from(Buffer.from('{"t":21.5}')));
    expect(bytesOf([1, 'a'])).toEqual(Array.from(Buffer.from('[1,"a"]')));
    expect(bytesOf(42)).toEqual(Array.from(Buffer.from('42')));
    expect(bytesOf(true)).toEqual(Array.from(Buffer.from('true')));
    expect(bytesOf('')).toEqual([]);
  });

  it('copies so that the bytes do not share a larger buffer', () => {
    const r = encodePayload(Uint8Array.from([1, 2, 3, 4]).subarray(1, 2));
    expect(r.ok && r.bytes.buffer.byteLength).toBe(1);
  });

  it('gives coded errors for what cannot be sent', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const code = (v: unknown, max?: number) => {
      const r = encodePayload(v, max);
      return r.ok ? 'ok' : r.error.code;
    };
    expect(code(undefined)).toBe('INVALID_PAYLOAD');
    expect(code(null)).toBe('INVALID_PAYLOAD');
    expect(code(() => 1)).toBe('INVALID_PAYLOAD');
    expect(code(Symbol('s'))).toBe('INVALID_PAYLOAD');
    expect(code(BigInt(1))).toBe('INVALID_PAYLOAD');
    expect(code(NaN)).toBe('INVALID_PAYLOAD');
    expect(code(cyclic)).toBe('INVALID_PAYLOAD');
    expect(code(new Date())).toBe('INVALID_PAYLOAD');
    expect(code('x'.repeat(2 * 1024 * 1024))).toBe('PAYLOAD_TOO_LARGE');
    expect(code(new ArrayBuffer(11), 10)).toBe('PAYLOAD_TOO_LARGE');
    expect(code('中'.repeat(4), 10)).toBe('PAYLOAD_TOO_LARGE');
    expect(code({ a: 'x'.repeat(20) }, 10)).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('preview', () => {
  it('cuts long text without splitting a surrogate pair', () => {
    expect(preview('abc', 5)).toEqual({ text: 'abc', truncated: false });
    expect(preview('abcdef', 3)).toEqual({ text: 'abc', truncated: true });
    expect(preview('a😀b', 2)).toEqual({ text: 'a', truncated: true });
  });
});

describe('isArrayBuffer', () => {
  it('knows ArrayBuffers of this realm and of another (a platform socket may hand over its own), every time; refuses look-alikes', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const vm = require('vm') as typeof import('vm');
    const foreign = vm.runInNewContext('new ArrayBuffer(4)') as unknown;
    expect(foreign instanceof ArrayBuffer).toBe(false);
    for (let i = 0; i < 3; i++) expect(isArrayBuffer(foreign)).toBe(true);
    expect(isArrayBuffer(new ArrayBuffer(2))).toBe(true);
    expect(isArrayBuffer(new Uint8Array(2))).toBe(false);
    expect(isArrayBuffer({ [Symbol.toStringTag]: 'ArrayBuffer' })).toBe(false);
    class LookAlike {
      get byteLength(): number {
        return 3;
      }
      get [Symbol.toStringTag](): string {
        return 'ArrayBuffer';
      }
    }
    expect(isArrayBuffer(new LookAlike())).toBe(false);
    expect(isArrayBuffer(Object.create((foreign as object).constructor.prototype))).toBe(false);
    expect(isArrayBuffer({ byteLength: 4, slice: () => undefined })).toBe(false);
    expect(isArrayBuffer(null)).toBe(false);
    expect(isArrayBuffer('ab')).toBe(false);
  });
});
