/** Serves a registered functions-framework function on 127.0.0.1 through FF's own test server (the production Express app). */
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { AddressInfo } from 'node:net';

export async function serveFunction(name: string, port = 0): Promise<{ url: string; close(): Promise<void> }> {
  const server = getTestServer(name);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}
