// COPY ... FROM STDIN through the `postgres` package, settling when the server refuses the rows.
// The package resolves the COPY query with a writable stream; if the server's error arrives after
// the stream sent CopyDone (a value a column cannot take, a full disk), it rejects that already
// settled query and never finishes the stream, so the write would hang until the write deadline
// and pass for an outage (porsager/postgres#1173, open; the fix proposed in #1183 settles the
// stream). The error is caught on its way to the query instead. The stream's pending finish is
// then called by the next statement's completion (the transaction's ROLLBACK); nothing waits on it.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type postgres from "postgres";

type Tx = postgres.TransactionSql<Record<string, never>>;

export async function copyIn(tx: Tx, statement: string, chunks: AsyncIterable<string>): Promise<void> {
  const query = tx.unsafe(statement) as unknown as { reject: (err: unknown) => void; writable(): Promise<NodeJS.WritableStream> };
  let refuse: (err: unknown) => void = () => {};
  const refused = new Promise<never>((_, reject) => (refuse = reject));
  refused.catch(() => {}); // also rejected when COPY fails before any row: writable() then throws it
  const reject = query.reject;
  query.reject = (err) => {
    refuse(err);
    reject(err);
  };
  const stream = await query.writable();
  const sent = pipeline(Readable.from(chunks), stream);
  sent.catch(() => {}); // awaited below unless the refusal came first
  await Promise.race([sent, refused]);
}
