import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config.js';
import { serverSigningKeyFromSeed } from '../terminals/answer-signing.js';

/**
 * `npm run server-key -w @cashin/server`: the public half of the configured answer-signing key
 * (SERVER_SIGNING_KEY from the environment), as kiosks pin it and SERVER_TRUSTED_KEYS lists it.
 * With `--new`: a new seed for a key rollover and its public half (server/README.md says the steps).
 */
if (process.argv.includes('--new')) {
  const seed = randomBytes(32);
  console.log(`SERVER_SIGNING_KEY (secret; the seed, for step 2): ${seed.toString('base64url')}`);
  console.log(`public key (for SERVER_TRUSTED_KEYS in step 1): ${serverSigningKeyFromSeed(seed).publicKey}`);
} else {
  const config = loadConfig(process.env);
  const configured = process.env['SERVER_SIGNING_KEY'] !== undefined;
  const { publicKey } = serverSigningKeyFromSeed(config.serverSigningSeed);
  console.log(
    `public key${configured ? '' : ' (of the development key: SERVER_SIGNING_KEY is unset)'}: ${publicKey}`,
  );
}
