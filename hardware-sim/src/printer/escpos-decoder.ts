import type { Alignment, CapturedReceipt, ReceiptElement } from './receipt-model.js';

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;
const LF = 0x0a;

/** Bytes a single command may span before the decoder gives up on it (a raster image of a receipt). */
const commandBytesMax = 1 << 20;

/** cp437 box-drawing characters the encoder uses for rules, shown as ASCII in the text rendering. */
const cp437Ascii: Record<number, string> = { 0xc4: '-', 0xcd: '=', 0xb3: '|' };

/**
 * The upper half of code page 437 (0x80-0xFF), which the kiosk selects with ESC t 0: what a real printer
 * prints for each byte, so Spanish receipts ("Depósito", "Número") are captured as they would appear.
 */
const cp437High =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

export function cp437Char(byte: number): string {
  return cp437Ascii[byte] ?? cp437High[byte - 0x80] ?? '?';
}

export interface EscPosDecoderHandlers {
  /** DLE EOT n: the printer must answer one status byte at once. */
  onStatusRequest(n: number): void;
  onReceipt(receipt: CapturedReceipt): void;
}

/**
 * Decodes an ESC/POS byte stream the way a printer would, in chunks cut anywhere: text with its
 * alignment, emphasis and size; native Code 128 (GS k 73) and QR (GS ( k); feeds and cuts. Commands that
 * change nothing on paper for our purposes (code pages, line spacing, raster images) are skipped by
 * their exact lengths so what follows them still decodes.
 */
export class EscPosDecoder {
  private pending = Buffer.alloc(0);
  private elements: ReceiptElement[] = [];
  private line = '';
  private lineChars: Array<{ widthScale: number; bold: boolean }> = [];
  /**
   * A line's look is what its characters were printed with: the encoder switches emphasis and size off
   * again before the line feed, so the style at LF time would be wrong.
   */
  private lineStyle = { bold: false, widthScale: 1, heightScale: 1, align: 'left' as Alignment };
  private receiptBytes = 0;
  private align: Alignment = 'left';
  private bold = false;
  private widthScale = 1;
  private heightScale = 1;
  private barcodeHeightDots = 162;
  private barcodeShowText = false;
  private qrModuleDots = 3;
  private qrData = '';

  constructor(private readonly handlers: EscPosDecoderHandlers) {}

  write(chunk: Uint8Array): void {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    this.receiptBytes += chunk.length;
    let at = 0;
    while (at < this.pending.length) {
      const used = this.command(at);
      if (used === 0) break;
      at += used;
    }
    this.pending = this.pending.subarray(at);
    if (this.pending.length > commandBytesMax) this.pending = Buffer.alloc(0);
  }

  /** Whatever was printed since the last cut (a receipt torn off by hand). */
  flush(): CapturedReceipt | undefined {
    this.endLine(false);
    if (this.elements.length === 0) return undefined;
    return this.finish(false);
  }

  private byte(at: number): number | undefined {
    return this.pending[at];
  }

  /** Decodes the command at `at`; returns the bytes it used, or 0 if it is not all here yet. */
  private command(at: number): number {
    const b = this.pending[at] ?? 0;
    if (b === LF) {
      this.endLine(true);
      return 1;
    }
    if (b === ESC) return this.esc(at);
    if (b === GS) return this.gs(at);
    if (b === FS) return this.byte(at + 1) === undefined ? 0 : this.byte(at + 1) === 0x43 ? 3 : 2;
    if (b === DLE) {
      const c = this.byte(at + 1);
      if (c === undefined) return 0;
      if (c === 0x04) {
        const n = this.byte(at + 2);
        if (n === undefined) return 0;
        this.handlers.onStatusRequest(n);
        return 3;
      }
      return c === 0x14 ? 5 : 2;
    }
    if (b === 0x09) this.addChar(' ');
    else if (b >= 0x20 && b < 0x7f) this.addChar(String.fromCharCode(b));
    else if (b >= 0x80) this.addChar(cp437Char(b));
    return 1;
  }

  private addChar(char: string): void {
    if (this.line.length === 0) {
      this.lineStyle = { bold: false, widthScale: 1, heightScale: 1, align: this.align };
    }
    if (char !== ' ') {
      this.lineStyle.bold ||= this.bold;
      this.lineStyle.widthScale = Math.max(this.lineStyle.widthScale, this.widthScale);
      this.lineStyle.heightScale = Math.max(this.lineStyle.heightScale, this.heightScale);
    }
    this.line += char;
    this.lineChars.push({ widthScale: this.widthScale, bold: this.bold });
  }

  private esc(at: number): number {
    const c = this.byte(at + 1);
    if (c === undefined) return 0;
    const n = this.byte(at + 2);
    const needsN = (): number => (n === undefined ? 0 : 3);
    switch (String.fromCharCode(c)) {
      case '@':
        this.reset();
        return 2;
      case 'E':
      case 'G':
        if (n !== undefined) this.bold = (n & 1) === 1;
        return needsN();
      case 'a':
        if (n !== undefined) this.align = n % 48 === 1 ? 'center' : n % 48 === 2 ? 'right' : 'left';
        return needsN();
      case '!':
        if (n !== undefined) {
          this.bold = (n & 0x08) !== 0;
          this.heightScale = n & 0x10 ? 2 : 1;
          this.widthScale = n & 0x20 ? 2 : 1;
        }
        return needsN();
      case 'd':
        if (n !== undefined) {
          this.endLine(false);
          for (let i = 0; i < n; i += 1) this.endLine(true);
        }
        return needsN();
      case '2':
        return 2;
      case '*': {
        const m = n;
        const nL = this.byte(at + 3);
        const nH = this.byte(at + 4);
        if (m === undefined || nL === undefined || nH === undefined) return 0;
        const total = 5 + (nL + nH * 256) * (m >= 32 ? 3 : 1);
        return this.pending.length - at >= total ? total : 0;
      }
      case 'p':
        return this.pending.length - at >= 5 ? 5 : 0;
      default:
        // ESC - n, ESC M n, ESC t n, ESC 3 n, ESC J n, ESC R n, ESC V n, ESC { n and the like.
        return needsN();
    }
  }

