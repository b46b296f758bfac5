/** A receipt as the simulated printer understood it: what it would have put on paper, in order. */
export type Alignment = 'left' | 'center' | 'right';

export type ReceiptElement =
  | {
      type: 'text';
      text: string;
      align: Alignment;
      bold: boolean;
      widthScale: number;
      heightScale: number;
      /** Each character's own width and emphasis: padding printed at 1x before a 2x title is 1x wide. */
      chars: Array<{ widthScale: number; bold: boolean }>;
    }
  | { type: 'barcode'; symbology: 'code128'; data: string; heightDots: number; showText: boolean }
  | { type: 'qr'; data: string; moduleDots: number };

export interface CapturedReceipt {
  readonly elements: ReceiptElement[];
  /** Bytes the printer received for this receipt. */
  readonly bytes: number;
  readonly cut: boolean;
}

/** The receipt as plain text, barcodes shown as `[CODE128 data]` and `[QR data]`. */
export function receiptText(receipt: CapturedReceipt): string {
  return receipt.elements
    .map((element) => {
      if (element.type === 'barcode') return `[CODE128 ${element.data}]`;
      if (element.type === 'qr') return `[QR ${element.data}]`;
      return element.text.trimEnd();
    })
    .join('\n');
}
