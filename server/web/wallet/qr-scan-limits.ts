/** How the wallet's camera looks for a QR code (qr-camera.tsx); in a module of its own for the tests. */

/** Frames decoded per second at most: enough to feel instant, little enough for a cheap phone. */
export const decodesPerSecond = 5;
/** Frames are scaled down to this width before decoding; a receipt's QR code fills much of the frame. */
export const decodeWidthMax = 800;
/** The camera is let go after this long without the code it is after, so a forgotten page drains nothing. */
export const scanDurationMsMax = 2 * 60_000;
