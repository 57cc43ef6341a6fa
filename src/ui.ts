/**
 * The one internal entry the components use besides the public one (src/index.ts): the pure view
 * helpers of src/core and the UI binding. Not part of the package's API. The build ships it inside
 * the shared runtime (index.js) rather than in each component, so each helper exists once and the
 * binding uses the same client registry as the App (build/boundary.ts, RUNTIME_UI_KEY).
 */
export { Batcher, DEFAULT_BATCH_INTERVAL_MS } from './core/batcher';
export { preview } from './core/codec';
export { assign, CodedError, normalizeLocale } from './core/errors';
export type { Locale } from './core/errors';
export { LIST_LABELS, PANEL_LABELS } from './core/labels';
export type { ListLabels, PanelLabels } from './core/labels';
export { formatTime, normalizeMessage, PAYLOAD_FORMATS, renderPayload } from './core/message';
export type { MqttMessage, PayloadFormat } from './core/message';
export { DEFAULTS, isQos } from './core/options';
export { Ring } from './core/ring';
export { compileFilter } from './core/topics';
export { ClientBinding } from './client/binding';
export type { BindingEvents, BindingHost } from './client/binding';
