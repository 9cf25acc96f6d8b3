/**
 * The HTTP baselines, each run as a child process like the emulator so that all of them share
 * the machine the same way: `node dist/bench/floorServer.js http|express <items>`.
 *
 * - http: node:http draining the request and answering a fixed GetAttributes document (the HTTP floor).
 * - paced: the same, but a body read as the emulator reads a large one: a chunk or two at a time,
 *   resting between them while other requests are answered (`WriteGate.turn`). Beside the stall
 *   bench's batches, the least the emulator's way of reading costs (bench/stall.ts).
 * - express: Express with no middleware doing the same SQLite lookup or write as the emulator
 *   through the storage floor, rendered with the emulator's own templates (the framework floor).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { formatBoxUsage, getBoxUsage } from '../emulator/core/boxUsage.js';
import { bodyBytes, LARGE_BODY_BYTES, readBody, readBodyChunks } from '../emulator/http/body.js';
import { WriteGate } from '../emulator/http/gate.js';
import { attributeElement, successDocument } from '../emulator/http/render.js';
import type { PutPair, StoredPair } from '../emulator/store/store.js';
import { StorageFloor } from './storageFloor.js';
import { benchItem, BATCH_ITEMS, DOMAIN, HOT_ITEM, itemRange } from './workload.js';

const FIXED_REQUEST_ID = '00000000-0000-0000-0000-000000000000';

function getAttributesDocument(pairs: readonly StoredPair[]): string {
  const result = pairs.map((p) => attributeElement(p.name, p.value)).join('');
  return successDocument('GetAttributes', result, FIXED_REQUEST_ID, formatBoxUsage(getBoxUsage(pairs.length)));
}

const PUT_DOCUMENT = successDocument('PutAttributes', null, FIXED_REQUEST_ID, formatBoxUsage(0));

/** The same headers the emulator sends, so both answers cost the same bytes. */
function send(res: ServerResponse, xml: string): void {
  res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(xml), Server: 'Amazon SimpleDB' });
  res.end(xml);
}

/** The bytes the Express floor would answer for HOT_ITEM. */
function hotDocument(): string {
  const storage = new StorageFloor();
  storage.batchPut(DOMAIN, [benchItem(42)], false);
  const document = getAttributesDocument(storage.get(DOMAIN, HOT_ITEM));
  storage.close();
  return document;
}

function httpFloor(): ReturnType<typeof createServer> {
  const document = hotDocument();
  return createServer((req, res) => {
    req.resume();
    req.on('end', () => send(res, document));
  });
}

function pacedFloor(): ReturnType<typeof createServer> {
  const document = hotDocument();
  const gate = new WriteGate();
  return createServer((req, res) => {
    void readBodyChunks(req, undefined, gate.turn).then((chunks) => {
      if (bodyBytes(chunks) < LARGE_BODY_BYTES) gate.served();
      send(res, document);
    });
  });
}

/** `Attribute.N.*` read directly: the floor trusts its input. */
function putPairs(params: URLSearchParams): PutPair[] {
  const pairs: PutPair[] = [];
  for (let k = 1; params.has(`Attribute.${k}.Name`); k++) {
    pairs.push({
      name: params.get(`Attribute.${k}.Name`) ?? '',
      value: params.get(`Attribute.${k}.Value`) ?? '',
      replace: params.get(`Attribute.${k}.Replace`) === 'true',
    });
  }
  return pairs;
}

function expressFloor(items: number): ReturnType<typeof createServer> {
  const storage = new StorageFloor();
  for (let i = 0; i < items; i += BATCH_ITEMS) storage.batchPut(DOMAIN, itemRange(i, Math.min(BATCH_ITEMS, items - i)), false);
  const app = express();
  app.post('/', (req: IncomingMessage, res: ServerResponse) => {
    void readBody(req).then((body) => {
      const params = new URLSearchParams(body);
      const domain = params.get('DomainName') ?? '';
      const item = params.get('ItemName') ?? HOT_ITEM;
      if (params.get('Action') === 'PutAttributes') {
        storage.put(domain, item, putPairs(params));
        send(res, PUT_DOCUMENT);
      } else {
        send(res, getAttributesDocument(storage.get(domain, item)));
      }
    });
  });
  return createServer(app);
}

const [kind = '', items = '1000'] = process.argv.slice(2);
if (kind !== 'http' && kind !== 'paced' && kind !== 'express') throw new Error('usage: floorServer.js http|paced|express <items>');
const server = kind === 'http' ? httpFloor() : kind === 'paced' ? pacedFloor() : expressFloor(Number(items));
server.listen(0, '127.0.0.1', () => {
  console.log(`floor (${kind}) listening on http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
