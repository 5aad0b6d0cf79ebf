import { Queue, Worker, setDefaultBackendFactory, createRedisBackend, createPostgresBackend } from 'bullmq';
const kind = process.argv[2];
let conn;
if (kind === 'pg') { setDefaultBackendFactory(createPostgresBackend); conn = { connectionString: 'postgres://postgres@127.0.0.1:5432/aitbc_test', schema: 'bullmq_probe', max: 5, migrate: true }; }
else if (kind === 'dead') { setDefaultBackendFactory(createRedisBackend); conn = { host: '127.0.0.1', port: 1, maxRetriesPerRequest: null, enableOfflineQueue: true }; }
else { setDefaultBackendFactory(createRedisBackend); conn = { host: '127.0.0.1', port: 6379, db: 14, maxRetriesPerRequest: null }; }
const q = new Queue('probe', { connection: conn });
let errs = 0;
q.on('error', (e) => { errs++; if (errs < 3) console.log('queue error', e.message); });
const seen = [];
const w = new Worker('probe', async (job) => { seen.push([job.id, Date.now()]); }, { connection: conn, concurrency: 1 });
w.on('error', (e) => { errs++; if (errs < 5) console.log('worker error', e.message); });
const t0 = Date.now();
q.upsertJobScheduler('s', { every: 100 }, { name: 'tick', data: {}, opts: { removeOnComplete: true, removeOnFail: 50 } })
  .then((j) => console.log('upserted', j?.id, Date.now() - t0), (e) => console.log('upsert failed', e.message));
await new Promise((r) => setTimeout(r, 1500));
console.log('ticks', seen.length, seen.slice(0, 3).map(s=>s[0]));
const tc = Date.now();
await w.close(); console.log('worker closed', Date.now() - tc);
await q.close(); console.log('queue closed', Date.now() - tc, 'errors', errs);
if (kind !== 'dead') { const q2 = new Queue('probe', { connection: conn }); await q2.removeJobScheduler('s'); await q2.obliterate({force:true}).catch(e=>console.log(e.message)); await q2.close(); }
process.exit(0);
