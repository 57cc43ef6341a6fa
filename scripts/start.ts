/**
 * npm start: build, run a local development broker (ws://127.0.0.1:8083/mqtt, tcp 1883) and
 * rebuild on change. The demo's default connection points at this broker.
 */
import { spawn, spawnSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const gulp = path.join(root, 'node_modules', '.bin', 'gulp');

const built = spawnSync(gulp, ['build'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const broker = spawn(process.execPath, [path.join(root, 'scripts', 'aedes-broker.mjs'), '--tcp', '1883', '--ws', '8083'], {
  cwd: root,
  stdio: ['pipe', 'inherit', 'inherit'],
});
const watcher = spawn(gulp, ['watch'], { cwd: root, stdio: 'inherit' });

console.log(`
miniprogram-mqtt development
  broker     ws://127.0.0.1:8083/mqtt   (MQTT over WebSocket, what the demo uses)
             mqtt://127.0.0.1:1883      (plain TCP, for command-line clients)
  demo       open the folder ${path.join(root, 'demo')} in WeChat DevTools
             (详情 → 本地设置 → 不校验合法域名 is already set by demo/project.config.json)
  publish    mosquitto_pub -h 127.0.0.1 -p 1883 -t testtopic/miniprogram -m 'hello from the shell'
  watching   components/ and src/ — the demo's miniprogram_npm is rebuilt on save
Press Ctrl+C to stop.
`);

const stop = (): void => {
  broker.kill('SIGTERM');
  watcher.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
broker.on('exit', (code) => {
  if (code) console.error(`broker exited with ${code} (is port 8083 or 1883 in use?)`);
  watcher.kill('SIGTERM');
});
