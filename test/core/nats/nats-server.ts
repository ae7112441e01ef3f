import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { after } from 'node:test';
import { closedPort } from '../../helpers/http-receiver.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

// The real nats-server (Debian's package, .ci/install-system-deps) with JetStream, on a free port
// of 127.0.0.1 and a temp store; stop() and start() again keep the port and the store (an outage).

export const NATS_SERVER = '/usr/sbin/nats-server';
export const natsServerMissing = existsSync(NATS_SERVER) ? false : `${NATS_SERVER} is not installed`;

export interface NatsServer {
  url: string;
  port: number;
  start: () => Promise<void>;
  stop: () => Promise<void>;
}

export async function startNatsServer(auth: string[] = []): Promise<NatsServer> {
  const port = await closedPort();
  const store = tempDir('hookbox-nats-');
  let child: ChildProcess | undefined;
  const start = async () => {
    const proc = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store, ...auth], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server did not start:\n${output}`)), 60_000);
      const check = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout?.on('data', check);
      proc.stderr?.on('data', check);
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with ${code}:\n${output}`));
      });
    });
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    await exited;
  };
  await start();
  after(stop);
  return { url: `nats://127.0.0.1:${port}`, port, start, stop };
}
