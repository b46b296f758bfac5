// The hardware simulator's public surface, for the agent's and the chaos tests.
export { Simulator, simDeviceNames } from './simulator.js';
export type { Endpoint, SimDeviceName, SimulatorOptions } from './simulator.js';
export { CoinAcceptorSim } from './coin/coin-acceptor-sim.js';
export type { CoinAcceptorSimOptions, InsertResult } from './coin/coin-acceptor-sim.js';
export { BillValidatorSim } from './bill/bill-validator-sim.js';
export type { BillInsertResult, BillValidatorSimOptions } from './bill/bill-validator-sim.js';
export {
  BulkCounterSim,
  coinsPerMinuteMax,
  coinsPerMinuteMin,
  seededRandom,
} from './counter/bulk-counter-sim.js';
export type { BulkCounterSimOptions, PourOptions } from './counter/bulk-counter-sim.js';
export { ScannerSim } from './scanner/scanner-sim.js';
export { PrinterSim } from './printer/printer-sim.js';
export type { CapturedReceipt, ReceiptElement } from './printer/receipt-model.js';
export { receiptText } from './printer/receipt-model.js';
export { renderReceiptPng } from './printer/render-png.js';
export type { AcceptedTotals } from './cctalk/accepted-totals.js';
export { lineTimeMs } from './cctalk/line-timing.js';
export { createPtyPair } from './transport/pty-pair.js';
export type { PtyPair } from './transport/pty-pair.js';
export { TcpEndpoint } from './transport/tcp-endpoint.js';
export { runCommand, helpText } from './cli/commands.js';
export { SimScriptSchema, loadScript } from './cli/script.js';
