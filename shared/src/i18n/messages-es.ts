import type { ErrorMessageKey } from './messages-en.js';

/** The same messages in Spanish (Latin American usage, "usted"). */
export const errorMessagesEs: Record<ErrorMessageKey, string> = {
  'error.validationFailed': 'Algo en la solicitud no es correcto. Revise e intente de nuevo.',
  'error.malformedJson': 'No pudimos leer la solicitud. Intente de nuevo.',
  'error.bodyTooLarge': 'Es demasiado para enviar de una vez.',
  'error.unsupportedMediaType': 'La solicitud viene en un formato que no podemos leer.',
  'error.amountInvalid': 'Escriba un monto en centavos enteros, mayor que cero.',
  'error.currencyUnknown': 'No manejamos esa moneda.',
  'error.currencyMismatch': 'El dinero y el monedero están en monedas distintas: no se pueden usar juntos.',
  'error.phoneInvalid': 'Escriba el teléfono con su código de país, como +52 55 1234 5678.',
  'error.phoneUnreachable':
    'No podemos enviar un mensaje de texto a este número. Use un celular, o responda START si respondió STOP.',
  'error.codeMalformed': 'Ese código no es correcto. Revise los números e intente de nuevo.',
  'error.codeUnknown': 'No reconocemos ese código. Revise los números.',
  'error.codeRevoked': 'Ese código fue reemplazado por uno nuevo. Use el código de su app.',
  'error.codeExpired': 'Ese código ya venció.',
  'error.codeUsed': 'Ese código ya se usó.',
  'error.codeCancelled':
    'Esa ficha de pago se canceló en la app del monedero. Para depositar, hay que crear una nueva ahí.',
  'error.limitExceeded': 'Esto pasaría el límite de depósito. Aún puede depositar {remaining}.',
  'error.familyCapExceeded':
    'Esto pasa el límite que un padre o madre puso a este monedero. Aún puede recibir {remaining}.',
  'error.amountBelowMinimum': 'El depósito mínimo aquí es {minimum}.',
  'error.amountAboveMaximum': 'El depósito máximo aquí es {maximum}.',
  'error.amountMismatch': 'Esta ficha de pago es por {expected}. Deposite exactamente ese monto.',
  'error.slipsOpenMax':
    'Ya tiene todas las fichas de pago abiertas que se permiten. Use una o espere a que venza.',
  'error.insufficientFunds': 'No hay suficiente dinero en la cuenta para esto.',
  'error.idempotencyConflict': 'Esto ya se hizo con otros datos. Empiece de nuevo.',
  'error.bagAlreadyCollected':
    'Ya se registró una bolsa con esta etiqueta para este quiosco. Revise la etiqueta de la bolsa: cada bolsa se registra una sola vez.',
  'error.shopperExists': 'Ya existe un monedero con este teléfono. Inicie sesión.',
  'error.unauthenticated': 'Inicie sesión, por favor.',
  'error.sessionExpired': 'Su sesión terminó. Inicie sesión de nuevo.',
  'error.forbidden': 'No tiene permiso para hacer esto.',
  'error.otpInvalid': 'Ese código es incorrecto o ya venció. Revise el mensaje que le enviamos.',
  'error.otpLocked': 'Demasiados códigos incorrectos. Espere unos minutos y pida uno nuevo.',
  'error.signUpTokenInvalid':
    'Esta solicitud de monedero venció. Pida un código nuevo para empezar otra vez.',
  'error.pinInvalid': 'La tienda, el número de cajero o el PIN no son correctos.',
  'error.pinLocked':
    'Demasiados PIN incorrectos. Este cajero queda bloqueado hasta {minutes} minutos; operaciones puede poner un PIN nuevo antes.',
  'error.clerksPerStoreMax':
    'Esta tienda ya tiene {clerksMax} cajeros, el máximo para una tienda. Consulte a soporte antes de agregar otro.',
  'error.clerkDisabled':
    'Este cajero está desactivado. Pide al gerente de la tienda o a soporte que lo active.',
  'error.staffSignInInvalid': 'El usuario o la contraseña no son correctos.',
  'error.staffLocked': 'Demasiadas contraseñas incorrectas. Esta cuenta queda bloqueada unos minutos.',
  'error.staffDisabled': 'Esta cuenta de personal está desactivada. Pide a otro operador que la active.',
  'error.rateLimited': 'Demasiados intentos. Espere un momento.',
  'error.authorizationExpired': 'Este depósito tardó mucho en confirmarse. Empiécelo de nuevo.',
  'error.authorizationUnknown': 'No encontramos este depósito. Empiécelo de nuevo.',
  'error.voidWindowClosed': 'Este depósito ya no se puede cancelar aquí.',
  'error.alreadyVoided': 'Este depósito ya fue cancelado.',
  'error.claimAlreadyRedeemed': 'Este vale o recibo ya se agregó a un monedero.',
  'error.signatureInvalid': 'Este quiosco no pudo identificarse. Llame a servicio técnico.',
  'error.signatureStale': 'El reloj de este quiosco está mal. Llame a servicio técnico.',
  'error.nonceReplayed': 'Este quiosco envió un mensaje dos veces. Llame a servicio técnico.',
  'error.terminalUnknown': 'Este quiosco no está registrado. Llame a servicio técnico.',
  'error.terminalDisabled': 'El operador apagó este quiosco.',
  'error.terminalKeyRevoked':
    'Este quiosco se reportó como perdido o robado y su llave ya no funciona. Llame a servicio técnico.',
  'error.enrollmentTokenInvalid': 'Ese código de registro es incorrecto, ya se usó o venció.',
  'error.syncBatchTooLarge': 'El quiosco envió demasiados depósitos a la vez.',
  'error.receiptSignatureInvalid': 'No pudimos verificar este recibo. Guárdelo y contacte a soporte.',
  'error.receiptNotRedeemable':
    'Este recibo no se puede agregar aquí. Guárdelo: el dinero llega al monedero cuando el quiosco se reconecte, o soporte puede agregarlo.',
  'error.offlineCapReached':
    'Este quiosco no puede recibir dinero hasta reconectarse. Su dinero está seguro.',
  'error.deviceFault': 'Una parte del quiosco dejó de funcionar. El dinero contado queda en su recibo.',
  'error.serverUnreachable': 'No podemos conectar con nuestro servicio. Intente de nuevo pronto.',
  'error.notFound': 'No encontramos eso.',
  'error.conflict': 'Eso choca con algo que acaba de cambiar. Intente de nuevo.',
  'error.serviceUnavailable': 'El servicio está ocupado. Intente de nuevo en un momento.',
  'error.internal': 'Algo falló de nuestro lado. No se cobró nada dos veces.',
};
