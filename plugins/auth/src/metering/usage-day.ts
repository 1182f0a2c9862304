// No imports: the studio's browser build checks its usage page against this type.

/** One row of `auth.usage.history`: a user's use of a model on a day, over all their keys. */
export interface UsageDay {
  userId: string;
  username: string;
  model: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
}
