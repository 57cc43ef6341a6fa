/**
 * The panel's draft: what the user types (connection fields, topics, payload, QoS, retain) and the
 * MQTT 5 publish form, as a Behavior. The properties fill the draft; typing changes only the draft.
 */
import { assign, CodedError, isQos } from '../../src/ui';

/** The properties the user can retype; the draft holds what was typed (port as text). */
export const DRAFT = ['host', 'port', 'path', 'clientId', 'username', 'topic', 'pubTopic', 'payload'];
const FORM5 = ['contentType', 'expiry', 'responseTopic', 'correlationData'];

/** The MQTT 5 part of the publish form (shown at protocolVersion 5). A row keeps its id, so removing one leaves the others' inputs be. */
export interface Form5 {
  rows: { id: number; key: string; value: string }[];
  contentType: string;
  /** Message Expiry Interval as typed, in seconds. */
  expiry: string;
  responseTopic: string;
  correlationData: string;
}

/**
 * The MQTT 5 form as raw publish properties (blank fields left out, a name given twice becomes an
 * array of its values), undefined when nothing is filled; the client validates them. Only the
 * form's own rule is checked here: a value typed without a name.
 */
export function formProperties(form: Form5): Record<string, unknown> | undefined {
  const user: Record<string, string | string[]> = {};
  for (const { key, value } of form.rows) {
    if (key === '' && value !== '') throw new CodedError({ code: 'INVALID_OPTION', field: 'properties.userProperties', reason: `${JSON.stringify(value)} has no name` });
    if (key === '') continue;
    const had = Object.prototype.hasOwnProperty.call(user, key) ? user[key] : undefined;
    user[key] = had === undefined ? value : ([] as string[]).concat(had, value);
  }
  const expiry = form.expiry.trim();
  const fields: Record<string, unknown> = {
    userProperties: Object.keys(user).length > 0 ? user : undefined,
    contentType: form.contentType || undefined,
    messageExpiryInterval: expiry === '' ? undefined : Number.isNaN(Number(expiry)) ? expiry : Number(expiry),
    responseTopic: form.responseTopic || undefined,
    correlationData: form.correlationData || undefined,
  };
  const properties: Record<string, unknown> = {};
  for (const name of Object.keys(fields)) if (fields[name] !== undefined) properties[name] = fields[name];
  return Object.keys(properties).length > 0 ? properties : undefined;
}

export const draftBehavior = Behavior({
  data: {
    draft: { host: '', port: '', path: '', clientId: '', username: '', topic: '', pubTopic: '', payload: '', qos: 0, retain: false },
    v5: { rows: [{ id: 0, key: '', value: '' }], contentType: '', expiry: '', responseTopic: '', correlationData: '' } as Form5,
  },
  observers: {
    [[...DRAFT, 'qos', 'retain'].join(', ')]() {
      this.syncDraft();
    },
  },
  lifetimes: {
    attached() {
      this.syncDraft();
    },
  },
  methods: {
    syncDraft() {
      const d = this.data as Record<string, unknown>;
      const draft = assign({}, this.data.draft, { qos: isQos(d.qos) ? d.qos : 0, retain: d.retain as boolean });
      for (const field of DRAFT) (draft as Record<string, unknown>)[field] = String(d[field]);
      this.setData({ draft });
    },
    onInput(event: WechatMiniprogram.Input) {
      const field = String(event.currentTarget.dataset.field);
      if (DRAFT.includes(field)) this.setData({ [`draft.${field}`]: event.detail.value });
    },
    onQosTap(event: WechatMiniprogram.TouchEvent) {
      this.setData({ 'draft.qos': Number(event.currentTarget.dataset.qos) });
    },
    onRetainChange(event: WechatMiniprogram.SwitchChange) {
      this.setData({ 'draft.retain': Boolean(event.detail.value) });
    },
    onV5Input(event: WechatMiniprogram.Input) {
      const field = String(event.currentTarget.dataset.field);
      if (FORM5.includes(field)) this.setData({ [`v5.${field}`]: event.detail.value });
    },
    onUserPropertyInput(event: WechatMiniprogram.Input) {
      const { index, part } = event.currentTarget.dataset;
      const i = Number(index);
      if ((part === 'key' || part === 'value') && this.data.v5.rows[i]) this.setData({ [`v5.rows[${i}].${part}`]: event.detail.value });
    },
    onAddUserProperty() {
      const rows = this.data.v5.rows;
      this.setData({ [`v5.rows[${rows.length}]`]: { id: rows.reduce((max, row) => Math.max(max, row.id), -1) + 1, key: '', value: '' } });
    },
    onRemoveUserProperty(event: WechatMiniprogram.TouchEvent) {
      const i = Number(event.currentTarget.dataset.index);
      this.setData({ 'v5.rows': this.data.v5.rows.filter((_, n) => n !== i) });
    },
  },
});
