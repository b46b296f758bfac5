import {
  ClaimRedeemRequestSchema,
  CodeSentResponseSchema,
  ClaimRedeemResponseSchema,
  DepositCodeResponseSchema,
  OtpRequestSchema,
  SessionRequestSchema,
  SessionResponseSchema,
  SignUpRequestSchema,
  SignUpResponseSchema,
  SlipListResponseSchema,
  SlipRequestSchema,
  SlipSchema,
  WalletResponseSchema,
  codeSchema,
  formatCode,
} from '@cashin/shared';
import type { Code } from '@cashin/shared';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { redeemClaim } from '../claims/redeem-claim.js';
import { activeDepositCode, rotateDepositCode } from '../codes/deposit-codes.js';
import { cancelSlip, issueSlip, listSlips } from '../codes/slips.js';
import type { Deps } from '../deps.js';
import { bearerToken, shopperIdOf } from '../http/roles.js';
import { endSession, requestOtp, requestSignUp, verifyOtp } from '../shoppers/otp.js';
import { publicShopper } from '../shoppers/shoppers.js';
import { walletView } from '../wallets/wallet.js';

export function depositCodeBody(code: Code) {
  const base = `/v1/barcodes`;
  return {
    code,
    formatted: formatCode(code),
    barcodes: {
      code128Png: `${base}/code128/${code}.png`,
      code128Svg: `${base}/code128/${code}.svg`,
      qrPng: `${base}/qr/${code}.png`,
      qrSvg: `${base}/qr/${code}.svg`,
    },
  };
}

export function shopperRoutes(deps: Deps) {
  return async (plain: FastifyInstance): Promise<void> => {
    const app = plain.withTypeProvider<ZodTypeProvider>();

    // Sign-up opens no wallet by itself: it texts a code, and verifying it with the sign-up token this
    // answers (POST /v1/auth/sessions) opens the wallet with these details. It answers 202 and a fresh
    // token for a number that already has a wallet too.
    app.post(
      '/v1/shoppers',
      {
        config: { roles: ['public'] },
        schema: { tags: ['shoppers'], body: SignUpRequestSchema, response: { 202: SignUpResponseSchema } },
      },
      async (request, reply) => {
        const signUpToken = await requestSignUp(deps, request.body, request.ip);
        return reply.status(202).send({ sent: true, signUpToken });
      },
    );

    app.post(
      '/v1/auth/otp',
      {
        config: { roles: ['public'] },
        schema: {
          tags: ['auth'],
          body: OtpRequestSchema,
          response: { 202: CodeSentResponseSchema },
        },
      },
      async (request, reply) => {
        await requestOtp(deps, request.body.phone, request.ip, request.body.language);
        return reply.status(202).send({ sent: true });
      },
    );

    app.post(
      '/v1/auth/sessions',
      {
        config: { roles: ['public'] },
        schema: { tags: ['auth'], body: SessionRequestSchema, response: { 201: SessionResponseSchema } },
      },
      async (request, reply) => {
        const { phone, otp, signUpToken } = request.body;
        const session = await verifyOtp(deps, phone, otp, request.ip, signUpToken);
        return reply.status(201).send({ token: session.token, expiresAtMs: session.expiresAtMs });
      },
    );

    app.delete(
      '/v1/auth/sessions/current',
      { config: { roles: ['shopper'] }, schema: { tags: ['auth'] } },
      async (request, reply) => {
        const token = bearerToken(request);
        if (token !== undefined) await endSession(deps, token);
        return reply.status(204).send();
      },
    );

    app.get(
      '/v1/me/wallet',
      {
        config: { roles: ['shopper'] },
        schema: { tags: ['wallet'], response: { 200: WalletResponseSchema } },
      },
      async (request) => {
        const view = await walletView(deps, shopperIdOf(request));
        return { ...view, shopper: publicShopper(view.shopper) };
      },
    );

    app.get(
      '/v1/me/deposit-code',
      {
        config: { roles: ['shopper'] },
        schema: { tags: ['codes'], response: { 200: DepositCodeResponseSchema } },
      },
      async (request) => {
        const shopperId = shopperIdOf(request);
        const code = await deps.db.transaction((tx) => activeDepositCode(tx, shopperId));
        return depositCodeBody(code);
      },
    );

    app.post(
      '/v1/me/deposit-code/rotations',
      {
        config: { roles: ['shopper'] },
        schema: { tags: ['codes'], response: { 201: DepositCodeResponseSchema } },
      },
      async (request, reply) => {
        const code = await rotateDepositCode(deps, shopperIdOf(request));
        return reply.status(201).send(depositCodeBody(code));
      },
    );

    app.post(
      '/v1/me/slips',
      {
        config: { roles: ['shopper'] },
        schema: { tags: ['codes'], body: SlipRequestSchema, response: { 201: SlipSchema } },
      },
      async (request, reply) => {
        const slip = await issueSlip(
          deps,
          shopperIdOf(request),
          request.body.amountMinor,
          request.body.ttlMs,
        );
        return reply.status(201).send(slip);
      },
    );

    app.get(
      '/v1/me/slips',
      {
        config: { roles: ['shopper'] },
        schema: { tags: ['codes'], response: { 200: SlipListResponseSchema } },
      },
      async (request) => ({ slips: await listSlips(deps, shopperIdOf(request)) }),
    );

    app.delete(
      '/v1/me/slips/:code',
      {
        config: { roles: ['shopper'] },
        schema: {
          tags: ['codes'],
          description:
            'Cancels one of your open payment slips: it starts no deposit from now on and no longer counts ' +
            'as open. Answers the slip, status `cancelled`; again for a slip already cancelled. CODE_USED or ' +
            'CODE_EXPIRED when it can no longer be cancelled; CONFLICT (slipAuthorized, with untilMs) while ' +
            'a till holds an authorization for it; CODE_UNKNOWN for a code that is not one of your slips.',
          params: z.object({ code: codeSchema(['slip']) }),
          response: { 200: SlipSchema },
        },
      },
      async (request) => cancelSlip(deps, shopperIdOf(request), request.params.code),
    );

    app.post(
      '/v1/me/claims',
      {
        config: { roles: ['shopper'] },
        schema: {
          tags: ['claims'],
          body: ClaimRedeemRequestSchema,
          response: { 201: ClaimRedeemResponseSchema },
        },
      },
      async (request, reply) => {
        const redeemed = await redeemClaim(deps, shopperIdOf(request), request.body.claimCode);
        return reply.status(201).send(redeemed);
      },
    );
  };
}
