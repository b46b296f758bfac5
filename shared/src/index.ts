// The one barrel of @cashin/shared: the domain every part speaks.
export * from './money/currency.js';
export * from './money/money.js';
export * from './money/format.js';
export * from './money/denominations.js';
export * from './codes/damm.js';
export * from './codes/deposit-code.js';
export * from './codes/code-schema.js';
export * from './ids/uuidv7.js';
export * from './errors/catalogue.js';
export * from './limits/limits.js';
export * from './clock/clock.js';
export * from './schemas/common.js';
export * from './schemas/devices.js';
export * from './schemas/kiosk-deposit.js';
export * from './schemas/print.js';
