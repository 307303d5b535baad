import type { PasswordHasher } from '../../src/application/users/password-hasher.js';
import type { UseCases } from '../../src/application/use-cases.js';
import { startTestApp, type TestApp } from './app.js';

/** Reversible and instant: handler tests check the flow, not argon2 (tested on its own). */
export class PlainTextHasher implements PasswordHasher {
  async hash(plain: string): Promise<string> {
    return `plain:${plain}`;
  }
  async verify(hash: string, plain: string): Promise<boolean> {
    return hash === `plain:${plain}`;
  }
}

export interface UseCasesUnderTest extends TestApp {
  readonly useCases: UseCases;
}

/** Every use case, wired by the real composition root on the TEST_STACK adapters, wrapped as the API wraps them. */
export async function startUseCases(): Promise<UseCasesUnderTest> {
  const testApp = await startTestApp({}, { passwordHasher: new PlainTextHasher() });
  return { ...testApp, useCases: testApp.application.useCases };
}

/** Registers a user and returns its id. */
export async function registered(uc: UseCasesUnderTest, username: string): Promise<string> {
  const result = await uc.useCases.registerUser.execute({
    username,
    email: `${username.toLowerCase()}@example.com`,
    password: 'password123',
  });
  return result.unwrap().userId;
}
