// A cluster node as its own process (the cluster tests, bench/cluster.ts), started with the command a container or systemd unit runs
// (`bin/sightline.mjs serve --config FILE --role ROLE`), its data folder and node id from the environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** What `node` runs for a server node: the Dockerfile's ENTRYPOINT and the systemd unit's ExecStart (test/deploy-files.test.ts checks both). */
export const NODE_COMMAND = ['bin/sightline.mjs', 'serve'] as const;

export interface ClusterNodeProcess {
  readonly id: string;
  readonly role: 'api' | 'worker';
  child: ChildProcess;
  /** Every line it printed (JSON log lines and anything on stderr). */
  readonly lines: string[];
  /** The HTTP address of an API node. */
  url: string;
}

export function alive(c: ChildProcess): boolean {
  return c.exitCode === null && c.signalCode === null;
}

/** Starts a node and resolves once it serves HTTP (api) or says it runs (worker). */
export async function startClusterNode(id: string, role: 'api' | 'worker', config: string, dir: string, env: Record<string, string> = {}, lines: string[] = []): Promise<ClusterNodeProcess> {
  const child = spawn(process.execPath, [...NODE_COMMAND, '--config', config, '--role', role], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SIGHTLINE_DATA_DIR: join(dir, id), SIGHTLINE_CLUSTER__NODE_ID: id, ...env },
  });
  const node: ClusterNodeProcess = { id, role, child, lines, url: '' };
  child.stderr!.on('data', (d: Buffer) => node.lines.push(d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${id} did not start within 90 s:\n${node.lines.slice(-30).join('\n')}`)), 90_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      node.lines.push(line);
      const m = /"url":"(http:[^"]+)"/.exec(line);
      if (m) node.url = m[1]!;
      if ((role === 'api' && m) || (role === 'worker' && line.includes('worker running'))) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`node ${id} exited with ${code}:\n${node.lines.slice(-30).join('\n')}`));
    });
  });
  return node;
}

/** SIGTERM (a worker hands its cameras over first), SIGKILL after 20 s; resolves when it has exited. */
export async function stopClusterNode(n: ClusterNodeProcess | undefined): Promise<void> {
  if (!n || !alive(n.child)) return;
  const gone = new Promise((r) => n.child.once('exit', r));
  n.child.kill('SIGTERM');
  const t = setTimeout(() => n.child.kill('SIGKILL'), 20_000);
  await gone;
  clearTimeout(t);
}

/** The wall-clock time (ms) of the first log line matching `re` after `afterMs`, or null. */
export function logTime(lines: readonly string[], re: RegExp, afterMs = 0): number | null {
  for (const l of lines) {
    if (!re.test(l)) continue;
    const m = /"time":(\d+)/.exec(l);
    if (m && Number(m[1]) >= afterMs) return Number(m[1]);
  }
  return null;
}
