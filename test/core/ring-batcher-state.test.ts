/** @jest-environment node */
import { Batcher, Clock } from '../../src/core/batcher';
import { Ring } from '../../src/core/ring';
import { StateMachine, StatusChange } from '../../src/core/state';

describe('Ring', () => {
  it('keeps the newest `capacity` items in order and reports evictions', () => {
    const ring = new Ring<number>(3);
    expect([1, 2, 3].map((n) => ring.push(n))).toEqual([undefined, undefined, undefined]);
    expect(ring.push(4)).toBe(1);
    expect(ring.toArray()).toEqual([2, 3, 4]);
    expect(ring.at(0)).toBe(2);
    expect(ring.at(3)).toBeUndefined();
    for (let i = 5; i < 10005; i++) ring.push(i);
    expect(ring.size).toBe(3);
    expect(ring.toArray()).toEqual([10002, 10003, 10004]);
  });

  it('resizes keeping the newest, clears, and rejects a bad capacity', () => {
    const ring = new Ring<number>(5);
    [1, 2, 3, 4, 5].forEach((n) => ring.push(n));
    ring.resize(2);
    expect(ring.toArray()).toEqual([4, 5]);
    ring.resize(4);
    ring.push(6);
    expect(ring.toArray()).toEqual([4, 5, 6]);
    ring.clear();
    expect(ring.size).toBe(0);
    expect(() => new Ring(0)).toThrow(RangeError);
  });
});

function fakeClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 1;
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.push({ at: now + ms, fn, id: next });
      return next++;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.fn();
      }
      now = end;
    },
  };
}

describe('Batcher', () => {
  it('flushes at most once per interval whatever the rate', () => {
    const clock = fakeClock();
    const flushes: { at: number; items: number[] }[] = [];
    const batcher = new Batcher<number>((items) => flushes.push({ at: clock.now(), items }), 50, clock);
    for (let i = 0; i < 1000; i++) {
      batcher.add(i);
      clock.advance(1);
    }
    clock.advance(100);
    expect(flushes.flatMap((f) => f.items)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (let i = 1; i < flushes.length; i++) expect(flushes[i].at - flushes[i - 1].at).toBeGreaterThanOrEqual(50);
    expect(flushes.length).toBeLessThanOrEqual(1000 / 50 + 2);
  });

  it('delivers a lone item at once after a quiet interval, and flush()/dispose() work', () => {
    const clock = fakeClock();
    const got: number[][] = [];
    const batcher = new Batcher<number>((items) => got.push(items), 50, clock);
    batcher.add(1);
    clock.advance(0);
    expect(got).toEqual([[1]]);
    batcher.addAll([2, 3]);
    expect(batcher.size).toBe(2);
    batcher.flush();
    expect(got).toEqual([[1], [2, 3]]);
    batcher.add(4);
    batcher.dispose();
    clock.advance(1000);
    expect(got).toEqual([[1], [2, 3]]);
  });

  it('holds at most twice keepLast pending items and always flushes the newest keepLast', () => {
    const clock = fakeClock();
    const got: number[][] = [];
    const batcher = new Batcher<number>((items) => got.push(items), 50, clock);
    batcher.keepLast = 10;
    batcher.add(-1);
    clock.advance(0);
    for (let i = 0; i < 1000; i++) {
      batcher.add(i);
      expect(batcher.size).toBeLessThanOrEqual(20);
    }
    clock.advance(50);
    expect(got[1].slice(-10)).toEqual([990, 991, 992, 993, 994, 995, 996, 997, 998, 999]);
  });

  it('moves a waiting flush when the interval changes', () => {
    const clock = fakeClock();
    const got: { at: number; items: number[] }[] = [];
    const batcher = new Batcher<number>((items) => got.push({ at: clock.now(), items }), 50, clock);
    batcher.add(1);
    clock.advance(0);
    batcher.add(2);
    batcher.intervalMs = 500;
    clock.advance(100);
    expect(got).toEqual([{ at: 0, items: [1] }]);
    clock.advance(400);
    expect(got).toEqual([{ at: 0, items: [1] }, { at: 500, items: [2] }]);
    batcher.intervalMs = 50;
    batcher.add(3);
    clock.advance(50);
    expect(got.at(-1)).toEqual({ at: 550, items: [3] });
  });
});

describe('StateMachine', () => {
  it('follows idle → connecting → connected → reconnecting → connected | offline, closed on disconnect', () => {
    const machine = new StateMachine();
    const seen: StatusChange[] = [];
    const off = machine.onChange((c) => seen.push(c));
    machine.transition('connecting');
    machine.transition('connected');
    machine.transition('reconnecting', 'socket closed');
    machine.transition('connected');
    machine.transition('reconnecting');
    machine.transition('offline', 'gave up');
    machine.transition('closed');
    expect(machine.transition('closed')).toBe(false);
    machine.transition('connecting');
    off();
    machine.transition('connected');
    expect(seen.map((c) => `${c.previous}>${c.status}${c.reason ? `:${c.reason}` : ''}`)).toEqual([
      'idle>connecting',
      'connecting>connected',
      'connected>reconnecting:socket closed',
      'reconnecting>connected',
      'connected>reconnecting',
      'reconnecting>offline:gave up',
      'offline>closed',
      'closed>connecting',
    ]);
  });

  it('refuses transitions the table does not allow', () => {
    const machine = new StateMachine();
    expect(() => machine.transition('connected')).toThrow('illegal transition idle → connected');
    expect(() => machine.transition('reconnecting')).toThrow();
    expect(machine.status).toBe('idle');
  });
});
