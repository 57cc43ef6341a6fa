/** @jest-environment node */
/**
 * The lint rule of eslint.config.mjs that keeps errors Errors: throwing or rejecting a plain object
 * in src/ or components/ is reported, a CodedError is not. Small snippets only: the whole repository
 * is linted by `npm run lint`.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');

interface Report {
  filePath: string;
  messages: { ruleId: string | null; message: string; line: number }[];
}

/**
 * Lints each snippet with ESLint's Node API (`new ESLint().lintText`) as if it were `filePath`.
 * ESLint loads eslint.config.mjs with import(), which Jest's module sandbox does not allow, so
 * the API runs in a child Node process.
 */
function lint(snippets: { code: string; filePath: string }[]): Report[] {
  const script = `
    const { ESLint } = require('eslint');
    const snippets = JSON.parse(process.argv[1]);
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const reports = [];
      for (const { code, filePath } of snippets) {
        const [result] = await eslint.lintText(code, { filePath });
        reports.push({ filePath: result.filePath, messages: result.messages.map(({ ruleId, message, line }) => ({ ruleId, message, line })) });
      }
      process.stdout.write(JSON.stringify(reports));
    })().catch((error) => { console.error(error); process.exit(1); });
  `;
  return JSON.parse(execFileSync(process.execPath, ['-e', script, JSON.stringify(snippets)], { cwd: ROOT, encoding: 'utf8' })) as Report[];
}

/** Uses both imports, so that a snippet that does not is not reported as an unused import. */
const HEADER = "import { CodedError, ErrorInfo } from './core/errors';\nexport type Info = ErrorInfo;\nexport const Coded = CodedError;\n";
/** The line of each snippet that throws or rejects. */
const LINE = HEADER.split('\n').length + 1;

const FORBIDDEN: Record<string, string> = {
  'throw {…}': "export function f(): void {\n  throw { code: 'NOT_CONNECTED' };\n}\n",
  'throw {…} as ErrorInfo': "export function f(): void {\n  throw { code: 'NOT_CONNECTED' } as ErrorInfo;\n}\n",
  'throw {…} satisfies ErrorInfo': "export function f(): void {\n  throw { code: 'NOT_CONNECTED' } satisfies ErrorInfo;\n}\n",
  'throw <ErrorInfo>{…}': "export function f(): void {\n  throw <ErrorInfo>{ code: 'NOT_CONNECTED' };\n}\n",
  'Promise.reject({…})': "export const f = (): Promise<void> =>\n  Promise.reject({ code: 'NOT_CONNECTED' });\n",
  'Promise.reject({…} as ErrorInfo)': "export const f = (): Promise<void> =>\n  Promise.reject({ code: 'NOT_CONNECTED' } as ErrorInfo);\n",
  'reject({…}) in an executor': "export const f = (): Promise<void> =>\n  new Promise((_resolve, reject) => reject({ code: 'NOT_CONNECTED' }));\n",
  'reject({…} as ErrorInfo) in an executor': "export const f = (): Promise<void> =>\n  new Promise((_resolve, reject) => reject({ code: 'NOT_CONNECTED' } as ErrorInfo));\n",
  'waiter.reject({…})': "export const f = (w: { reject(e: unknown): void }): void =>\n  w.reject({ code: 'NOT_CONNECTED' });\n",
  'waiter?.reject({…})': "export const f = (w?: { reject(e: unknown): void }): void =>\n  w?.reject({ code: 'NOT_CONNECTED' });\n",
};

const ALLOWED: Record<string, string> = {
  'throw new CodedError({…})': "export function f(): void {\n  throw new CodedError({ code: 'NOT_CONNECTED' });\n}\n",
  'Promise.reject(new CodedError({…}))': "export const f = (): Promise<void> =>\n  Promise.reject(new CodedError({ code: 'NOT_CONNECTED' }));\n",
  'reject(new CodedError({…}))': "export const f = (): Promise<void> =>\n  new Promise((_resolve, reject) => reject(new CodedError({ code: 'NOT_CONNECTED' })));\n",
  'rethrowing what was caught': "export function f(g: () => void, undo: () => void): void {\n  try {\n    g();\n  } catch (error) {\n    undo();\n    throw error;\n  }\n}\n",
  'an ErrorInfo object that is not thrown': "export const f = (report: (info: ErrorInfo) => void): void =>\n  report({ code: 'NOT_CONNECTED' });\n",
  'resolve({…})': "export const f = (): Promise<object> =>\n  new Promise((resolve) => resolve({ code: 'NOT_CONNECTED' }));\n",
};

const RULE = 'no-restricted-syntax';
const named = (snippets: Record<string, string>, filePath: string) => Object.entries(snippets).map(([name, body]) => ({ name, code: HEADER + body, filePath }));
const restricted = (report: Report) => report.messages.filter((m) => m.ruleId === RULE);

describe('lint: errors are Errors', () => {
  const cases = [
    ...named(FORBIDDEN, 'src/x.ts').map((c) => ({ ...c, fires: true })),
    ...named(FORBIDDEN, 'src/platform/x.ts').map((c) => ({ ...c, fires: true })),
    ...named(FORBIDDEN, 'src/core/x.ts').map((c) => ({ ...c, fires: true })),
    ...named(FORBIDDEN, 'components/x/index.ts').map((c) => ({ ...c, fires: true })),
    ...named(ALLOWED, 'src/x.ts').map((c) => ({ ...c, fires: false })),
    ...named(ALLOWED, 'components/x/index.ts').map((c) => ({ ...c, fires: false })),
  ];
  let reports: Report[];

  beforeAll(() => {
    reports = lint(cases.map(({ code, filePath }) => ({ code, filePath })));
  }, 60000);

  it('reports every way of throwing or rejecting a plain object, naming CodedError, on the line that does it', () => {
    const missed = cases.filter((c, i) => c.fires && restricted(reports[i]).length !== 1).map((c) => `${c.filePath}: ${c.name}`);
    expect(missed).toEqual([]);
    cases.forEach((c, i) => {
      if (!c.fires) return;
      const [message] = restricted(reports[i]);
      expect(message.message).toMatch(/new CodedError\(/);
      expect(message.line).toBe(LINE);
    });
  });

  it('lets a CodedError, a rethrow and a plain object that is not thrown through, with no other problem', () => {
    const flagged = cases.flatMap((c, i) => (!c.fires && reports[i].messages.length > 0 ? [`${c.filePath}: ${c.name}: ${JSON.stringify(reports[i].messages)}`] : []));
    expect(flagged).toEqual([]);
  });

  it('does not apply outside src/ and components/', () => {
    const [report] = lint([{ code: HEADER + FORBIDDEN['throw {…}'], filePath: 'test/x.test.ts' }]);
    expect(restricted(report)).toEqual([]);
  });
});
