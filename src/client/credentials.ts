/**
 * The `credentials` option: the app's function, called before every CONNECT, as the reconnect
 * policy's step before CONNECT; and `onAuth`, the app's answer to MQTT 5 AUTH challenges. What it returns is checked here (and never put into words: an
 * error names the field and its type, not its value); its expiry (`expiresAt`, or a JWT
 * password's `exp` claim, read and not verified) becomes the moment the connection renews them.
 */
import { decodeUtf8, exactArrayBuffer, fromBase64 } from '../core/codec';
import { assign, CodedError } from '../core/errors';
import { isObject } from '../core/options';
import { binary } from '../core/properties';
import type { OnAuth } from '../platform/index';
import type { BeforeConnect, ConnectPlan } from '../platform/reconnect-policy';
import type { AuthChallenge, CredentialsProvider } from '../types';

/** `credentialsRefresh` when absent: renew a minute before expiry. */
export const DEFAULT_CREDENTIALS_REFRESH = 60000;

/** Never renew sooner than this after connecting (a token the function keeps handing out about to expire). */
const MIN_RENEW_MS = 1000;

const failed = (reason: string): CodedError => new CodedError({ code: 'CREDENTIALS_FAILED', reason });

/** The step before each CONNECT for a `credentials` function; `session` gives the clientId and url of the connection. */
export function credentialsStep(provide: CredentialsProvider, refreshMs: number, session: () => { clientId: string; url: string }): BeforeConnect {
  // a throw or rejection of `provide` is worded by the connection (CREDENTIALS_FAILED with its text)
  return async ({ reason, attempt }) => planOf(await provide(assign({ reason, attempt }, session())), refreshMs, Date.now());
}

export function planOf(given: unknown, refreshMs: number, now: number): ConnectPlan {
  if (!isObject(given)) throw failed(`credentials() returned ${given === null ? 'null' : Array.isArray(given) ? 'an array' : typeof given}; expected { username?, password?, expiresAt? }`);
  const plan: ConnectPlan = {};
  for (const field of ['username', 'password'] as const) {
    const value = given[field];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw failed(`credentials() returned ${field}: ${typeof value}; expected a string`);
    plan[field] = value;
  }
  const { expiresAt } = given;
  if (expiresAt !== undefined && (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt))) {
    throw failed(`credentials() returned expiresAt: ${typeof expiresAt === 'number' ? String(expiresAt) : typeof expiresAt}; expected ms since the epoch`);
  }
  const expiry = expiresAt ?? jwtExpiry(plan.password);
  if (expiry !== undefined && expiry > now) plan.renewAt = expiry - refreshMs > now ? expiry - refreshMs : now + Math.max(MIN_RENEW_MS, (expiry - now) / 2);
  return plan;
}

/** A JWT's `exp` claim in ms since the epoch (three base64url parts, the middle one JSON), else undefined. */
export function jwtExpiry(password: string | undefined): number | undefined {
  const parts = password?.split('.');
  if (parts?.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(decodeUtf8(fromBase64(parts[1].replace(/-/g, '+').replace(/_/g, '/'))));
    return isObject(claims) && typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** The `onAuth` option as the connection's answer to a server AUTH 0x18: the app sees bytes as an ArrayBuffer, may answer a string or bytes. */
export function authAnswer(answer: (challenge: AuthChallenge) => unknown): OnAuth {
  return async ({ reasonCode, authenticationMethod, authenticationData }) => {
    const challenge: AuthChallenge = { reasonCode, authenticationMethod: authenticationMethod ?? '' };
    if (authenticationData) challenge.authenticationData = exactArrayBuffer(authenticationData);
    // a throw or rejection of `answer` is worded by the connection (CREDENTIALS_FAILED with its text)
    const given = await answer(challenge);
    return given === undefined ? undefined : binary(given, 'onAuth');
  };
}
