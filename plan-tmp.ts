import Database from 'better-sqlite3';
import { restoreCopiesSql } from './src/stores/sqlite/sqlite-restore-copies.js';
const db = new Database(':memory:');
db.exec(`create table b (k text primary key, doc text not null) without rowid; create table t (k text primary key, doc text not null) without rowid`);
let calls = 0;
db.function('steward_key_id', {deterministic:true}, (x)=>x);
db.function('steward_restore_digest', {deterministic:true}, (x)=>{calls++; return x;});
const N=1000, H=20;
const ins = db.prepare('insert into t values (?,?)');
const entriesOf = (h) => Array.from({length:N},(_,i)=>{const id=`d${h}-${i}`;return {key:id, doc:{id, title:'some title here '+i, status:'open', n:i, tags:['a','b']}, writtenVersion:2, writtenDigest:JSON.stringify({id,v:2,x:i})};});
for (let h=0;h<H;h++){ const e=entriesOf(h); db.prepare('insert into b values (?,?)').run('s:h'+h, JSON.stringify({id:'h'+h,part:'head',entries:e})); for (const x of e) ins.run('s:'+x.key, JSON.stringify({id:x.key,v:2,x:Number(x.key.split('-')[1])})); }
const sql = restoreCopiesSql('b','t');
console.log(db.prepare('EXPLAIN QUERY PLAN '+sql.restore).all({ids:'[]',field:'$.entries',key:'$.key',doc:'$.doc',digest:'$.writtenDigest'}).map(r=>r.detail).join('\n'));
const st = db.prepare(sql.restore).pluck(); const ct = db.prepare(sql.count).pluck();
let t0=process.cpuUsage();
for (let h=0;h<H;h++){ const ids=JSON.stringify(['s:h'+h]); const c=ct.get({ids,field:'$.entries'}); const r=st.all({ids,field:'$.entries',key:'$.key',doc:'$.doc',digest:'$.writtenDigest'}); if(h===0)console.log(c, r.length);}
const u=process.cpuUsage(t0); console.log('cpu ms', (u.user+u.system)/1000, 'calls', calls);
const time = (label, sqlText, p) => { const s = db.prepare(sqlText); const t0=process.cpuUsage(); for (let h=0;h<H;h++){ const ids=JSON.stringify(['s:h'+h]); s.all({ids,...p}); } const u=process.cpuUsage(t0); console.log(label, ((u.user+u.system)/1000).toFixed(1)); };
const P={field:'$.entries'};
time('count', sql.count, P);
time('each only', `SELECT x.value FROM b, json_each(b.doc, @field) AS x WHERE b.k IN (SELECT value FROM json_each(@ids))`, P);
time('each key', `SELECT x.value ->> '$.key' FROM b, json_each(b.doc, @field) AS x WHERE b.k IN (SELECT value FROM json_each(@ids))`, P);
time('each key doc digest', `SELECT x.value ->> '$.key', x.value -> '$.doc', x.value ->> '$.writtenDigest' FROM b, json_each(b.doc, @field) AS x WHERE b.k IN (SELECT value FROM json_each(@ids))`, P);
time('each full e', `SELECT CASE json_type(x.value, '$.key') WHEN 'text' THEN 's:' || (x.value ->> '$.key') ELSE steward_key_id(x.value -> '$.key') END AS k, x.value -> '$.doc' AS doc, x.value ->> '$.writtenDigest' AS digest FROM b, json_each(b.doc, @field) AS x WHERE b.k IN (SELECT value FROM json_each(@ids)) AND json_type(x.value, '$.doc') = 'object' AND json_type(x.value, '$.writtenDigest') = 'text'`, P);
time('tree', `SELECT x.key, x.value FROM b, json_tree(b.doc, @field) AS x WHERE b.k IN (SELECT value FROM json_each(@ids)) AND x.path LIKE '$.entries[%' AND x.key IN ('key','doc','writtenDigest')`, P);
time('select t digest', `SELECT steward_restore_digest(doc) FROM t WHERE k LIKE 's:d1-%'`, {});
time('jsonb full e', `SELECT CASE json_type(x.value, '$.key') WHEN 'text' THEN 's:' || (x.value ->> '$.key') ELSE steward_key_id(x.value -> '$.key') END AS k, x.value -> '$.doc' AS doc, x.value ->> '$.writtenDigest' AS digest FROM b, jsonb_each(b.doc, @field) AS x WHERE b.k IN (SELECT value FROM json_each(@ids)) AND json_type(x.value, '$.doc') = 'object' AND json_type(x.value, '$.writtenDigest') = 'text'`, P);
time('jsonb each only', `SELECT x.value FROM b, jsonb_each(b.doc, @field) AS x WHERE b.k IN (SELECT value FROM json_each(@ids))`, P);
