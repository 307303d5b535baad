#!/usr/bin/env node
// Prints the tables of a saved benchmark report again:
//   node bench/print-report.mjs result.json
import { readFileSync } from 'node:fs';
import { renderReport } from './lib/render.mjs';

if (process.argv.length !== 3) {
  console.error('usage: node bench/print-report.mjs <report.json>');
  process.exit(2);
}
console.log(renderReport(JSON.parse(readFileSync(process.argv[2], 'utf8'))));
