/** MQTT topic rules (MQTT 3.1.1 §4.7, MQTT 5 §4.7–4.8), without any I/O. */

const MAX_TOPIC_BYTES = 65535;

export type TopicProblem =
  | 'empty'
  | 'not-string'
  | 'null-character'
  | 'too-long'
  | 'wildcard-in-name'
  | 'hash-not-last'
  | 'wildcard-inside-level'
  | 'bad-shared-subscription';

export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function basicProblem(topic: unknown): TopicProblem | undefined {
  if (typeof topic !== 'string') return 'not-string';
  if (topic.length === 0) return 'empty';
  if (topic.indexOf('\u0000') !== -1) return 'null-character';
  if (topic.length > MAX_TOPIC_BYTES / 3 && utf8Length(topic) > MAX_TOPIC_BYTES) return 'too-long';
  return undefined;
}

/** Why `topic` cannot be published to, or undefined when it can. */
export function topicNameProblem(topic: unknown): TopicProblem | undefined {
  const problem = basicProblem(topic);
  if (problem) return problem;
  return /[+#]/.test(topic as string) ? 'wildcard-in-name' : undefined;
}

function filterLevelsProblem(levels: string[]): TopicProblem | undefined {
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (level === '#') {
      if (i !== levels.length - 1) return 'hash-not-last';
    } else if (level !== '+' && /[+#]/.test(level)) {
      return 'wildcard-inside-level';
    }
  }
  return undefined;
}

/** Why `filter` cannot be subscribed to, or undefined when it can. `$share/group/filter` is accepted. */
export function topicFilterProblem(filter: unknown): TopicProblem | undefined {
  const problem = basicProblem(filter);
  if (problem) return problem;
  const levels = (filter as string).split('/');
  if (levels[0] === '$share') {
    if (levels.length < 3 || levels[1] === '' || /[+#]/.test(levels[1])) return 'bad-shared-subscription';
    return filterLevelsProblem(levels.slice(2));
  }
  return filterLevelsProblem(levels);
}

export const isValidTopicName = (topic: unknown): topic is string => topicNameProblem(topic) === undefined;
export const isValidTopicFilter = (filter: unknown): filter is string => topicFilterProblem(filter) === undefined;
export const hasWildcard = (filter: string): boolean => /[+#]/.test(filter);

/** The filter a shared subscription delivers: `$share/group/a/b` → `a/b`. */
export function unshare(filter: string): string {
  if (!filter.startsWith('$share/')) return filter;
  const second = filter.indexOf('/', 7);
  return second === -1 ? filter : filter.slice(second + 1);
}

/** Whether a message on `topic` is delivered to a subscription on `filter`. */
export function matches(filter: string, topic: string): boolean {
  const f = unshare(filter).split('/');
  const t = topic.split('/');
  // Wildcards in the first level never match topics that start with `$` (e.g. $SYS).
  if (topic.startsWith('$') && (f[0] === '+' || f[0] === '#')) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** `matches` with the filter parsed once, for the per-message hot path. */
export function compileFilter(filter: string): (topic: string) => boolean {
  const plain = unshare(filter);
  if (!hasWildcard(plain)) return (topic) => topic === plain;
  if (plain === '#') return (topic) => !topic.startsWith('$');
  return (topic) => matches(plain, topic);
}
