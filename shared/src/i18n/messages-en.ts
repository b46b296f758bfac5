import type { ErrorCode } from '../errors/catalogue.js';

/**
 * What every UI says for each error code, in plain words for a person at a kiosk, a till or a phone. The
 * keys are `errorMessageKey(code)`; `{name}` marks a value filled in when shown.
 */
export const errorMessagesEn = {
  'error.validationFailed': 'Something in the request was not right. Please check and try again.',
  'error.malformedJson': 'The request could not be read. Please try again.',
  'error.bodyTooLarge': 'That was too much to send at once.',
  'error.unsupportedMediaType': 'The request was in a form we cannot read.',
  'error.amountInvalid': 'Enter an amount in whole cents, above zero.',
  'error.currencyUnknown': 'We do not handle that currency.',
  'error.currencyMismatch':
    'The money and the wallet are in different currencies, so they cannot be used together.',
  'error.phoneInvalid': 'Enter the phone number with its country code, like +1 555 123 4567.',
  'error.phoneUnreachable':
    'We cannot send a text message to this number. Use a mobile number, or reply START if you replied STOP.',
  'error.codeMalformed': 'That code is not right. Please check the numbers and try again.',
  'error.codeUnknown': 'We do not know that code. Please check the numbers.',
  'error.codeRevoked': 'That code was replaced by a newer one. Use the code in your wallet app.',
  'error.codeExpired': 'That code has expired.',
  'error.codeUsed': 'That code was already used.',
  'error.codeCancelled':
    'That payment slip was cancelled in the wallet app. Make a new slip there to deposit.',
  'error.limitExceeded': 'This would go over the deposit limit. You can still deposit {remaining}.',
  'error.familyCapExceeded':
    'This goes over the limit a parent set for this wallet. It can still take {remaining}.',
  'error.amountBelowMinimum': 'The smallest deposit here is {minimum}.',
  'error.amountAboveMaximum': 'The largest deposit here is {maximum}.',
  'error.amountMismatch': 'This payment slip is for {expected}. Deposit exactly that amount.',
  'error.slipsOpenMax':
    'You already have as many open payment slips as you can. Use one, or wait for one to expire.',
  'error.insufficientFunds': 'There is not enough money in the account for this.',
  'error.idempotencyConflict': 'This was already done with different details. Start again.',
  'error.bagAlreadyCollected':
    'A bag with this label was already recorded for this kiosk. Check the label on the bag: each bag is recorded once.',
  'error.shopperExists': 'There is already a wallet for this phone number. Sign in instead.',
  'error.unauthenticated': 'Please sign in.',
  'error.sessionExpired': 'You were signed out. Please sign in again.',
  'error.forbidden': 'You are not allowed to do this.',
  'error.otpInvalid': 'That code is wrong or too old. Check the message we sent you.',
  'error.otpLocked': 'Too many wrong codes. Wait a few minutes and ask for a new one.',
  'error.signUpTokenInvalid': 'This sign-up has expired. Ask for a new code to start it again.',
  'error.pinInvalid': 'The store, clerk number or PIN is wrong.',
  'error.pinLocked':
    'Too many wrong PINs. This clerk is locked for up to {minutes} minutes; ops can set a new PIN sooner.',
  'error.clerksPerStoreMax':
    'This store already has {clerksMax} clerks, the most one store may have. Ask support before adding another.',
  'error.clerkDisabled': 'This clerk is disabled. Ask the store manager or support to enable it.',
  'error.staffSignInInvalid': 'The username or password is wrong.',
  'error.staffLocked': 'Too many wrong passwords. This account is locked for a few minutes.',
  'error.staffDisabled': 'This staff account is disabled. Ask another operator to enable it.',
  'error.rateLimited': 'Too many tries. Please wait a moment.',
  'error.authorizationExpired': 'This deposit took too long to confirm. Start it again.',
  'error.authorizationUnknown': 'We cannot find this deposit. Start it again.',
  'error.voidWindowClosed': 'This deposit can no longer be cancelled here.',
  'error.alreadyVoided': 'This deposit was already cancelled.',
  'error.claimAlreadyRedeemed': 'This voucher or receipt was already added to a wallet.',
  'error.signatureInvalid': 'This kiosk could not prove who it is. Please call for service.',
  'error.signatureStale': 'This kiosk clock is wrong. Please call for service.',
  'error.nonceReplayed': 'This kiosk sent a message twice. Please call for service.',
  'error.terminalUnknown': 'This kiosk is not registered. Please call for service.',
  'error.terminalDisabled': 'This kiosk is switched off by the operator.',
  'error.terminalKeyRevoked':
    'This kiosk was reported lost or stolen, and its key no longer works. Please call for service.',
  'error.enrollmentTokenInvalid': 'That registration code is wrong, used or expired.',
  'error.syncBatchTooLarge': 'The kiosk sent too many deposits at once.',
  'error.receiptSignatureInvalid': 'We could not check this receipt. Please keep it and contact support.',
  'error.receiptNotRedeemable':
    'This receipt cannot be added here. Keep it: the money reaches the wallet when the kiosk reconnects, or support can add it.',
  'error.offlineCapReached': 'This kiosk cannot take money until it reconnects. Your money is safe.',
  'error.deviceFault': 'Part of this kiosk stopped working. Any money counted is saved to your receipt.',
  'error.serverUnreachable': 'We cannot reach our service right now. Please try again soon.',
  'error.notFound': 'We could not find that.',
  'error.conflict': 'That clashes with something that just changed. Please try again.',
  'error.serviceUnavailable': 'The service is busy. Please try again in a moment.',
  'error.internal': 'Something went wrong on our side. Nothing was charged twice.',
} as const satisfies Record<`error.${string}`, string>;

export type ErrorMessageKey = keyof typeof errorMessagesEn;

/** Every ErrorCode must have a message: this fails to compile when a code is added without one. */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Lowercase<Head>}${Capitalize<CamelCase<Tail>>}`
  : Lowercase<S>;
type Missing = Exclude<`error.${CamelCase<ErrorCode>}`, ErrorMessageKey>;
export const everyErrorHasAMessage: Missing extends never ? true : Missing = true;
