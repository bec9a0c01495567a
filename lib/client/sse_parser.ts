/**
 * Incremental Server-Sent Events parser: feed text as it arrives, get each event's data when its
 * blank line arrives. Handles events split across reads, several events per read, multi-line data
 * (joined with "\n"), comments (`:`), `\r\n` line ends and fields other than `data` (ignored).
 * @module
 */

/** Splits an SSE byte stream (decoded to text) into event data payloads. */
export class SseParser {
  #buffer = "";
  #data: string | null = null;

  /** Feeds `text`; calls `onData` with each complete event's data (leading space after `data:` removed). */
  push(text: string, onData: (data: string) => void): void {
    let buffer = this.#buffer.length === 0 ? text : this.#buffer + text;
    if (buffer.indexOf("\r") >= 0) buffer = buffer.replace(/\r\n?/g, "\n");
    let start = 0;
    for (;;) {
      const end = buffer.indexOf("\n", start);
      if (end < 0) break;
      this.#line(buffer, start, end, onData);
      start = end + 1;
    }
    this.#buffer = start === 0 ? buffer : buffer.slice(start);
  }

  /** Ends the stream: returns true when nothing but whitespace was left unparsed. A pending event without its blank line is dispatched. */
  end(onData: (data: string) => void): boolean {
    const rest = this.#buffer;
    this.#buffer = "";
    if (rest.trim() !== "") this.#line(rest, 0, rest.length, onData);
    if (this.#data !== null) {
      const data = this.#data;
      this.#data = null;
      onData(data);
    }
    return rest.trim() === "";
  }

  #line(buffer: string, start: number, end: number, onData: (data: string) => void): void {
    if (end === start) {
      if (this.#data !== null) {
        const data = this.#data;
        this.#data = null;
        onData(data);
      }
      return;
    }
    // "data:" = 100 97 116 97 58
    if (
      end - start >= 5 && buffer.charCodeAt(start) === 100 && buffer.charCodeAt(start + 1) === 97 &&
      buffer.charCodeAt(start + 2) === 116 && buffer.charCodeAt(start + 3) === 97 &&
      buffer.charCodeAt(start + 4) === 58
    ) {
      const from = buffer.charCodeAt(start + 5) === 32 ? start + 6 : start + 5;
      const value = buffer.slice(from, end);
      this.#data = this.#data === null ? value : `${this.#data}\n${value}`;
    }
    // Comments (":...") and other fields (event:, id:, retry:) carry nothing we measure.
  }
}
