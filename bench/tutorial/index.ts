/**
 * The tutorial pattern this library replaces (EMQX's mini-program example): on every message,
 * setData of the whole history string. The benchmark baseline; not shipped.
 */
Component({
  data: { receivedMessages: '' },
  methods: {
    onMessage(topic: string, payload: string) {
      const current = this.data.receivedMessages ? `<br/>${topic}: ${payload}` : `${topic}: ${payload}`;
      this.setData({ receivedMessages: this.data.receivedMessages.concat(current) });
    },
  },
});
