-- A voucher's claim code is a bearer instrument, and the server keeps only its hash (claims.code_hash) so
-- that a database leak redeems nothing. kiosk_deposits kept the code in clear, in fields_json (the synced
-- deposit as JSON) and in signed_payload (what the receipt signature covers). The server now writes and
-- compares both with `sha256:` and the claims table's hash, sha256('claim:' || code) in hex, in the code's
-- place (storedClaimCode in sync/kiosk-deposits.ts). This rewrites the rows stored before into exactly
-- that form, so their re-sends and receipts answer as before. Only voucher rows carry a claim code, and
-- exactly they have claim_code_masked set (written beside it from the same field). SQLite has no SHA-256:
-- sha256_hex(text), the hex SHA-256 of the text, is registered on the connection by sqlite-db.ts.
-- Rows already in that form fail the digits test and are left alone.

-- fields_json is JSON.stringify of the deposit: its one "claimCode":"<digits>" is replaced in place, so
-- every other byte (key order included) stays as the server compares it.
UPDATE kiosk_deposits
   SET fields_json = replace(
         fields_json,
         '"claimCode":"' || json_extract(fields_json, '$.claimCode') || '"',
         '"claimCode":"sha256:' || sha256_hex('claim:' || json_extract(fields_json, '$.claimCode')) || '"')
 WHERE claim_code_masked IS NOT NULL
   AND fields_json IS NOT NULL
   AND json_extract(fields_json, '$.claimCode') GLOB '[0-9]*'
   AND json_extract(fields_json, '$.claimCode') NOT GLOB '*[^0-9]*';

-- signed_payload is CASHIN-R1|terminalId|depositId|sequence|code|claimCode|currency|totalMinor|committedAt
-- (shared/src/terminal/receipt-qr.ts), every field non-empty but the absent one of code and claimCode, and
-- none holding "|". In a voucher's payload the code is the absent one, so its only "||" comes right
-- before the claim code, which runs to the next "|".
UPDATE kiosk_deposits
   SET signed_payload = voucher.before_claim || 'sha256:' || sha256_hex('claim:' || voucher.claim)
         || substr(voucher.rest, length(voucher.claim) + 1)
  FROM (SELECT deposit_id, before_claim, rest, substr(rest, 1, instr(rest, '|') - 1) AS claim
          FROM (SELECT deposit_id,
                       substr(signed_payload, 1, instr(signed_payload, '||') + 1) AS before_claim,
                       substr(signed_payload, instr(signed_payload, '||') + 2) AS rest
                  FROM kiosk_deposits
                 WHERE claim_code_masked IS NOT NULL AND instr(signed_payload, '||') > 0) AS payload
       ) AS voucher
 WHERE kiosk_deposits.deposit_id = voucher.deposit_id
   AND voucher.claim GLOB '[0-9]*'
   AND voucher.claim NOT GLOB '*[^0-9]*';
