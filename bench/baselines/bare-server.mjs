#!/usr/bin/env node
// The read baseline: one Fastify route answering a small fixed JSON, no database, no
// hooks, with the server's logger at the server's LOG_LEVEL. Started by the benchmark
// with the same node flags as the server; what the server does beyond this is its cost.
import Fastify from 'fastify';
import { baselineLogger, listen } from './logger.mjs';

const { logger, source } = await baselineLogger();
const app = Fastify({ loggerInstance: logger });
const ANSWER = { tags: ['baseline', 'fastify', 'json'], articlesCount: 0 };

app.get('/bare', async () => ANSWER);
app.get('/health/ready', async () => ({ status: 'ok' }));
app.log.warn({ loggerFrom: source }, 'bare baseline starting');
await listen(app);
