/** @jest-environment node */
import { hasWildcard, isValidTopicFilter, isValidTopicName, matches, topicFilterProblem, topicNameProblem, unshare, utf8Length } from '../../src/core/topics';
import { randomText, seeded } from '../support/random';

describe('topic names (publish)', () => {
  it.each(['a', 'a/b', '/', '//', 'sport/tennis/player1', '$SYS/broker', ' ', 'a b', '中文/主题', '😀'])('accepts %j', (t) => {
    expect(topicNameProblem(t)).toBeUndefined();
    expect(isValidTopicName(t)).toBe(true);
  });

  it.each([
    ['', 'empty'],
    ['a/+', 'wildcard-in-name'],
    ['a/#', 'wildcard-in-name'],
    ['a+b', 'wildcard-in-name'],
    ['a\u0000b', 'null-character'],
    [42, 'not-string'],
    [undefined, 'not-string'],
    [null, 'not-string'],
  ])('rejects %j as %s', (t, problem) => {
    expect(topicNameProblem(t)).toBe(problem);
  });

  it('limits names to 65,535 UTF-8 bytes, counting multi-byte characters', () => {
    expect(topicNameProblem('a'.repeat(65535))).toBeUndefined();
    expect(topicNameProblem('a'.repeat(65536))).toBe('too-long');
    expect(topicNameProblem('中'.repeat(21845))).toBeUndefined();
    expect(topicNameProblem('中'.repeat(21846))).toBe('too-long');
    expect(utf8Length('a中😀é')).toBe(1 + 3 + 4 + 2);
    expect(utf8Length('\ud800')).toBe(3);
  });
});

describe('topic filters (subscribe)', () => {
  // MQTT 3.1.1 §4.7.1 examples.
  it.each(['sport/tennis/player1/#', 'sport/#', '#', '+', '+/tennis/#', 'sport/+/player1', '/+', '+/+', 'a//b', '$SYS/#', '$share/g1/a/+/c', '$share/g/#'])(
    'accepts %j',
    (f) => expect(isValidTopicFilter(f)).toBe(true),
  );

  it.each([
    ['sport/tennis#', 'wildcard-inside-level'],
    ['sport/tennis/#/ranking', 'hash-not-last'],
    ['sport+', 'wildcard-inside-level'],
    ['#/a', 'hash-not-last'],
    ['a/b+/c', 'wildcard-inside-level'],
    ['', 'empty'],
    ['a\u0000', 'null-character'],
    ['$share/g', 'bad-shared-subscription'],
    ['$share//a', 'bad-shared-subscription'],
    ['$share/g+/a', 'bad-shared-subscription'],
    ['$share/g/a#', 'wildcard-inside-level'],
    [7, 'not-string'],
  ])('rejects %j as %s', (f, problem) => expect(topicFilterProblem(f)).toBe(problem));

  it('knows wildcards and unshares shared subscriptions', () => {
    expect(hasWildcard('a/+')).toBe(true);
    expect(hasWildcard('a/b')).toBe(false);
    expect(unshare('$share/group/a/b')).toBe('a/b');
    expect(unshare('a/b')).toBe('a/b');
  });
});

describe('matches', () => {
  it.each([
    ['sport/tennis/player1/#', 'sport/tennis/player1', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
    ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
    ['sport/#', 'sport', true],
    ['sport/tennis/+', 'sport/tennis/player1', true],
    ['sport/tennis/+', 'sport/tennis/player1/tournament', false],
    ['sport/+', 'sport', false],
    ['sport/+', 'sport/', true],
    ['+/+', '/finance', true],
    ['/+', '/finance', true],
    ['+', '/finance', false],
    ['#', 'a/b/c', true],
    ['#', '$SYS/broker', false],
    ['+/monitor/Clients', '$SYS/monitor/Clients', false],
    ['$SYS/#', '$SYS/monitor/Clients', true],
    ['$SYS/monitor/+', '$SYS/monitor/Clients', true],
    ['a/b', 'a/b', true],
    ['a/b', 'a/c', false],
    ['a/b', 'a/b/c', false],
    ['A/b', 'a/b', false],
    ['$share/g/sensors/+', 'sensors/t1', true],
    ['a//b', 'a//b', true],
    ['a/+/b', 'a//b', true],
  ])('%j matches %j → %s', (f, t, expected) => expect(matches(f, t)).toBe(expected));

  it('fuzz: never throws, and a filter equal to a valid name matches it (seed 20261123)', () => {
    const random = seeded(20261123);
    for (let i = 0; i < 5000; i++) {
      const topic = randomText(random, Math.floor(random() * 12));
      const filter = randomText(random, Math.floor(random() * 12));
      expect(() => matches(filter, topic)).not.toThrow();
      expect(() => topicFilterProblem(filter)).not.toThrow();
      if (isValidTopicName(topic)) {
        expect(matches(topic, topic)).toBe(true);
        if (!topic.startsWith('$')) expect(matches('#', topic)).toBe(true);
      }
    }
  });
});
