// A receiver for Sightline webhooks (README "Delivery"): checks the signature, drops repeats by webhook-id, answers
// at once. Run it with `SIGHTLINE_WEBHOOK_SECRET=whsec_... node webhook-receiver.mjs` (needs `npm i standardwebhooks`),
// or copy `verifySightlineWebhook` into your own server. test/delivery-webhook.integration.test.ts runs this file.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

/**
 * Verifies one delivery with the Standard Webhooks library and returns the parsed body; throws when the signature
 * does not match or the timestamp is more than 5 minutes from this machine's clock (a replayed request).
 */
export function verifySightlineWebhook(secret, headers, rawBody) {
  return new Webhook(secret).verify(rawBody, {
    'webhook-id': headers['webhook-id'],
    'webhook-timestamp': headers['webhook-timestamp'],
    'webhook-signature': headers['webhook-signature'],
  });
}

/** The same check without a library, for any language: HMAC-SHA256 of `id.timestamp.body` with the secret's bytes. */
export function verifyByHand(secret, headers, rawBody, nowSeconds = Date.now() / 1000) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  if (Math.abs(nowSeconds - Number(timestamp)) > 300) throw new Error('timestamp too far from now');
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${rawBody}`).digest();
  // The header may carry several signatures ("v1,AAA v1,BBB") while a secret is being rotated.
  const ok = String(headers['webhook-signature']).split(' ').some((s) => {
    const [version, sig] = s.split(',');
    const given = Buffer.from(sig ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!ok) throw new Error('signature does not match');
  return JSON.parse(rawBody);
}

/** A request handler: 401 for a bad signature, 200 for a new message, 200 again (and nothing done) for a repeat. */
export function sightlineHandler(secret, onEvent, seen = new Set()) {
  return (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body;
      try {
        body = verifySightlineWebhook(secret, req.headers, raw);
      } catch {
        res.writeHead(401).end('bad signature');
        return;
      }
      const id = req.headers['webhook-id'];
      // Keep the ids in your database in production, as long as Sightline may retry (24 hours by default).
      if (!seen.has(id)) {
        seen.add(id);
        onEvent(body); // e.g. body.type === 'event.start', body.data.cameraId, body.data.snapshotUrl
      }
      res.writeHead(200).end('ok');
    });
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const secret = process.env.SIGHTLINE_WEBHOOK_SECRET;
  if (!secret) throw new Error('set SIGHTLINE_WEBHOOK_SECRET to the destination secret (whsec_...)');
  createServer(sightlineHandler(secret, (e) => console.log(e.type, e.data.cameraId, e.data.id, `v${e.version}`))).listen(3000);
}
