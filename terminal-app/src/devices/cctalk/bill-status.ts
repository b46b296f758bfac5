/**
 * What a 159 status event (A = 0, status in B) means. Codes per the reference notes (ccTalk-HLA).
 */
export type BillStatusClass =
  | { kind: 'none' }
  | { kind: 'returnedFromEscrow' }
  | { kind: 'rejected' }
  | { kind: 'inhibited' }
  | { kind: 'fault'; fault: 'jam' | 'fraudAttempt' | 'stackerFull' | 'stackerRemoved' | 'stackerFaulty' }
  | { kind: 'stackerOk' }
  | { kind: 'stackerInserted' };

export const billStatusCodes = {
  masterInhibitActive: 0,
  returnedFromEscrow: 1,
  invalidBillValidation: 2,
  invalidBillTransport: 3,
  inhibitedBillSerial: 4,
  inhibitedBillDip: 5,
  jammedInTransportUnsafe: 6,
  jammedInStacker: 7,
  pulledBackwards: 8,
  tamper: 9,
  stackerOk: 10,
  stackerRemoved: 11,
  stackerInserted: 12,
  stackerFaulty: 13,
  stackerFull: 14,
  stackerJammed: 15,
  jammedInTransportSafe: 16,
  optoFraud: 17,
  stringFraud: 18,
} as const;

export function classifyBillStatus(code: number): BillStatusClass {
  const c = billStatusCodes;
  switch (code) {
    case c.masterInhibitActive:
      return { kind: 'none' };
    case c.returnedFromEscrow:
      return { kind: 'returnedFromEscrow' };
    case c.invalidBillValidation:
    case c.invalidBillTransport:
      return { kind: 'rejected' };
    case c.inhibitedBillSerial:
    case c.inhibitedBillDip:
      return { kind: 'inhibited' };
    case c.jammedInTransportUnsafe:
    case c.jammedInStacker:
    case c.stackerJammed:
    case c.jammedInTransportSafe:
      return { kind: 'fault', fault: 'jam' };
    case c.pulledBackwards:
    case c.tamper:
    case c.optoFraud:
    case c.stringFraud:
      return { kind: 'fault', fault: 'fraudAttempt' };
    case c.stackerOk:
      return { kind: 'stackerOk' };
    case c.stackerRemoved:
      return { kind: 'fault', fault: 'stackerRemoved' };
    case c.stackerInserted:
      return { kind: 'stackerInserted' };
    case c.stackerFaulty:
      return { kind: 'fault', fault: 'stackerFaulty' };
    case c.stackerFull:
      return { kind: 'fault', fault: 'stackerFull' };
    default:
      // 19 anti-string faulty, 20 barcode detected, 21 unknown bill stacked and anything newer: nothing
      // the deposit can act on; the driver reports it as a protocol-level oddity.
      return { kind: 'rejected' };
  }
}
