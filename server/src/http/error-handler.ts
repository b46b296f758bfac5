import type { ErrorCode } from '@cashin/shared';
import { CodedError } from '@cashin/shared';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

/** Fields whose schema failure has a more telling code than VALIDATION_FAILED. */
const fieldCodes: Record<string, ErrorCode> = {
  amountMinor: 'AMOUNT_INVALID',
  currency: 'CURRENCY_UNKNOWN',
  phone: 'PHONE_INVALID',
  code: 'CODE_MALFORMED',
  claimCode: 'CODE_MALFORMED',
};

/** Fastify's own errors that are the client's fault, by their Fastify code. */
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
};

export const validationIssuesReportedMax = 10;

function toCodedError(error: unknown): CodedError | undefined {
  if (error instanceof CodedError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.slice(0, validationIssuesReportedMax).map((issue) => ({
      path: issue.instancePath,
      message: issue.message ?? '',
    }));
    const field = error.validation[0]?.instancePath.split('/').at(-1) ?? '';
    return new CodedError(fieldCodes[field] ?? 'VALIDATION_FAILED', {
      part: error.validationContext ?? 'body',
      issues,
    });
  }
  const fastifyCode = (error as Partial<FastifyError>).code;
  if (fastifyCode !== undefined) {
    const code = fastifyCodes[fastifyCode];
    if (code !== undefined) return new CodedError(code);
  }
  if (error instanceof SyntaxError) return new CodedError('MALFORMED_JSON');
  const status = (error as Partial<FastifyError>).statusCode;
  if (status === 429) return new CodedError('RATE_LIMITED');
  // Any other 4xx Fastify raises (a bad header, say) is still the client's: answer it as a validation failure.
  if (status !== undefined && status >= 400 && status < 500) return new CodedError('VALIDATION_FAILED');
  return undefined;
}

/**
 * Fastify's frameworkErrors option: the router's own refusals, raised before any route or hook (a path
 * with a bad percent-escape, FST_ERR_BAD_URL; a path parameter past maxParamLength,
 * FST_ERR_MAX_PARAM_LENGTH), answered as every other bad request is, with a catalogue code and without
 * echoing the path back. Passed to Fastify() at construction, as that option must be.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const coded = new CodedError('VALIDATION_FAILED', { part: 'url', reason: error.code });
  // No route means no hooks: the request id and nosniff that onSend and the security headers add elsewhere
  // are set here by hand.
  void reply
    .status(coded.status)
    .header('x-request-id', request.id)
    .header('x-content-type-options', 'nosniff')
    .send(coded.toBody(request.id));
}

/** Every error leaves as ErrorBodySchema with a catalogue code; only unknown failures are 500 INTERNAL. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const coded = toCodedError(error);
    if (coded === undefined) {
      request.log.error({ err: error }, 'unexpected failure');
      const internal = new CodedError('INTERNAL');
      return reply.status(internal.status).send(internal.toBody(request.id));
    }
    if (coded.status >= 500) request.log.error({ err: error, code: coded.code }, 'request failed');
    return reply.status(coded.status).send(coded.toBody(request.id));
  });
  app.setNotFoundHandler((request, reply) => {
    const notFound = new CodedError('NOT_FOUND');
    return reply.status(notFound.status).send(notFound.toBody(request.id));
  });
}
