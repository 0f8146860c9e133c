/**
 * Per-document digest costs, measured apart from any store (issue 17): what apply and rollback pay
 * to fingerprint a document, and the alternatives. Run:
 *
 *   node --import tsx bench/hash-digests.ts [docs]
 *
 * Prints CPU microseconds per document for: canonical JSON alone; canonical JSON + SHA-256 (what
 * `documentDigest` does); `JSON.stringify` + SHA-256 (the bytes as SQLite stores them, no field
 * sorting); SHA-256 of text already in hand (hashing the stored bytes); canonical JSON + MD5 and
 * + SHA-1 (faster native digests); canonical JSON + FNV-1a 64 in JavaScript (a non-cryptographic
 * digest); and `JSON.parse` of the stored text for scale.
 */
import { createHash, hash } from 'node:crypto';
import type { JsonObject } from '../src/core/json.js';
import { canonicalText } from '../src/migrations/json-values.js';
import { taskBatches } from './task-workloads.js';

const count = Number(process.argv[2] ?? 100_000);
const docs: JsonObject[] = [];
for (const batch of taskBatches({ docs: count, batch: 1000, seed: 'bench' })) docs.push(...batch);
const texts = docs.map((d) => JSON.stringify(d));

function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++)
    h = BigInt.asUintN(64, (h ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n);
  return h.toString(16);
}

/** FNV-1a in two 32-bit halves (no BigInt): the fastest a JavaScript non-cryptographic hash gets here. */
function fnv1a32x2(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (a >>> 15);
  }
  return (a >>> 0).toString(16) + (b >>> 0).toString(16);
}

const cases: [string, (i: number) => unknown][] = [
  ['JSON.parse of the stored text (scale)', (i) => JSON.parse(texts[i]!)],
  ['canonical JSON alone', (i) => canonicalText(docs[i])],
  ['canonical JSON + SHA-256 (documentDigest)', (i) => hash('sha256', canonicalText(docs[i]), 'hex')],
  [
    'JSON.stringify + SHA-256 (stored bytes, unsorted)',
    (i) => hash('sha256', JSON.stringify(docs[i]), 'hex'),
  ],
  ['SHA-256 of stored text in hand', (i) => hash('sha256', texts[i]!, 'hex')],
  ['canonical JSON + SHA-1', (i) => hash('sha1', canonicalText(docs[i]), 'hex')],
  ['canonical JSON + MD5', (i) => hash('md5', canonicalText(docs[i]), 'hex')],
  [
    'canonical JSON + SHA-256 (createHash)',
    (i) => createHash('sha256').update(canonicalText(docs[i])).digest('hex'),
  ],
  ['canonical JSON + FNV-1a 2x32 (JS)', (i) => fnv1a32x2(canonicalText(docs[i]))],
  ['canonical JSON + FNV-1a 64 (JS BigInt)', (i) => fnv1a64(canonicalText(docs[i]))],
];

const avgBytes = texts.reduce((n, t) => n + t.length, 0) / texts.length;
console.log(`${count} task documents, ${avgBytes.toFixed(0)} bytes of JSON each on average`);
console.log('| digest | µs CPU per document |\n|---|--:|');
for (const [name, f] of cases) {
  for (let i = 0; i < Math.min(count, 5000); i++) f(i); // warm up
  const best: number[] = [];
  for (let round = 0; round < 3; round++) {
    const start = process.cpuUsage();
    for (let i = 0; i < count; i++) f(i);
    const used = process.cpuUsage(start);
    best.push((used.user + used.system) / count);
  }
  console.log(`| ${name} | ${Math.min(...best).toFixed(2)} |`);
}
