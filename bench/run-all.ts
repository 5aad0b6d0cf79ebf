/* Runs every benchmark, one after another (`npm run bench`). */
import { runEventStoreBench } from './event-store.bench';
import { runHttpBench } from './http.bench';
import { runMinersBench } from './miners.bench';

interface Bench {
  name: string;
  run: () => Promise<unknown>;
}

const BENCHES: readonly Bench[] = [
  { name: 'event-store', run: () => runEventStoreBench() },
  { name: 'http', run: () => runHttpBench() },
  { name: 'miners', run: () => runMinersBench() },
];

async function runAll(): Promise<void> {
  for (const bench of BENCHES) {
    console.log(`\n=== bench: ${bench.name} ===`);
    await bench.run();
  }
}

runAll().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
