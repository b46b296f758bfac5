import type { Language } from '@cashin/shared';

/**
 * Every word a printed receipt uses, per language. A line printed on its own (a hint, a note) fits the
 * narrowest paper, 42 columns, so the printer never breaks it; column labels leave room for their value. A
 * test checks every language has every key and that each line fits.
 */
export interface ReceiptMessages {
  depositTitle: string;
  voucherTitle: string;
  /** The mark at the top of a reprint, and the words before the moment it was reprinted. */
  copy: string;
  reprinted: string;
  collectionTitle: string;
  terminal: string;
  date: string;
  time: string;
  reference: string;
  sequence: string;
  shopper: string;
  coin: string;
  bill: string;
  /**
   * What came back uncounted, each a column label before its count, in the number the count takes: coins
   * (into the return cup) and bills (out of the bill slot) apart, and, for a deposit journaled before the
   * kind was kept, both on one line.
   */
  returnedCoinsOne: string;
  returnedCoinsMany: string;
  returnedBillsOne: string;
  returnedBillsMany: string;
  returnedUnsortedOne: string;
  returnedUnsortedMany: string;
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
    copy: 'COPY',
    reprinted: 'Reprinted',
    collectionTitle: 'Cash collection',
    terminal: 'Kiosk',
    date: 'Date',
    time: 'Time',
    reference: 'Reference',
    sequence: 'No.',
    shopper: 'Account',
    coin: 'coin',
    bill: 'bill',
    returnedCoinsOne: 'Coin returned, not counted',
    returnedCoinsMany: 'Coins returned, not counted',
    returnedBillsOne: 'Bill returned, not counted',
    returnedBillsMany: 'Bills returned, not counted',
    returnedUnsortedOne: 'Returned, not counted',
    returnedUnsortedMany: 'Returned, not counted',
    total: 'Total',
    newBalance: 'New balance',
    balancePending: 'Credit pending',
    claimCode: 'Claim code',
    voucherHint: 'Keep this voucher: the code is the money.',
    offlineHint: 'Offline: if not credited, scan this QR.',
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
    copy: 'COPIA',
    reprinted: 'Reimpreso',
    collectionTitle: 'Retiro de efectivo',
    terminal: 'Quiosco',
    date: 'Fecha',
    time: 'Hora',
    reference: 'Referencia',
    sequence: 'Núm.',
    shopper: 'Cuenta',
    coin: 'moneda',
    bill: 'billete',
    returnedCoinsOne: 'Moneda devuelta, sin contar',
    returnedCoinsMany: 'Monedas devueltas, sin contar',
    returnedBillsOne: 'Billete devuelto, sin contar',
    returnedBillsMany: 'Billetes devueltos, sin contar',
    returnedUnsortedOne: 'Pieza devuelta, sin contar',
    returnedUnsortedMany: 'Piezas devueltas, sin contar',
    total: 'Total',
    newBalance: 'Saldo nuevo',
    balancePending: 'Abono pendiente',
    claimCode: 'Código de canje',
    voucherHint: 'Guarde este vale: el código es el dinero.',
    offlineHint: 'Sin conexión: si no se abona, use este QR.',
    recovered: 'Completado tras un corte de luz.',
    lostEvents: 'En revisión: un equipo perdió eventos.',
    deviceFault: 'Terminado por una falla del dispositivo.',
    thanks: 'Gracias',
    device: 'Dispositivo',
    pieces: 'Piezas',
    collectedAt: 'Retirado',
    collectionId: 'Retiro',
    nothingCollected: 'Bolsa vacía',
  },
};
