// The logger type plugins receive: fastify's pino logger.
import type { FastifyBaseLogger } from 'fastify';

export type Logger = FastifyBaseLogger;
