import { LocalError, LocalErrorCode } from '@cyberstudio/sdk';

/** Why a model file was refused; `details.reason` of a CDS_ERR_MODEL_INVALID error. */
export type ModelInvalidReason = 'bad-magic' | 'unsupported-version' | 'truncated' | 'limit-exceeded' | 'malformed';

/** `details` of a CDS_ERR_MODEL_INVALID error. */
export interface ModelInvalidDetails {
  readonly file: string;
  readonly reason: ModelInvalidReason;
  /** Byte offset in the file where reading failed, when one place is to blame. */
  readonly offset?: number;
}

/** A CDS_ERR_MODEL_INVALID error whose message starts with the file it is about. */
export function modelInvalidError(file: string, reason: ModelInvalidReason, problem: string, offset?: number): LocalError<ModelInvalidDetails> {
  const where = offset === undefined ? '' : ` (at byte ${offset})`;
  return new LocalError(LocalErrorCode.ModelInvalid, `${file}: ${problem}${where}`, { file, reason, ...(offset === undefined ? {} : { offset }) });
}
