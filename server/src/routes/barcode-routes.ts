import { codeSchema } from '@cashin/shared';
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { imageFormats, renderBarcode, symbologies } from '../codes/barcode.js';

/**
 * A rendered image depends only on its URL, so the browser may keep it for a year; only the browser: the
 * code in it is a shopper's, and a shared cache (a proxy, a CDN) would keep it for anyone who asks.
 */
const immutableCacheControl = 'private, max-age=31536000, immutable';

/**
 * The codes rendered here: a shopper's deposit code and payment slips, which only send money to their
 * owner. A claim code is money to whoever types it: never rendered by an endpoint anyone may call.
 */
const renderedCodeTypes = ['deposit', 'slip'] as const;

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
            code: codeSchema(renderedCodeTypes),
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
