import { codeSchema } from '@cashin/shared';
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { imageFormats, renderBarcode, symbologies } from '../codes/barcode.js';

/** A rendered image depends only on its URL, so browsers and proxies may keep it for a year. */
const immutableCacheControl = 'public, max-age=31536000, immutable';

export function barcodeRoutes() {
  return async (plain: FastifyInstance): Promise<void> => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/v1/barcodes/:symbology/:code.:format',
      {
        config: { roles: ['public'] },
        schema: {
          tags: ['codes'],
          params: z.object({
            symbology: z.enum(symbologies),
            code: codeSchema(),
            format: z.enum(imageFormats),
          }),
        },
      },
      async (request, reply) => {
        const { symbology, code, format } = request.params;
        const etag = `"${createHash('sha256').update(`${symbology}:${code}:${format}`).digest('base64url').slice(0, 27)}"`;
        void reply.header('cache-control', immutableCacheControl).header('etag', etag);
        if (request.headers['if-none-match'] === etag) return reply.status(304).send();
        const image = await renderBarcode(code, symbology, format);
        return reply.type(format === 'png' ? 'image/png' : 'image/svg+xml').send(image);
      },
    );
  };
}
