/** The README's API tables name exactly what the package exports and what the client and scope offer. */
import * as fs from 'fs';
import * as path from 'path';
import * as api from '../src/index';

const ROOT = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

/** First-column entries of the table that follows `marker`, split at commas, without backticks and arguments. */
function firstColumn(marker: string): string[] {
  const start = readme.indexOf(marker);
  if (start < 0) throw new Error(`README has no "${marker}"`);
  const rows = readme.slice(start).split('\n');
  const body = rows.slice(0, rows.findIndex((r) => !r.startsWith('|'))).slice(2);
  return body.flatMap((row) => row.split('|')[1].replace(/\([^)]*\)/g, '').split(',')).map((cell) => cell.replace(/`/g, '').trim()).filter(Boolean);
}

/** Public (not private, not a getter) methods of a class in a source file. */
function methodsOf(file: string, className: string): string[] {
  const code = read(file);
  const body = code.slice(code.indexOf(`export class ${className}`));
  const end = body.indexOf('\n}\n');
  return [...body.slice(0, end).matchAll(/^ {2}(?!private |get |constructor)(\w+)(<[^>]*>)?\(/gm)].map((m) => m[1]);
}

it('the API table lists every runtime export, and nothing else', () => {
  expect(firstColumn('| 导出 export |').sort()).toEqual(Object.keys(api).sort());
});

it('the methods table lists every public method of MqttClient and MqttScope', () => {
  const methods = new Set([...methodsOf('src/client/client.ts', 'MqttClient'), ...methodsOf('src/client/scope.ts', 'MqttScope')]);
  expect(methods.size).toBeGreaterThan(8);
  expect(firstColumn('| 方法 method | 返回 returns | 说明 · meaning |\n|---|---|---|\n| `connect()` | `Promise<ConnectEventDetail>` | 连接，').sort()).toEqual([...methods].sort());
});

it('the options table names every ClientOptions field', () => {
  const types = read('src/types.ts');
  const block = /export interface ClientOptions \{([\s\S]*?)\n\}/.exec(types)![1];
  const fields = [...block.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]);
  expect(firstColumn('| 选项 option |').sort()).toEqual(fields.sort());
});

it('the error code table lists every code', () => {
  expect(firstColumn('| code | 含义 · meaning | 处理 · fix |').sort()).toEqual([...api.ERROR_CODES].sort());
});

it('the warning table lists every WarningCode', () => {
  const union = /export type WarningCode =([\s\S]*?);/.exec(read('src/types.ts'))![1];
  const codes = [...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);
  expect(codes.length).toBeGreaterThan(5);
  expect(firstColumn('| 警告 warning |').sort()).toEqual(codes.sort());
});
