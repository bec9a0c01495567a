// A comparison for the router benchmark: the least a Deno.serve + node:http proxy can do per request
// (read the body, one upstream request on a keep-alive LIFO agent, answer with the bytes), with no
// parsing, routing, accounting or metrics. Compare its CPU per request and added latency with the
// router's (raw HTTP/1.1, lib/http1) to see what that design buys. Prints `routebench router listening on URL`.
// Run: deno run -A test/bench/_minimal_proxy.ts --backend URL
import * as http from "node:http";

const backend = new URL(Deno.args[Deno.args.indexOf("--backend") + 1]!);
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, scheduling: "lifo" });
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
  const body = new Uint8Array(await request.arrayBuffer());
  return new Promise<Response>((respond) => {
    const upstream = http.request({
      agent,
      hostname: backend.hostname,
      port: backend.port,
      method: "POST",
      path: new URL(request.url).pathname,
      headers: [
        "host",
        backend.host,
        "content-length",
        String(body.length),
        "content-type",
        "application/json",
      ],
    });
    upstream.on("response", (res) => {
      queueMicrotask(() => {
        if (res.complete) {
          const chunks: Uint8Array<ArrayBuffer>[] = [];
          for (let c = res.read(); c !== null; c = res.read()) chunks.push(c);
          res.resume();
          const bytes = chunks.length === 1 ? chunks[0]! : new Uint8Array(Buffer.concat(chunks));
          respond(new Response(bytes, { status: res.statusCode }));
          return;
        }
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            res.on("data", (chunk: Uint8Array) => controller.enqueue(chunk));
            res.on("end", () => controller.close());
          },
        }, { highWaterMark: 64 });
        respond(new Response(stream, { status: res.statusCode }));
      });
    });
    upstream.end(body);
  });
});
console.log(`routebench router listening on http://127.0.0.1:${server.addr.port}`);
Deno.addSignalListener("SIGTERM", () => Deno.exit(0)); // lets --cpu-prof write its profile
