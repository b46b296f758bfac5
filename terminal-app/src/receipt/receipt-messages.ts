import type { Language } from '@cashin/shared';

/**
 * Every word a printed receipt uses, per language. Receipt lines are at most 64 characters and column
 * labels at most 48, so the strings are kept short; a test checks every language has every key.
 */
export interface ReceiptMessages {
  depositTitle: string;
  voucherTitle: string;
  collectionTitle: string;
  terminal: string;
  date: string;
  time: string;
  reference: string;
  sequence: string;
  shopper: string;
  coin: string;
  bill: string;
  rejected: string;
  total: string;
  newBalance: string;
  balancePending: string;
  claimCode: string;
  voucherHint: string;
  offlineHint: string;
  recovered: string;
  lostEvents: string;
  deviceFault: string;
  thanks: string;
  device: string;
  pieces: string;
  collectedAt: string;
  collectionId: string;
  nothingCollected: string;
}

export const receiptMessages: Record<Language, ReceiptMessages> = {
  en: {
    depositTitle: 'Cash deposit',
    voucherTitle: 'Cash voucher',
    collectionTitle: 'Cash collection',
    terminal: 'Kiosk',
    date: 'Date',
    time: 'Time',
    reference: 'Reference',
    sequence: 'No.',
    shopper: 'Account',
    coin: 'coin',
    bill: 'bill',
    rejected: 'Returned, not counted',
    total: 'Total',
    newBalance: 'New balance',
    balancePending: 'Credit pending',
    claimCode: 'Claim code',
    voucherHint: 'Keep this voucher: the claim code is the money.',
    offlineHint: 'Kiosk offline. Scan the QR code to claim if not credited.',
    recovered: 'Completed after a power loss.',
    lostEvents: 'Held for review: a device lost events.',
    deviceFault: 'Ended early by a device fault.',
    thanks: 'Thank you',
    device: 'Device',
    pieces: 'Pieces',
    collectedAt: 'Collected',
    collectionId: 'Collection',
    nothingCollected: 'Empty bag',
  },
  es: {
    depositTitle: 'Depósito en efectivo',
    voucherTitle: 'Vale de efectivo',
    collectionTitle: 'Retiro de efectivo',
    terminal: 'Quiosco',
    date: 'Fecha',
    time: 'Hora',
    reference: 'Referencia',
    sequence: 'Núm.',
    shopper: 'Cuenta',
    coin: 'moneda',
    bill: 'billete',
    rejected: 'Devueltos, sin contar',
    total: 'Total',
    newBalance: 'Saldo nuevo',
    balancePending: 'Abono pendiente',
    claimCode: 'Código de canje',
    voucherHint: 'Guarde este vale: el código vale el dinero.',
    offlineHint: 'Quiosco sin conexión. Escanee el QR si no se abona.',
    recovered: 'Completado tras un corte de luz.',
    lostEvents: 'En revisión: un dispositivo perdió eventos.',
    deviceFault: 'Terminado por una falla del dispositivo.',
    thanks: 'Gracias',
    device: 'Dispositivo',
    pieces: 'Piezas',
    collectedAt: 'Retirado',
    collectionId: 'Retiro',
    nothingCollected: 'Bolsa vacía',
  },
};
