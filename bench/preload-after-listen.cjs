// Preloaded into a function's process by `npm run bench -- --preload-after-listen` (NODE_OPTIONS=--require), never
// deployed: once the server listens, it loads the client libraries the deploy folder declares (as the first request
// would), so the bench can measure whether starting the loads then, instead of on first use, answers sooner.
'use strict';
const http = require('node:http');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (...args) {
  http.Server.prototype.listen = listen;
  this.once('listening', () =>
    setImmediate(() => {
      const deps = Object.keys(
        JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8')).dependencies ?? {},
      );
      for (const dep of deps)
        if (dep !== '@google-cloud/functions-framework') require(require.resolve(dep, { paths: [process.cwd()] }));
    }),
  );
  return listen.apply(this, args);
};
