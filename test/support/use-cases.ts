import type { PasswordHasher } from '../../src/application/users/password-hasher.js';
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

/** Every handler, wired by the real composition root on in-memory adapters (no I/O). */
export async function startUseCases(): Promise<TestApp & Pick<TestApp['application'], 'commands' | 'queries'>> {
  const testApp = await startTestApp({}, { passwordHasher: new PlainTextHasher() });
  return { ...testApp, commands: testApp.application.commands, queries: testApp.application.queries };
}

export type UseCases = Awaited<ReturnType<typeof startUseCases>>;

/** Registers a user and returns its id. */
export async function registered(uc: UseCases, username: string): Promise<string> {
  const result = await uc.commands.registerUser.execute({
    username,
    email: `${username.toLowerCase()}@example.com`,
    password: 'password123',
  });
  return result.unwrap().userId;
}
