/**
 * Outgoing MQTT 5 topic aliases of one socket: a QoS 0 publish whose alias already stands for its
 * topic goes out without the topic (QoS 1/2 may be resent on another socket, so they always carry it).
 */
export class TopicAliases {
  private readonly sent = new Map<number, string>();

  /** A new socket: no alias stands for anything. */
  reset(): void {
    this.sent.clear();
  }

  /** The topic to put on the wire for a publish with `alias`. */
  wireTopic(topic: string, alias: number | undefined, qos: number): string {
    if (alias === undefined) return topic;
    const known = this.sent.get(alias) === topic;
    this.sent.set(alias, topic);
    return qos === 0 && known ? '' : topic;
  }
}
