import type { FastifySerializerCompiler } from 'fastify/types/schema.js';

/**
 * For routes whose response schema holds a one-way zod transform (UuidV7Schema casts to its branded
 * type), which the zod serializer cannot encode. The schema still documents the answer in OpenAPI; the
 * handler's return type is already checked against it by TypeScript, so plain JSON.stringify is enough.
 */
export const plainJsonSerializer: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data);
