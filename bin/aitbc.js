#!/usr/bin/env node
// The `aitbc` command: runs the compiled CLI (npm run build creates it).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'cli.js');
if (!existsSync(entry)) {
  process.stderr.write('aitbc: not built yet: run `npm run build` in the project folder first\n');
  process.exit(2);
}
const { run } = require(entry);
run(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`aitbc: ${error && error.message ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
