/**
 * What a 159 status event (A = 0, status in B) means. Codes per the reference notes (ccTalk-HLA).
 *
 * A fraud status (a bill pulled back, on a string, an opto or tamper alarm) is about one bill the validator
 * refused: `rejected` with `fraud` set, logged by the driver, never a fault, since the validator never says
 * such an alarm is over. Faults are what a technician must clear, and each has the status or self-check
 * that clears it: jams (a passing self-check), stacker full or faulty (stacker OK), stacker removed
 * (stacker inserted). An unknown bill stacked is money in the cassette whose value is unknown.
 */
export type BillStatusClass =
  | { kind: 'none' }
  | { kind: 'returnedFromEscrow' }
  | { kind: 'rejected'; fraud: boolean }
  | { kind: 'inhibited' }
  | { kind: 'fault'; fault: 'jam' | 'stackerFull' | 'stackerRemoved' | 'stackerFaulty' }
  | { kind: 'stackerOk' }
  | { kind: 'stackerInserted' }
  | { kind: 'unknownBillStacked' };

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
  antiStringFaulty: 19,
  barcodeDetected: 20,
  unknownBillStacked: 21,
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
      return { kind: 'rejected', fraud: false };
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
      return { kind: 'rejected', fraud: true };
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
    case c.unknownBillStacked:
      return { kind: 'unknownBillStacked' };
    default:
      // 19 anti-string faulty, 20 barcode detected and anything newer: nothing the deposit can act on;
      // the driver reports it as a refused item.
      return { kind: 'rejected', fraud: false };
  }
}
