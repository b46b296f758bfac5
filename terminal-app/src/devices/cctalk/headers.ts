/**
 * The ccTalk headers the kiosk speaks (DESIGN section 7; the full table with data lengths is in the
 * reference notes). Named so no driver carries a bare number.
 */
export const ccTalkHeaders = {
  reply: 0,
  resetDevice: 1,
  requestCommsRevision: 4,
  nak: 5,
  busy: 6,
  switchEncryptionKey: 110,
  requestEncryptionSupport: 111,
  readEncryptedEvents: 112,
  switchBaudRate: 113,
  setAcceptLimit: 135,
  modifyBillOperatingMode: 153,
  routeBill: 154,
  requestBillId: 157,
  readBufferedBillEvents: 159,
  modifyInhibitAndOverride: 162,
  hopperStatus: 166,
  hopperDispense: 167,
  requestCoinId: 184,
  requestBuildCode: 192,
  requestSorterPaths: 209,
  modifySorterPaths: 210,
  requestAcceptCounter: 225,
  requestInsertionCounter: 226,
  requestMasterInhibit: 227,
  modifyMasterInhibit: 228,
  readBufferedCredit: 229,
  requestInhibitStatus: 230,
  modifyInhibitStatus: 231,
  performSelfCheck: 232,
  requestSoftwareRevision: 241,
  requestSerialNumber: 242,
  requestProductCode: 244,
  requestEquipmentCategory: 245,
  requestManufacturerId: 246,
  requestStatus: 248,
  requestPollingPriority: 249,
  addressRandom: 250,
  addressChange: 251,
  addressClash: 252,
  addressPoll: 253,
  simplePoll: 254,
} as const;

export type CcTalkHeaderName = keyof typeof ccTalkHeaders;

/** Bus addresses: the host is always 1; these are the factory defaults of each device kind. */
export const ccTalkAddresses = { host: 1, coinAcceptor: 2, hopper: 3, billValidator: 40 } as const;

/** Route bill (154) data and its error replies. */
export const billRoute = { returnBill: 0, stack: 1, extendEscrow: 255 } as const;
export const billRouteError = { escrowEmpty: 254, failedToRoute: 255 } as const;

/** Channels per device: inhibit masks are two bytes, 16 bits. */
export const ccTalkChannelsMax = 16;
