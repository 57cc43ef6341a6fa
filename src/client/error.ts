/** What every client Promise rejects with: a real Error carrying the library's error fields. */
import { CodedError, copyDefined, describeError, DETAIL_FIELDS, ErrorCode, isErrorInfo, Locale, MqttErrorDetail } from '../core/errors';

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
    copyDefined(this, detail, DETAIL_FIELDS);
  }

  /** The plain-object form, as event details carry it. */
  toJSON(): MqttErrorDetail {
    return copyDefined({ code: this.code, message: this.message }, this, DETAIL_FIELDS);
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

/** Runs a method body: anything it throws or rejects with becomes an MqttError rejection, worded in `locale()`. */
export function rejectingMqttErrors<T>(body: () => Promise<T>, locale: () => Locale): Promise<T> {
  let promise: Promise<T>;
  try {
    promise = body();
  } catch (error) {
    promise = Promise.reject(error);
  }
  return promise.catch((error: unknown) => {
    throw toMqttError(error, locale());
  });
}
