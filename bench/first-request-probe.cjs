// Preloaded into a function's process by bench/breakdown.ts (`NODE_OPTIONS=--require=<this file>`), never deployed:
// notes when the process's big steps start and end, on its own clock (performance.now(), 0 = process start), and
// appends them as one JSON line to $PROBE_OUT after each HTTP answer. Steps: the first require of each heavy
// package (inclusive of what it loads), the bundle's index.js, every HTTP answer, each outgoing fetch/http request
// (JWKS, Cloud Tasks REST, SendGrid), HTTP/2 connects and gRPC calls (Firestore).
'use strict';
const { performance } = require('node:perf_hooks');
const Module = require('node:module');
const dc = require('node:diagnostics_channel');
const { appendFileSync } = require('node:fs');
const http2 = require('node:http2');

const marks = [];
const mark = (step, start, end = performance.now()) =>
  marks.push({ step, start: Math.round(start), ms: Math.round(end - start) });
const HEAVY = new Set([
  '@google-cloud/functions-framework',
  '@google-cloud/firestore',
  '@google-cloud/tasks',
  'google-gax',
  '@grpc/grpc-js',
  'google-auth-library',
  'protobufjs',
]);
const seen = new Set();
const load = Module._load;
Module._load = function (...args) {
  const [request, parent] = args;
  const bundle =
    request.endsWith('/index.js') && parent?.filename?.includes('functions-framework') && !seen.has('index.js');
  const name = bundle ? 'index.js' : HEAVY.has(request) && !seen.has(request) ? request : undefined;
  if (!name) return load.apply(this, args);
  seen.add(name);
  const t0 = performance.now();
  try {
    return load.apply(this, args);
  } finally {
    mark(`require ${name}`, t0);
  }
};

const out = (step) => {
  mark(step.label, step.t0);
  if (process.env.PROBE_OUT) appendFileSync(process.env.PROBE_OUT, JSON.stringify(marks) + '\n');
};
const serving = new WeakMap();
dc.subscribe('http.server.request.start', ({ request, response }) => {
  serving.set(response, { t0: performance.now(), label: `answer ${request.method} ${request.url}` });
});
dc.subscribe('http.server.response.finish', ({ response }) => {
  const s = serving.get(response);
  if (s) out({ ...s, label: `${s.label} → ${response.statusCode}` });
});
const fetching = new WeakMap();
dc.subscribe('undici:request:create', ({ request }) => fetching.set(request, performance.now()));
dc.subscribe('undici:request:headers', ({ request, response }) => {
  const t0 = fetching.get(request);
  if (t0 !== undefined)
    mark(`fetch ${request.method} ${request.origin}${request.path.split('?')[0]} → ${response.statusCode}`, t0);
});
dc.subscribe('http.client.request.start', ({ request }) => fetching.set(request, performance.now()));
dc.subscribe('http.client.response.finish', ({ request, response }) => {
  const t0 = fetching.get(request);
  if (t0 !== undefined)
    mark(`http ${request.method} ${request.host}${request.path.split('?')[0]} → ${response.statusCode}`, t0);
});
const connect = http2.connect;
http2.connect = function (...args) {
  const t0 = performance.now();
  const session = connect.apply(this, args);
  session.once('connect', () => mark(`http2 connect ${String(args[0])}`, t0));
  const request = session.request;
  session.request = function (headers, ...rest) {
    const s0 = performance.now();
    const stream = request.call(this, headers, ...rest);
    stream.once('close', () => mark(`grpc ${headers?.[':path']}`, s0));
    return stream;
  };
  return session;
};
