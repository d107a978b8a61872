/** Types for scripts/s3-server/swift-server.mjs; see that file. */

export declare const INSTALL_HINT: string;

export declare class S3ServerError extends Error {
  constructor(message: string);
}

/** What a running server is; also the JSON of its state file. */
export interface S3ServerState {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The SigV4 signing region, which s3api insists equals `location`. */
  region: string;
  /** The one LocationConstraint CreateBucket accepts. */
  location: string;
  /** The temp folder holding configs, data and logs/. */
  folder: string;
  pids: Record<string, number>;
}

export interface StartS3ServerOptions {
  /** The S3 port; default MAXREC_S3_PORT, 0 or unset picks a free one. */
  port?: number;
  /** Default MAXREC_S3_LOCATION, else `us-south-standard`. */
  location?: string;
  /** Where the temp folder goes; default MAXREC_S3_DIR, else the OS's. */
  baseDir?: string;
  /** Also write the state JSON here. */
  stateFile?: string;
  /** Stop the server by itself once this process has gone. */
  ownerPid?: number;
  signal?: AbortSignal;
}

export declare function swiftInstalled(): boolean;
export declare function startS3Server(
  options?: StartS3ServerOptions,
): Promise<S3ServerState>;
export declare function stopS3Server(state: S3ServerState): Promise<void>;
/** The copy of the state kept in the server's own folder. */
export declare function stateFileIn(folder: string): string;
export declare function isS3ServerAlive(state: S3ServerState): Promise<boolean>;
export declare function readState(file: string): S3ServerState;
