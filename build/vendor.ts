import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const mqttDir = path.join(root, 'node_modules', 'mqtt');

export const VENDORED_MQTT = path.join(root, 'src', 'vendor', 'mqtt.js');

/**
 * mqtt@4.0.1's dist bundle keeps its SocketTask in module-level variables, so each connection
 * needs its own evaluated copy. The bundle is wrapped as a factory: every call evaluates it
 * afresh, with the `wx` it is given in place of the global one.
 */
export function wrapMqttBundle(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(mqttDir, 'package.json'), 'utf8')) as { version: string };
  if (pkg.version !== '4.0.1') throw new Error(`mqtt must be exactly 4.0.1, found ${pkg.version}`);
  const bundle = fs.readFileSync(path.join(mqttDir, 'dist', 'mqtt.min.js'), 'utf8');
  const licence = fs.readFileSync(path.join(mqttDir, 'LICENSE.md'), 'utf8').replace(/\*\//g, '* /');
  return [
    '/*!',
    ` * mqtt.js ${pkg.version} (dist/mqtt.min.js, unmodified), vendored by miniprogram-mqtt.`,
    ' * Wrapped as a factory: each call evaluates a fresh copy bound to the given `wx`.',
    ' *',
    ...licence.trim().split('\n').map((line) => ` * ${line}`.trimEnd()),
    ' */',
    '/* eslint-disable */',
    'module.exports = function createMqtt(wx) {',
    "var module = { exports: {} }, exports = module.exports, define = undefined, require = undefined, window = undefined, document = undefined;",
    bundle.trim(),
    '',
    'return module.exports;',
    '};',
    '',
  ].join('\n');
}

export function writeVendoredMqtt(target = VENDORED_MQTT): string {
  const text = wrapMqttBundle();
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (!fs.existsSync(target) || fs.readFileSync(target, 'utf8') !== text) fs.writeFileSync(target, text);
  return target;
}
