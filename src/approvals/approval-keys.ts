import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { StewardError } from '../errors/steward-error.js';
import { type Approval, type ApprovalFields, approvalPayload } from './approval.js';

/**
 * The ed25519 keys approvers sign with. Nothing here touches files: the CLI reads and writes the
 * PEM text, the config carries public keys, and these functions only compute.
 */

/** A fresh key pair as PEM text: the private key in PKCS#8, the public key in SPKI. */
export function generateApproverKeys(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Why a PEM text is not an ed25519 public key, or undefined when it is one. */
export function publicKeyProblem(pem: string): string | undefined {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'ed25519'
      ? undefined
      : `is a ${key.asymmetricKeyType} key; approvals use ed25519 (make one with "steward approvals keygen")`;
  } catch {
    return 'is not a PEM public key (expected "-----BEGIN PUBLIC KEY-----")';
  }
}

/**
 * The key itself (SPKI DER, base64) of a public key PEM: equal for equal keys however the PEM
 * text is wrapped or commented. Call on a PEM {@link publicKeyProblem} accepted.
 */
export function publicKeyFingerprint(pem: string): string {
  return createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('base64');
}

/**
 * Reads an ed25519 private key from PEM text. `source` names where it came from in the error,
 * such as the key file's path.
 */
export function parsePrivateKey(pem: string, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new StewardError('input.invalid', `${source} is not a PEM private key`, { source });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new StewardError(
      'input.invalid',
      `${source} is a ${key.asymmetricKeyType} key; approvals are signed with ed25519 keys from "steward approvals keygen"`,
      { source },
    );
  }
  return key;
}

/** True when the private key is the counterpart of the public key PEM. */
export function keyMatches(privateKey: KeyObject, publicKeyPem: string): boolean {
  const mine = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const theirs = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return mine.equals(theirs);
}

/** Signs approval fields, giving the complete approval. */
export function signApproval(fields: ApprovalFields, privateKey: KeyObject): Approval {
  const signature = sign(null, approvalPayload(fields), privateKey).toString('base64');
  return { ...fields, signature };
}

/** True when the approval's signature is valid for the public key. False, never a throw, for garbage. */
export function signatureValid(approval: Approval, publicKeyPem: string): boolean {
  try {
    const signature = Buffer.from(approval.signature, 'base64');
    return verify(null, approvalPayload(approval), createPublicKey(publicKeyPem), signature);
  } catch {
    return false;
  }
}
