/** The catalog of stable error codes, each with its HTTP status and meaning (docs/errors.md lists them). */
export const ERROR_CODES = {
  CONFIG_INVALID: { httpStatus: 500, meaning: 'The configuration file or an environment override does not match the schema.' },
  CONFIG_NOT_FOUND: { httpStatus: 500, meaning: 'The configuration file named on the command line or in SIGHTLINE_CONFIG does not exist.' },
  CAMERA_NOT_FOUND: { httpStatus: 404, meaning: 'No camera with this id is configured.' },
  EVENT_NOT_FOUND: { httpStatus: 404, meaning: 'No event with this id is stored.' },
  PLAN_IMAGE_NOT_FOUND: { httpStatus: 404, meaning: 'The plan does not exist or has no picture stored (PUT /api/site/plans/:id/image stores one).' },
  AREA_NOT_FOUND: { httpStatus: 404, meaning: 'No area with this id on the site\'s floor plans (GET /api/site lists them).' },
  SNAPSHOT_NOT_FOUND: { httpStatus: 404, meaning: 'The event or camera exists but has no image yet.' },
  RECORDING_NOT_FOUND: { httpStatus: 404, meaning: 'No recording covers this event or path (recording off, not yet written, or deleted by retention).' },
  BAD_REQUEST: { httpStatus: 400, meaning: 'A query parameter or body does not match what the route expects.' },
  MODEL_NOT_FOUND: { httpStatus: 404, meaning: 'The model id is not in the catalog or the added models and is not a path to a file (or the file is missing).' },
  MODEL_LOAD_FAILED: { httpStatus: 500, meaning: 'The model file could not be loaded by the ONNX runtime (not ONNX, or corrupt).' },
  MODEL_LAYOUT_UNSUPPORTED: { httpStatus: 500, meaning: 'The model loaded, but its inputs or outputs have a layout no decoder supports.' },
  MODEL_TASK_MISMATCH: { httpStatus: 500, meaning: 'The model is for another task than the one it was configured for (e.g. an embedder given as a detector).' },
  MODEL_ID_TAKEN: { httpStatus: 409, meaning: 'A model cannot be added under an id the catalog or an added model already uses.' },
  DOWNLOAD_FAILED: { httpStatus: 500, meaning: 'A model or sample download failed or was interrupted.' },
  CHECKSUM_MISMATCH: { httpStatus: 500, meaning: 'A downloaded or local model or sample file has none of the sha256 values the catalog lists for it.' },
  SOURCE_UNAVAILABLE: { httpStatus: 503, meaning: 'A video source cannot be opened (missing file, unreachable stream, no video track).' },
  FFMPEG_MISSING: { httpStatus: 500, meaning: 'ffmpeg or ffprobe is not installed or not on PATH.' },
  LEASE_LOST: { httpStatus: 409, meaning: 'A cluster worker wrote for a camera whose lease it no longer holds (another worker took it over); the write was refused.' },
  NODE_ID_TAKEN: { httpStatus: 500, meaning: 'Another running process of the cluster uses this node id; each node needs its own (cluster.nodeId or its own data folder).' },
  REDIS_UNAVAILABLE: { httpStatus: 503, meaning: 'A cluster node cannot reach the Redis server named in cluster.redisUrl.' },
  DATABASE_FAILED: { httpStatus: 500, meaning: 'The database could not be opened, migrated or queried.' },
  MOT_FILE_INVALID: { httpStatus: 400, meaning: 'A MOTChallenge file (gt, detections, results, seqinfo.ini) is malformed or missing.' },
  DESTINATION_NOT_FOUND: { httpStatus: 404, meaning: 'No delivery destination with this id is configured (GET /api/destinations lists them).' },
  DELIVERY_NOT_FOUND: { httpStatus: 404, meaning: 'No delivery with this id is stored (delivered and dead ones are deleted after delivery.keepDays).' },
  DELIVERY_BUSY: { httpStatus: 409, meaning: 'The delivery is being attempted right now; retry it when the attempt has ended.' },
  LINK_INVALID: { httpStatus: 403, meaning: 'A signed link is expired or its signature does not match.' },
  AUTH_REQUIRED: { httpStatus: 401, meaning: 'The route needs a session cookie or an API key (Authorization: Bearer KEY); none came with the request.' },
  AUTH_INVALID: { httpStatus: 401, meaning: 'The Authorization header or session cookie is malformed, unknown, revoked or expired (one answer for all, so it tells an attacker nothing).' },
  SESSION_EXPIRED: { httpStatus: 401, meaning: 'The session ended (idle or absolute expiry, logout, password change, or revoked by an admin); log in again.' },
  LOGIN_FAILED: { httpStatus: 401, meaning: 'Unknown user or wrong password (the same answer for both).' },
  LOGIN_LOCKED: { httpStatus: 429, meaning: 'Too many failed logins for this user or from this address; wait for Retry-After seconds.' },
  FORBIDDEN: { httpStatus: 403, meaning: 'The session or key is valid but its role (or camera scope) does not allow this route.' },
  CSRF_FAILED: { httpStatus: 403, meaning: 'A change made with a session cookie lacked the x-csrf-token header of the session, or came from another site.' },
  PASSWORD_CHANGE_REQUIRED: { httpStatus: 403, meaning: 'The account must change its generated password first (POST /api/auth/password).' },
  PASSWORD_REJECTED: { httpStatus: 400, meaning: 'The new password breaks the password rules (length, common or derived from the user name) or the current one is wrong.' },
  RATE_LIMITED: { httpStatus: 429, meaning: 'Too many requests for this key, session or address; wait for Retry-After seconds.' },
  USER_EXISTS: { httpStatus: 409, meaning: 'A user with this name (case-insensitive) exists.' },
  USER_NOT_FOUND: { httpStatus: 404, meaning: 'No user with this id.' },
  LAST_ADMIN: { httpStatus: 409, meaning: 'The change would leave no enabled admin.' },
  KEY_NOT_FOUND: { httpStatus: 404, meaning: 'No API key with this id (or not one of yours).' },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, meaning: 'The request body is larger than server.bodyLimitKb.' },
  CONFIG_REJECTED: { httpStatus: 400, meaning: 'The change would make the configuration invalid; the message names each path (same schema as the file), and nothing was changed.' },
  CONFIG_CONFLICT: { httpStatus: 409, meaning: 'The configuration changed since the version the request was based on (If-Match, or another process); reload and try again.' },
  CONFIG_VERSION_NOT_FOUND: { httpStatus: 404, meaning: 'No configuration version with this number (GET /api/config/versions lists them), or none before the first to roll back to.' },
  ITEM_NOT_FOUND: { httpStatus: 404, meaning: 'No zone, line or rule with this id on the camera.' },
  ALREADY_EXISTS: { httpStatus: 409, meaning: 'A camera, destination, zone, line or rule with this id exists; choose another id or update it.' },
  IMAGE_INVALID: { httpStatus: 400, meaning: 'The body is not a JPEG, PNG or WebP image (or is larger than 50 megapixels).' },
  MEDIA_TYPE_UNSUPPORTED: { httpStatus: 415, meaning: 'The Content-Type of the body is not one the route takes (the message lists them).' },
  VIDEO_INVALID: { httpStatus: 400, meaning: 'The uploaded file is not a video ffprobe can read (nothing of it is kept).' },
  JOB_NOT_FOUND: { httpStatus: 404, meaning: 'No batch job with this id (finished jobs are deleted after jobs.keepDays).' },
  JOB_NOT_FINISHED: { httpStatus: 409, meaning: 'The job has not finished (or failed): its results are not there yet; GET /api/jobs/:id shows its state.' },
  MODEL_INVALID: { httpStatus: 400, meaning: 'The uploaded file is not an ONNX model (nothing of it is kept).' },
  MODEL_IN_USE: { httpStatus: 409, meaning: 'The model version is used by cameras (the message names them); point them elsewhere first.' },
  ROUTE_NOT_FOUND: { httpStatus: 404, meaning: 'No route matches this method and path.' },
  INTERNAL: { httpStatus: 500, meaning: 'An unexpected error; the log has the details.' },
} as const;

/** One of the stable error codes. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable code; its message says what was expected, what arrived, and where. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.httpStatus = ERROR_CODES[code].httpStatus;
  }
}

/** True when `err` is an AppError, optionally with the given code. */
export function isAppError(err: unknown, code?: ErrorCode): err is AppError {
  return err instanceof AppError && (code === undefined || err.code === code);
}

/** The message of any thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
