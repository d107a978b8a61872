import { useStdout } from 'ink';
import { useEffect, useState } from 'react';
import { FALLBACK_SIZE } from '../layout.js';

export interface TerminalSize {
  columns: number;
  rows: number;
}

function sizeOf(stdout: NodeJS.WriteStream): TerminalSize {
  return {
    columns: stdout.columns || FALLBACK_SIZE.columns,
    rows: stdout.rows || FALLBACK_SIZE.rows,
  };
}

/** The terminal's size, updated on resize; 80×24 when it is unknown. */
export function useTerminalSize(): TerminalSize {
  const { stdout } = useStdout();
  const [size, setSize] = useState(() => sizeOf(stdout));
  useEffect(() => {
    const onResize = () => setSize(sizeOf(stdout));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
