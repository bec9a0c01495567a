/**
 * HTTP/1.1 on raw TCP for the hot streaming paths: pure framing (heads, chunked bodies), a small
 * server that writes bytes straight to the socket, and a LIFO keep-alive connection pool.
 * @module
 */
export {
  ChunkedDecoder,
  findHeadEnd,
  headerValue,
  HttpParseError,
  latin1,
  latin1Bytes,
  type MessageHead,
  parseRequestHead,
  parseResponseHead,
  type RequestHead,
  type ResponseHead,
} from "./parse.ts";
export { ConnReader } from "./conn_reader.ts";
export {
  type BodyFraming,
  chunkFrame,
  type Http1Handler,
  type Http1Request,
  Http1Response,
  type Http1Server,
  type Http1ServerOptions,
  serveHttp1,
} from "./server.ts";
export { Http1ConnectionPool, UpstreamConnection, type UpstreamTarget } from "./connection_pool.ts";
