/** What every client Promise rejects with: a real Error carrying the library's error fields. */
import { CodedError, describeError, ErrorCode, isErrorInfo, Locale, MqttErrorDetail } from '../core/errors';

export class MqttError extends Error implements MqttErrorDetail {
  readonly code: ErrorCode;
  readonly fix?: string;
  readonly field?: string;
  readonly returnCode?: number;
  readonly topic?: string;
  readonly limit?: number;
  readonly reasonString?: string;
  readonly serverReference?: string;

  constructor(detail: MqttErrorDetail) {
    super(detail.message);
    this.name = 'MqttError';
    this.code = detail.code;
    if (detail.fix !== undefined) this.fix = detail.fix;
    if (detail.field !== undefined) this.field = detail.field;
    if (detail.returnCode !== undefined) this.returnCode = detail.returnCode;
    if (detail.topic !== undefined) this.topic = detail.topic;
    if (detail.limit !== undefined) this.limit = detail.limit;
    if (detail.reasonString !== undefined) this.reasonString = detail.reasonString;
    if (detail.serverReference !== undefined) this.serverReference = detail.serverReference;
  }

  /** The plain-object form, as event details carry it. */
  toJSON(): MqttErrorDetail {
    const detail: MqttErrorDetail = { code: this.code, message: this.message };
    if (this.fix !== undefined) detail.fix = this.fix;
    if (this.field !== undefined) detail.field = this.field;
    if (this.returnCode !== undefined) detail.returnCode = this.returnCode;
    if (this.topic !== undefined) detail.topic = this.topic;
    if (this.limit !== undefined) detail.limit = this.limit;
    if (this.reasonString !== undefined) detail.reasonString = this.reasonString;
    if (this.serverReference !== undefined) detail.serverReference = this.serverReference;
    return detail;
  }
}

/**
 * Anything caught → an MqttError. A CodedError (or a plain ErrorInfo) keeps its code and fields,
 * worded for `locale`; a bug (TypeError …) becomes INTERNAL with its own message, never a network error.
 */
export function toMqttError(error: unknown, locale: Locale): MqttError {
  if (error instanceof MqttError) return error;
  if (error instanceof CodedError || isErrorInfo(error)) return new MqttError(describeError(error, locale));
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new MqttError(describeError({ code: 'INTERNAL', reason: message }, locale));
}
