// Child process of bench/delivery.ts: a webhook receiver (HTTP on a free loopback port) and an MQTT subscriber
// (QoS 1 on sightline/events) that note when each message id first arrived. Prints "ready PORT" when listening and
// subscribed; on "report" (stdin) prints "report JSON" ({ webhook: {id: ms}, mqtt: {id: ms} }); on "reset" forgets
// what arrived.
import { createServer } from 'node:http';
import { connectAsync } from 'mqtt';

const brokerUrl = process.argv[2];
const webhook: Record<string, number> = {};
const mqtt: Record<string, number> = {};
const server = createServer((req, res) => {
  const id = String(req.headers['webhook-id']);
  req.resume();
  req.on('end', () => {
    webhook[id] ??= Date.now();
    res.writeHead(204).end();
  });
});
server.keepAliveTimeout = 60_000;
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
if (brokerUrl) {
  const client = await connectAsync(brokerUrl, { reconnectPeriod: 0 });
  client.on('message', (_topic, payload) => {
    const id = (JSON.parse(payload.toString()) as { id: string }).id;
    mqtt[id] ??= Date.now();
  });
  await client.subscribeAsync('sightline/events', { qos: 1 });
}
process.stdout.write(`ready ${(server.address() as { port: number }).port}\n`);
process.stdin.on('data', (d) => {
  if (d.toString().includes('report')) {
    process.stdout.write(`report ${JSON.stringify({ webhook, mqtt })}\n`);
  } else if (d.toString().includes('reset')) {
    for (const k of Object.keys(webhook)) delete webhook[k];
    for (const k of Object.keys(mqtt)) delete mqtt[k];
    process.stdout.write('reset\n');
  }
});