  private gs(at: number): number {
    const c = this.byte(at + 1);
    if (c === undefined) return 0;
    const n = this.byte(at + 2);
    const available = this.pending.length - at;
    switch (String.fromCharCode(c)) {
      case '!':
        if (n === undefined) return 0;
        this.widthScale = ((n >> 4) & 0x07) + 1;
        this.heightScale = (n & 0x07) + 1;
        return 3;
      case 'h':
        if (n === undefined) return 0;
        this.barcodeHeightDots = n;
        return 3;
      case 'H':
        if (n === undefined) return 0;
        this.barcodeShowText = n % 48 !== 0;
        return 3;
      case 'V': {
        if (n === undefined) return 0;
        const length = n >= 65 ? 4 : 3;
        if (available < length) return 0;
        this.endLine(false);
        this.handlers.onReceipt(this.finish(true));
        return length;
      }
      case 'k':
        return this.barcode(at);
      case '(': {
        const fnClass = n;
        const pL = this.byte(at + 3);
        const pH = this.byte(at + 4);
        if (fnClass === undefined || pL === undefined || pH === undefined) return 0;
        const total = 5 + pL + pH * 256;
        if (available < total) return 0;
        if (fnClass === 0x6b) this.qr(this.pending.subarray(at + 5, at + total));
        return total;
      }
      case 'v': {
        if (available < 8) return 0;
        const bytesWide = (this.byte(at + 4) ?? 0) + (this.byte(at + 5) ?? 0) * 256;
        const dotsHigh = (this.byte(at + 6) ?? 0) + (this.byte(at + 7) ?? 0) * 256;
        const total = 8 + bytesWide * dotsHigh;
        return available >= total ? total : 0;
      }
      case 'L':
      case 'W':
        return available >= 4 ? 4 : 0;
      default:
        // GS w n, GS f n, GS B n, GS a n and the like.
        return n === undefined ? 0 : 3;
    }
  }

  private barcode(at: number): number {
    const m = this.byte(at + 2);
    if (m === undefined) return 0;
    if (m <= 6) {
      // Function A: NUL-terminated data.
      const end = this.pending.indexOf(0, at + 3);
      return end < 0 ? 0 : end - at + 1;
    }
    const length = this.byte(at + 3);
    if (length === undefined || this.pending.length - at < 4 + length) return 0;
    const data = this.pending.subarray(at + 4, at + 4 + length);
    const code128 = 73;
    if (m === code128) {
      this.endLine(false);
      this.elements.push({
        type: 'barcode',
        symbology: 'code128',
        data: decodeCode128Data(data),
        heightDots: this.barcodeHeightDots,
        showText: this.barcodeShowText,
      });
    }
    return 4 + length;
  }

  /** GS ( k with cn = 0x31 (QR): 0x43 module size, 0x50 store data, 0x51 print what was stored. */
  private qr(body: Uint8Array): void {
    const cn = body[0];
    const fn = body[1];
    if (cn !== 0x31) return;
    if (fn === 0x43) this.qrModuleDots = body[2] ?? this.qrModuleDots;
    if (fn === 0x50) this.qrData = Buffer.from(body.subarray(3)).toString('latin1');
    if (fn === 0x51 && this.qrData.length > 0) {
      this.endLine(false);
      this.elements.push({ type: 'qr', data: this.qrData, moduleDots: this.qrModuleDots });
    }
  }

  private endLine(emitEmpty: boolean): void {
    if (this.line.length === 0 && !emitEmpty) return;
    const style =
      this.line.length > 0
        ? this.lineStyle
        : { bold: false, widthScale: 1, heightScale: 1, align: this.align };
    this.elements.push({ type: 'text', text: this.line, ...style, chars: this.lineChars });
    this.line = '';
    this.lineChars = [];
  }

  private finish(cut: boolean): CapturedReceipt {
    const receipt = { elements: this.elements, bytes: this.receiptBytes - this.pending.length, cut };
    this.elements = [];
    this.receiptBytes = this.pending.length;
    return receipt;
  }

  private reset(): void {
    this.align = 'left';
    this.bold = false;
    this.widthScale = 1;
    this.heightScale = 1;
    this.barcodeHeightDots = 162;
    this.barcodeShowText = false;
    this.qrModuleDots = 3;
  }
}

/**
 * GS k 73 data starts with a code set ("{A", "{B", "{C") and may switch sets inside; in set C each byte
 * is two digits. "{{" is a literal brace.
 */
export function decodeCode128Data(data: Uint8Array): string {
  let set: 'A' | 'B' | 'C' = 'B';
  let out = '';
  for (let i = 0; i < data.length; i += 1) {
    const b = data[i] ?? 0;
    if (b === 0x7b && i + 1 < data.length) {
      const next = String.fromCharCode(data[i + 1] ?? 0);
      i += 1;
      if (next === 'A' || next === 'B' || next === 'C') set = next;
      else if (next === '{') out += '{';
      // {1..{4 (FNC codes) and {S (shift) carry no text.
      continue;
    }
    out += set === 'C' ? String(b).padStart(2, '0') : String.fromCharCode(b);
  }
  return out;
}
