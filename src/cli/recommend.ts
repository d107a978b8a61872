/** `maxrec recommend USER_ID`: a trained model's top items for one user. */
import { ExitCode } from '../core/errors.js';
import { loadServedModel } from '../serve/model-folder.js';
import type { Output } from './output.js';

export async function recommendCommand(options: {
  userId: string;
  model: string;
  count: number;
  titles?: string;
  /** Also list items the user already has. */
  all?: boolean;
  output: Output;
}): Promise<number> {
  const { userId, model, count, titles, all, output } = options;
  // The folder is checked as `maxrec serve` checks it: a missing or broken
  // one is a wrong --model (exit 3), with what to pass instead.
  const { recommender } = await loadServedModel(model, { titlesFile: titles });
  try {
    const excludeSeen = !all && recommender.canExcludeSeen;
    const top = await recommender.recommend(userId, count, { excludeSeen });
    output.record(
      'recommendations',
      { user: userId, items: top },
      [
        `Top ${top.length} ${top.length === 1 ? 'item' : 'items'} for user ${userId}` +
          (excludeSeen ? ' (not seen in training):' : ':'),
        ...top.map((r, i) => {
          const name = r.title
            ? `${r.title} (item ${r.item})`
            : `item ${r.item}`;
          const rank = String(i + 1).padStart(2);
          return `  ${rank}. ${name}  score ${r.score.toFixed(3)}`;
        }),
      ].join('\n'),
    );
    return ExitCode.ok;
  } finally {
    await recommender.close();
  }
}
