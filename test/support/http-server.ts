import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP server for download tests: its base URL (http://127.0.0.1:PORT) and a close function. */
export interface LocalServer {
  readonly base: string;
  readonly close: () => void;
}

/** Starts `handler` on a free port of 127.0.0.1. */
export async function startLocalServer(handler: RequestListener): Promise<LocalServer> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}
