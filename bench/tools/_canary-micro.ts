import { sqliteTaskBench } from './sqlite-task-bench.js';
import { scanPages } from '../../src/stores/scan-pages.js';
import { readAhead } from '../../src/stores/read-ahead.js';
import { inCanary } from '../../src/migrations/apply/canary.js';
import { ChecksumAccumulator } from '../../src/migrations/collection-checksum.js';
import { docKey, type DocKey } from '../../src/stores/store.js';
const { bench, close } = await sqliteTaskBench(100000, 500, 'micro');
const cpu = (s: NodeJS.CpuUsage) => { const u = process.cpuUsage(s); return Math.round((u.user + u.system) / 1000); };
const t = bench.applyInput().target.collection('tasks');
const h = t.handle;
for (let r = 0; r < 3; r++) {
  let s = process.cpuUsage();
  let n = 0;
  for await (const p of readAhead(scanPages(h, { limit: 500, keysOnly: true, texts: true }))) n += p.docs.length;
  const a = cpu(s); s = process.cpuUsage();
  for await (const p of readAhead(scanPages(h, { limit: 500, keysOnly: true }))) n += p.docs.length;
  const b = cpu(s); s = process.cpuUsage();
  const keys: DocKey[] = [];
  const texts: string[] = [];
  for await (const p of scanPages(h, { limit: 500, keysOnly: true, texts: true })) { for (const d of p.docs) keys.push(docKey(d, t.spec)!); texts.push(...p.texts!); }
  s = process.cpuUsage();
  let c = 0; for (const k of keys) if (inCanary(k, 'abc', 5)) c++;
  const d = cpu(s); s = process.cpuUsage();
  const acc = ChecksumAccumulator.of('stored-text'); for (const x of texts) acc.addText(x);
  const e = cpu(s); s = process.cpuUsage();
  let f = 0; for (const x of texts) f += JSON.parse(x) ? 1 : 0;
  console.log(`keys+texts scan ${a}, keys scan ${b}, inCanary ${d} (${c}), hash texts ${e}, parse all ${cpu(s)}`);
}
await close();
