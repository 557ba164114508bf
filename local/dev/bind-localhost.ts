/**
 * Preloaded (`node --import`) into each function process of the dev stack: functions-framework listens on every
 * interface and has no host option, so a listen without a host is bound to 127.0.0.1 instead, keeping the local
 * stack off the network. The function code is not touched.
 */
import net from 'node:net';

const HOST = '127.0.0.1';
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]): net.Server {
  const first = args[0];
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof args[1] !== 'string') args.splice(1, 0, HOST);
  } else if (
    first &&
    typeof first === 'object' &&
    !('path' in first) &&
    !('host' in first) &&
    !('fd' in first) &&
    !('_handle' in first)
  ) {
    args[0] = { ...first, host: HOST };
  }
  return (listen as (...a: unknown[]) => net.Server).apply(this, args);
} as typeof net.Server.prototype.listen;
