/** A seeded PRNG (mulberry32) so that fuzz cases are reproducible: print the seed on failure. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(random: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(random() * 256);
  return out;
}

/** A random string mixing ASCII, MQTT separators and wildcards, CJK, emoji and lone surrogates. */
export function randomText(random: () => number, length: number): string {
  const pool = ['a', 'b', '/', '+', '#', '$', ' ', '\u0000', 'é', '中', '😀', '\ud800', '\udfff', 'Z', '9'];
  let out = '';
  for (let i = 0; i < length; i++) out += pool[Math.floor(random() * pool.length)];
  return out;
}
