/**
 * The JSON log lines functions running in this test process write on stdout, read as Cloud Run reads them
 * (anything else goes on to the terminal). `restore()` puts stdout back.
 */
export function captureLogLines(): { lines: Record<string, any>[]; restore(): void } {
  const lines: Record<string, any>[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (!text.startsWith('{"severity"')) return write(chunk, ...(rest as []));
    for (const l of text.split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, any>);
    return true;
  }) as typeof process.stdout.write;
  return { lines, restore: () => void (process.stdout.write = write) };
}
