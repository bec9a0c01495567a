/**
 * Free TCP ports on loopback for child servers. Ports handed out by this process are remembered so
 * two children started back to back never get the same one.
 * @module
 */

const handedOut = new Set<number>();

/** A port that was free on `host` a moment ago and that this process has not handed out before. */
export function findFreePort(host = "127.0.0.1"): number {
  for (let attempt = 0; attempt < 100; attempt++) {
    const listener = Deno.listen({ hostname: host, port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`Cannot find a free port on ${host} after 100 attempts`);
}
