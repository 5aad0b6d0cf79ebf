import { run } from './cli';

run(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`aitbc: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
