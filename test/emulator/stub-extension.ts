import Fastify from 'fastify';
import { compactDecrypt, decodeProtectedHeader } from 'jose';
import { createPrivateKey } from 'node:crypto';
import { generateDecryptionKey, type GeneratedDecryptionKey } from '../../src/security/index.js';

export type StubBehaviour =
  | { kind: 'answer'; action: string; title?: string; message?: string; actions?: number }
  | { kind: 'status'; status: number }
  | { kind: 'content-type'; contentType: string }
  | { kind: 'body'; body: unknown }
  | { kind: 'wrong-nonce' }
  | { kind: 'slow'; delayInMs: number };

export interface StubExtension {
  url: string;
  key: GeneratedDecryptionKey;
  behaviour: StubBehaviour;
  /** Every request received: headers, body, and the decrypted context's claims (test data only). */
  received: Array<{ authorization: string | undefined; body: Record<string, any>; header: Record<string, unknown>; claims: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * A minimal extension for emulator tests: decrypts the context with jose directly (independent of src/security's
 * checks, so the emulator is tested against the format, not against our own reader), and answers as told.
 */
export async function startStubExtension(): Promise<StubExtension> {
  const key = await generateDecryptionKey();
  const privateKey = createPrivateKey(key.privateKeyPem);
  const app = Fastify();
  const stub: StubExtension = { url: '', key, behaviour: { kind: 'answer', action: 'MigratePassword' }, received: [], close: () => app.close() };
  app.post('/events/password-submit', async (request, reply) => {
    const body = request.body as Record<string, any>;
    const jwe = String(body.data.encryptedPasswordContext);
    const { plaintext } = await compactDecrypt(jwe, privateKey);
    const claims = JSON.parse(Buffer.from(new TextDecoder().decode(plaintext).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    stub.received.push({ authorization: request.headers.authorization, body, header: decodeProtectedHeader(jwe), claims });
    const behaviour = stub.behaviour;
    const answer = (action: string, count = 1, nonce = claims.nonce) => ({
      data: {
        '@odata.type': 'microsoft.graph.onPasswordSubmitResponseData',
        actions: Array.from({ length: count }, () => ({
          '@odata.type': `microsoft.graph.passwordSubmit.${action}`,
          ...(behaviour.kind === 'answer' && behaviour.title !== undefined && { title: behaviour.title }),
          ...(behaviour.kind === 'answer' && behaviour.message !== undefined && { message: behaviour.message }),
        })),
        nonce,
      },
    });
    switch (behaviour.kind) {
      case 'answer':
        return answer(behaviour.action, behaviour.actions ?? 1);
      case 'status':
        return reply.code(behaviour.status).send(answer('MigratePassword'));
      case 'content-type':
        return reply.header('content-type', behaviour.contentType).send(JSON.stringify(answer('MigratePassword')));
      case 'body':
        return behaviour.body;
      case 'wrong-nonce':
        return answer('MigratePassword', 1, 'another-nonce');
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, behaviour.delayInMs));
        return answer('MigratePassword');
    }
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  stub.url = `${address}/events/password-submit`;
  return stub;
}
